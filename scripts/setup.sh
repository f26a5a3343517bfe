#!/usr/bin/env bash
# Sets up a Debian machine that has only the Rust toolchain (rustup) for Composer:
#   1. installs the LLVM/MLIR 19 tools (mlir-19-tools llvm-19 lld-19) when missing,
#   2. installs the aarch64 pieces when missing: an aarch64 Rust `core` for the runtime
#      (Debian's rustc-web with libstd-rust-web-dev:arm64, after
#      `dpkg --add-architecture arm64`) and qemu-user, which runs aarch64 tests,
#   3. builds the compiler (cargo build --release),
#   4. compiles samples/hello.clef and runs it.
#
#   ./scripts/setup.sh                 everything
#   ./scripts/setup.sh --tools-only    only steps 1 and 2 (used by .ci/run)
#
# Non-interactive and idempotent: running it again does nothing that is already done.
#
# Debian's rustc lands in /usr/bin. It does not replace rustup's: ~/.cargo/bin comes
# first in PATH (rustup's installer arranges it), and the runtime's build script passes
# /usr/bin/rustc explicitly, to the aarch64 build only. Debian's cargo (cargo-web, a
# recommendation) is not installed. Step 2 checks the order and warns if it is wrong.
set -euo pipefail

cd "$(dirname "$0")/.."

LLVM_DIR=/usr/lib/llvm-19/bin
LLVM_PACKAGES=(mlir-19-tools llvm-19 lld-19)
TOOLS=(mlir-opt mlir-translate opt llc ld.lld llvm-dis llvm-readelf llvm-nm)
AARCH64_RUST_TARGET=aarch64-unknown-linux-gnu
AARCH64_RUST_PACKAGES=(rustc-web libstd-rust-web-dev:arm64)
SYSTEM_RUSTC=/usr/bin/rustc

tools_only=false
case "${1:-}" in
  --tools-only) tools_only=true ;;
  "") ;;
  *) echo "usage: $0 [--tools-only]" >&2; exit 2 ;;
esac

# Runs a command as root: directly when root, else through sudo; exits when neither can.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup: not root and no sudo; run as root: $*" >&2
    exit 2
  fi
}

is_debian() {
  [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1
}

apt_updated=false
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if ! $apt_updated; then
    as_root apt-get update -q
    apt_updated=true
  fi
  as_root apt-get install -y -q --no-install-recommends "$@"
}

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
    echo "setup: apt-get not found; install LLVM/MLIR 19 (${LLVM_PACKAGES[*]}) yourself" >&2
    echo "       and set CLEF_LLVM_DIR to the folder holding mlir-opt, opt, ld.lld" >&2
    exit 2
  fi
  echo "setup: installing ${LLVM_PACKAGES[*]} (about 500 MB)"
  apt_install "${LLVM_PACKAGES[@]}"
  missing="$(missing_tools)"
  if [ -n "$missing" ]; then
    echo "setup: still missing after install: $missing" >&2
    exit 2
  fi
}

# Whether `$1` (a rustc) has the aarch64 `core` library: what crates/runtime/build.rs
# looks for, in the same order (cargo's rustc, then /usr/bin/rustc).
rustc_has_aarch64_core() {
  local libdir
  libdir="$("$1" --print target-libdir --target "$AARCH64_RUST_TARGET" 2>/dev/null)" || return 1
  compgen -G "$libdir/libcore-*.rlib" >/dev/null
}

aarch64_core_present() {
  { command -v rustc >/dev/null 2>&1 && rustc_has_aarch64_core rustc; } ||
    { [ -x "$SYSTEM_RUSTC" ] && rustc_has_aarch64_core "$SYSTEM_RUSTC"; }
}

# Debian's rustc and cargo must not take the place of rustup's.
check_rustup_first() {
  local rustup_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  [ -x "$rustup_bin/rustc" ] || return 0
  local tool
  for tool in rustc cargo; do
    if [ "$(command -v "$tool")" != "$rustup_bin/$tool" ]; then
      echo "setup: warning: '$tool' resolves to $(command -v "$tool"), not rustup's $rustup_bin/$tool;" >&2
      echo "       put $rustup_bin first in PATH (Composer is built with rustup's toolchain)" >&2
    fi
  done
}

install_aarch64_pieces() {
  local packages=()
  if aarch64_core_present; then
    echo "setup: an aarch64 Rust core is present (the aarch64 runtime archive can be built)"
  else
    packages+=("${AARCH64_RUST_PACKAGES[@]}")
  fi
  if command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "setup: qemu-aarch64 present"
  else
    packages+=(qemu-user)
  fi
  if [ ${#packages[@]} -eq 0 ]; then
    check_rustup_first
    return
  fi
  if ! is_debian; then
    echo "setup: not a Debian system; cannot install ${packages[*]}. For the aarch64 target install" >&2
    echo "       qemu-user (qemu-aarch64) and an aarch64 Rust core, e.g." >&2
    echo "       'rustup target add $AARCH64_RUST_TARGET'. Without them the aarch64 runtime" >&2
    echo "       archive is not built and its tests are skipped (they fail under CI=true)." >&2
    if [ "${CI:-}" = true ]; then
      exit 2
    fi
    return
  fi
  if [[ " ${packages[*]} " == *":arm64 "* ]] &&
    ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "setup: dpkg --add-architecture arm64"
    as_root dpkg --add-architecture arm64
    apt_updated=false
  fi
  echo "setup: installing ${packages[*]}"
  apt_install "${packages[@]}"
  if ! aarch64_core_present; then
    echo "setup: still no aarch64 Rust core after install (looked in $SYSTEM_RUSTC's sysroot)" >&2
    exit 2
  fi
  if ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "setup: still no qemu-aarch64 after install" >&2
    exit 2
  fi
  check_rustup_first
}

install_tools
install_aarch64_pieces
if $tools_only; then
  exit 0
fi

echo "setup: cargo build --release"
cargo build --release

echo "setup: composer doctor"
./target/release/composer doctor

echo "setup: composer run samples/hello.clef"
./target/release/composer run samples/hello.clef
