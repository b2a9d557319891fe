"""Check specs: the ``<snippet>.check.toml`` file beside each snippet says how to verify it.

Sphinx-free. ``load_spec`` validates one file strictly (unknown keys are errors, named by key
path and line) so that a typo cannot silently turn a check into a no-op.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SPEC_SUFFIX = ".check.toml"
DEFAULT_GUEST = "_guests/minimal.xml"
DEFAULT_TIMEOUT = 120.0
# Directories under snippets/ whose name starts with this hold harness material (base guests),
# not published snippets.
PRIVATE_PREFIX = "_"


class SnippetKind(enum.Enum):
    """What a snippet file is; decides how a check uses it."""

    XML_FRAGMENT = "xml-fragment"
    DOMAIN_XML = "domain-xml"
    SHELL = "shell"
    VIRSH = "virsh"
    CONSOLE = "console"


class ApplyMode(enum.Enum):
    """How an XML fragment goes into the base guest at ``target``."""

    APPEND = "append"  # add the fragment as the last child of target
    REPLACE = "replace"  # replace target by the fragment
    MERGE = "merge"  # fragment's children replace target's same-named children, or are added


class StepAction(enum.Enum):
    """Harness actions a procedure may take between published steps."""

    START = "start"
    DESTROY = "destroy"


class SpecError(ValueError):
    """A spec is invalid; the message names the file, the key path and (when found) the line."""

    def __init__(self, file: Path, key: str | None, message: str, line: int | None = None):
        where = str(file) + (f":{line}" if line else "")
        super().__init__(f"{where}: {key + ': ' if key else ''}{message}")
        self.file = file
        self.key = key
        self.line = line


@dataclass(frozen=True)
class Apply:
    """Where a fragment goes in the base guest."""

    mode: ApplyMode
    target: str
    ellipsis: bool = False
    keep_attributes: tuple[str, ...] = ()
    adaptation: str | None = None


@dataclass(frozen=True)
class Edit:
    """What a scripted editor (EDITOR for ``virsh edit``, or ``vi``) does to the file it gets."""

    file: str | None = None  # None: the domain XML that ``virsh edit`` offers
    offered: str | None = None  # file whose text the editor is offered, when a step copies it
    replace: tuple[str, str] | None = None  # snippet keys: before-text, after-text
    fragment: str | None = None  # snippet key of an xml-fragment, applied per its [apply]
    delete: tuple[str, ...] = ()  # XPaths removed
    set_text: Mapping[str, str] = field(default_factory=dict)  # XPath -> new text

    def snippets(self) -> tuple[str, ...]:
        return (*(self.replace or ()), *((self.fragment,) if self.fragment else ()))


@dataclass(frozen=True)
class Step:
    """One step of a procedure: a published snippet run as written, or a harness action."""

    snippet: str | None = None
    action: StepAction | None = None
    install: str | None = None  # write the snippet to this path instead of running it
    edit: Edit | None = None
    exit_status: int = 0


@dataclass(frozen=True)
class Setup:
    """A stated harness command (run inside the container) that the published text presumes."""

    run: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Expectation:
    """What a probe's value must be. Unset fields are not checked."""

    equals: Any = None
    not_equals: Any = None
    contains: Any = None
    lacks: Any = None

    def is_empty(self) -> bool:
        return all(v is None for v in (self.equals, self.not_equals, self.contains, self.lacks))


@dataclass(frozen=True)
class Effect:
    """An observation of the running guest and what the workaround makes it be."""

    probe: str
    expect: Expectation
    control: Expectation | None = None  # the same probe on the base guest without the change
    guest: str | None = None  # a literal domain name (e.g. the published "new-guest")
    path: str | None = None
    property: str | None = None
    why: str | None = None


@dataclass(frozen=True)
class Spec:
    """A validated check spec for one snippet (``snippet`` is its key: posix path under snippets/)."""

    snippet: str
    file: Path
    kind: SnippetKind
    summary: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    not_verifiable: str | None = None
    expected_failure: Mapping[str, str] = field(default_factory=dict)
    # target -> text the observed failure must contain for the declaration to hold, so that
    # a declared failure cannot hide a different one
    failure_contains: Mapping[str, str] = field(default_factory=dict)
    verified_by: str | None = None  # snippet key of the spec holding the procedure
    guest: str = DEFAULT_GUEST
    apply: Apply | None = None
    setup: tuple[Setup, ...] = ()
    steps: tuple[Step, ...] = ()
    effects: tuple[Effect, ...] = ()
    expect_output: str | None = None

    @property
    def is_driver(self) -> bool:
        """True when this spec owns a check (rather than being a step of another's)."""
        return self.verified_by is None

    def members(self) -> tuple[str, ...]:
        """Snippet keys a driver's check uses, the driver first, without duplicates."""
        keys = [self.snippet]
        for step in self.steps:
            if step.snippet:
                keys.append(step.snippet)
            if step.edit:
                keys.extend(step.edit.snippets())
        return tuple(dict.fromkeys(keys))


