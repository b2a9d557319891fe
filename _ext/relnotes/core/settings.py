"""The site's settings: one file, ``relnotes.toml`` beside conf.py, read by every entry point.

The Sphinx extension, the ``relnotes`` command and the pytest plugin all call
:func:`load_settings`, so the snippets folder, the ledger path, the verification targets, the
accelerator, the Bugzilla URL, the topic vocabulary and the component pages are declared once.
A site without the file gets the defaults below.
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, cast

from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.core.environment import ACCELERATOR_CHOICES, AcceleratorChoice
from relnotes.core.located_toml import LocatedError, Validator, parse_toml
from relnotes.core.model import RecordError, parse_release
from relnotes.core.paths import DEFAULT_SNIPPET_SIZE_LIMIT
from relnotes.core.targets import TARGET_NAMES

SETTINGS_FILE = "relnotes.toml"
SETTINGS_SIZE_LIMIT = 1 * 2**20


_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_DOCNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
#: Schemes a Bugzilla link may have: never javascript:, data: or a relative URL.
URL_SCHEMES = ("https://", "http://")


class SettingsError(LocatedError):
    """``relnotes.toml`` is invalid; the message names the file, the key and its line."""


@dataclass(frozen=True)
class Settings:
    """The typed view of ``relnotes.toml``; paths are absolute (resolved against the site root)."""

    root: Path
    snippets_dir: Path
    ledger: Path
    #: Verification environments every snippet is checked on and badged for.
    targets: tuple[str, ...] = TARGET_NAMES
    #: Guests' accelerator: KVM when /dev/kvm opens read-write (``auto``), or forced.
    accelerator: AcceleratorChoice = "auto"
    bugzilla_url: str = "https://bugzilla.redhat.com/show_bug.cgi?id={bz}"
    #: The topic vocabulary; an issue naming another topic is an error.
    topics: tuple[str, ...] = ()
    #: Component name -> docname of its landing page (default ``components/<name>``).
    components: dict[str, str] = field(default_factory=dict)
    #: The site's languages: the first is built at the output's root, each other under
    #: ``<language>/`` (their page catalogs are in ``source/locale/<language>/``).
    languages: tuple[str, ...] = ("en",)
    #: Largest snippet file accepted, in bytes; a larger one is refused at its reference.
    snippet_size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT
    #: The product's releases, oldest first (optional): when given, an issue's release or
    #: fixed-in must be one of them, and per-release pages come in this order.
    releases: tuple[str, ...] = ()
    #: ``[jira]``: where a ticket is shown, and the ids of its release-note fields (they differ
    #: between Jira instances; the defaults are the vendor's public instance's).
    jira_url: str = "https://issues.redhat.com/browse/{key}"
    jira_type_field: str = "customfield_12320850"
    jira_text_field: str = "customfield_12317313"
    #: The "Release Note Status" field, read when set (no default: its id is instance-specific).
    jira_status_field: str = ""

    @property
    def verification_dir(self) -> Path:
        """Where a verification run writes the ledger and its JUnit report."""
        return self.ledger.parent

    def component_page(self, component: str) -> str:
        return self.components.get(component, f"components/{component}")


#: Keys of the file and their TOML types; paths are given relative to the file.
_SCHEMA: dict[str, Any] = {
    "snippets_dir": str, "ledger": str, "targets": list, "accelerator": str,
    "bugzilla_url": str, "topics": list, "components": {"*": str}, "snippet_size_limit": int,
    "languages": list, "releases": list,
    "jira": {"url": str, "type_field": str, "text_field": str, "status_field": str},
}
_FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def settings_file(root: Path) -> Path:
    return root / SETTINGS_FILE


def load_settings(root: Path) -> Settings:
    """Read ``root/relnotes.toml`` (defaults where absent); raise SettingsError at file:line."""
    root = root.resolve()
    file = settings_file(root)
    data: dict[str, Any] = {}
    text = ""
    if os.path.lexists(file):
        try:
            text = read_bounded(file, SETTINGS_SIZE_LIMIT, what="settings file").decode("utf-8")
        except InputFileError as error:
            raise SettingsError(file, None, str(error).removeprefix(f"{file}: ")) from None
        except UnicodeDecodeError as error:
            raise SettingsError(file, None, f"not UTF-8 text ({error.reason})") from None
        data = parse_toml(file, text, SettingsError)
        Validator(file, text, SettingsError).check(data, _SCHEMA, ())
    check = Validator(file, text, SettingsError)

    def strings(key: str) -> tuple[str, ...]:
        values = data.get(key, [])
        if not all(isinstance(v, str) and _SLUG.fullmatch(v) for v in values):
            raise check.error((key,), "must be a list of lowercase names (letters, digits, '-')")
        if len(set(values)) != len(values):
            raise check.error((key,), "names a value twice")
        return tuple(cast(list[str], values))

    defaults = {f.name: f.default for f in fields(Settings) if f.default is not f.default_factory}
    snippets_dir = _inside(root, data.get("snippets_dir", "snippets"), check, "snippets_dir")
    values: dict[str, Any] = {
        "root": root,
        "snippets_dir": snippets_dir,
        "ledger": _ledger(root, data.get("ledger", "_build/verification/ledger.json"), check,
                          (root / "source", snippets_dir)),
        "topics": strings("topics"),
        "components": dict(data.get("components", {})),
    }
    if "targets" in data:
        values["targets"] = strings("targets")
        if not values["targets"]:
            raise check.error(("targets",), "names no target")
        unknown = [name for name in values["targets"] if name not in TARGET_NAMES]
        if unknown:
            raise check.error(("targets",), f"unknown target {unknown[0]!r} "
                                            f"(known: {', '.join(TARGET_NAMES)})")
    if "languages" in data:
        languages = data["languages"]
        if not languages or not all(isinstance(v, str) and _LANGUAGE.fullmatch(v) for v in languages):
            raise check.error(("languages",), "must be a non-empty list of language codes "
                                              "such as \"en\" or \"pt_BR\"")
        if len(set(languages)) != len(languages):
            raise check.error(("languages",), "names a language twice")
        known = sphinx_languages()
        unknown = [language for language in languages if known and language not in known]
        if unknown:
            raise check.error(("languages",), f"{unknown[0]!r} is not a language Sphinx has "
                                              "(its sphinx/locale/ folders, and \"en\")")
        values["languages"] = tuple(languages)
    accelerator = data.get("accelerator", defaults["accelerator"])
    if accelerator not in ACCELERATOR_CHOICES:
        raise check.error(("accelerator",), f"must be one of {', '.join(ACCELERATOR_CHOICES)}")
    values["accelerator"] = accelerator
    url = data.get("bugzilla_url", defaults["bugzilla_url"])
    if problem := bugzilla_url_problem(url):
        raise check.error(("bugzilla_url",), problem)
    values["bugzilla_url"] = url
    limit = data.get("snippet_size_limit", defaults["snippet_size_limit"])
    if limit < 1:
        raise check.error(("snippet_size_limit",), "must be a positive number of bytes")
    values["snippet_size_limit"] = limit
    if "releases" in data:
        names = data["releases"]
        for name in names:
            try:
                if not isinstance(name, str):
                    raise RecordError("releases", "not text")
                parse_release(name)
            except RecordError:
                raise check.error(("releases",), f"{name!r} is not a release name (one line of "
                                  "printable text, no comma, no surrounding spaces, at most "
                                  "64 characters)") from None
        if len(set(names)) != len(names):
            raise check.error(("releases",), "names a release twice")
        values["releases"] = tuple(names)
    jira = data.get("jira", {})
    url = jira.get("url", defaults["jira_url"])
    if problem := link_template_problem(url, "{key}"):
        raise check.error(("jira", "url"), problem)
    values["jira_url"] = url
    for key in ("type_field", "text_field", "status_field"):
        if key in jira:
            if not _FIELD_ID.fullmatch(jira[key]) and not (key == "status_field" and not jira[key]):
                raise check.error(("jira", key), f"{jira[key]!r} is not a Jira field id "
                                                 "such as customfield_12317313")
            values[f"jira_{key}"] = jira[key]
    for component, docname in values["components"].items():
        if not _SLUG.fullmatch(component):
            raise check.error(("components", component), "a component name is a lowercase slug")
        if not _DOCNAME.fullmatch(docname) or ".." in docname.split("/"):
            raise check.error(("components", component),
                              f"{docname!r} is not a page of source/ (a docname such as "
                              "\"components/kvm\": no '..', no leading '/', no suffix)")
    return Settings(**values)


def bugzilla_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the template of every BZ link, or None."""
    return link_template_problem(url, "{bz}")


