"""``python -m relnotes.importing bugzilla|text ...``: the ``relnotes import`` subcommand."""

from __future__ import annotations

import sys

from relnotes.importing.cli import main

if __name__ == "__main__":
    sys.exit(main())
