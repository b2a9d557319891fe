"""The schema and semantic layers: libvirt's own validation of the XML under test."""

from __future__ import annotations

import libvirt

from relnotes.core.ledger import Layer, LayerStatus
from relnotes.engine.batch import Command, Ran


def schema_command(path: str) -> Command:
    """virt-xml-validate of the libvirt version under test, run inside its container (batched
    with the writing of ``path`` and whatever else the check runs there next)."""
    return Command(("virt-xml-validate", path, "domain"))


def schema_layer(ran: Ran) -> Layer:
    output = (ran.stdout + ran.stderr).strip()
    if ran.returncode == 0:
        return Layer(LayerStatus.PASSED, f"virt-xml-validate: {output}")
    return Layer(LayerStatus.FAILED, f"virt-xml-validate exited {ran.returncode}: {output}",
                 said=output)


def semantic_layer(connection: libvirt.virConnect, xml: str) -> tuple[Layer, libvirt.virDomain | None]:
    """Define with VIR_DOMAIN_DEFINE_VALIDATE: the daemon's own parse and post-parse checks."""
    try:
        domain = connection.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
    except libvirt.libvirtError as error:
        return Layer(LayerStatus.FAILED, f"define (VALIDATE) refused it: {error}",
                     said=str(error)), None
    return Layer(LayerStatus.PASSED, "defined with VIR_DOMAIN_DEFINE_VALIDATE"), domain


def combine(first: Layer | None, second: Layer) -> Layer:
    """Several XML documents in one check: the layer fails if any of them does."""
    if first is None:
        return second
    status = LayerStatus.FAILED if LayerStatus.FAILED in (first.status, second.status) \
        else second.status
    said = "\n".join(text for text in (first.said, second.said) if text)
    return Layer(status, f"{first.detail}; {second.detail}", said)
