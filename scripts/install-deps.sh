#!/usr/bin/env bash
# Installs what gotrace-harness needs on a Debian/Ubuntu machine: a C toolchain
# (gcc and clang with its sanitizer and libFuzzer runtimes), CMake and Ninja,
# cmocka, OpenSSL's libcrypto (stream digests), AFL++, zip/unzip (OSS-Fuzz seed
# archives). Go must already be on PATH.
# Safe to run again.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config clang llvm lld libclang-rt-14-dev libcmocka-dev libssl-dev afl++ zip unzip)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { echo "Go is required (go1.22 or newer on PATH)" >&2; exit 2; }
