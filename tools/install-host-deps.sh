#!/usr/bin/env bash
# Installs the Debian packages that building and verifying need; idempotent.
# As root it installs them; otherwise it names what is missing and exits 1.
set -euo pipefail

packages=(
  podman runc catatonit
  debootstrap
  uidmap fuse-overlayfs
  libvirt-dev pkg-config
  libxml2-utils
  nodejs npm
  chromium
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
