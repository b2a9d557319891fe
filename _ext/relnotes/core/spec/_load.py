"""Loading specs: each file validated and built into a Spec, then the cross-references checked."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from relnotes.core.environment import ACCELERATORS
from relnotes.core.located_toml import parse_toml
from relnotes.core.paths import DEFAULT_SNIPPET_SIZE_LIMIT, PathError, check_size, confine
from relnotes.core.targets import TARGET_NAMES

from ._files import SPEC_SUFFIX, linked_folders, orphan_specs, snippet_files, snippet_key, spec_path
from ._model import (
    DECLARABLE_LAYERS,
    DEFAULT_GUEST,
    DEFAULT_TIMEOUT,
    Apply,
    ApplyMode,
    Edit,
    Effect,
    Equivalent,
    Expectation,
    Setup,
    SnippetKind,
    Spec,
    SpecError,
    Step,
    StepAction,
    Symptom,
)
from ._schema import IDENTITY_PROBES, PROBES, SCHEMA, Validator

_DRIVER_ONLY = ("guest", "setup", "steps", "effects", "expect_output", "symptom")
_PENDING_ALLOWED = frozenset({"kind", "summary", "pending"})
# Probes whose value the harness decides on the check's own guest, so they cannot fail there:
# the harness starts that guest before any effect is observed (a start it cannot make fails
# the check in another layer). On a guest the published steps start (``guest``) they can.
HARNESS_DECIDED = frozenset({"running"})


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
    data = parse_toml(file, text, SpecError)
    Validator(file, text).check(data, SCHEMA, ())
    return _build(data, key, file, Validator(file, text), snippets_dir)


def pending_reason(snippet_file: Path) -> str | None:
    """The stub's reason when the spec beside ``snippet_file`` is pending, else None.

    Cheap and lenient, for the site's badges: a missing or invalid spec is reported by
    ``load_spec`` where specs are checked, so here it only means "not a stub".
    """
    try:
        data = tomllib.loads(spec_path(snippet_file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    pending = data.get("pending")
    return pending if isinstance(pending, str) and pending.strip() else None


def load_specs(snippets_dir: Path, size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT) -> dict[str, Spec]:
    """Every snippet's spec, keyed by snippet key; orphans and cross-references checked."""
    for link in linked_folders(snippets_dir):
        raise _linked(link)
    specs = {snippet_key(p, snippets_dir): load_spec(p, snippets_dir, size_limit)
             for p in snippet_files(snippets_dir)}
    for orphan in orphan_specs(snippets_dir):
        raise _orphan(orphan)
    check_references(specs, snippets_dir)
    return specs


def spec_problems(snippets_dir: Path, size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT, *,
                  missing: bool = False) -> list[SpecError]:
    """Every problem of every spec that exists (not just the first); the docs build and
    ``relnotes check`` both report these, worded by :func:`spec_problem_message`.

    A snippet without a spec is one only with ``missing`` (``relnotes check``): a preview
    build may show snippets that are not checked yet (the publish gate refuses them), while a
    spec that is wrong is always a bug.
    """
    problems: list[SpecError] = []
    specs: dict[str, Spec] = {}
    for path in snippet_files(snippets_dir):
        if not spec_path(path).is_file() and not path.is_symlink():
            if missing:
                problems.append(SpecError(path, None, f"no check spec beside it "
                                          f"({spec_path(path).name})", 1))
            continue
        try:
            specs[snippet_key(path, snippets_dir)] = load_spec(path, snippets_dir, size_limit)
        except SpecError as error:
            problems.append(error)
    problems += [_orphan(orphan) for orphan in orphan_specs(snippets_dir)]
    problems += [_linked(link) for link in linked_folders(snippets_dir)]
    unloadable = {snippet_key(p.file.with_name(p.file.name.removesuffix(SPEC_SUFFIX)), snippets_dir)
                  for p in problems if p.file.name.endswith(SPEC_SUFFIX)}
    problems += reference_problems(specs, snippets_dir, unloadable)
    return problems


def spec_problem_message(error: SpecError) -> str:
    """How a spec problem reads where it is reported: the place is the warning's location."""
    return f"check spec: {error.what}"


def _linked(folder: Path) -> SpecError:
    return SpecError(folder, None, "a folder of snippets that is a symbolic link: its snippets "
                     "would be neither verified nor shown; move them into the snippets folder", 1)


