"""Mutants of a check's snippets: each operative part removed in turn, and the snippet left out.

A check that passes shows that the snippet *with* all its parts has the effect; a mutant shows
that each part is needed for it. The mutants of a snippet are derived from its text alone:

- an XML fragment or a whole domain: each element below the root removed, each attribute
  removed (except those the check keeps from the base guest, ``[apply] keep_attributes``: the
  snippet's value is not used there);
- a shell or virsh script: each command line removed (blank lines and comments are not
  operative);
- a console transcript: each command removed with the output it shows;
- the whole snippet left out (a fragment not applied, a step not run).

A mutant is *killed* when the check run on it is not green. Each is named as the record and the
spec's ``[[equivalent]]`` declarations name it, e.g. ``without fallback= on <model> (line 2)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

from relnotes.core.ledger import MutationScore, Record, Status
from relnotes.core.plan import Check
from relnotes.core.spec import SnippetKind, Spec
from relnotes.engine.transcript import parse_transcript
from relnotes.engine.xmledit import XmlError, parse

WHOLE = "without the whole snippet"


@dataclass(frozen=True)
class Mutant:
    """The check with one snippet's text replaced (``text`` None: the snippet left out)."""

    snippet: str
    name: str
    text: str | None
    # The check's own control is this mutant (a standalone fragment left out: the same base
    # guest with the same setup, observed in the same run), so a check that passed has killed
    # it already: every controlled effect's expectation failed there.
    is_control: bool = False

    def check(self, check: Check) -> Check:
        return check.with_override(self.snippet, self.text)


def mutable_snippets(check: Check) -> list[Spec]:
    """The snippets whose parts the check must show necessary: its members that ran."""
    return [member for member in check.members if not member.not_verifiable]


def mutants_of(check: Check) -> list[Mutant]:
    """Every mutant of every snippet the check must show necessary, in a stable order."""
    found: list[Mutant] = []
    for spec in mutable_snippets(check):
        text = check.text(spec.snippet)
        parts = _mutants_by_kind[spec.kind](spec, text)
        found += [Mutant(spec.snippet, name, mutated) for name, mutated in parts]
        if _can_leave_out(check, spec):
            standalone = spec is check.driver and not spec.steps
            found.append(Mutant(spec.snippet, WHOLE, None, is_control=standalone))
    return found


def _can_leave_out(check: Check, spec: Spec) -> bool:
    """The driver's own snippet, or a step the procedure runs or installs, can be left out; a
    fragment used only inside an edit is covered by its element mutants."""
    if spec is check.driver:
        return True
    return any(step.snippet == spec.snippet for step in check.driver.steps)


def _xml_mutants(spec: Spec, text: str) -> Iterator[tuple[str, str]]:
    try:
        root = parse(text, spec.snippet)
    except XmlError:
        return  # the check itself fails on it; there is nothing to mutate
    kept = set(spec.apply.keep_attributes) if spec.apply is not None else set()
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    for index, element in enumerate(elements):
        where = f"<{_tag(element)}> (line {element.sourceline})"
        if element is not root:
            yield f"without {where}", _serialise(_mutated(root, index, None))
        for name in map(str, element.attrib):
            if element is root and name in kept:
                continue  # the base guest's value is kept whatever the snippet says
            yield f"without {name}= on {where}", _serialise(_mutated(root, index, name))


def _tag(element: etree._Element) -> str:
    """The tag as the snippet writes it (``qemu:arg``, not ``{namespace}arg``)."""
    name = etree.QName(element).localname
    return f"{element.prefix}:{name}" if element.prefix else name


def _mutated(root: etree._Element, index: int, attribute: str | None) -> etree._Element:
    """A copy of ``root`` without its ``index``-th element, or without that one's attribute."""
    copy = etree.fromstring(etree.tostring(root))
    target = [element for element in copy.iter() if isinstance(element.tag, str)][index]
    if attribute is not None:
        del target.attrib[attribute]
        return copy
    parent = target.getparent()
    assert parent is not None
    # keep the text that followed the element (a sibling's indentation, an ellipsis)
    previous = target.getprevious()
    if target.tail and target.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + target.tail
        else:
            parent.text = (parent.text or "") + target.tail
    parent.remove(target)
    return copy


