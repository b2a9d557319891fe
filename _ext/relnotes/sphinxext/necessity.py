"""What a snippet's mutation score says to readers: whether every part of it is needed.

Said only from the record's ``mutation`` (the engine's count of mutants killed, equivalent and
surviving), never from prose; a stale or missing record says nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from relnotes.core.ledger import MutationScore, SnippetStatus, Status
from relnotes.sphinxext.i18n import _

_CURRENT = frozenset(status for status in Status if status not in (Status.STALE, Status.MISSING))


def mutation_sentence(score: MutationScore) -> str:
    """One sentence: every part needed, every part but the declared ones, or which are not."""
    if score.survivors:
        return str(_("Not shown to be needed for the effect (the check stays green without "
                     "it): %(parts)s.") % {"parts": "; ".join(score.survivors)})
    if not score.equivalent:
        return str(_("Every part of this snippet is needed for the effect: each of the "
                     "%(total)d ways of removing a part of it, or the whole snippet, makes the "
                     "check fail.")
                   % {"total": score.total})
    return str(_("Every other part of this snippet is needed for the effect; not needed for "
                 "it here: %(parts)s.") % {"parts": "; ".join(
                     f"{name} ({reason})" for name, reason in score.equivalent)})


def mutation_sentences(statuses: Sequence[SnippetStatus]) -> list[tuple[str, list[str]]]:
    """Each distinct sentence once, with the targets it is true on (current records only)."""
    found: dict[str, list[str]] = {}
    for status in statuses:
        if status.mutation is not None and status.status in _CURRENT:
            found.setdefault(mutation_sentence(status.mutation), []).append(status.target)
    return list(found.items())
