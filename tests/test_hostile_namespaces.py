"""A published step cannot create namespaces: the daemon containers run with podman's seccomp
profile less ``unshare``, ``setns``, namespace flags to ``clone`` and ``clone3``. Proven on
every target with a real daemon, where libvirt and QEMU still start guests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from relnotes.core.ledger import Status
from relnotes.engine.container.seccomp import (
    DEFAULT_PROFILE,
    NAMESPACE_FLAGS,
    profile_path,
    without_namespaces,
)
from relnotes.engine.container.targets import TARGETS
from relnotes.engine.runner import run

# containers_before: what ours() leaves out (the session's shared daemons, started by this
# process before the test) is read when each test begins, as in the sandbox tests.
from tests.test_hostile_sandbox import (  # noqa: F401
    by_snippet,
    containers_before,
    factory,
    ours,
    snippets_with,
)

pytestmark = pytest.mark.hostile

ESCAPE = "unshare -Urm sh -c 'mount -t tmpfs none /mnt && echo escaped'\n"


def allowed(profile: dict[str, object], name: str) -> list[dict[str, object]]:
    return [rule for rule in profile["syscalls"]  # type: ignore[attr-defined]
            if name in rule.get("names", []) and rule["action"] == "SCMP_ACT_ALLOW"]


def test_the_profile_allows_no_namespace_syscall_and_keeps_everything_else() -> None:
    default = json.loads(DEFAULT_PROFILE.read_text())
    profile = without_namespaces(default)
    assert allowed(default, "unshare") and allowed(default, "clone3")  # what podman allows
    assert allowed(profile, "unshare") == allowed(profile, "setns") == []
    assert allowed(profile, "clone3") == []
    [clone] = allowed(profile, "clone")
    assert clone["args"] == [{"index": 0, "value": NAMESPACE_FLAGS, "valueTwo": 0,
                              "op": "SCMP_CMP_MASKED_EQ"}]
    assert profile["defaultAction"] != "SCMP_ACT_ALLOW"
    def names(of: dict[str, object]) -> set[str]:
        return {name for rule in of["syscalls"] for name in rule.get("names", [])  # type: ignore[attr-defined]
                if rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args")}
    # Everything else podman allows is still allowed.
    assert names(default) - {"unshare", "setns", "clone", "clone3"} <= names(profile)
    assert profile_path().read_text() == json.dumps(profile, indent=1, sort_keys=True) + "\n"


@pytest.mark.libvirt
@pytest.mark.usefixtures("containers_before")
@pytest.mark.parametrize("target", list(TARGETS))
def test_a_published_step_cannot_create_a_user_or_mount_namespace(
        tmp_path: Path, target: str) -> None:
    snippets = snippets_with(tmp_path, ESCAPE)
    result = run(snippets, tmp_path / "out", [target], factory, force=True, jobs=1,
                 log=lambda _: None)
    records = by_snippet(result.records)
    hostile = records[("a/hostile.sh", target)]
    assert hostile.result is Status.FAILED
    assert "unshare failed: Operation not permitted" in hostile.log
    assert "escaped" not in hostile.log.replace("echo escaped", "")
    honest = records[("b/e1000-nic.xml", target)]  # libvirt and QEMU work under the profile
    assert honest.result is Status.PASSED, honest.reason
    assert ours(__import__("os").getpid()) == []
