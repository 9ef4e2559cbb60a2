#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, once. Browser tests use Debian's Chromium
# (never a downloaded browser); the cluster tests nginx; ffmpeg is not needed at run time.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
# nginx balances the local cluster (scripts/cluster.sh) and its tests.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (run as root or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core
