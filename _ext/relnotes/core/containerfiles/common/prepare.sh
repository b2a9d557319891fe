#!/bin/sh
# The same last steps for every target's image, after its libvirt and QEMU packages are in:
# what Debian's libvirt-daemon-system would do (it drags in systemd and polkit), and this
# harness's configuration and entrypoint. Run once, by each Containerfile, from /usr/local/share/relnotes.
set -eu
here=$(dirname "$0")
# The QEMU driver's user (trixie's package creates it; bookworm's and bullseye's do not).
getent passwd libvirt-qemu >/dev/null \
  || useradd --system --no-create-home --home-dir /var/lib/libvirt \
       --shell /usr/sbin/nologin libvirt-qemu
# virtlogd refuses to start without its log directory.
mkdir -p /var/log/libvirt/qemu
install -m 0644 "$here/qemu.conf" "$here/libvirtd.conf" /etc/libvirt/
install -m 0755 "$here/entrypoint.sh" /usr/local/sbin/relnotes-libvirtd