def _orphan(file: Path) -> SpecError:
    return SpecError(file, None, f"no snippet {file.name.removesuffix(SPEC_SUFFIX)!r} beside this"
                     " check spec (renamed or deleted?)", 1)


def check_references(specs: Mapping[str, Spec], snippets_dir: Path) -> None:
    """Every snippet a procedure names exists; every step's snippet is verified by it.

    A snippet used only by an edit (a fragment, a before/after text) may be owned by another
    procedure: the e1000 fragment serves two published procedures but has one record.
    Each error is located at the line of the key that names the missing or wrong snippet.
    """
    for problem in reference_problems(specs, snippets_dir):
        raise problem


def reference_problems(specs: Mapping[str, Spec], snippets_dir: Path,
                       unloadable: Collection[str] = ()) -> Iterator[SpecError]:
    """Every problem :func:`check_references` would raise, in order (``relnotes check`` lists all).

    ``unloadable``: snippets whose spec exists but could not be loaded (reported on their own);
    nothing is said about references to them.
    """
    for spec in specs.values():
        if spec.verified_by is not None:
            if spec.verified_by in unloadable:
                continue
            driver = specs.get(spec.verified_by)
            if driver is None or not driver.is_driver:
                yield _located(spec, ("verified_by",),
                               f"{spec.verified_by!r} is not a snippet with its own check")
            elif spec.snippet not in driver.members():
                yield _located(spec, ("verified_by",),
                               f"{spec.verified_by!r} has no step using {spec.snippet!r}")
            continue
        if spec.pending is not None:
            continue  # a stub runs nothing, so it needs no base guest
        if not (snippets_dir / spec.guest).is_file():
            yield _located(spec, ("guest",), f"base guest {spec.guest!r} does not exist")
        for index, step in enumerate(spec.steps):
            for path, key in _step_references(step, index):
                if key not in specs and key not in unloadable:
                    yield _located(spec, path, f"no snippet {key!r} with a check spec")
        for step in spec.steps:
            member = specs.get(step.snippet) if step.snippet else None
            if member is not None and member is not spec and member.verified_by != spec.snippet:
                yield _located(member, ("verified_by",) if member.verified_by else ("kind",),
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
    located = Validator(spec.file, text).error(path, message)
    return SpecError(spec.file, key if key is not None else located.key, message, located.line)


def declarable_environments() -> tuple[str, ...]:
    """Keys an ``[expected_failure]`` or ``[failure_contains]`` table may use.

    The targets come from the one catalogue of them, so a new target needs no edit here.
    """
    return (*TARGET_NAMES, *ACCELERATORS)


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
    if "control_guest" in data:
        raise v.error(("control_guest",), "a control guest is no longer stated: the engine's "
                      "control is the same base guest, in the same run, without the snippet. "
                      "Remove control_guest; put what both sides need (a CPU without NX, a "
                      "disk) in the base guest (guest = ...) or in [[setup]], and state a "
                      "comparison with another configuration in the summary, never as the "
                      "control")
    try:
        # Existence is checked with the other cross-references (a member spec has none).
        confine(snippets_dir, guest, what="base guest", must_exist=False)
    except PathError as error:
        raise v.error(("guest",), str(error)) from None

    verified_by = data.get("verified_by")
    if verified_by is not None:
        for key in _DRIVER_ONLY:
            if key in data:
                raise v.error((key,), "a snippet verified by another's procedure has no " + key)
    pending = data.get("pending")
    if pending is not None:
        if not pending.strip():
            raise v.error(("pending",), "say why no check is written (e.g. \"no check written yet\")")
        # A stub states nothing to check; anything beyond kind and summary means a check was
        # started, and then the stub must go so that the check is actually run.
        for key in sorted(set(data) - _PENDING_ALLOWED):
            raise v.error((key,), "a pending spec has no check; remove pending when writing one")
    timeout = float(data.get("timeout", DEFAULT_TIMEOUT))
    if timeout <= 0:
        raise v.error(("timeout",), "must be positive")
    apply = None
    if "apply" in data:
        if kind is not SnippetKind.XML_FRAGMENT:
            raise v.error(("apply",), "only an xml-fragment has [apply]")
        apply = _build_apply(data["apply"], v)
    elif kind is SnippetKind.XML_FRAGMENT and pending is None:
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
    _check_declarations(data, v)
    _check_discriminators(effects, v)
    symptom = _build_symptom(data["symptom"], v) if "symptom" in data else None
    equivalent = tuple(_build_equivalent(item, index, v)
                       for index, item in enumerate(data.get("equivalent", [])))
    return Spec(
        snippet=snippet, file=file, kind=kind, summary=data.get("summary"), adaptation=data.get("adaptation"),
        timeout=timeout,
        not_verifiable=data.get("not_verifiable"),
        expected_failure=dict(data.get("expected_failure", {})),
        failure_contains=dict(data.get("failure_contains", {})),
        failure_layer=dict(data.get("failure_layer", {})),
        verified_by=sibling(verified_by, ("verified_by",)) if verified_by else None,
        guest=guest, apply=apply, setup=tuple(setup), steps=steps,
        effects=effects, expect_output=data.get("expect_output"), pending=pending,
        symptom=symptom, equivalent=equivalent,
    )


def _check_discriminators(effects: tuple[Effect, ...], v: Validator) -> None:
    """An identity probe differs between any guest and its control (another name, UUID, MAC):
    compared with a control it would turn any snippet green, so it can only be uncontrolled."""
    for index, effect in enumerate(effects):
        if effect.probe in IDENTITY_PROBES and effect.control is not None:
            raise v.error(("effects", index, "control"), f"{effect.probe!r} depends on the "
                          "guest's identity, which always differs from its control's, so it "
                          "cannot show what the snippet does; use control = \"none\" with "
                          "control_reason, and let another effect discriminate")


def _build_symptom(data: Mapping[str, Any], v: Validator) -> Symptom:
    path: tuple[str | int, ...] = ("symptom",)
    probe = data.get("probe")
    if probe not in PROBES:
        raise v.error((*path, "probe"), f"{probe!r} is not a probe; use one of: "
                      f"{', '.join(sorted(PROBES - IDENTITY_PROBES - HARNESS_DECIDED))}")
    if probe in IDENTITY_PROBES or probe in HARNESS_DECIDED:
        raise v.error((*path, "probe"), f"{probe!r} cannot show the issue's problem on an "
                      "unchanged guest (its value is the guest's identity or the harness's "
                      "doing); probe what the problem looks like")
    problem = _expectation(data, path, v)
    if problem.is_empty():
        raise v.error(path, "states no problem: what the probe shows on an unchanged guest "
                      "that has the issue (equals, not_equals, contains or lacks)")
    if probe == "qom" and not (data.get("path") and data.get("property")):
        raise v.error(path, "a qom probe needs path and property")
    if probe == "cpu" and not data.get("property"):
        raise v.error(path, "a cpu probe needs property")
    return Symptom(probe, problem, data.get("path"), data.get("property"), data.get("why"))


def _build_equivalent(data: Mapping[str, Any], index: int, v: Validator) -> Equivalent:
    path: tuple[str | int, ...] = ("equivalent", index)
    mutant = data.get("mutant")
    if not mutant or not mutant.strip():
        raise v.error(path, "names no mutant: mutant = \"without ...\" as the engine names it "
                      "in the record's survivors")
    reason = data.get("reason")
    if not reason or not reason.strip():
        raise v.error((*path, "mutant"), "an equivalent mutant needs reason = \"...\": why "
                      "removing this part cannot change the effect here (the page shows it)")
    return Equivalent(mutant.strip(), reason.strip())


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
    if data.get("exit_status", 0) != 0 and not data.get("output_contains"):
        raise v.error((*path, "exit_status"), "a step stated to fail needs output_contains: "
                      "the text its failure shows, so that no other failure passes for it")
    if "output_contains" in data and data.get("exit_status", 0) == 0:
        raise v.error((*path, "output_contains"), "only with a non-zero exit_status")
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
        exit_status=data.get("exit_status", 0), output_contains=data.get("output_contains"),
    )


