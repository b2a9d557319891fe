"""The daemon container's seccomp profile: podman's own, less every way to a new namespace.

Podman's default profile lets any process create user namespaces (``unshare -U``, ``clone``
with ``CLONE_NEWUSER``), and inside one a published step, though unprivileged, holds every
capability over new mount, network and PID namespaces (``unshare -Urm ... mount -t tmpfs``).
Nothing the daemon, QEMU (run with ``namespaces = []``) or a workaround needs creates one, so
the profile the containers run with is podman's with ``unshare`` and ``setns`` refused
(EPERM), ``clone`` allowed only without a namespace flag (with one, the profile's default
action refuses it), and ``clone3`` (whose flags seccomp cannot read) answered ENOSYS, which
makes the C library fall back to ``clone``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from relnotes.core.atomic import write_atomic

from .errors import ContainerError

#: Where podman (containers-common) installs its default profile on Debian.
DEFAULT_PROFILE = Path("/usr/share/containers/seccomp.json")
EPERM, ENOSYS = 1, 38
#: CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (and NEWTIME).
NAMESPACE_FLAGS = (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000
                   | 0x20000000 | 0x40000000 | 0x00000080)
_REMOVED = {"unshare", "setns", "clone", "clone3"}


def without_namespaces(profile: dict[str, Any]) -> dict[str, Any]:
    """``profile`` (podman's format) with every rule allowing a namespace syscall removed and
    the rules above added; everything else as it was."""
    result = copy.deepcopy(profile)
    kept = []
    for rule in result.get("syscalls", []):
        names = [name for name in rule.get("names", []) if name not in _REMOVED]
        if rule.get("names") and not names:
            continue
        if "names" in rule:
            rule["names"] = names
        kept.append(rule)
    kept += [
        {"names": ["unshare", "setns"], "action": "SCMP_ACT_ERRNO", "errnoRet": EPERM},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS},
        # seccomp compares clone's flags (its first argument on x86-64): allowed with no
        # namespace bit set; with one, no rule matches and the default action refuses it.
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": NAMESPACE_FLAGS, "valueTwo": 0,
                   "op": "SCMP_CMP_MASKED_EQ"}]},
    ]
    result["syscalls"] = kept
    return result


def profile_path(default: Path = DEFAULT_PROFILE) -> Path:
    """The profile, written once per content beside the process's temporary files."""
    try:
        profile = json.loads(default.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ContainerError(f"cannot read podman's default seccomp profile {default}: {error} "
                             "(install containers-common)") from None
    text = json.dumps(without_namespaces(profile), indent=1, sort_keys=True) + "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"relnotes-seccomp-{os.geteuid()}-{digest}.json"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text)
    return path
