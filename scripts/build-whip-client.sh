#!/usr/bin/env bash
# Builds Meetecho's simple-whip-client (the real WHIP client of tests/browser/whip_test.go) at a pinned commit and
# installs it as <dir>/whip-client (default .ci/bin). Debian bookworm's own package (simple-whip-client
# 0.0~git20230131-1) cannot run: it links libsoup2 while GStreamer's webrtc plugin pulls libsoup3 (libnice ->
# gupnp-igd -> gupnp-1.6), and libsoup3 aborts the process ("libsoup2 symbols detected"); upstream moved to libsoup3.
# Needs: gcc make pkg-config libgstreamer1.0-dev libgstreamer-plugins-bad1.0-dev libsoup-3.0-dev libjson-glib-dev.
# SIMPLE_WHIP_CLIENT_REPO overrides where the source is fetched from (a local mirror on an offline machine).
set -euo pipefail
COMMIT=b9b3fac278eb26b7afb583b996869fcd5c5ab2f2
REPO=${SIMPLE_WHIP_CLIENT_REPO:-https://github.com/meetecho/simple-whip-client}
out=$(realpath -m "${1:-.ci/bin}")
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
git init -q "$src"
git -C "$src" fetch -q --depth 1 "$REPO" "$COMMIT"
git -C "$src" -c advice.detachedHead=false checkout -q FETCH_HEAD
make -s -C "$src" whip-client
mkdir -p "$out"
install -m 0755 "$src/whip-client" "$out/whip-client"
echo "simple-whip-client $COMMIT -> $out/whip-client"