PROBES = frozenset({
    "pci-ids", "cpu", "qom", "block-formats", "vnc-auth", "running", "cmdline",
    "distinct-identity", "nic-models",
})

# The accepted keys: a nested dict is a table, a list with one dict is an array of tables.
_EXPECTATION: dict[str, Any] = {"equals": object, "not_equals": object, "contains": object,
                                "lacks": object}
_SCHEMA: dict[str, Any] = {
    "kind": str, "summary": str, "timeout": (int, float), "not_verifiable": str,
    "expected_failure": {"*": str}, "failure_contains": {"*": str}, "verified_by": str,
    "guest": str, "expect_output": str,
    "apply": {"mode": str, "target": str, "ellipsis": bool, "keep_attributes": list,
              "adaptation": str},
    "setup": [{"run": list, "why": str}],
    "steps": [{"snippet": str, "action": str, "install": str, "exit_status": int,
               "edit": {"file": str, "offered": str, "replace": list, "fragment": str, "delete": list,
                        "set": {"*": str}}}],
    "effects": [{"probe": str, "guest": str, "path": str, "property": str, "why": str,
                 **_EXPECTATION, "control": dict(_EXPECTATION)}],
}
_DRIVER_ONLY = ("guest", "setup", "steps", "effects", "expect_output")


def spec_path(snippet_file: Path) -> Path:
    return snippet_file.with_name(snippet_file.name + SPEC_SUFFIX)


def is_spec_file(path: Path) -> bool:
    return path.name.endswith(SPEC_SUFFIX)


def snippet_files(snippets_dir: Path) -> Iterator[Path]:
    """Published snippet files: everything except specs and ``_``-prefixed harness material."""
    for path in sorted(snippets_dir.rglob("*")):
        relative = path.relative_to(snippets_dir)
        if not path.is_file() or is_spec_file(path):
            continue
        if any(part.startswith(PRIVATE_PREFIX) or part.startswith(".") for part in relative.parts):
            continue
        yield path


def snippet_key(path: Path, snippets_dir: Path) -> str:
    return path.relative_to(snippets_dir).as_posix()


def load_spec(snippet_file: Path, snippets_dir: Path) -> Spec:
    """Load and validate the spec beside ``snippet_file``; raise SpecError on any problem."""
    file = spec_path(snippet_file)
    if not file.is_file():
        raise SpecError(file, None, f"missing check spec for snippet {snippet_file.name}")
    text = file.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise SpecError(file, None, f"not valid TOML: {error}",
                        int(match.group(1)) if match else None) from None
    _Validator(file, text).check(data, _SCHEMA, ())
    return _build(data, snippet_key(snippet_file, snippets_dir), file, _Validator(file, text))


def load_specs(snippets_dir: Path) -> dict[str, Spec]:
    """Every snippet's spec, keyed by snippet key; cross-references checked."""
    specs = {snippet_key(p, snippets_dir): load_spec(p, snippets_dir)
             for p in snippet_files(snippets_dir)}
    check_references(specs, snippets_dir)
    return specs


def orphan_specs(snippets_dir: Path) -> list[Path]:
    """Spec files whose snippet does not exist (a renamed snippet leaves one behind)."""
    return [p for p in sorted(snippets_dir.rglob("*" + SPEC_SUFFIX))
            if not p.with_name(p.name.removesuffix(SPEC_SUFFIX)).is_file()]


