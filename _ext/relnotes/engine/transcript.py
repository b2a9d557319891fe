"""Console transcripts: ``$ command`` lines followed by the output the reader should see."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

PROMPTS = ("$ ", "# ")
ELLIPSIS = "..."


@dataclass(frozen=True)
class Exchange:
    command: str
    expected: str  # lines; "..." matches any text (a line of its own: any lines)
    line: int  # of the command in the transcript, for messages


def parse_transcript(text: str) -> list[Exchange]:
    """Split a transcript into commands and their expected output; output before any prompt
    belongs to no command, which makes the transcript not runnable (an empty list)."""
    exchanges: list[Exchange] = []
    command: list[str] = []
    output: list[str] = []
    start = 0
    continuing = False
    for number, line in enumerate(text.splitlines(), start=1):
        if continuing:
            command.append(line)
            continuing = line.endswith("\\")
            continue
        if line.startswith(PROMPTS):
            if command:
                exchanges.append(Exchange("\n".join(command), "\n".join(output), start))
            elif output:
                return []
            command, output, start = [line[2:]], [], number
            continuing = line.endswith("\\")
        else:
            output.append(line)
    if command:
        exchanges.append(Exchange("\n".join(command), "\n".join(output), start))
    return exchanges


def _pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.splitlines():
        if line.strip() == ELLIPSIS:
            parts.append(r"(?:.*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.rstrip().split(ELLIPSIS)) + r"\n")
    return re.compile("".join(parts))


def _normalise(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def matches(expected: str, actual: str) -> bool:
    return _pattern(expected).fullmatch(_normalise(actual)) is not None


def mismatch(expected: str, actual: str, label: str) -> str:
    """A unified diff of expected vs actual output, for the failure message."""
    diff = difflib.unified_diff(_normalise(expected).splitlines(), _normalise(actual).splitlines(),
                                f"{label} (expected)", f"{label} (actual)", lineterm="")
    return "\n".join(diff)