def _serialise(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode") + "\n"


def _line_mutants(spec: Spec, text: str) -> Iterator[tuple[str, str]]:
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        mutated = "".join(lines[:index] + lines[index + 1:])
        yield f"without line {index + 1}: {stripped[:60]}", mutated


def _console_mutants(spec: Spec, text: str) -> Iterator[tuple[str, str]]:
    lines = text.splitlines(keepends=True)
    exchanges = parse_transcript(text)
    starts = [exchange.line for exchange in exchanges] + [len(lines) + 1]
    for exchange, end in zip(exchanges, starts[1:], strict=False):
        mutated = "".join(lines[:exchange.line - 1] + lines[end - 1:])
        first = exchange.command.splitlines()[0] if exchange.command else ""
        yield f"without the command of line {exchange.line}: {first[:60]}", mutated


# Every kind has its mutants: a passed record without them would be green with no part of the
# snippet shown to be needed (a test checks that no kind is missing).
_mutants_by_kind: dict[SnippetKind, Callable[[Spec, str], Iterator[tuple[str, str]]]] = {
    SnippetKind.XML_FRAGMENT: _xml_mutants, SnippetKind.DOMAIN_XML: _xml_mutants,
    SnippetKind.SHELL: _line_mutants, SnippetKind.VIRSH: _line_mutants,
    SnippetKind.CONSOLE: _console_mutants,
}


def score(spec: Spec, mutants: Sequence[Mutant], survived: Sequence[Mutant]
          ) -> tuple[MutationScore, list[str]]:
    """The snippet's score from its mutants and those that left the check green, and the
    names its ``[[equivalent]]`` declarations give that are no mutant of it (a typo or a
    snippet that changed: the declaration would silently excuse nothing)."""
    mine = [mutant for mutant in mutants if mutant.snippet == spec.snippet]
    names = {mutant.name for mutant in mine}
    declared = {item.mutant: item.reason for item in spec.equivalent}
    unknown = [name for name in declared if name not in names]
    equivalent = tuple((m.name, declared[m.name]) for m in survived
                       if m.snippet == spec.snippet and m.name in declared)
    survivors = tuple(m.name for m in survived
                      if m.snippet == spec.snippet and m.name not in declared)
    killed = len(mine) - len(equivalent) - len(survivors)
    return MutationScore(killed, len(mine), equivalent, survivors), unknown


def judge_mutants(check: Check, produced: list[Record],
                  run: Callable[[Mutant], Status | str], jobs: int) -> list[Record]:
    """The check's records with each member's mutation score, once the check passed.

    A passed record stays green only if every mutant of its snippet turned the check
    non-green, or the spec declares it equivalent (with the reason the page shows). A mutant
    that could not be run (``run`` says why instead of a status) leaves nothing known: the
    record fails, never passes unproven.
    Mutants of a check that claims paths or names, or has setup, run one at a time.
    """
    if not produced or produced[0].result is not Status.PASSED:
        return produced
    mutants = mutants_of(check)
    if not mutants:
        return produced
    # one at a time when they write outside their own area (claims, setup paths they share)
    workers = 1 if check.claims() or check.driver.setup else max(1, jobs)
    to_run = [mutant for mutant in mutants if not mutant.is_control]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mutant") as pool:
        ran = dict(zip(to_run, pool.map(run, to_run), strict=True))
    # killed by the check's own control (it passed: no controlled effect held there)
    statuses = [ran.get(mutant, Status.FAILED) for mutant in mutants]
    not_run = [(mutant, why) for mutant, why in zip(mutants, statuses, strict=True)
               if isinstance(why, str)]
    if not_run:
        mutant, why = not_run[0]
        return [replace(record, result=Status.FAILED, reason=(
            f"{len(not_run)} of its {len(mutants)} mutants could not be run, so no part of "
            f"the snippet is shown to be needed ({mutant.snippet}, {mutant.name}: {why})"))
            if record.result is Status.PASSED else record for record in produced]
    survived = [mutant for mutant, status in zip(mutants, statuses, strict=True)
                if status is Status.PASSED]
    specs = {spec.snippet: spec for spec in check.members}
    judged = []
    for record in produced:
        spec = specs[record.snippet]
        if not any(mutant.snippet == spec.snippet for mutant in mutants):
            judged.append(record)
            continue
        mutation, unknown = score(spec, mutants, survived)
        judged.append(replace(record, mutation=mutation,
                              **_verdict(record, spec, mutation, unknown, mutants)))
    return judged


def _verdict(record: Record, spec: Spec, mutation: MutationScore, unknown: list[str],
             mutants: Sequence[Mutant]) -> dict[str, Any]:
    if record.result is not Status.PASSED:
        return {}
    if unknown:
        names = "; ".join(m.name for m in mutants if m.snippet == spec.snippet)
        return {"result": Status.FAILED, "reason": (
            f"{spec.file.name}: [[equivalent]] names {unknown[0]!r}, which is no mutant of "
            f"{spec.snippet}; its mutants are: {names}")}
    if mutation.survivors:
        return {"result": Status.MUTANT_SURVIVED, "reason": (
            "the check stays green with part of the snippet removed, so that part is not "
            f"shown to be needed: {'; '.join(mutation.survivors)}")}
    return {}
