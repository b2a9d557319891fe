"""Release notes whose workarounds are verified against real libvirt/QEMU.

Three packages, each depending only on those before it:

- :mod:`relnotes.core`: the issue model, snippet files and check specs, the ledger and the
  site settings; no Sphinx, no libvirt.
- :mod:`relnotes.engine`: the verification engine and the container harness.
- :mod:`relnotes.sphinxext`: the Sphinx extension (``extensions = ["relnotes.sphinxext"]``).

The ``relnotes`` command (:mod:`relnotes.cli`) sits on the core and the engine. This root
imports nothing, so ``relnotes verify --help`` loads neither Sphinx nor libvirt.
"""

from __future__ import annotations

__version__ = "0.2.0"
