#!/usr/bin/env bash
# Sets up a Debian machine that has only the Rust toolchain for Composer:
#   1. installs the LLVM/MLIR 19 tools (mlir-19-tools llvm-19 lld-19) when missing,
#   2. builds the compiler (cargo build --release),
#   3. compiles samples/hello.clef and runs it.
#
#   ./scripts/setup.sh                 everything
#   ./scripts/setup.sh --tools-only    only step 1 (used by .ci/run)
#
# Non-interactive and idempotent: running it again does nothing that is already done.
set -euo pipefail

cd "$(dirname "$0")/.."

LLVM_DIR=/usr/lib/llvm-19/bin
PACKAGES=(mlir-19-tools llvm-19 lld-19)
TOOLS=(mlir-opt mlir-translate opt llc ld.lld llvm-dis llvm-readelf llvm-nm)

tools_only=false
case "${1:-}" in
  --tools-only) tools_only=true ;;
  "") ;;
  *) echo "usage: $0 [--tools-only]" >&2; exit 2 ;;
esac

missing_tools() {
  local tool
  for tool in "${TOOLS[@]}"; do
    [ -x "$LLVM_DIR/$tool" ] || echo "$tool"
  done
}

install_tools() {
  local missing
  missing="$(missing_tools)"
  if [ -z "$missing" ]; then
    echo "setup: LLVM/MLIR 19 tools present in $LLVM_DIR"
    return
  fi
  echo "setup: missing tools: $(echo "$missing" | tr '\n' ' ')"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get not found; install LLVM/MLIR 19 (${PACKAGES[*]}) yourself" >&2
    echo "       and set CLEF_LLVM_DIR to the folder holding mlir-opt, opt, ld.lld" >&2
    exit 2
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "setup: not root and no sudo; run as root: apt-get install -y ${PACKAGES[*]}" >&2
      exit 2
    fi
  fi
  echo "setup: installing ${PACKAGES[*]} (about 500 MB)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  missing="$(missing_tools)"
  if [ -n "$missing" ]; then
    echo "setup: still missing after install: $missing" >&2
    exit 2
  fi
}

install_tools
if $tools_only; then
  exit 0
fi

echo "setup: cargo build --release"
cargo build --release

echo "setup: composer doctor"
./target/release/composer doctor

echo "setup: composer run samples/hello.clef"
./target/release/composer run samples/hello.clef
