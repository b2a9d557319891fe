#!/bin/sh
# PID 1 is podman's --init (catatonit), which reaps QEMU's capability-probe children;
# without it libvirtd hangs waiting on zombies. This script starts virtlogd (QEMU's
# stdio goes through it) and then becomes libvirtd, so the container stops exactly when
# libvirtd does and the harness reports a lost daemon instead of a silent half-dead one.
set -eu
# The first log line: proof that a log tail comes from this container's start.
echo "relnotes-libvirtd: starting virtlogd and libvirtd" >&2
virtlogd --daemon
exec libvirtd "$@"
