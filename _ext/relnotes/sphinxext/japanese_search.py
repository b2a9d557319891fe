"""Search-index word splitting for the Japanese site that keeps its build fast.

Sphinx's Japanese splitter (a pure-Python TinySegmenter) costs about as much as the rest of
the build, and on this site most text of the Japanese pages is English (untranslated pages,
commands, identifiers). This splitter gives only runs of Japanese script to TinySegmenter and
splits everything else into words, as the English index does. Selected in conf.py with
``html_search_options = {"type": "relnotes.sphinxext.japanese_search.MixedScriptSplitter"}``.
"""

from __future__ import annotations

import re

from sphinx.search.ja import BaseSplitter, DefaultSplitter

# Hiragana, katakana (full and half width), CJK ideographs and Japanese punctuation.
JAPANESE = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_RUNS = re.compile(rf"([{JAPANESE}]+)|([^\W{JAPANESE}]+)")


class MixedScriptSplitter(BaseSplitter):
    def __init__(self, options: dict[str, str]) -> None:
        super().__init__(options)
        self._japanese = DefaultSplitter(options)

    def split(self, input: str) -> list[str]:
        words: list[str] = []
        for match in _RUNS.finditer(input):
            japanese, other = match.groups()
            if japanese:
                words.extend(self._japanese.split(japanese))
            else:
                words.append(other)
        return words
