"""Domain XML for throwaway guests, and adapting snippet XML to the accelerator at hand."""

from __future__ import annotations

from lxml import etree

DOMAIN_TYPES = ("kvm", "qemu")

# CPU modes that mirror the host CPU need KVM; "maximum" (libvirt >= 7.1, QEMU's
# "max" model) is the closest thing TCG can emulate.
_HOST_CPU_MODES = ("host-passthrough", "host-model")
# Older libvirt (7.0 on bullseye) rejects mode 'maximum' and has no model "max"; its
# host-model under TCG becomes the newest named model TCG can run (observed: EPYC).
_MAXIMUM_SINCE = (7, 1)


def minimal_domain_xml(name: str, domain_type: str = "kvm", *, memory_mib: int = 64) -> str:
    """A guest that boots SeaBIOS and idles: no disk, no NIC, no OS needed."""
    _check_domain_type(domain_type)
    domain = etree.Element("domain", type=domain_type)
    etree.SubElement(domain, "name").text = name
    etree.SubElement(domain, "memory", unit="MiB").text = str(memory_mib)
    etree.SubElement(domain, "vcpu").text = "1"
    os_element = etree.SubElement(domain, "os")
    etree.SubElement(os_element, "type", arch="x86_64").text = "hvm"
    etree.SubElement(domain, "on_poweroff").text = "destroy"
    devices = etree.SubElement(domain, "devices")
    # Without this libvirt adds a virtio balloon, which is one more device to probe.
    etree.SubElement(devices, "memballoon", model="none")
    return etree.tostring(domain, encoding="unicode", pretty_print=True)


def adapt_to_accelerator(domain_xml: str, domain_type: str, *,
                         libvirt_version: str | None = None) -> str:
    """Rewrite *domain_xml* so it starts where only *domain_type* guests can run.

    Under TCG (``qemu``) a ``kvm`` domain becomes ``qemu`` and host CPU modes become
    ``maximum`` (``host-model`` for a *libvirt_version* older than 7.1); under KVM the XML
    is returned unchanged.
    """
    _check_domain_type(domain_type)
    try:
        root = etree.fromstring(domain_xml.encode())
    except etree.XMLSyntaxError as error:
        raise ValueError(f"domain XML is not well-formed: {error}") from None
    if root.tag != "domain":
        raise ValueError(f"expected a <domain> document, got <{root.tag}>")
    if domain_type == "kvm":
        return domain_xml
    if root.get("type") == "kvm":
        root.set("type", "qemu")
    mode = "maximum" if _version(libvirt_version) >= _MAXIMUM_SINCE else "host-model"
    for cpu in root.iterfind("cpu"):
        if cpu.get("mode") in _HOST_CPU_MODES:
            cpu.set("mode", mode)
    return etree.tostring(root, encoding="unicode")


def _version(text: str | None) -> tuple[int, ...]:
    """``"7.0.0"`` -> (7, 0, 0); unknown (None) counts as new."""
    if text is None:
        return (1_000,)
    try:
        return tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        raise ValueError(f"libvirt version must look like 9.0.0, got {text!r}") from None


def _check_domain_type(domain_type: str) -> None:
    if domain_type not in DOMAIN_TYPES:
        raise ValueError(f"domain type must be one of {DOMAIN_TYPES}, got {domain_type!r}")
