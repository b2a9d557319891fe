"""A re-run that changes nothing needs no daemon: the image decides the environment.

An environment (target, libvirt and QEMU versions, accelerator, image id) is read from a
running daemon, but the versions are those of the binaries in the image: a record made on the
same image id with the same accelerator saw the same versions. So when every check of a
target can reuse its earlier results in that environment, the target's daemon is not started
(its QEMU capability probe is most of a no-change re-run). Anything else starts the daemon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from relnotes.core.ledger import Environment, Ledger, Record
from relnotes.engine.plan import Check


@dataclass(frozen=True)
class ImageIdentity:
    """What a target's daemon would run on, known without starting it."""

    image_id: str
    accelerator: str  # "kvm" or "tcg", as the daemon would choose


def known_environment(ledger: Ledger, target: str, identity: ImageIdentity) -> Environment | None:
    """The environment an earlier record of ``target`` observed on this image and accelerator."""
    for record in ledger.records.values():
        env = record.environment
        if (env.target == target and env.image_id == identity.image_id
                and env.accelerator == identity.accelerator):
            return env
    return None


def reuse_all(checks: Sequence[Check], ledger: Ledger, environment: Environment) -> list[Record] | None:
    """Every check's earlier records, if every one of them may be reused; else None."""
    records: list[Record] = []
    for check in checks:
        inputs = check.inputs_sha256()
        earlier = [ledger.get(member.snippet, environment.target) for member in check.members]
        if not all(ledger.can_reuse(record, inputs, environment) for record in earlier):
            return None
        records.extend(record for record in earlier if record is not None)
    return records


def image_identity(target: str, accelerator: str) -> ImageIdentity:
    """The image (built if missing) and the accelerator a daemon for ``target`` would use."""
    from relnotes.engine.container import ensure_image, get_target
    from relnotes.engine.container.daemon import choose_accelerator

    chosen = choose_accelerator(accelerator)  # type: ignore[arg-type]
    return ImageIdentity(ensure_image(get_target(target)).id, chosen)
