"""Published steps run with the least privilege that still lets a workaround run.

The harness's own commands (writing files, setup, validation, probes) run as the container's
root. A published step, which may be anything, runs as a user of its own, one per check: in the
group that may use libvirt's read-write socket (what ``virsh`` needs), owning only its work
directory and the files its procedure installs (a workaround may ``chmod`` the wrapper it
installs), with no capabilities. So it cannot replace the socket, kill the daemon, write
another check's files or the host's directory, nor read another check's work.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from relnotes.engine.container.daemon import STEPS_GID

# Users are numbered from just above the group: far above the ids a host hands out.
_next_user = itertools.count(STEPS_GID + 1)


def new_step_user() -> int:
    """A user id no other check of this process uses (``next`` on a count is atomic)."""
    return next(_next_user)


def step_environment(work: str) -> dict[str, str]:
    """What a reader's shell would have: virsh talks to the system daemon, as root's would."""
    return {"HOME": work, "LIBVIRT_DEFAULT_URI": "qemu:///system"}


# Run as root before the step: the user gets an account (libvirt's client looks its name up),
# its work directory (private, 0700) and the files it installs; then the step runs as it, as a
# child: the exec's own process stays root's, so the harness's timeout kill (root without
# CAP_KILL, which cannot signal another user) ends the exec at once; the audit after the step
# kills what the user left, as that user.
# Only what is not the user's yet is changed: root here has no CAP_FOWNER, so it cannot chmod
# what the user owns, and need not.
_PRELUDE = """\
uid=$1 gid=$2 count=$3; shift 3
grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd ||
  echo "relnotes-step-$uid:x:$uid:$gid:published steps:$1:/usr/sbin/nologin" >> /etc/passwd
grep -q "^[^:]*:[^:]*:$gid:" /etc/group || echo "relnotes-steps:x:$gid:" >> /etc/group
mkdir -p -- "$1" || exit 125
[ "$(stat -c %u -- "$1")" = "$uid" ] || { chmod 700 -- "$1" && chown -- "$uid:$gid" "$1"; } ||
  exit 125
shift; count=$((count - 1))
while [ "$count" -gt 0 ]; do
  [ "$(stat -c %u -- "$1")" = "$uid" ] || chown -- "$uid:$gid" "$1" || exit 125
  shift; count=$((count - 1))
done
"$@"
"""


def as_step_user(argv: Sequence[str], uid: int, owned: Sequence[str]) -> tuple[str, ...]:
    """``argv`` run as ``uid`` without capabilities, after giving it ``owned`` (its work
    directory first, created if need be); the exec's exit status is the step's."""
    return ("sh", "-c", _PRELUDE, "sh", str(uid), str(STEPS_GID), str(len(owned)), *owned,
            "setpriv", f"--reuid={uid}", f"--regid={STEPS_GID}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--", *argv)


# Run as root after the steps: stop whatever the user left running (as that user: root here
# may not signal others), then list and remove what it wrote outside its work directory, on
# every filesystem a step could write.
AUDIT = """\
uid=$1 gid=$2 work=$3
for status in /proc/[0-9]*/status; do
  grep -q "^Uid:[[:space:]]*$uid[[:space:]]" "$status" 2>/dev/null || continue
  pid=${status#/proc/}
  setpriv --reuid="$uid" --regid="$gid" --clear-groups -- sh -c 'kill -s KILL "$0"' \
    "${pid%/status}" 2>/dev/null
done
find / /tmp /var/tmp /dev/shm /run -xdev -user "$uid" ! -path "$work" ! -path "$work/*" \
  -print -prune -exec rm -rf -- {} + 2>/dev/null
exit 0
"""


def audit_command(uid: int, work: str) -> list[str]:
    """The harness's look at what a check's steps left behind: the paths (one a line), which
    are removed."""
    return ["sh", "-c", AUDIT, "sh", str(uid), str(STEPS_GID), work]
