#!/usr/bin/env bash
# Installs the Debian 12 packages HingeLab needs, only those missing.
#   scripts/deps.sh build   compilers and libraries
#   scripts/deps.sh test    the above plus xvfb (viewer tests) and clang (fuzzers)
set -euo pipefail
mode="${1:-build}"
pkgs=(cmake g++ make pkg-config libopencv-dev libopencv-contrib-dev libceres-dev libeigen3-dev
      libimgui-dev libglfw3-dev libgl-dev libgtest-dev)
if [[ "$mode" == "test" ]]; then
  pkgs+=(xvfb xauth clang libclang-rt-14-dev chromium)
fi
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "hingelab: installing missing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
