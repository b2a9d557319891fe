"""Results stated in prose, found at their line (Sphinx-free): in pages and in catalogs.

Where and how a snippet was verified comes from the ledger only (``{rn:verified}`` and the
badges). A page or a translation that says it in its own words ("tested on libvirt 9.0",
"works with QEMU 7.2", "checked by our test suite", "on both versions", "libvirt 9.0 で検証
済み") states a result nothing keeps true; this finds such phrasing. The build warns at each
(subtype ``claim``) and ``relnotes check`` reports it.
"""

from __future__ import annotations

import re
from pathlib import Path

_PRODUCT = r"`?(?:libvirt|QEMU|KVM|TCG)`?"
_VERSION = r"`?\s*\d+(?:\.\d+)*"
_VERB = (r"(?:verified|tested|checked|confirmed|validated|works?|worked|working|runs?|ran|"
         r"passe[sd]|pass|fails?|failed|succeeds?|succeeded)")

#: Each phrasing that states a result, and what it is, for the message.
ENGLISH: tuple[re.Pattern[str], ...] = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    # "verified on `libvirt 9.0`", "Tested on libvirt 9.0 / QEMU 7.2", "Works with libvirt 11.3"
    rf"\b{_VERB}\s+(?:[\w-]+\s+){{0,3}}?(?:on|against|with|under|in)\s+{_PRODUCT}\s*{_VERSION}",
    # "(checked by our test suite on current libvirt)", "confirmed by the check"
    r"\b(?:verified|tested|checked|confirmed|validated|proven)\s+by\s+(?:our|the)\s+"
    r"(?:test(?:\s+suite)?|tests|checks?|CI|verification)\b",
    # "The check confirms this on ...", "our tests show"
    r"\b(?:the|our)\s+(?:check|checks|tests?|test\s+suite|verification)\s+"
    r"(?:confirms?|proves?|verifies|verified|shows?|showed|demonstrates?)\b",
    # "on both versions", "on all targets", "on current libvirt" ("each"/"every" describe)
    r"\b(?:on|in|with|across)\s+(?:both|all)\s+(?:supported\s+)?"
    r"(?:versions?|targets?|environments?)\b",
    rf"\b(?:on|with|against)\s+(?:the\s+)?(?:current|latest|newest)\s+{_PRODUCT}",
))
JAPANESE: tuple[re.Pattern[str], ...] = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    # "libvirt 9.0 で検証済み", "QEMU 7.2 で動作確認しました", "libvirt 11.3 でテスト済み"
    rf"{_PRODUCT}\s*{_VERSION}`?\s*(?:[^\s。、]{{0,12}}?)(?:で|にて|上で|において)"
    r"(?:の)?(?:検証|動作確認|確認|テスト|試験)",
    # "テストスイートで確認", "チェックで確認済み"
    r"(?:テスト(?:スイート)?|チェック|検証)(?:で|により|によって)(?:確認|検証|動作確認)",
    # "両方のバージョンで", "すべてのバージョンで"
    r"(?:両方|全て|すべて|全)の(?:バージョン|ターゲット|環境)で",
))
MESSAGE = ("the page states {phrase!r} in plain text; a result comes from the ledger (the "
           "badges, {{rn:verified}}), never from prose: remove it or use {{rn:verified}}")
CATALOG_MESSAGE = ("the translation states {phrase!r} in plain text; a result comes from the "
                   "ledger (the badges, {{rn:verified}}), never from prose: remove it")
_FENCE = re.compile(r"^(```|~~~|:::)")


def _search(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    found = [match for pattern in patterns if (match := pattern.search(text))]
    return min(found, key=lambda match: match.start()) if found else None


def plain_claims(text: str) -> list[tuple[int, str]]:
    """(line, phrase) of each result stated in a page's prose, outside code fences; a claim
    may wrap onto the next line (it is reported at the line it starts on)."""
    found, fenced = [], False
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if fenced:
            continue
        following = lines[number] if number < len(lines) else ""
        window = line + " " + ("" if _FENCE.match(following.strip()) else following)
        match = _search(ENGLISH + JAPANESE, window)
        if match and match.start() < len(line):
            found.append((number, " ".join(match.group(0).split())))
    return found


def catalog_claims(path: Path) -> list[tuple[int, str]]:
    """(line, phrase) of each result stated in a catalog's translations (``msgstr``)."""
    found = []
    current: list[tuple[int, str]] = []
    in_msgstr = False

    def flush() -> None:
        if not current:
            return
        text = "".join(part for _line, part in current)
        match = _search(JAPANESE + ENGLISH, text)
        if match:
            # the line of the string part the phrase starts in
            offset, line = 0, current[0][0]
            for part_line, part in current:
                if offset + len(part) > match.start():
                    line = part_line
                    break
                offset += len(part)
            found.append((line, " ".join(match.group(0).split())))

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("msgstr"):
            flush()
            current, in_msgstr = [], True
            line = line.split(None, 1)[1] if " " in line else '""'
        elif not line.startswith('"'):
            if in_msgstr:
                flush()
                current = []
            in_msgstr = False
            continue
        if in_msgstr and line.startswith('"') and line.endswith('"'):
            current.append((number, _unquote(line[1:-1])))
    if in_msgstr:
        flush()
    return found


def _unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def catalogs(locale_dir: Path) -> list[Path]:
    """The page catalogs of a site's translations (``<locale>/<lang>/LC_MESSAGES/**.po``)."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/**/*.po")) if locale_dir.is_dir() else []
