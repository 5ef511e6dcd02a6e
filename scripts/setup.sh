#!/usr/bin/env bash
# Installs what building and testing Sabot needs on a fresh machine of this kind (Debian with
# the Rust toolchain). Idempotent: skips what is already there. Sourced by demo.sh and test.sh.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v c++ >/dev/null 2>&1 || need_apt+=(g++)
# bindgen (RocksDB's bindings) loads libclang at build time; Tonbo's object-store client links OpenSSL.
dpkg-query -W -f='${Status}' libclang-dev 2>/dev/null | grep -q "ok installed" || need_apt+=(libclang-dev)
dpkg-query -W -f='${Status}' libssl-dev 2>/dev/null | grep -q "ok installed" || need_apt+=(libssl-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; this project needs the Rust toolchain (rustup) on PATH" >&2
  exit 1
fi
