"""The one list of warning subtypes, so ``suppress_warnings = ["relnotes.<subtype>"]`` works."""

from __future__ import annotations

import enum

WARNING_TYPE = "relnotes"


class Subtype(enum.StrEnum):
    DUPLICATE_ID = "duplicate_id"
    INVALID_FIELD = "invalid_field"
    UNKNOWN_FIELD = "unknown_field"
    MISSING_FIELD = "missing_field"
    UNKNOWN_ISSUE = "unknown_issue"
    UNREACHABLE = "unreachable"
    SNIPPET = "snippet"
    SPEC = "spec"
    PAGE = "page"
    UNVERIFIED = "unverified"
    LEDGER = "ledger"
    CLAIM = "claim"  # a page states in prose where something was verified
    CODE_BLOCK = "code_block"  # an issue page shows code that is not a snippet
    CATALOG = "catalog"
    THEME_WORDS = "theme_words"  # a theme's template shows a word the language does not translate
    # The scaffold's placeholder title (and, `relnotes check` only, an empty section); a
    # Bugzilla number on two issue pages.
    PLACEHOLDER = "placeholder"
    DUPLICATE_BZ = "duplicate_bz"
    PATH = "path"  # a page names a file outside the site's pages and snippets for Sphinx to read
