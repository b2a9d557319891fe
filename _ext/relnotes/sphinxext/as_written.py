"""Text shown as written: Sphinx's smart quotes are off wherever the extension is loaded.

Release notes quote commands. Smart quotes turn ``--copy-storage-all`` into an en dash and
``"x"`` or ``don't`` into typographic quotes, in titles, prose, the overview and
``issues.json``; a reader who copies the command gets one that fails. The site's text is the
writer's, character for character.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config


def _no_smart_quotes(app: Sphinx, config: Config) -> None:
    config.smartquotes = False


def setup_as_written(app: Sphinx) -> None:
    # Before any document is read; the order among config-inited handlers does not matter.
    app.connect("config-inited", _no_smart_quotes, priority=100)
