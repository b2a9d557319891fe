"""Guest XML: the minimal domain, and adapting snippet XML to KVM or TCG."""

from __future__ import annotations

import pytest
from lxml import etree
from relnotes.engine.container.guest import adapt_to_accelerator, minimal_domain_xml

SNIPPET_XML = """<domain type='kvm'>
  <name>rhel</name>
  <memory unit='MiB'>128</memory>
  <cpu mode='host-passthrough'/>
  <os><type arch='x86_64'>hvm</type></os>
</domain>"""


def test_minimal_domain_is_small_and_diskless() -> None:
    root = etree.fromstring(minimal_domain_xml("g1", "qemu").encode())
    assert root.get("type") == "qemu"
    assert root.findtext("name") == "g1"
    assert (root.find("memory").get("unit"), root.findtext("memory")) == ("MiB", "64")
    assert root.findtext("vcpu") == "1"
    assert root.find("os/type").text == "hvm"
    assert root.find("devices/disk") is None


def test_tcg_turns_kvm_domains_into_qemu_and_host_cpu_into_maximum() -> None:
    root = etree.fromstring(adapt_to_accelerator(SNIPPET_XML, "qemu").encode())
    assert root.get("type") == "qemu"
    assert root.find("cpu").get("mode") == "maximum"
    assert root.findtext("memory") == "128"  # everything else untouched


def test_tcg_on_libvirt_older_than_7_1_uses_host_model_which_it_can_start() -> None:
    root = etree.fromstring(adapt_to_accelerator(SNIPPET_XML, "qemu",
                                                 libvirt_version="7.0.0").encode())
    assert root.find("cpu").get("mode") == "host-model"
    newer = adapt_to_accelerator(SNIPPET_XML, "qemu", libvirt_version="7.1.0")
    assert etree.fromstring(newer.encode()).find("cpu").get("mode") == "maximum"


def test_a_malformed_libvirt_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"libvirt version must look like 9\.0\.0, got 'seven'"):
        adapt_to_accelerator(SNIPPET_XML, "qemu", libvirt_version="seven")


def test_kvm_leaves_the_xml_byte_for_byte() -> None:
    assert adapt_to_accelerator(SNIPPET_XML, "kvm") == SNIPPET_XML


def test_custom_cpu_models_are_left_alone_under_tcg() -> None:
    xml = "<domain type='kvm'><cpu mode='custom'><model>qemu64</model></cpu></domain>"
    root = etree.fromstring(adapt_to_accelerator(xml, "qemu").encode())
    assert root.find("cpu").get("mode") == "custom"


def test_xml_declaration_with_encoding_is_accepted() -> None:
    xml = "<?xml version='1.0' encoding='UTF-8'?>\n<domain type='kvm'><name>x</name></domain>"
    assert etree.fromstring(adapt_to_accelerator(xml, "qemu").encode()).get("type") == "qemu"


@pytest.mark.parametrize(
    ("xml", "domain_type", "message"),
    [
        ("<domain type='kvm'><name>x</domain>", "qemu", "not well-formed"),
        ("<network><name>x</name></network>", "qemu", "expected a <domain>"),
        (SNIPPET_XML, "xen", "domain type must be one of"),
    ],
)
def test_bad_input_is_refused(xml: str, domain_type: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        adapt_to_accelerator(xml, domain_type)


def test_minimal_domain_refuses_unknown_types() -> None:
    with pytest.raises(ValueError, match="domain type"):
        minimal_domain_xml("g", "lxc")
