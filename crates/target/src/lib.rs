//! The machines Composer compiles for: one [`Target`] value per target, holding every
//! fact that differs between them.
//!
//! The driver chooses a target (`--target`, `compilation.target`) and passes the value
//! down: semantics reads [`Target::word_bits`] (the width of `int`), lowering reads the
//! layout and calling-convention facts, and the back end reads the triple, the linker
//! flags and the runtime archive's name. Nothing else in the compiler may assume a
//! machine: a new target is a new constant here plus its runtime (see
//! `docs/recipes/adding-a-target.md`).
//!
//! Architecture invariant: no dependencies; data only, with no I/O, except
//! [`tools`], the one search for the LLVM tools that build for every target.

pub mod tools;

/// The instruction set, for the facts that follow from it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    Aarch64,
}

/// How a program talks to the operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyscallAbi {
    /// Linux on x86_64: the `syscall` instruction, the x86_64 syscall table.
    LinuxX86_64,
    /// Linux on aarch64: `svc 0`, the generic syscall table (no `open`, `openat` only).
    LinuxGeneric,
}

/// The parts of the C calling convention that decide whether a call can be a
/// guaranteed tail call (`musttail`): LLVM can honour it only when every argument
/// travels in registers and the result comes back in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallingConvention {
    /// Word-sized integer and pointer arguments passed in registers (System V x86-64: 6,
    /// AAPCS64: 8).
    pub argument_words: u64,
    /// Words of a result returned in registers (both: 2).
    pub result_words: u64,
}

/// A machine Composer compiles for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    /// The name users write: `--target NAME`, `compilation.target = "NAME"`.
    pub name: &'static str,
    /// The LLVM target triple given to `opt` (and so to the linker and `llc`).
    pub llvm_triple: &'static str,
    /// The Rust target the run-time library is built for (`crates/runtime/build.rs`).
    pub runtime_triple: &'static str,
    pub arch: Arch,
    /// Bits of a machine word: `int`, `uint`, `nativeint`, lengths and indices.
    pub word_bits: u32,
    /// Bytes of a pointer, and its alignment.
    pub pointer_bytes: u64,
    /// The largest alignment a scalar needs (`int64`, `float`).
    pub max_scalar_align: u64,
    pub calling_convention: CallingConvention,
    pub syscalls: SyscallAbi,
    /// The symbol the executable starts at (defined by the runtime).
    pub entry: &'static str,
    /// Flags for `ld.lld` besides the inputs and the output.
    pub link_flags: &'static [&'static str],
    /// The program that runs this target's executables on a machine of another
    /// architecture (`qemu-aarch64`), when the host cannot run them itself.
    pub emulator: Option<&'static str>,
    /// The Debian package that provides [`Target::emulator`].
    pub emulator_package: Option<&'static str>,
}

/// A static, freestanding Linux executable entered at the runtime's `_start`.
const LINUX_LINK_FLAGS: &[&str] = &["-nostdlib", "-static", "-e", "_start", "--gc-sections"];

pub const X86_64_LINUX: Target = Target {
    name: "x86_64-linux",
    llvm_triple: "x86_64-unknown-linux-gnu",
    runtime_triple: "x86_64-unknown-linux-gnu",
    arch: Arch::X86_64,
    word_bits: 64,
    pointer_bytes: 8,
    max_scalar_align: 8,
    calling_convention: CallingConvention {
        argument_words: 6,
        result_words: 2,
    },
    syscalls: SyscallAbi::LinuxX86_64,
    entry: "_start",
    link_flags: LINUX_LINK_FLAGS,
    emulator: Some("qemu-x86_64"),
    emulator_package: Some("qemu-user"),
};

pub const AARCH64_LINUX: Target = Target {
    name: "aarch64-linux",
    llvm_triple: "aarch64-unknown-linux-gnu",
    runtime_triple: "aarch64-unknown-linux-gnu",
    arch: Arch::Aarch64,
    word_bits: 64,
    pointer_bytes: 8,
    max_scalar_align: 8,
    calling_convention: CallingConvention {
        argument_words: 8,
        result_words: 2,
    },
    syscalls: SyscallAbi::LinuxGeneric,
    entry: "_start",
    link_flags: LINUX_LINK_FLAGS,
    emulator: Some("qemu-aarch64"),
    emulator_package: Some("qemu-user"),
};

/// Every target, the default first.
pub const ALL: &[Target] = &[X86_64_LINUX, AARCH64_LINUX];

impl Target {
    /// The target built for when none is named.
    pub const DEFAULT: Target = X86_64_LINUX;

    /// Not a target one can build for (no runtime, not in [`ALL`]): the default
    /// with a 32-bit word and pointers, for the tests that prove sizes follow the
    /// target (`int` is 32-bit, a pointer 4 bytes), as on Cortex-M33.
    pub const TEST_WORD32: Target = Target {
        name: "test-32",
        word_bits: 32,
        pointer_bytes: 4,
        max_scalar_align: 8,
        ..Target::DEFAULT
    };

    /// The target called `name`, if Composer supports it.
    pub fn by_name(name: &str) -> Option<Target> {
        ALL.iter().copied().find(|t| t.name == name)
    }

    /// The names of all targets, for messages (`x86_64-linux, aarch64-linux`).
    pub fn names() -> String {
        ALL.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
    }

    /// Bytes of a machine word.
    pub fn word_bytes(&self) -> u64 {
        u64::from(self.word_bits / 8)
    }

    /// True when the machine compiling can run this target's executables directly.
    pub fn runs_natively(&self) -> bool {
        let host = match std::env::consts::ARCH {
            "x86_64" => Arch::X86_64,
            "aarch64" => Arch::Aarch64,
            _ => return false,
        };
        std::env::consts::OS == "linux" && host == self.arch
    }
}

impl Default for Target {
    fn default() -> Self {
        Target::DEFAULT
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for t in ALL {
            assert_eq!(Target::by_name(t.name), Some(*t));
            assert_eq!(ALL.iter().filter(|u| u.name == t.name).count(), 1);
        }
        assert_eq!(Target::by_name("cortex-m33"), None);
        assert_eq!(Target::names(), "x86_64-linux, aarch64-linux");
    }

    #[test]
    fn default_is_the_first() {
        assert_eq!(ALL[0], Target::DEFAULT);
        assert_eq!(Target::default().name, "x86_64-linux");
    }

    #[test]
    fn words_and_pointers_agree() {
        for t in ALL {
            assert_eq!(t.word_bytes() * 8, u64::from(t.word_bits));
            assert!(t.pointer_bytes.is_power_of_two());
            assert!(t.max_scalar_align >= t.pointer_bytes);
        }
    }
}
