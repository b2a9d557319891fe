"""What a validated check spec says: its dataclasses, enums and error."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from relnotes.core.located_toml import LocatedError

DEFAULT_GUEST = "_guests/minimal.xml"
DEFAULT_TIMEOUT = 120.0


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


class SpecError(LocatedError):
    """A spec is invalid; the message names the file, the key path and (when found) the line."""


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
    output_contains: str | None = None  # with a non-zero exit_status: what the output shows


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
    # control = "none": why no control can be observed (the effect then cannot verify alone)
    uncontrolled: str | None = None
    guest: str | None = None  # a literal domain name (e.g. the published "new-guest")
    path: str | None = None
    property: str | None = None
    why: str | None = None


@dataclass(frozen=True)
class Symptom:
    """The issue's problem as a probe shows it on an unchanged guest (``problem`` met there:
    the workaround is still needed on that version; not met: not needed)."""

    probe: str
    problem: Expectation
    path: str | None = None
    property: str | None = None
    why: str | None = None

    def as_effect(self) -> Effect:
        """The probe to make on the unchanged guest, in the form the engine observes."""
        return Effect(self.probe, self.problem, path=self.path, property=self.property,
                      why=self.why)


@dataclass(frozen=True)
class Equivalent:
    """A mutant of the snippet declared not to matter here, with the reason the page shows."""

    mutant: str  # as the engine names it, e.g. "without model/@fallback"
    reason: str


@dataclass(frozen=True)
class Spec:
    """A validated check spec for one snippet (``snippet`` is its key: posix path under snippets/)."""

    snippet: str
    file: Path
    kind: SnippetKind
    summary: str | None = None
    # what the check changes from the published text to run it here, and why
    adaptation: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    not_verifiable: str | None = None
    # keyed by target ("bookworm") or by accelerator ("tcg"); a target's declaration wins
    expected_failure: Mapping[str, str] = field(default_factory=dict)
    # same keys -> text the observed failure must contain for the declaration to hold, so that
    # a declared failure cannot hide a different one
    failure_contains: Mapping[str, str] = field(default_factory=dict)
    # same keys -> the layer the failure must happen in (setup, schema, semantic, run, effect)
    failure_layer: Mapping[str, str] = field(default_factory=dict)
    verified_by: str | None = None  # snippet key of the spec holding the procedure
    guest: str = DEFAULT_GUEST
    apply: Apply | None = None
    setup: tuple[Setup, ...] = ()
    steps: tuple[Step, ...] = ()
    effects: tuple[Effect, ...] = ()
    expect_output: str | None = None
    # A stub: the snippet was imported and nobody has written its check yet (the reason says
    # so). It is never run and never publishable until a check or not_verifiable replaces it.
    pending: str | None = None
    symptom: Symptom | None = None
    equivalent: tuple[Equivalent, ...] = ()

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


# The layers a failure may be declared in: where libvirt, QEMU or a published command speak.
# The harness's own layer (a lost daemon, a broken sandbox, a timeout) never is.
DECLARABLE_LAYERS = ("setup", "schema", "semantic", "run", "effect")


class Declared(NamedTuple):
    """A failure declared for one environment."""

    key: str  # the target or accelerator it is declared for
    reason: str
    contains: str  # what the product's own words must contain
    layer: str  # the layer it must happen in


def declared_failure(spec: Spec, target: str, accelerator: str = "") -> Declared | None:
    """The failure declared for this environment, if any.

    A target's declaration ("trixie") wins over an accelerator's ("tcg"): some failures come
    with a version, others with running without KVM, whatever the version.
    """
    for key in (target, accelerator):
        if key and key in spec.expected_failure:
            return Declared(key, spec.expected_failure[key], spec.failure_contains.get(key, ""),
                            spec.failure_layer.get(key, ""))
    return None
