"""``python -m relnotes.cli``: the same as the ``relnotes`` command."""

import sys

from relnotes.cli import main

sys.exit(main())
