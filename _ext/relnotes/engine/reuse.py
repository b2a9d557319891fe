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

from relnotes.core.ledger import Ledger, Record
from relnotes.core.plan import Check
from relnotes.core.results import rerun_when_unchanged


@dataclass(frozen=True)
class ImageIdentity:
    """What a target's daemon would run on, known without starting it."""

    image_id: str
    accelerator: str  # "kvm" or "tcg", as the daemon would choose


def reuse_without_daemon(checks: Sequence[Check], ledger: Ledger, target: str,
                         identity: ImageIdentity) -> list[Record] | None:
    """Every check's earlier records, when all of them can stand without starting the daemon.

    Each must have the check's current inputs, be of a state the results table does not re-run
    when nothing changed (``rerun_when_unchanged``), and have been made with the very image and
    accelerator the daemon would run with. None if any check must run.
    """
    found: list[Record] = []
    for check in checks:
        inputs = check.inputs_sha256(target)
        for member in check.members:
            record = ledger.get(member.snippet, target)
            if (record is None or rerun_when_unchanged(record.result)
                    or record.inputs_sha256 != inputs
                    or record.environment.image_id != identity.image_id
                    or record.environment.accelerator != identity.accelerator):
                return None
            found.append(record)
    return found


def image_identity(target: str, accelerator: str) -> ImageIdentity:
    """The image (built if missing) and the accelerator a daemon for ``target`` would use."""
    from relnotes.engine.container import ensure_image, get_target
    from relnotes.engine.container.daemon import choose_accelerator

    chosen = choose_accelerator(accelerator)  # type: ignore[arg-type]
    return ImageIdentity(ensure_image(get_target(target)).id, chosen)
