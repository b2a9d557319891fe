"""What a Jira server's REST search is asked, and how: the token's environment variable, the
page size, the timeout (light to import: the ``relnotes import`` parser reads it)."""

from __future__ import annotations

from relnotes.importing.bugzilla_api import DEFAULT_TIMEOUT

TOKEN_VARIABLE = "JIRA_TOKEN"
PAGE_SIZE = 100

__all__ = ["DEFAULT_TIMEOUT", "PAGE_SIZE", "TOKEN_VARIABLE"]