def link_template_problem(url: str, placeholder: str) -> str | None:
    """Why ``url`` cannot be the template of every tracker link (a BZ number, a Jira key)."""
    if not url.startswith(URL_SCHEMES):
        return f"must be an http(s) URL (starting with {' or '.join(URL_SCHEMES)})"
    if placeholder not in url:
        return f"must contain {placeholder!r} where the ticket goes"
    rest = url.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        return f"may hold no braces but {placeholder!r}"
    if not url.isprintable() or any(char.isspace() or char in '<>"\'' for char in url):
        return "may hold no space, quote, angle bracket or control character"
    return None


@cache
def sphinx_languages() -> frozenset[str]:
    """The languages Sphinx has messages for (its ``locale/`` folders) and ``en``; empty when
    Sphinx is not installed. Read from the folder, so the core imports no Sphinx."""
    spec = importlib.util.find_spec("sphinx")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    locale = Path(next(iter(spec.submodule_search_locations))) / "locale"
    return frozenset({"en"} | {entry.name for entry in locale.iterdir()
                               if entry.is_dir() and _LANGUAGE.fullmatch(entry.name)})


def _ledger(root: Path, relative: str, check: Validator, own: tuple[Path, ...]) -> Path:
    """The ledger: a ``.json`` file under the site (its JUnit report is written beside it),
    never a folder, a file of the site (conf.py, a page), or inside its pages or snippets."""
    path = _inside(root, relative, check, "ledger")
    if path.suffix != ".json":
        raise check.error(("ledger",), f"{relative!r} must name a .json file, e.g. "
                                       "\"_build/verification/ledger.json\"")
    if path.exists() and not path.is_file():
        raise check.error(("ledger",), f"{relative!r} is not a regular file")
    for folder in own:
        if folder != root and path.is_relative_to(folder):
            raise check.error(("ledger",), f"{relative!r} is inside {folder.name}/, a folder of "
                                           "the site's own")
    return path


def _inside(root: Path, relative: str, check: Validator, key: str) -> Path:
    """A path setting, resolved against the site root; it may not leave the site."""
    if not relative or "\0" in relative or not relative.isprintable():
        raise check.error((key,), f"{relative!r} is not a path (empty, or a NUL or control "
                                  "character)")
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise check.error((key,), f"{relative!r} is outside the site folder")
    return path
