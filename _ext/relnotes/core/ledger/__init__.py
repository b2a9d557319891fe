"""The verification ledger (Sphinx-free): what was verified, where, when and with which result.

The parts, one concept each: ``_records`` (a record, its statuses, the order of one machine's
runs), ``_ledger`` (the ledger in memory and the status readers derive), ``_schema`` (a
record's JSON form, checked), ``_reading`` (files of formats 1 to 3), ``_writing`` (format 3),
``_merge`` (files merged in memory), ``_stream`` (files merged as streams) and ``_split``
(where two processes share a streamed merge). This package imports nothing that needs an
optional extra; msgspec, which checks the records, is a core dependency.
"""

from __future__ import annotations

from relnotes.core.ledger._ledger import (
    FORMAT,
    Ledger,
    changed_inputs,
    conflict_locations,
    conflict_text,
)
from relnotes.core.ledger._merge import merge_files
from relnotes.core.ledger._reading import (
    CLOCK_TOLERANCE,
    LEDGER_SIZE_LIMIT,
    READABLE_FORMATS,
    LedgerError,
    load_ledger,
    now,
)
from relnotes.core.ledger._records import (
    LOG_LIMIT,
    RECORDED,
    Layer,
    LayerStatus,
    MutationScore,
    Observation,
    Record,
    SnippetStatus,
    Status,
    SymptomObservation,
    order,
    provenance,
    sha256_of,
    sort_key,
    supersedes,
)
from relnotes.core.ledger._stream import StreamMerged, merge_streams
from relnotes.core.ledger._writing import write_ledger

__all__ = [
    "CLOCK_TOLERANCE", "FORMAT", "LEDGER_SIZE_LIMIT", "LOG_LIMIT", "READABLE_FORMATS",
    "RECORDED", "Layer", "LayerStatus", "Ledger", "LedgerError", "MutationScore", "Observation",
    "Record", "SnippetStatus", "Status", "StreamMerged", "SymptomObservation", "changed_inputs",
    "conflict_locations", "conflict_text", "load_ledger", "merge_files", "merge_streams", "now",
    "order", "provenance", "sha256_of", "sort_key", "supersedes", "write_ledger",
]
