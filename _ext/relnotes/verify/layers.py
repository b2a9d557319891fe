"""The schema and semantic layers: libvirt's own validation of the XML under test."""

from __future__ import annotations

import libvirt

from relnotes.ledger import Layer, LayerStatus
from relnotes.verify.daemon import Daemon


def schema_layer(daemon: Daemon, xml: str, path: str, timeout: float) -> Layer:
    """virt-xml-validate of the libvirt version under test, run inside its container."""
    # one exec for writing and validating: each podman exec costs ~0.15 s
    script = 'mkdir -p "$(dirname "$0")" && cat > "$0" && exec virt-xml-validate "$0" domain'
    result = daemon.exec(["sh", "-c", script, path], input=xml.encode(), timeout=timeout)
    output = (result.stdout + result.stderr).decode(errors="replace").strip()
    if result.returncode == 0:
        return Layer(LayerStatus.PASSED, f"virt-xml-validate: {output}")
    return Layer(LayerStatus.FAILED, f"virt-xml-validate exited {result.returncode}: {output}")


def semantic_layer(connection: libvirt.virConnect, xml: str) -> tuple[Layer, libvirt.virDomain | None]:
    """Define with VIR_DOMAIN_DEFINE_VALIDATE: the daemon's own parse and post-parse checks."""
    try:
        domain = connection.defineXMLFlags(xml, libvirt.VIR_DOMAIN_DEFINE_VALIDATE)
    except libvirt.libvirtError as error:
        return Layer(LayerStatus.FAILED, f"define (VALIDATE) refused it: {error}"), None
    return Layer(LayerStatus.PASSED, "defined with VIR_DOMAIN_DEFINE_VALIDATE"), domain


def combine(first: Layer | None, second: Layer) -> Layer:
    """Several XML documents in one check: the layer fails if any of them does."""
    if first is None:
        return second
    status = LayerStatus.FAILED if LayerStatus.FAILED in (first.status, second.status) \
        else second.status
    return Layer(status, f"{first.detail}; {second.detail}")
