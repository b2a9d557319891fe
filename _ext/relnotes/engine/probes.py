"""Effect probes: observations of a running guest, through QMP or QEMU's command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import libvirt
import libvirt_qemu  # type: ignore[import-untyped]
from lxml import etree

from relnotes.core.spec import Effect, Expectation


class Exec(Protocol):
    def __call__(self, argv: list[str]) -> str: ...


@dataclass(frozen=True)
class ProbeContext:
    """What a probe may look at: the domain, the check's main guest and a way into the container."""

    domain: libvirt.virDomain
    main: libvirt.virDomain | None
    run: Exec


class ProbeError(RuntimeError):
    """The probe could not observe anything (which fails the check: no observation, no pass)."""


def qmp(domain: libvirt.virDomain, command: str, **arguments: Any) -> Any:
    request: dict[str, Any] = {"execute": command}
    if arguments:
        request["arguments"] = arguments
    reply = json.loads(libvirt_qemu.qemuMonitorCommand(domain, json.dumps(request), 0))
    if "error" in reply:
        raise ProbeError(f"QMP {command}: {reply['error'].get('desc', reply['error'])}")
    return reply["return"]


def _pci_ids(ctx: ProbeContext, effect: Effect) -> list[str]:
    ids: list[str] = []

    def walk(devices: list[dict[str, Any]]) -> None:
        for device in devices:
            ids.append(f"{device['id']['vendor']:04x}:{device['id']['device']:04x}")
            walk(device.get("pci_bridge", {}).get("devices", []))

    for bus in qmp(ctx.domain, "query-pci"):
        walk(bus["devices"])
    return sorted(set(ids))


def _cpu(ctx: ProbeContext, effect: Effect) -> Any:
    cpus = qmp(ctx.domain, "query-cpus-fast")
    if not cpus:
        raise ProbeError("query-cpus-fast returned no vCPU")
    return qmp(ctx.domain, "qom-get", path=cpus[0]["qom-path"], property=effect.property)


def _qom(ctx: ProbeContext, effect: Effect) -> Any:
    return qmp(ctx.domain, "qom-get", path=effect.path, property=effect.property)


def _block_formats(ctx: ProbeContext, effect: Effect) -> list[str]:
    return sorted({entry["inserted"]["image"]["format"]
                   for entry in qmp(ctx.domain, "query-block") if "inserted" in entry})


def _vnc_auth(ctx: ProbeContext, effect: Effect) -> str:
    info = qmp(ctx.domain, "query-vnc")
    return str(info.get("auth", "none")) if info.get("enabled") else "disabled"


def _running(ctx: ProbeContext, effect: Effect) -> bool:
    return bool(ctx.domain.isActive())


def _cmdline(ctx: ProbeContext, effect: Effect) -> str:
    """QEMU's command line, with the guest's identity normalised: its name (in paths, sockets
    and -name) and UUID differ between any guest and its control, so they must never be what
    tells them apart."""
    name = ctx.domain.name()
    pid = ctx.run(["cat", f"/run/libvirt/qemu/{name}.pid"]).strip()
    line = ctx.run(["cat", f"/proc/{pid}/cmdline"]).replace("\0", " ").strip()
    return normalise_identity(line, name, ctx.domain.UUIDString())


def normalise_identity(text: str, name: str, uuid: str) -> str:
    """``text`` with the guest's name and UUID replaced by ``@GUEST@`` and ``@UUID@``."""
    return text.replace(uuid, "@UUID@").replace(name, "@GUEST@")


def _identity(domain: libvirt.virDomain) -> tuple[str, list[str]]:
    root = etree.fromstring(domain.XMLDesc(0).encode())
    return domain.UUIDString(), _strings(root, "//interface/mac/@address")


def _distinct_identity(ctx: ProbeContext, effect: Effect) -> list[str]:
    """Which identifiers differ from the check's main guest (the template)."""
    if ctx.main is None:
        raise ProbeError("distinct-identity needs the check's main guest")
    mine, template = _identity(ctx.domain), _identity(ctx.main)
    differing = []
    if mine[0] != template[0]:
        differing.append("uuid")
    if mine[1] and template[1] and not set(mine[1]) & set(template[1]):
        differing.append("mac")
    return sorted(differing)


def _nic_models(ctx: ProbeContext, effect: Effect) -> list[str]:
    root = etree.fromstring(ctx.domain.XMLDesc(0).encode())
    return _strings(root, "//devices/interface/model/@type")


def _strings(root: etree._Element, xpath: str) -> list[str]:
    found = root.xpath(xpath)
    return sorted(str(item) for item in found) if isinstance(found, list) else []


PROBES: dict[str, Callable[[ProbeContext, Effect], Any]] = {
    "pci-ids": _pci_ids, "cpu": _cpu, "qom": _qom, "block-formats": _block_formats,
    "vnc-auth": _vnc_auth, "running": _running, "cmdline": _cmdline,
    "distinct-identity": _distinct_identity, "nic-models": _nic_models,
}
# Probes whose value depends on the check's main guest as well as on the observed one.
NEEDS_MAIN = frozenset({"distinct-identity"})


def observe(ctx: ProbeContext, effect: Effect) -> Any:
    return PROBES[effect.probe](ctx, effect)


def _has(value: Any, item: Any) -> bool:
    items = item if isinstance(item, list) else [item]
    return all(i in value for i in items)


def unmet(expectation: Expectation, value: Any) -> list[str]:
    """The parts of ``expectation`` that ``value`` does not meet (empty: met)."""
    problems = []
    if expectation.equals is not None and value != expectation.equals:
        problems.append(f"expected {expectation.equals!r}")
    if expectation.not_equals is not None and value == expectation.not_equals:
        problems.append(f"expected anything but {expectation.not_equals!r}")
    if expectation.contains is not None and not _has(value, expectation.contains):
        problems.append(f"expected to contain {expectation.contains!r}")
    if expectation.lacks is not None and (
            _has(value, expectation.lacks) if not isinstance(expectation.lacks, list)
            else any(i in value for i in expectation.lacks)):
        problems.append(f"expected to lack {expectation.lacks!r}")
    return problems


def describe(effect: Effect) -> str:
    what = effect.probe
    if effect.property:
        what += f" {effect.property}"
    if effect.path:
        what += f" of {effect.path}"
    return what