def check_references(specs: Mapping[str, Spec], snippets_dir: Path) -> None:
    """Every snippet a procedure names exists; every step's snippet is verified by it.

    A snippet used only by an edit (a fragment, a before/after text) may be owned by another
    procedure: the e1000 fragment serves two published procedures but has one record.
    """
    for spec in specs.values():
        if spec.verified_by is not None:
            driver = specs.get(spec.verified_by)
            if driver is None or not driver.is_driver:
                raise SpecError(spec.file, "verified_by",
                                f"{spec.verified_by!r} is not a snippet with its own check")
            if spec.snippet not in driver.members():
                raise SpecError(spec.file, "verified_by",
                                f"{spec.verified_by!r} has no step using {spec.snippet!r}")
            continue
        if not (snippets_dir / spec.guest).is_file():
            raise SpecError(spec.file, "guest", f"base guest {spec.guest!r} does not exist")
        for key in spec.members()[1:]:
            if key not in specs:
                raise SpecError(spec.file, "steps", f"no snippet {key!r}")
        for step in spec.steps:
            member = specs[step.snippet] if step.snippet else None
            if member is not None and member is not spec and member.verified_by != spec.snippet:
                raise SpecError(member.file, "verified_by",
                                f"is run by {spec.snippet!r}'s procedure; set verified_by to it")


class _Validator:
    def __init__(self, file: Path, text: str):
        self.file = file
        self.text = text

    def error(self, path: tuple[str | int, ...], message: str) -> SpecError:
        key = _dotted(path)
        return SpecError(self.file, key or None, message, _locate(self.text, path))

    def check(self, data: Mapping[str, Any], schema: Mapping[str, Any],
              path: tuple[str | int, ...]) -> None:
        for key, value in data.items():
            here = (*path, key)
            expected = schema.get(key, schema.get("*"))
            if expected is None:
                allowed = ", ".join(sorted(k for k in schema if k != "*"))
                raise self.error(here, f"unknown key {key!r} (allowed: {allowed})")
            if isinstance(expected, dict):
                if not isinstance(value, dict):
                    raise self.error(here, "must be a table")
                self.check(value, expected, here)
            elif isinstance(expected, list):
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    raise self.error(here, "must be an array of tables ([[...]])")
                for index, item in enumerate(value):
                    self.check(item, expected[0], (*here, index))
            elif expected is not object and (
                    not isinstance(value, expected) or isinstance(value, bool) != (expected is bool)):
                raise self.error(here, f"must be {_type_name(expected)}, not {type(value).__name__}")


def _type_name(expected: Any) -> str:
    names = {str: "a string", bool: "true or false", int: "an integer", list: "an array",
             (int, float): "a number"}
    return names.get(expected, str(expected))


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f"{'.' if i else ''}{p}"
                   for i, p in enumerate(path))


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def _locate(text: str, path: tuple[str | int, ...]) -> int | None:
    """Line of the key at ``path``; tomllib reports no positions, so scan the text.

    Handles tables, arrays of tables and dotted keys, which is all our specs use; an inline
    table's key is located at its parent's line.
    """
    table: tuple[str | int, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                counts[names] = counts.get(names, -1) + 1
                table = (*names, counts[names])
            else:
                table = names
            if table == path[: len(table)] and len(table) == len(path):
                return number
            continue
        key = _KEY.match(line)
        if key:
            full = (*table, *_split_key(key.group(1)))
            if full == path:
                return number
            if full == path[: len(full)]:
                best = number  # the inline table holding the key
    return best


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]


def _build(data: Mapping[str, Any], snippet: str, file: Path, v: _Validator) -> Spec:
    try:
        kind = SnippetKind(data.get("kind"))
    except ValueError:
        allowed = ", ".join(k.value for k in SnippetKind)
        raise v.error(("kind",), f"{data.get('kind')!r} is not one of: {allowed}") from None
    base = PurePosixPath(snippet).parent

    def sibling(name: str, path: tuple[str | int, ...]) -> str:
        resolved = (base / name).as_posix()
        if ".." in PurePosixPath(resolved).parts:
            raise v.error(path, f"{name!r} must stay inside the snippets directory")
        return resolved

    verified_by = data.get("verified_by")
    if verified_by is not None:
        for key in _DRIVER_ONLY:
            if key in data:
                raise v.error((key,), "a snippet verified by another's procedure has no " + key)
    timeout = float(data.get("timeout", DEFAULT_TIMEOUT))
    if timeout <= 0:
        raise v.error(("timeout",), "must be positive")
    apply = None
    if "apply" in data:
        if kind is not SnippetKind.XML_FRAGMENT:
            raise v.error(("apply",), "only an xml-fragment has [apply]")
        apply = _build_apply(data["apply"], v)
    elif kind is SnippetKind.XML_FRAGMENT:
        raise v.error(("kind",), "an xml-fragment needs an [apply] table")
    steps = tuple(_build_step(s, i, sibling, v) for i, s in enumerate(data.get("steps", [])))
    effects = tuple(_build_effect(e, i, v) for i, e in enumerate(data.get("effects", [])))
    setup = []
    for index, item in enumerate(data.get("setup", [])):
        run = item.get("run")
        if not run or not all(isinstance(a, str) for a in run):
            raise v.error(("setup", index, "run"), "must be a non-empty array of strings")
        if not item.get("why"):
            raise v.error(("setup", index, "why"), "every setup command states why it is needed")
        setup.append(Setup(tuple(run), item["why"]))
    return Spec(
        snippet=snippet, file=file, kind=kind, summary=data.get("summary"), timeout=timeout,
        not_verifiable=data.get("not_verifiable"),
        expected_failure=dict(data.get("expected_failure", {})),
        failure_contains=dict(data.get("failure_contains", {})),
        verified_by=sibling(verified_by, ("verified_by",)) if verified_by else None,
        guest=data.get("guest", DEFAULT_GUEST), apply=apply, setup=tuple(setup), steps=steps,
        effects=effects, expect_output=data.get("expect_output"),
    )


