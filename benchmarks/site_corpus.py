"""Deterministic synthetic release-note corpora for the site-build benchmark.

One seeded model of N issues is rendered three ways, so that the three builds read the same
pages and differ only in the machinery that renders them:

``rn``
    the site's own syntax (``rn:issue``, ``rn:snippet``, ``rn:issue-list``, ``{rn:issue}``),
    laid out like the repository: ``source/issues/<id>.md``, ``source/components/<c>.md``
    with a hidden glob toctree, ``snippets/<c>/<id>/<file>``;
``plain``
    the same pages with the ``rn`` markup replaced by plain Sphinx + MyST equivalents
    (a bullet list of the record's fields, ``literalinclude``, ``{doc}`` links): the floor;
``needs``
    the same pages with each record a sphinx-needs ``need`` whose ``:links:`` is its see-also,
    ``{need}`` roles for cross-references and a ``needtable`` per component.

The module is plain Python (no Sphinx import) so that the tests can check a corpus quickly.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

VARIANTS = ("rn", "plain", "needs")

#: The real site's topic vocabulary (relnotes.toml).
TOPICS = (
    "networking", "storage", "migration", "windows-guests", "sound", "pci-assignment",
    "boot", "time", "modules", "display", "security", "cpu", "hotplug", "performance",
    "installation", "devices",
)

KINDS = ("known-issue", "technology-preview", "unsupported-feature", "limitation")

#: Twenty component names, none a prefix of another followed by "-": each component page
#: globs ``../issues/<component>-*`` as the real kvm page does, and the globs must not overlap.
COMPONENTS = (
    "kvm", "xen", "libvirt", "qemu", "virtmanager", "virtinstall", "virtiowin", "spice",
    "seabios", "kernel", "anaconda", "networkmanager", "lvm2", "multipath", "selinux",
    "yum", "rpm", "gfs2", "cluster", "openssh",
)

RELEASES = ("RHEL 5.3", "RHEL 5.4", "RHEL 5.5", "RHEL 5.6", "RHEL 5.7", "RHEL 5.8")

BZ_BASE = 400_000

_WORDS = (
    "guest", "host", "virtual", "machine", "interface", "controller", "driver", "domain",
    "network", "bridge", "disk", "image", "kernel", "module", "daemon", "console", "device",
    "memory", "processor", "clock", "timer", "migration", "snapshot", "template", "definition",
    "service", "package", "update", "boot", "loader", "firmware", "adapter", "channel", "queue",
    "buffer", "request", "response", "session", "table", "entry", "record", "option",
    "parameter", "value",
)

_SNIPPET_KINDS = (
    ("xml", "xml", "<interface type='network'>\n  <source network='default'/>\n"
     "  <model type='{w}'/>\n</interface>\n"),
    ("sh", "bash", "#!/bin/sh\nset -e\nmodprobe {w}\nservice {w} restart\n"),
    ("virsh", "console", "virsh dumpxml GUEST > /tmp/{w}.xml\nvirsh edit GUEST\n"),
)


@dataclass(frozen=True)
class SynthIssue:
    """One generated issue record and everything its page mentions."""

    index: int
    id: str
    title: str
    component: str
    bz: tuple[int, ...]
    topics: tuple[str, ...]
    kind: str
    release: str
    see_also: str
    mentioned_bz: int
    mentioned_issue: str
    snippet_path: str
    snippet_lang: str
    snippet_text: str
    prose: tuple[str, ...]

    @property
    def need_id(self) -> str:
        return need_id(self.index)


def need_id(index: int) -> str:
    """The sphinx-needs ID of issue ``index`` (matches the default ``^[A-Z0-9_]{5,}``)."""
    return f"ISSUE_{index:05d}"


def _issue_id(index: int) -> str:
    return f"{COMPONENTS[index % len(COMPONENTS)]}-synthetic-{index:05d}"


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def make_issues(n: int, seed: int = 2) -> list[SynthIssue]:
    """N issues spread round-robin over the components; same ``n`` and ``seed``, same corpus."""
    if n < 2:
        raise ValueError("a corpus needs at least 2 issues (each has a see-also to another)")
    rng = random.Random(seed)
    issues = []
    for i in range(n):
        component = COMPONENTS[i % len(COMPONENTS)]
        nbz = rng.randint(1, 3)
        other = rng.randrange(n - 1)
        other = other + 1 if other >= i else other  # any issue but this one
        mentioned = rng.randrange(n - 1)
        mentioned = mentioned + 1 if mentioned >= i else mentioned
        ext, lang, template = _SNIPPET_KINDS[i % len(_SNIPPET_KINDS)]
        word = rng.choice(_WORDS)
        issues.append(SynthIssue(
            index=i,
            id=_issue_id(i),
            title=f"Synthetic {component} issue {i}: {_sentence(rng, 6)[:-1].lower()}",
            component=component,
            bz=tuple(BZ_BASE + 3 * i + k for k in range(nbz)),
            topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
            kind=rng.choice(KINDS),
            release=rng.choice(RELEASES),
            see_also=_issue_id(other),
            mentioned_bz=BZ_BASE + 3 * mentioned,  # the mentioned issue's first BZ
            mentioned_issue=_issue_id(mentioned),
            snippet_path=f"{component}/{_issue_id(i)}/workaround-{i:05d}.{ext}",
            snippet_lang=lang,
            snippet_text=template.format(w=word),
            prose=tuple(_sentence(rng, rng.randint(8, 16)) for _ in range(6)),
        ))
    return issues


# -- page bodies, one function per variant and part ---------------------------------------

def _bz_link(number: int) -> str:
    return f"[BZ#{number}](https://bugzilla.redhat.com/show_bug.cgi?id={number})"


def _record(issue: SynthIssue, variant: str, by_id: dict[str, SynthIssue]) -> str:
    if variant == "rn":
        return (
            f"```{{rn:issue}} {issue.id}\n"
            f":bz: {', '.join(map(str, issue.bz))}\n"
            f":component: {issue.component}\n"
            f":releases: {issue.release}\n"
            f":kind: {issue.kind}\n"
            f":topics: {', '.join(issue.topics)}\n"
            f":see-also: {issue.see_also}\n"
            "```\n"
        )
    if variant == "plain":
        return (
            f"- **Bugzilla:** {', '.join(_bz_link(b) for b in issue.bz)}\n"
            f"- **Component:** {{doc}}`/components/{issue.component}`\n"
            f"- **Releases:** {issue.release}\n"
            f"- **Kind:** {issue.kind}\n"
            f"- **Topics:** {', '.join(issue.topics)}\n"
            f"- **See also:** {{doc}}`/issues/{issue.see_also}`\n"
        )
    see_also = by_id[issue.see_also]
    return (
        f"```{{need}} {issue.title}\n"
        f":id: {issue.need_id}\n"
        f":status: open\n"
        f":tags: {issue.component}, {issue.kind}, {', '.join(issue.topics)}\n"
        f":links: {see_also.need_id}\n"
        "```\n\n"
        f"Bugzilla: {', '.join(_bz_link(b) for b in issue.bz)}; releases: {issue.release}.\n"
    )


def _xref(issue_id: str, variant: str, by_id: dict[str, SynthIssue]) -> str:
    if variant == "rn":
        return f"{{rn:issue}}`{issue_id}`"
    if variant == "plain":
        return f"{{doc}}`/issues/{issue_id}`"
    return f"{{need}}`{by_id[issue_id].need_id}`"


def _bz_mention(number: int, variant: str) -> str:
    # The rn domain auto-links a bare BZ#n in prose; the other variants get a plain link.
    return f"BZ#{number}" if variant == "rn" else _bz_link(number)


def _snippet(issue: SynthIssue, variant: str) -> str:
    if variant == "rn":
        return f"```{{rn:snippet}} {issue.snippet_path}\n```\n"
    return (
        f"```{{literalinclude}} /../snippets/{issue.snippet_path}\n"
        f":language: {issue.snippet_lang}\n"
        "```\n"
    )


def issue_page(issue: SynthIssue, variant: str, by_id: dict[str, SynthIssue]) -> str:
    p = issue.prose
    return (
        f"# {issue.title}\n\n"
        f"{_record(issue, variant, by_id)}\n"
        "## Symptom\n\n"
        f"{p[0]} {p[1]} {p[2]}\n\n"
        f"{p[3]} The same {issue.component} behaviour is tracked as "
        f"{_bz_mention(issue.mentioned_bz, variant)}; see also "
        f"{_xref(issue.mentioned_issue, variant, by_id)}.\n\n"
        "## Workaround\n\n"
        f"{p[4]} {p[5]}\n\n"
        f"{_snippet(issue, variant)}"
    )


def component_page(
    component: str, issues: Sequence[SynthIssue], variant: str, flat: bool = False
) -> str:
    mine = [issue for issue in issues if issue.component == component]
    if variant == "rn":
        listing = f"```{{rn:issue-list}} {component}\n```\n"
    elif variant == "plain":
        listing = "".join(f"- {{doc}}`/issues/{issue.id}`\n" for issue in mine)
    else:
        listing = (
            "```{needtable}\n"
            f":tags: {component}\n"
            ":columns: id, title, status, tags\n"
            "```\n"
        )
    toctree = (
        "" if flat else
        f"\n```{{toctree}}\n:hidden:\n:glob:\n\n../issues/{component}-*\n```\n"
    )
    return (
        f"# {component}\n\n"
        f"Known issues, limitations and Technology Previews of {component} "
        f"({len(mine)} synthetic issues).\n\n"
        "## Issues\n\n"
        f"{listing}{toctree}"
    )


def index_page(n: int, flat: bool = False) -> str:
    # flat: every issue page in the root toctree, as in the reference measurement
    # (1,000 pages in one flat toctree), where each page's sidebar lists all of them.
    issues = "issues/*\n" if flat else ""
    return (
        "# Release notes (synthetic benchmark corpus)\n\n"
        f"{n} synthetic issues over {min(n, len(COMPONENTS))} components.\n\n"
        "```{toctree}\n:maxdepth: 1\n:caption: Components\n:glob:\n\n"
        f"components/*\n{issues}"
        "```\n"
    )


CONF_PLAIN = '''\
"""The floor: plain Sphinx + MyST, alabaster with no sidebar (site-build benchmark, variant b)."""
project = "relnotes benchmark (plain)"
extensions = ["myst_parser"]
html_theme = "alabaster"
html_sidebars = {"**": []}
'''

CONF_NEEDS = '''\
"""sphinx-needs with its documented defaults, alabaster default sidebars (variant c)."""
project = "relnotes benchmark (sphinx-needs)"
extensions = ["myst_parser", "sphinx_needs"]
html_theme = "alabaster"
'''


def files(
    issues: Sequence[SynthIssue], variant: str, flat: bool = False
) -> Iterator[tuple[str, str]]:
    """(relative path, text) of every file of a project, except the ``rn`` variant's conf.py.

    The ``rn`` conf.py is the real site's, copied by the benchmark (it is not generated).
    ``flat`` puts every issue in the root toctree instead of its component's hidden one.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    by_id = {issue.id: issue for issue in issues}
    if variant == "plain":
        yield "conf.py", CONF_PLAIN
    elif variant == "needs":
        yield "conf.py", CONF_NEEDS
    yield "source/index.md", index_page(len(issues), flat)
    for component in COMPONENTS[: len(issues)]:  # a small corpus has fewer components
        yield f"source/components/{component}.md", component_page(component, issues, variant, flat)
    for issue in issues:
        yield f"source/issues/{issue.id}.md", issue_page(issue, variant, by_id)
        yield f"snippets/{issue.snippet_path}", issue.snippet_text


def write_project(
    root: Path, n: int, variant: str, seed: int = 2, flat: bool = False
) -> list[SynthIssue]:
    """Write a fresh project for ``variant`` with ``n`` issues under ``root``; return the model."""
    issues = make_issues(n, seed)
    for rel, text in files(issues, variant, flat):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return issues
