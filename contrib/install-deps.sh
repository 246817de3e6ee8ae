#!/bin/sh
# Installs the Debian 12 packages osslivefs needs to build, test and demo;
# with the argument "bench", also the peers that make bench compares with.
# Installs only what is missing; needs root for that.
set -eu

# prometheus (promtool) and prometheus-node-exporter: tests/test_control.py
# checks .osslivefs/metrics.prom with them.
PKGS="build-essential pkg-config libfuse3-dev fuse3 libcurl4-openssl-dev
libssl-dev libxml2-dev python3-pytest ffmpeg groff-base nginx-light
libnginx-mod-rtmp rsync perl vim-tiny libxml2-utils ansible-core git tar openssl
prometheus prometheus-node-exporter"
[ "${1:-}" = bench ] && PKGS="$PKGS s3fs rclone"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -q
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