def _check_declarations(data: Mapping[str, Any], v: Validator) -> None:
    """A declared failure names a known target or accelerator and the text it must show: a
    declaration without that text would excuse any failure."""
    declared = data.get("expected_failure", {})
    contains = data.get("failure_contains", {})
    layers = data.get("failure_layer", {})
    known = declarable_environments()
    for table, keys in (("expected_failure", declared), ("failure_contains", contains),
                        ("failure_layer", layers)):
        for key, value in keys.items():
            if key not in known:
                raise v.error((table, key), f"unknown key {key!r} (allowed: a target or an "
                              f"accelerator: {', '.join(known)})")
            if not value.strip():
                raise v.error((table, key), "must not be empty")
    for key in declared:
        if key not in contains:
            raise v.error(("expected_failure", key), "needs [failure_contains] " + key + ": the "
                          "text the failure must show, so that no other failure passes for it")
    for key in contains:
        if key not in declared:
            raise v.error(("failure_contains", key), "has no [expected_failure] " + key)
    for key in declared:
        if key not in layers:
            raise v.error(("expected_failure", key), "needs [failure_layer] " + key + ": the "
                          f"layer the failure happens in ({', '.join(DECLARABLE_LAYERS)}), so "
                          "that a failure elsewhere (the harness's, another step's) never "
                          "passes for it")
    for key, layer in layers.items():
        if key not in declared:
            raise v.error(("failure_layer", key), "has no [expected_failure] " + key)
        if layer not in DECLARABLE_LAYERS:
            raise v.error(("failure_layer", key), f"{layer!r} is not a layer a failure can be "
                          f"declared in (one of: {', '.join(DECLARABLE_LAYERS)}; the harness's "
                          "own failures never are)")


