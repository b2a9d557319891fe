"""Loading specs: each file validated and built into a Spec, then the cross-references checked."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from relnotes.paths import DEFAULT_SNIPPET_SIZE_LIMIT, PathError, check_size, confine

from ._files import SPEC_SUFFIX, orphan_specs, snippet_files, snippet_key, spec_path
from ._model import (
    DEFAULT_GUEST,
    DEFAULT_TIMEOUT,
    Apply,
    ApplyMode,
    Edit,
    Effect,
    Expectation,
    Setup,
    SnippetKind,
    Spec,
    SpecError,
    Step,
    StepAction,
)
from ._schema import PROBES, SCHEMA, Validator

_DRIVER_ONLY = ("guest", "setup", "steps", "effects", "expect_output")


def load_spec(snippet_file: Path, snippets_dir: Path,
              size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT) -> Spec:
    """Load and validate the spec beside ``snippet_file``; raise SpecError on any problem."""
    key = snippet_key(snippet_file, snippets_dir)
    try:
        check_size(confine(snippets_dir, key, what="snippet"), size_limit)
    except PathError as error:
        raise SpecError(snippet_file, None, str(error), 1) from None
    file = spec_path(snippet_file)
    if not file.is_file():
        raise SpecError(file, None, f"missing check spec for snippet {snippet_file.name}")
    try:
        confine(snippets_dir, snippet_key(file, snippets_dir), what="check spec")
        text = file.read_bytes().decode("utf-8")
    except PathError as error:
        raise SpecError(file, None, str(error), 1) from None
    except UnicodeDecodeError as error:
        line = file.read_bytes()[:error.start].count(b"\n") + 1
        raise SpecError(file, None, f"not UTF-8 text (byte {error.start})", line) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise SpecError(file, None, f"not valid TOML: {error}",
                        int(match.group(1)) if match else None) from None
    Validator(file, text).check(data, SCHEMA, ())
    return _build(data, key, file, Validator(file, text), snippets_dir)


def load_specs(snippets_dir: Path, size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT) -> dict[str, Spec]:
    """Every snippet's spec, keyed by snippet key; orphans and cross-references checked."""
    specs = {snippet_key(p, snippets_dir): load_spec(p, snippets_dir, size_limit)
             for p in snippet_files(snippets_dir)}
    for orphan in orphan_specs(snippets_dir):
        raise _orphan(orphan)
    check_references(specs, snippets_dir)
    return specs


def spec_problems(snippets_dir: Path,
                  size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT) -> list[SpecError]:
    """Every problem of every spec that exists (not just the first), for the docs build.

    A snippet without a spec is not one of them: the docs build may show snippets that are
    not checked (the publish gate refuses them), while a spec that is wrong is always a bug.
    """
    problems: list[SpecError] = []
    specs: dict[str, Spec] = {}
    for path in snippet_files(snippets_dir):
        if not spec_path(path).is_file() and not path.is_symlink():
            continue
        try:
            specs[snippet_key(path, snippets_dir)] = load_spec(path, snippets_dir, size_limit)
        except SpecError as error:
            problems.append(error)
    problems += [_orphan(orphan) for orphan in orphan_specs(snippets_dir)]
    if not problems:
        try:
            check_references(specs, snippets_dir)
        except SpecError as error:
            problems.append(error)
    return problems


def _orphan(file: Path) -> SpecError:
    return SpecError(file, None, f"no snippet {file.name.removesuffix(SPEC_SUFFIX)!r} beside this"
                     " check spec (renamed or deleted?)", 1)


