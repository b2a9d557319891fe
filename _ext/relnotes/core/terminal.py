"""Untrusted text on a terminal: control characters shown as escapes, never obeyed.

A Bugzilla error, a bug's summary, a file name or a message quoting a page reaches the
terminal; an escape sequence in it could set the window title, clear the screen or hide what
follows, and a bidirectional override could reorder what a reader sees. Every such character
(C0 and C1 controls but newline and tab, DEL, line and paragraph separators, bidi controls) is
printed as a visible escape.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f"
                      "\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character replaced by its escape (newline and tab kept)."""
    return _CONTROL.sub(_escape, text)
