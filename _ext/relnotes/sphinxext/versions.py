"""How a target is named to readers: "libvirt 9.0 / QEMU 7.2", its Debian codename only in a
tooltip (and on the about page, which lists the mapping).

The versions are those the records of the latest run in the ledger report; a target the ledger
has no record of is named by the major versions the target catalogue declares.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from relnotes.core.ledger import Ledger
from relnotes.core.targets import CATALOGUE
from relnotes.sphinxext.i18n import _

_CATALOGUE = {target.name: target for target in CATALOGUE}


@dataclass(frozen=True)
class Version:
    """One target as readers know it."""

    target: str
    libvirt: str | None  # "9.0", from the records' environments (or "9" from the catalogue)
    qemu: str | None = None  # "7.2"

    @property
    def label(self) -> str:
        """The libvirt version alone, for ranges: "libvirt 9.0"."""
        if self.libvirt is None:
            return self.target
        return str(_("libvirt %(version)s") % {"version": self.libvirt})

    @property
    def full_label(self) -> str:
        """What readers call the stack: "libvirt 9.0 / QEMU 7.2"."""
        if self.qemu is None:
            return self.label
        return f"{self.label} / QEMU {self.qemu}"

    @property
    def slug(self) -> str:
        """The version in a URL (``?libvirt=9.0``): what a reader would type."""
        return self.libvirt or self.target

    @property
    def tooltip(self) -> str:
        return str(_("Debian %(codename)s") % {"codename": self.target})

    def html(self, *, full: bool = True) -> str:
        """The name in a span whose title gives the codename."""
        text = self.full_label if full else self.label
        return (f'<span class="rn-version" title="{html.escape(self.tooltip)}">'
                f"{html.escape(text)}</span>")


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def target_versions(ledger: Ledger, targets: Sequence[str]) -> dict[str, Version]:
    """Each target's versions in the environment of its latest run, as the ledger decides it
    for staleness too (the catalogue's majors when it has none)."""
    versions = {}
    for target in targets:
        environment = ledger.current_environment(target)
        if environment is not None:
            versions[target] = Version(target, _major_minor(environment.libvirt_version),
                                       _major_minor(environment.qemu_version))
        elif target in _CATALOGUE:
            known = _CATALOGUE[target]
            versions[target] = Version(target, str(known.libvirt_major), str(known.qemu_major))
        else:
            versions[target] = Version(target, None)
    return versions


#: The query parameter that carries the reader's version across pages: ``?libvirt=9.0``.
QUERY_PARAMETER = "libvirt"


def picker_html(versions: Sequence[Version]) -> str:
    """The "your version" choice, hidden until the script shows it (without the script every
    version is shown): a plain GET form, so the choice is in the URL."""
    label = html.escape(_("Your version"))
    everything = html.escape(_("every version"))
    options = "".join(f'<option value="{html.escape(version.slug)}" '
                      f'title="{html.escape(version.tooltip)}">{html.escape(version.full_label)}'
                      "</option>" for version in versions)
    return (f'<form class="rn-version-picker" hidden method="get">'
            f'<label for="rn-version">{label}</label> '
            f'<select id="rn-version" name="{QUERY_PARAMETER}">'
            f'<option value="">{everything}</option>{options}</select></form>')
