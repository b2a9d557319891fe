"""On an issue page: "Not reproduced on libvirt X and later", from the symptom observations.

The statuses this build computed for the page's snippets carry what each run saw of the
issue's problem on the unchanged guest of each target (``symptom``); a stale or missing
status carries none. :func:`relnotes.core.lifecycle.not_reproduced_from` decides; where no
observation says so, the page says nothing.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from relnotes.core.lifecycle import (
    SymptomOnTarget,
    combined,
    not_reproduced_from,
    symptom_present,
)
from relnotes.sphinxext.compatibility import (
    current_ledger_or_empty,
    ordered_targets,
)
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.verification import views_by_snippet
from relnotes.sphinxext.versions import target_versions


def not_reproduced(app: Sphinx, docname: str) -> SymptomOnTarget | None:
    domain = relnotes_domain(app.env)
    views = views_by_snippet(app.env)
    shown = [views[located.value] for located in domain.data["snippets"].get(docname, [])
             if located.value in views]
    if not shown:
        return None
    targets = ordered_targets(relnotes_config(app.config).targets)
    versions = target_versions(current_ledger_or_empty(app.env), targets)
    observed = []
    for target in targets:
        presents = [present for view in shown for status in view.statuses
                    if status.target == target
                    and (present := symptom_present(status)) is not None]
        observed.append(SymptomOnTarget(target, versions[target].libvirt, combined(presents)))
    return not_reproduced_from(observed)


def add_lifecycle(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if relnotes_domain(app.env).issue_for_doc(docname) is None:
        return
    first = not_reproduced(app, docname)
    if first is None:
        return
    where = f"libvirt {first.libvirt}" if first.libvirt else first.target
    sentence = _("Not reproduced on %(where)s and later: the problem did not show on an "
                 "unchanged guest there.") % {"where": where}
    paragraph = nodes.paragraph("", sentence, classes=["rn-lifecycle"])
    metadata = next((node for node in doctree.findall(nodes.field_list)
                     if "rn-issue-metadata" in node["classes"]), None)
    if metadata is not None:
        metadata.parent.insert(metadata.parent.index(metadata) + 1, paragraph)


def setup_lifecycle(app: Sphinx) -> None:
    # After rendering.py has put the metadata block in place (priority 400).
    app.connect("doctree-resolved", add_lifecycle, priority=450)