def check_references(specs: Mapping[str, Spec], snippets_dir: Path) -> None:
    """Every snippet a procedure names exists; every step's snippet is verified by it.

    A snippet used only by an edit (a fragment, a before/after text) may be owned by another
    procedure: the e1000 fragment serves two published procedures but has one record.
    Each error is located at the line of the key that names the missing or wrong snippet.
    """
    for spec in specs.values():
        if spec.verified_by is not None:
            driver = specs.get(spec.verified_by)
            if driver is None or not driver.is_driver:
                raise _located(spec, ("verified_by",),
                               f"{spec.verified_by!r} is not a snippet with its own check")
            if spec.snippet not in driver.members():
                raise _located(spec, ("verified_by",),
                               f"{spec.verified_by!r} has no step using {spec.snippet!r}")
            continue
        if not (snippets_dir / spec.guest).is_file():
            raise _located(spec, ("guest",), f"base guest {spec.guest!r} does not exist")
        for index, step in enumerate(spec.steps):
            for path, key in _step_references(step, index):
                if key not in specs:
                    raise _located(spec, path, f"no snippet {key!r} with a check spec")
        for step in spec.steps:
            member = specs[step.snippet] if step.snippet else None
            if member is not None and member is not spec and member.verified_by != spec.snippet:
                raise _located(member, ("verified_by",) if member.verified_by else ("kind",),
                               f"is run by {spec.snippet!r}'s procedure; set verified_by to it",
                               key="verified_by")


def _step_references(step: Step, index: int) -> list[tuple[tuple[str | int, ...], str]]:
    """The snippets a step names, each with the key path that names it."""
    path: tuple[str | int, ...] = ("steps", index)
    found: list[tuple[tuple[str | int, ...], str]] = []
    if step.snippet:
        found.append(((*path, "snippet"), step.snippet))
    if step.edit is not None:
        if step.edit.fragment:
            found.append(((*path, "edit", "fragment"), step.edit.fragment))
        for key in step.edit.replace or ():
            found.append(((*path, "edit", "replace"), key))
    return found


def _located(spec: Spec, path: tuple[str | int, ...], message: str,
             key: str | None = None) -> SpecError:
    """A SpecError at the line of ``path`` in the spec's file (re-read: specs keep no text)."""
    try:
        text = spec.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    error = Validator(spec.file, text).error(path, message)
    if key is not None:
        return SpecError(spec.file, key, message, error.line)
    return error


def _build(data: Mapping[str, Any], snippet: str, file: Path, v: Validator,
           snippets_dir: Path) -> Spec:
    try:
        kind = SnippetKind(data.get("kind"))
    except ValueError:
        allowed = ", ".join(k.value for k in SnippetKind)
        raise v.error(("kind",), f"{data.get('kind')!r} is not one of: {allowed}") from None
    base = PurePosixPath(snippet).parent

    def sibling(name: str, path: tuple[str | int, ...]) -> str:
        if name.startswith("/") or "\\" in name:
            raise v.error(path, f"{name!r} must be relative to the snippet's directory")
        resolved = (base / name).as_posix()
        if ".." in PurePosixPath(resolved).parts:
            raise v.error(path, f"{name!r} must stay inside the snippets directory")
        try:  # a missing one is reported with the other cross-references
            confine(snippets_dir, resolved, what="snippet", must_exist=False)
        except PathError as error:
            raise v.error(path, str(error)) from None
        return resolved

    guest = data.get("guest", DEFAULT_GUEST)
    try:
        # Existence is checked with the other cross-references (a member spec has no guest).
        confine(snippets_dir, guest, what="base guest", must_exist=False)
    except PathError as error:
        raise v.error(("guest",), str(error)) from None

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
        guest=guest, apply=apply, setup=tuple(setup), steps=steps,
        effects=effects, expect_output=data.get("expect_output"),
    )


def _build_apply(data: Mapping[str, Any], v: Validator) -> Apply:
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


def _build_step(data: Mapping[str, Any], index: int, sibling: Any, v: Validator) -> Step:
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
            replace=(sibling(replace[0], (*path, "edit", "replace")),
                     sibling(replace[1], (*path, "edit", "replace"))) if replace else None,
            fragment=sibling(e["fragment"], (*path, "edit", "fragment")) if "fragment" in e
            else None,
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


def _build_effect(data: Mapping[str, Any], index: int, v: Validator) -> Effect:
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
