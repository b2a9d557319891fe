"""JUnit XML beside the ledger, so CI systems can show per-snippet results."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from relnotes.core.atomic import write_atomic
from relnotes.core.ledger import Record, Status
from relnotes.core.results import JUnitOutcome, meaning

# Characters XML 1.0 cannot carry; logs hold raw process output (QEMU's NUL-separated
# /proc/<pid>/cmdline, terminal escapes) that must not make the report unwritable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with NULs as spaces and other characters XML forbids as U+FFFD."""
    return _NOT_XML.sub(lambda m: " " if m.group() == "\0" else "\ufffd", text)


def outcome(record: Record) -> JUnitOutcome:
    """The table's word: red for every record that is not green, skipped for a declared one."""
    return meaning(record.result).junit


def junit_xml(records: Iterable[Record]) -> bytes:
    suites = etree.Element("testsuites", name="relnotes snippet verification")
    by_target: dict[str, list[Record]] = {}
    for record in records:
        by_target.setdefault(record.target, []).append(record)
    for target, items in sorted(by_target.items()):
        items.sort(key=lambda r: r.snippet)
        failed = sum(outcome(r) is JUnitOutcome.FAILURE for r in items)
        skipped = sum(outcome(r) is JUnitOutcome.SKIPPED for r in items)
        suite = etree.SubElement(suites, "testsuite", name=target, tests=str(len(items)),
                                 failures=str(failed), skipped=str(skipped), errors="0",
                                 time=f"{sum(r.duration for r in items):.3f}")
        etree.SubElement(etree.SubElement(suite, "properties"), "property",
                         name="environment", value=items[0].environment.label)
        for record in items:
            directory, _, name = record.snippet.rpartition("/")
            case = etree.SubElement(suite, "testcase", classname=directory.replace("/", "."),
                                    name=name, time=f"{record.duration:.3f}")
            if outcome(record) is JUnitOutcome.FAILURE:
                message = record.reason or "failed"
                if record.result is not Status.FAILED:
                    message = f"{record.result.value}: {message}"
                etree.SubElement(case, "failure", message=xml_text(message)).text = \
                    xml_text(record.log)
            elif outcome(record) is JUnitOutcome.SKIPPED:
                etree.SubElement(case, "skipped",
                                 message=xml_text(f"{record.result.value}: {record.reason}"))
    return etree.tostring(suites, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_junit(records: Iterable[Record], path: Path) -> None:
    document = junit_xml(records)  # before the temporary file: a failure leaves nothing behind
    write_atomic(path, document)
