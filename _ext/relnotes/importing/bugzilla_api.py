"""What a Bugzilla server's REST API is asked, and how: the fields, the page size, the API key's
environment variable, the timeout (light to import: the ``relnotes import`` parser reads it)."""

from __future__ import annotations

API_KEY_VARIABLE = "BUGZILLA_API_KEY"
FIELDS = ("id", "summary", "component", "product", "version", "status", "resolution",
          "cf_doc_type", "cf_release_notes")
PAGE_SIZE = 500
DEFAULT_TIMEOUT = 30.0