def _build_apply(data: Mapping[str, Any], v: _Validator) -> Apply:
    try:
        mode = ApplyMode(data.get("mode"))
    except ValueError:
        allowed = ", ".join(m.value for m in ApplyMode)
        raise v.error(("apply", "mode"), f"{data.get('mode')!r} is not one of: {allowed}") from None
    if not data.get("target"):
        raise v.error(("apply",), "needs target, the XPath of the element to apply to")
    keep = data.get("keep_attributes", [])
    if keep and not data.get("adaptation"):
        raise v.error(("apply", "keep_attributes"), "say why in adaptation")
    return Apply(mode, data["target"], data.get("ellipsis", False), tuple(keep),
                 data.get("adaptation"))


def _build_step(data: Mapping[str, Any], index: int, sibling: Any, v: _Validator) -> Step:
    path: tuple[str | int, ...] = ("steps", index)
    if ("snippet" in data) == ("action" in data):
        raise v.error(path, "a step has exactly one of snippet or action")
    action = None
    if "action" in data:
        try:
            action = StepAction(data["action"])
        except ValueError:
            allowed = ", ".join(a.value for a in StepAction)
            raise v.error((*path, "action"), f"{data['action']!r} is not one of: {allowed}") \
                from None
    edit = None
    if "edit" in data:
        e = data["edit"]
        replace = e.get("replace")
        if replace is not None and (len(replace) != 2 or not all(isinstance(r, str)
                                                                 for r in replace)):
            raise v.error((*path, "edit", "replace"), "must be [before-snippet, after-snippet]")
        edit = Edit(
            file=e.get("file"), offered=e.get("offered"),
            replace=(sibling(replace[0], path), sibling(replace[1], path)) if replace else None,
            fragment=sibling(e["fragment"], path) if "fragment" in e else None,
            delete=tuple(e.get("delete", [])), set_text=dict(e.get("set", {})),
        )
    return Step(
        snippet=sibling(data["snippet"], (*path, "snippet")) if "snippet" in data else None,
        action=action, install=data.get("install"), edit=edit,
        exit_status=data.get("exit_status", 0),
    )


def _expectation(data: Mapping[str, Any]) -> Expectation:
    return Expectation(data.get("equals"), data.get("not_equals"), data.get("contains"),
                       data.get("lacks"))


def _build_effect(data: Mapping[str, Any], index: int, v: _Validator) -> Effect:
    path: tuple[str | int, ...] = ("effects", index)
    probe = data.get("probe")
    if probe not in PROBES:
        raise v.error((*path, "probe"), f"{probe!r} is not one of: {', '.join(sorted(PROBES))}")
    expect = _expectation(data)
    if expect.is_empty():
        raise v.error(path, "states no expectation (equals, not_equals, contains or lacks)")
    if probe == "qom" and not (data.get("path") and data.get("property")):
        raise v.error(path, "a qom probe needs path and property")
    if probe == "cpu" and not data.get("property"):
        raise v.error(path, "a cpu probe needs property")
    control = _expectation(data["control"]) if "control" in data else None
    return Effect(probe, expect, control, data.get("guest"), data.get("path"),
                  data.get("property"), data.get("why"))