def _expectation(data: Mapping[str, Any], path: tuple[str | int, ...],
                 v: Validator) -> Expectation:
    for name in ("equals", "not_equals", "contains", "lacks"):
        if isinstance(data.get(name), list) and not data[name]:
            raise v.error((*path, name), "is an empty list, which every value meets")
    return Expectation(data.get("equals"), data.get("not_equals"), data.get("contains"),
                       data.get("lacks"))


def _build_effect(data: Mapping[str, Any], index: int, v: Validator) -> Effect:
    path: tuple[str | int, ...] = ("effects", index)
    probe = data.get("probe")
    if probe not in PROBES:
        raise v.error((*path, "probe"), f"{probe!r} is not one of: {', '.join(sorted(PROBES))}")
    if probe in HARNESS_DECIDED and not data.get("guest"):
        raise v.error((*path, "probe"), f"{probe!r} on the check's own guest cannot fail (the "
                      "harness starts that guest), so it shows nothing; probe a guest the "
                      "published steps start, with guest = \"...\"")
    expect = _expectation(data, path, v)
    if expect.is_empty():
        raise v.error(path, "states no expectation (equals, not_equals, contains or lacks)")
    if probe == "qom" and not (data.get("path") and data.get("property")):
        raise v.error(path, "a qom probe needs path and property")
    if probe == "cpu" and not data.get("property"):
        raise v.error(path, "a cpu probe needs property")
    control, uncontrolled = _control(data, path, v)
    return Effect(probe, expect, control=control, guest=data.get("guest"),
                  path=data.get("path"), property=data.get("property"), why=data.get("why"),
                  uncontrolled=uncontrolled)


_EXPECTATION_KEYS = ("equals", "not_equals", "contains", "lacks")


def _control(data: Mapping[str, Any], path: tuple[str | int, ...],
             v: Validator) -> tuple[Expectation | None, str | None]:
    """An effect's control: an expectation on the unchanged (or stated control) guest, or
    ``"none"`` with the reason no control can be observed. Without either the effect could
    hold on an unchanged guest too and show nothing."""
    here = (*path, "control")
    control = data.get("control")
    reason = data.get("control_reason")
    if control is None:
        raise v.error(path, 'states no control: add control = { ... } (what the guest shows '
                      'without the change) or control = "none" with control_reason')
    if control == "none":
        if not reason or not reason.strip():
            raise v.error(here, 'control = "none" needs control_reason: why no control can '
                          "be observed")
        return None, reason
    if reason is not None:
        raise v.error((*path, "control_reason"), 'only with control = "none"')
    if not isinstance(control, dict):
        raise v.error(here, 'must be a table of expectations or "none"')
    for key in control:
        if key not in _EXPECTATION_KEYS:
            raise v.error((*here, key), f"unknown key {key!r} (allowed: "
                          f"{', '.join(sorted(_EXPECTATION_KEYS))})")
    expect = _expectation(control, here, v)
    if expect.is_empty():
        raise v.error(here, "is empty: state what the guest shows without the change")
    return expect, None
