//! MIR: the monomorphic, explicit-control-flow IR.
//!
//! Guarantees over the PSG: no type variables (every generic function has one copy
//! per instantiation), no nested functions (local functions are lambda-lifted; their
//! captures are ordinary parameters), every value lives in a typed local slot (the
//! memory place is explicit: a stack slot) or a global, control flow is a graph of
//! basic blocks, and every call names either a MIR function or a runtime entry of
//! [`RtFn`] with its exact ABI (the one exception, `Rvalue::TryReadln`, needs a
//! stack out-parameter and is emitted by Alex directly).

use composer_semantics::builtins::MathFn;
use std::fmt::{self, Write};

/// MIR value types (DESIGN §4 layouts).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    Int {
        bits: u32,
        signed: bool,
    },
    Float {
        bits: u32,
    },
    Bool,
    /// A Unicode scalar, 32 bits.
    Char,
    /// `{ptr, len}` UTF-8.
    Str,
    Unit,
    /// A raw pointer (only at the runtime boundary).
    Ptr,
    /// `{ptr, len}` of elements.
    Array(Box<Ty>),
    /// `{tag: i1, payload}`: a value-type option.
    Option(Box<Ty>),
    /// Fields in order, natural C alignment (tuples).
    Tuple(Vec<Ty>),
    /// A function value `{code, env}`: `code(env, arg) -> ret` (unit `arg`/`ret`
    /// are omitted from the machine signature).
    Func(Box<Ty>, Box<Ty>),
    /// A discriminated union: `{tag: i32, payload}` where the payload has the size
    /// of the largest case (layout in [`Program::unions`]).
    Union(UnionId),
    /// A pointer to a value of this type in a region (recursive union fields).
    Boxed(Box<Ty>),
}

impl Ty {
    pub const I64: Ty = Ty::Int {
        bits: 64,
        signed: true,
    };
    pub const I32: Ty = Ty::Int {
        bits: 32,
        signed: true,
    };

    pub fn is_unit(&self) -> bool {
        matches!(self, Ty::Unit)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int { bits, signed } => write!(f, "{}{bits}", if *signed { "i" } else { "u" }),
            Ty::Float { bits } => write!(f, "f{bits}"),
            Ty::Bool => f.write_str("bool"),
            Ty::Char => f.write_str("char"),
            Ty::Str => f.write_str("str"),
            Ty::Unit => f.write_str("unit"),
            Ty::Ptr => f.write_str("ptr"),
            Ty::Array(e) => write!(f, "[{e}]"),
            Ty::Option(e) => write!(f, "option<{e}>"),
            Ty::Tuple(ts) => {
                let parts: Vec<String> = ts.iter().map(|t| t.to_string()).collect();
                write!(f, "({})", parts.join(", "))
            }
            Ty::Func(a, r) => write!(f, "fn({a}) -> {r}"),
            Ty::Union(u) => write!(f, "union{}", u.0),
            Ty::Boxed(t) => write!(f, "box<{t}>"),
        }
    }
}

macro_rules! id_type {
    ($name:ident, $prefix:literal) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(LocalId, "v");
id_type!(BlockId, "bb");
id_type!(FuncId, "fn");
id_type!(GlobalId, "g");
id_type!(StrId, "str");
id_type!(UnionId, "union");

/// The cases of one union type at concrete types.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionLayout {
    pub name: String,
    pub cases: Vec<CaseLayout>,
    /// A union on a cycle of types (a tree, a list): its values are pointers. A
    /// fieldless case is the case number itself cast to a pointer (so the all-zero
    /// value is case 0); a case with fields points at a heap cell `{tag: i32,
    /// fields}` built in the current region, without the tag when only one case
    /// has fields. Other unions are `{tag, payload}` values.
    pub boxed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseLayout {
    pub name: String,
    /// Field types (a field of a union type being defined holds it as a pointer:
    /// that union is `boxed`).
    pub fields: Vec<Ty>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Int {
        value: i128,
        bits: u32,
        signed: bool,
    },
    Float {
        value: f64,
        bits: u32,
    },
    Bool(bool),
    Char(char),
    Str(StrId),
    Unit,
}

impl Const {
    pub fn ty(&self) -> Ty {
        match self {
            Const::Int { bits, signed, .. } => Ty::Int {
                bits: *bits,
                signed: *signed,
            },
            Const::Float { bits, .. } => Ty::Float { bits: *bits },
            Const::Bool(_) => Ty::Bool,
            Const::Char(_) => Ty::Char,
            Const::Str(_) => Ty::Str,
            Const::Unit => Ty::Unit,
        }
    }

    pub fn i64(v: i64) -> Const {
        Const::Int {
            value: v as i128,
            bits: 64,
            signed: true,
        }
    }

    pub fn i32(v: i32) -> Const {
        Const::Int {
            value: v as i128,
            bits: 32,
            signed: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Local(LocalId),
    Const(Const),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    /// Bitwise not (and logical not on bool).
    Not,
}

/// Entry points of the runtime library (runtime/src), with their exact C ABI.
///
/// This is the compiler's half of the runtime ABI and the one table of it:
/// [`RtFn::ALL`] and [`RtFn::libm_functions`] list every function generated code
/// may call, [`RtFn::symbol`] and [`RtFn::signature`] say how. The test
/// `crates/runtime/tests/abi/` reads the runtime's sources and checks that each
/// of them is defined there once, as `#[no_mangle] extern "C"` with Rust types of
/// these [`Abi`] classes, and that the runtime exports no other `clef_rt_*`
/// function the table does not know (`docs/runtime.md`, "The ABI table").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RtFn {
    Write,
    Alloc,
    EnableAllocStats,
    Exit,
    Panic,
    StrConcat,
    StrCompare,
    StrEqual,
    StrHash,
    FloatHash,
    Readln,
    IntToString,
    UIntToString,
    FloatToString,
    Float32ToString,
    CharToString,
    BoolToString,
    ParseInt,
    ParseFloat,
    FmtStart,
    FmtLiteral,
    FmtInt,
    FmtFloat,
    FmtString,
    FmtChar,
    FmtBool,
    FmtFinishWrite,
    FmtFinishString,
    FmtFinishPanic,
    /// Pushes a mark on the current region (an iteration region); returns it.
    RegionMark,
    /// Frees what the current region allocated after the mark; the mark stays.
    RegionReset,
    /// Frees the mark and what was allocated after it.
    RegionRelease,
    /// A compacted loop's mark, kept in the loop's frame (a slot of
    /// `region_layout::MARK_SIZE` bytes, whose address is the operand) rather than
    /// in the region, so entering the loop allocates nothing; returns the mark.
    CompactBegin,
    /// A carry point of a compacted loop: mark, the carried state's layout
    /// description (`derive/carried.rs`), the address of the carried values.
    Compact,
    /// `Arena.create`: capacity and creation site; answers the arena's handle.
    ArenaCreate,
    /// Makes an arena the current region; answers the region to restore.
    ArenaEnter,
    /// Restores the current region `ArenaEnter` answered.
    ArenaLeave,
    ArenaMark,
    ArenaRelease,
    ArenaDispose,
    /// `Console.tryReadln`: writes the next line through the pointer and answers 1,
    /// or answers 0 at end of input. Alex declares and calls it itself for
    /// `Rvalue::TryReadln` (the pointer is a stack slot of the caller), with this
    /// signature.
    TryReadln,
    /// Runs an async to completion (`Async.RunSynchronously`): its resume function
    /// (`fn(frame) -> i8`, answering a `POLL_*`), its initialised frame and its
    /// cancellation token source (null: the current task's, if any); runs the event
    /// loop (other tasks, timers, file descriptors) while it waits. Answers how it
    /// ended: `POLL_READY` or `POLL_CANCELLED`.
    AsyncRun,
    /// Queues a new task (resume function, initialised frame, token source or null
    /// for the current task's); answers its handle.
    AsyncSpawn,
    /// As `AsyncSpawn`, but the task runs at once until its first suspension.
    AsyncSpawnNow,
    /// How a task (a handle of `AsyncSpawn`) ended: `POLL_PENDING` (0) while it
    /// runs, then `POLL_READY` or `POLL_CANCELLED`.
    AsyncDone,
    /// The current task wakes when the given task finishes.
    AsyncJoin,
    /// The monotonic clock in nanoseconds.
    AsyncNow,
    /// The current task wakes at the given `AsyncNow` time.
    AsyncWakeAt,
    /// The current task wakes when the file descriptor is readable (flag 0) or
    /// writable (flag 1).
    AsyncWaitFd,
    /// The current task goes to the back of the ready queue.
    AsyncYield,
    /// Whether the current task's cancellation token is cancelled (0 outside a task).
    AsyncCancelled,
    /// The current task's cancellation token source (null: none).
    AsyncToken,
    /// A new cancellation token source.
    CtsCreate,
    /// Cancels a source: every unfinished task with it as token is woken.
    CtsCancel,
    /// Whether a source is cancelled.
    CtsIsCancelled,
    /// Cancels a source after the given milliseconds (a timer of the event loop).
    CtsCancelAfter,
    /// A non-blocking listening TCP socket on (IPv4 address, port, backlog): the fd, or a negated errno.
    TcpListen,
    /// Accepts a connection (non-blocking): the fd, or a negated errno (`-EAGAIN`: none yet).
    TcpAccept,
    /// Starts a non-blocking TCP connection to (IPv4 address, port): the fd, or a negated errno.
    TcpConnect,
    /// A socket's pending error (`SO_ERROR`) as a negated errno, or 0.
    SocketError,
    /// The port a socket is bound to, or a negated errno.
    TcpLocalPort,
    /// Whether a line (or the end) of stdin can be read without waiting.
    StdinLineReady,
    /// Reads into the bytes (a buffer as a string view): the count, 0 at the end, or a negated errno.
    FdRead,
    /// Writes the bytes: the count written, or a negated errno.
    FdWrite,
    /// Closes a descriptor: 0 or a negated errno.
    FdClose,
    /// Opens a file (mode 0 read, 1 write (create, truncate), 2 append (create)): the fd, or a negated errno.
    FileOpen,
    /// Makes a descriptor non-blocking: 0 or a negated errno.
    SetNonblocking,
    /// The text of an errno (`ECONNREFUSED` → "Connection refused").
    ErrnoMessage,
    /// A C math function by name (`sqrt`, `pow`, `fmodf`, ...), as LLVM would call
    /// it: name, bits of its floats (32 or 64) and number of arguments. Only the
    /// functions of [`RtFn::libm_functions`].
    Libm(&'static str, u32, usize),
}

/// How a runtime parameter or result is passed. The Rust types the runtime may
/// declare for each class are those `crates/runtime/tests/abi/` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abi {
    /// A byte (booleans are 0 or 1). As a parameter it is passed without
    /// zero-extension, so the runtime declares it as a 32-bit `ByteArg` and reads
    /// the low byte only.
    I8,
    I32,
    I64,
    F32,
    F64,
    Ptr,
    /// A string: two arguments `(ptr, i64)`, or a `{ptr, i64}` struct result.
    Str,
}

/// The two-argument C math functions lowering calls, as (`float`, `float32`)
/// names: `**`, `%` on floats, and `atan2`. The one-argument ones are the
/// `MathFn` builtins' [`MathFn::c_names`].
pub const LIBM_BINARY_FUNCTIONS: &[(&str, &str)] =
    &[("pow", "powf"), ("fmod", "fmodf"), ("atan2", "atan2f")];

impl RtFn {
    /// Every runtime function except the C math ones ([`RtFn::libm_functions`]),
    /// in declaration order. A variant missing here is a runtime export the ABI
    /// test does not recognise, and it fails.
    pub const ALL: &'static [RtFn] = &[
        RtFn::Write,
        RtFn::Alloc,
        RtFn::EnableAllocStats,
        RtFn::Exit,
        RtFn::Panic,
        RtFn::StrConcat,
        RtFn::StrCompare,
        RtFn::StrEqual,
        RtFn::StrHash,
        RtFn::FloatHash,
        RtFn::Readln,
        RtFn::IntToString,
        RtFn::UIntToString,
        RtFn::FloatToString,
        RtFn::Float32ToString,
        RtFn::CharToString,
        RtFn::BoolToString,
        RtFn::ParseInt,
        RtFn::ParseFloat,
        RtFn::FmtStart,
        RtFn::FmtLiteral,
        RtFn::FmtInt,
        RtFn::FmtFloat,
        RtFn::FmtString,
        RtFn::FmtChar,
        RtFn::FmtBool,
        RtFn::FmtFinishWrite,
        RtFn::FmtFinishString,
        RtFn::FmtFinishPanic,
        RtFn::RegionMark,
        RtFn::RegionReset,
        RtFn::RegionRelease,
        RtFn::CompactBegin,
        RtFn::Compact,
        RtFn::ArenaCreate,
        RtFn::ArenaEnter,
        RtFn::ArenaLeave,
        RtFn::ArenaMark,
        RtFn::ArenaRelease,
        RtFn::ArenaDispose,
        RtFn::TryReadln,
        RtFn::AsyncRun,
        RtFn::AsyncSpawn,
        RtFn::AsyncSpawnNow,
        RtFn::AsyncDone,
        RtFn::AsyncJoin,
        RtFn::AsyncNow,
        RtFn::AsyncWakeAt,
        RtFn::AsyncWaitFd,
        RtFn::AsyncYield,
        RtFn::AsyncCancelled,
        RtFn::AsyncToken,
        RtFn::CtsCreate,
        RtFn::CtsCancel,
        RtFn::CtsIsCancelled,
        RtFn::CtsCancelAfter,
        RtFn::TcpListen,
        RtFn::TcpAccept,
        RtFn::TcpConnect,
        RtFn::SocketError,
        RtFn::TcpLocalPort,
        RtFn::StdinLineReady,
        RtFn::FdRead,
        RtFn::FdWrite,
        RtFn::FdClose,
        RtFn::FileOpen,
        RtFn::SetNonblocking,
        RtFn::ErrnoMessage,
    ];

    /// Every C math function lowering may call, as the [`RtFn::Libm`] it calls:
    /// both widths of each `MathFn` builtin and of [`LIBM_BINARY_FUNCTIONS`]. The
    /// runtime must define each (`runtime/src/math.rs`).
    pub fn libm_functions() -> Vec<RtFn> {
        let unary = MathFn::ALL.iter().map(|m| (m.c_names(), 1));
        let binary = LIBM_BINARY_FUNCTIONS.iter().map(|&names| (names, 2));
        unary
            .chain(binary)
            .flat_map(|((double, single), arity)| {
                [RtFn::Libm(double, 64, arity), RtFn::Libm(single, 32, arity)]
            })
            .collect()
    }

    pub fn symbol(self) -> &'static str {
        match self {
            RtFn::Write => "clef_rt_write",
            RtFn::Alloc => "clef_rt_alloc",
            RtFn::EnableAllocStats => "clef_rt_enable_alloc_stats",
            RtFn::Exit => "clef_rt_exit",
            RtFn::Panic => "clef_rt_panic",
            RtFn::StrConcat => "clef_rt_str_concat",
            RtFn::StrCompare => "clef_rt_str_compare",
            RtFn::StrEqual => "clef_rt_str_equal",
            RtFn::StrHash => "clef_rt_str_hash",
            RtFn::FloatHash => "clef_rt_float_hash",
            RtFn::Readln => "clef_rt_readln",
            RtFn::IntToString => "clef_rt_int_to_string",
            RtFn::UIntToString => "clef_rt_uint_to_string",
            RtFn::FloatToString => "clef_rt_float_to_string",
            RtFn::Float32ToString => "clef_rt_float32_to_string",
            RtFn::CharToString => "clef_rt_char_to_string",
            RtFn::BoolToString => "clef_rt_bool_to_string",
            RtFn::ParseInt => "clef_rt_parse_int",
            RtFn::ParseFloat => "clef_rt_parse_float",
            RtFn::FmtStart => "clef_rt_fmt_start",
            RtFn::FmtLiteral => "clef_rt_fmt_literal",
            RtFn::FmtInt => "clef_rt_fmt_int",
            RtFn::FmtFloat => "clef_rt_fmt_float",
            RtFn::FmtString => "clef_rt_fmt_string",
            RtFn::FmtChar => "clef_rt_fmt_char",
            RtFn::FmtBool => "clef_rt_fmt_bool",
            RtFn::FmtFinishWrite => "clef_rt_fmt_finish_write",
            RtFn::FmtFinishString => "clef_rt_fmt_finish_string",
            RtFn::FmtFinishPanic => "clef_rt_fmt_finish_panic",
            RtFn::RegionMark => "clef_rt_region_mark",
            RtFn::RegionReset => "clef_rt_region_reset",
            RtFn::RegionRelease => "clef_rt_region_release",
            RtFn::CompactBegin => "clef_rt_compact_begin",
            RtFn::Compact => "clef_rt_compact",
            RtFn::ArenaCreate => "clef_rt_arena_create",
            RtFn::ArenaEnter => "clef_rt_arena_enter",
            RtFn::ArenaLeave => "clef_rt_arena_leave",
            RtFn::ArenaMark => "clef_rt_arena_mark",
            RtFn::ArenaRelease => "clef_rt_arena_release",
            RtFn::ArenaDispose => "clef_rt_arena_dispose",
            RtFn::TryReadln => "clef_rt_try_readln",
            RtFn::AsyncRun => "clef_rt_async_run",
            RtFn::AsyncSpawn => "clef_rt_async_spawn",
            RtFn::AsyncSpawnNow => "clef_rt_async_spawn_now",
            RtFn::AsyncDone => "clef_rt_async_done",
            RtFn::AsyncJoin => "clef_rt_async_join",
            RtFn::AsyncNow => "clef_rt_async_now",
            RtFn::AsyncWakeAt => "clef_rt_async_wake_at",
            RtFn::AsyncWaitFd => "clef_rt_async_wait_fd",
            RtFn::AsyncYield => "clef_rt_async_yield",
            RtFn::AsyncCancelled => "clef_rt_async_cancelled",
            RtFn::AsyncToken => "clef_rt_async_token",
            RtFn::CtsCreate => "clef_rt_cts_create",
            RtFn::CtsCancel => "clef_rt_cts_cancel",
            RtFn::CtsIsCancelled => "clef_rt_cts_is_cancelled",
            RtFn::CtsCancelAfter => "clef_rt_cts_cancel_after",
            RtFn::TcpListen => "clef_rt_tcp_listen",
            RtFn::TcpAccept => "clef_rt_tcp_accept",
            RtFn::TcpConnect => "clef_rt_tcp_connect",
            RtFn::SocketError => "clef_rt_socket_error",
            RtFn::TcpLocalPort => "clef_rt_tcp_local_port",
            RtFn::StdinLineReady => "clef_rt_stdin_line_ready",
            RtFn::FdRead => "clef_rt_fd_read",
            RtFn::FdWrite => "clef_rt_fd_write",
            RtFn::FdClose => "clef_rt_fd_close",
            RtFn::FileOpen => "clef_rt_file_open",
            RtFn::SetNonblocking => "clef_rt_set_nonblocking",
            RtFn::ErrnoMessage => "clef_rt_errno_message",
            RtFn::Libm(name, _, _) => name,
        }
    }

    /// Parameter and result ABI (`None` result: returns nothing).
    pub fn signature(self) -> (Vec<Abi>, Option<Abi>) {
        use Abi::*;
        match self {
            RtFn::Write => (vec![I32, Str], None),
            RtFn::Alloc => (vec![I64, I64], Some(Ptr)),
            RtFn::EnableAllocStats => (vec![], None),
            RtFn::Exit => (vec![I32], None),
            RtFn::Panic => (vec![Str], None),
            RtFn::StrConcat => (vec![Str, Str], Some(Str)),
            RtFn::StrCompare => (vec![Str, Str], Some(I32)),
            RtFn::StrEqual => (vec![Str, Str], Some(I8)),
            RtFn::StrHash => (vec![Str], Some(I32)),
            RtFn::FloatHash => (vec![F64], Some(I32)),
            RtFn::Readln => (vec![], Some(Str)),
            RtFn::IntToString => (vec![I64], Some(Str)),
            RtFn::UIntToString => (vec![I64], Some(Str)),
            RtFn::FloatToString => (vec![F64], Some(Str)),
            RtFn::Float32ToString => (vec![F32], Some(Str)),
            RtFn::CharToString => (vec![I32], Some(Str)),
            RtFn::BoolToString => (vec![I8], Some(Str)),
            RtFn::ParseInt => (vec![Str, I32, I8], Some(I64)),
            RtFn::ParseFloat => (vec![Str], Some(F64)),
            RtFn::FmtStart => (vec![], None),
            RtFn::FmtLiteral => (vec![Str], None),
            RtFn::FmtInt => (vec![I64, I32, I8, I32, I32, I32, I32], None),
            RtFn::FmtFloat => (vec![F64, I8, I32, I32, I32, I32], None),
            RtFn::FmtString => (vec![Str, I32, I32, I32], None),
            RtFn::FmtChar => (vec![I32, I32, I32], None),
            RtFn::FmtBool => (vec![I8, I32, I32, I32], None),
            RtFn::FmtFinishWrite => (vec![I32, I8], None),
            RtFn::FmtFinishString => (vec![], Some(Str)),
            RtFn::FmtFinishPanic => (vec![], None),
            RtFn::RegionMark => (vec![], Some(I64)),
            RtFn::RegionReset | RtFn::RegionRelease => (vec![I64], None),
            RtFn::CompactBegin => (vec![Ptr], Some(I64)),
            RtFn::Compact => (vec![I64, Str, Ptr], None),
            RtFn::ArenaCreate => (vec![I64, Str], Some(I64)),
            RtFn::ArenaEnter | RtFn::ArenaMark => (vec![I64], Some(I64)),
            RtFn::ArenaLeave | RtFn::ArenaDispose => (vec![I64], None),
            RtFn::ArenaRelease => (vec![I64, I64], None),
            RtFn::TryReadln => (vec![Ptr], Some(I8)),
            RtFn::AsyncRun => (vec![Ptr, Ptr, Ptr], Some(I8)),
            RtFn::AsyncSpawn | RtFn::AsyncSpawnNow => (vec![Ptr, Ptr, Ptr], Some(Ptr)),
            RtFn::AsyncDone => (vec![Ptr], Some(I8)),
            RtFn::AsyncJoin => (vec![Ptr], None),
            RtFn::AsyncNow => (vec![], Some(I64)),
            RtFn::AsyncWakeAt => (vec![I64], None),
            RtFn::AsyncWaitFd => (vec![I32, I8], None),
            RtFn::AsyncYield => (vec![], None),
            RtFn::AsyncCancelled => (vec![], Some(I8)),
            RtFn::AsyncToken => (vec![], Some(Ptr)),
            RtFn::CtsCreate => (vec![], Some(Ptr)),
            RtFn::CtsCancel => (vec![Ptr], None),
            RtFn::CtsIsCancelled => (vec![Ptr], Some(I8)),
            RtFn::CtsCancelAfter => (vec![Ptr, I64], None),
            RtFn::TcpListen => (vec![Str, I32, I32], Some(I64)),
            RtFn::TcpAccept => (vec![I64], Some(I64)),
            RtFn::TcpConnect => (vec![Str, I32], Some(I64)),
            RtFn::SocketError | RtFn::TcpLocalPort => (vec![I64], Some(I64)),
            RtFn::StdinLineReady => (vec![], Some(I8)),
            RtFn::FdRead => (vec![I64, Str], Some(I64)),
            RtFn::FdWrite => (vec![I64, Str], Some(I64)),
            RtFn::FdClose => (vec![I64], Some(I64)),
            RtFn::FileOpen => (vec![Str, I32], Some(I64)),
            RtFn::SetNonblocking => (vec![I64], Some(I64)),
            RtFn::ErrnoMessage => (vec![I64], Some(Str)),
            RtFn::Libm(_, bits, arity) => {
                debug_assert!(
                    RtFn::libm_functions().contains(&self),
                    "{self:?} is not in RtFn::libm_functions, so nothing checks that the runtime defines it"
                );
                let t = if bits == 32 { F32 } else { F64 };
                (vec![t; arity], Some(t))
            }
        }
    }

    /// Runtime functions that never return.
    pub fn diverges(self) -> bool {
        matches!(self, RtFn::Exit | RtFn::Panic | RtFn::FmtFinishPanic)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Callee {
    Func(FuncId),
    Runtime(RtFn),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rvalue {
    Use(Operand),
    /// Binary operation on two operands of the same type (shifts: amount already
    /// masked and of the same type). Comparisons produce `bool`.
    Binary(BinOp, Operand, Operand),
    Unary(UnOp, Operand),
    /// Numeric/char conversion to the given type (F# unchecked conversion), a
    /// string as its bytes and back (`String.__bytes`, `String.__ofBytes`: one
    /// representation, `{ptr, len}`, so no copy), or a `ptr` as a 64-bit integer
    /// and back (an async task's handle, a `nativeint` in the library).
    Convert(Operand, Ty),
    /// Call; arguments of unit type are omitted.
    Call(Callee, Vec<Operand>),
    /// Read a module-level value.
    LoadGlobal(GlobalId),
    /// `s.Length` / `a.Length` (bytes / elements).
    Length(Operand),
    /// Element `index` of an array (the bounds check is explicit MIR before this).
    ArrayGet(Operand, Operand),
    /// A new array of `len` elements of `elem` in the root region (contents unset).
    AllocArray {
        elem: Ty,
        len: Operand,
    },
    /// `len` elements (bytes of a string) of `base` from `start`, sharing its
    /// memory: a view with the type of `base` (bounds are the caller's to check).
    Slice {
        base: Operand,
        start: Operand,
        len: Operand,
    },
    /// An array from a raw pointer and length (the program's `argv`).
    MakeArray {
        ptr: Operand,
        len: Operand,
    },
    /// `Some x` (`Some(payload)`) or `None` of the given option type.
    MakeOption {
        ty: Ty,
        payload: Option<Operand>,
    },
    /// Whether an option is `Some`.
    OptionIsSome(Operand),
    /// The payload of a `Some` option.
    OptionPayload(Operand),
    /// `Console.tryReadln ()`: an `option<str>` from the runtime's out-parameter call.
    TryReadln,
    /// A tuple of the operands (unit operands included as empty fields).
    MakeTuple(Vec<Operand>),
    /// Field `index` of a tuple.
    TupleGet(Operand, u32),
    /// A function value for MIR function `func` whose leading parameters are the
    /// captured values: they are copied into an environment in the root region,
    /// or, when `env_slot` is set, into that local of the current frame (of the
    /// captures' tuple type), because the closure cannot outlive the frame.
    /// `func` has the closure signature `(env, arg) -> ret`. `pair`, when exactly
    /// two arguments remain before the callable runs, is its direct entry `(env,
    /// arg1, arg2) -> result`: a call with both arguments (`CallClosurePair`) then
    /// makes no closure in between (the N-ary entry of OCaml's closures, for two).
    MakeClosure {
        func: FuncId,
        captures: Vec<Operand>,
        env_slot: Option<LocalId>,
        pair: Option<FuncId>,
    },
    /// Captured value `index` of this closure body's environment (`env` is the
    /// body's first parameter; `layout` are the types of all captured values).
    EnvGet {
        env: Operand,
        layout: Vec<Ty>,
        index: u32,
    },
    /// Calls a function value with one argument.
    CallClosure(Operand, Operand),
    /// Whether a function value has a two-argument entry (`MakeClosure::pair`).
    ClosureHasPair(Operand),
    /// Calls a function value's two-argument entry with both arguments; only where
    /// `ClosureHasPair` said it has one.
    CallClosurePair(Operand, Operand, Operand),
    /// A union value of case `case` with these field values (boxed ones already
    /// boxed).
    MakeUnion {
        union: UnionId,
        case: u32,
        fields: Vec<Operand>,
    },
    /// The case index of a union value, as `i32`.
    UnionTag(Operand),
    /// Whether a union value is of case `case` (cheaper than comparing the tag for
    /// a boxed union: a fieldless case is one pointer comparison).
    IsCase {
        value: Operand,
        case: u32,
    },
    /// Field `index` of case `case` of a union value (the value must be that case).
    UnionField {
        value: Operand,
        case: u32,
        index: u32,
    },
    /// The address of a local's stack slot (a `let mutable` that closures use; they
    /// never outlive the frame, which the checker guarantees).
    AddrOf(LocalId),
    /// Copies a value into the root region and gives the pointer.
    Box(Operand),
    /// The value a `Boxed` pointer points to.
    Unbox(Operand),

    /// The all-zero value of a type (`Unchecked.defaultof`).
    Zero(Ty),
    /// A call in tail position to a function with exactly the caller's signature;
    /// it must be followed by `return` of its result. Emitted as LLVM `musttail`, so
    /// mutual recursion runs in constant stack.
    TailCall(FuncId, Vec<Operand>),
    /// `if c then a else b` on plain values.
    Select(Operand, Operand, Operand),
    /// Whether a compacted loop whose mark (an `i64` from `RtFn::CompactBegin`) is
    /// the operand has grown past its threshold: the current region's mapped bytes
    /// against the mark's `due` (`runtime/src/region_layout.rs`), read inline, so
    /// that a carry point calls the runtime only when it compacts.
    CompactDue(Operand),

    /// An async value of the coroutine `func` (a function whose body has
    /// `Terminator::Await`s) over `captures` (its parameters but the last, `unit`
    /// one). Only before the async pass, which makes it the `Async` tuple
    /// `(resume, init, env, frame size)` ([`async_value_ty`]). The environment
    /// (the captured values) goes to a new box in the current region, or, with
    /// `env`, to the memory at that `ptr` (a field of the awaiting frame, which
    /// outlives the async's start).
    MakeAsync {
        func: FuncId,
        captures: Vec<Operand>,
        env: Option<Operand>,
    },
    /// The address of a function's code, as a `ptr` (for `CallPtr`).
    FuncAddr(FuncId),
    /// The address of a field of the struct `ty` at `ptr` (a `ptr` or a box):
    /// `path` indexes tuple fields, nested. An empty path is the pointer itself, as
    /// a `ptr`.
    FieldAddr {
        ptr: Operand,
        ty: Ty,
        path: Vec<u32>,
    },
    /// `ptr` plus a number of bytes (a field of a large struct, such as an async
    /// frame, whose offset the pass that made it computed from `layout.rs`).
    PtrAdd {
        ptr: Operand,
        bytes: u64,
    },
    /// The value of type `ty` at the address `ptr`.
    Load {
        ptr: Operand,
        ty: Ty,
    },
    /// Calls the code at `func` (a `ptr`, from `FuncAddr`) with these arguments;
    /// the callee's signature is the arguments' types and `ret`.
    CallPtr {
        func: Operand,
        args: Vec<Operand>,
        ret: Ty,
    },
}

/// The MIR type of an `Async<'T>` value: `(resume, init, env, frame size)`. A
/// coroutine's *resume* function `fn(frame) -> i8` runs it from where it stopped
/// and answers [`POLL_PENDING`], [`POLL_READY`] or [`POLL_TAIL`]; *init*
/// `fn(env, frame)` starts a frame from the captured values at `env`.
pub fn async_value_ty() -> Ty {
    Ty::Tuple(vec![Ty::Ptr, Ty::Ptr, Ty::Ptr, Ty::I64])
}

/// Where a running async's frame is: `(frame memory, its capacity in bytes, resume
/// function)`; the memory is reused by the next async started in the slot when it
/// is large enough (`lower/asyncs.rs`).
pub fn async_slot_ty() -> Ty {
    Ty::Tuple(vec![Ty::Ptr, Ty::I64, Ty::Ptr])
}

/// What a resume function answers (`POLL_*`).
pub const POLL_TY: Ty = Ty::Int {
    bits: 8,
    signed: false,
};

/// The start every frame has: its state index (`i32`), then the result.
pub fn frame_prefix(result: Ty) -> Vec<Ty> {
    vec![Ty::I32, result]
}

/// Resume answers: not finished (it registered what wakes its task), finished (the
/// result is in the frame), or finished by handing on (`return!`) to the async it
/// left in the program's handoff global (`Program::async_helpers`): the poller
/// starts that one in its place.
pub const POLL_PENDING: i64 = 0;
pub const POLL_READY: i64 = 1;
pub const POLL_TAIL: i64 = 2;
/// Resume answer: ended by cancellation (its `use!` resources released).
pub const POLL_CANCELLED: i64 = 3;

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Assign(LocalId, Rvalue),
    /// Evaluate for effect (calls).
    Eval(Rvalue),
    StoreGlobal(GlobalId, Operand),
    /// `array[index] <- value` (the bounds check is explicit MIR before this).
    ArraySet(Operand, Operand, Operand),
    /// `*boxed <- value` (ref cells).
    StoreBoxed(Operand, Operand),
    /// `*ptr <- value` (a `ptr` from `FieldAddr`).
    Store(Operand, Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Terminator {
    Goto(BlockId),
    Branch {
        cond: Operand,
        then_block: BlockId,
        else_block: BlockId,
    },
    Return(Operand),
    /// After a call that never returns.
    Unreachable,
    /// Jumps to `targets[value]` (`value` an `i32`), or to `default` when it is out
    /// of range.
    Switch {
        value: Operand,
        targets: Vec<BlockId>,
        default: BlockId,
    },
    /// Only in a coroutine, before the async pass: waits for the async `value` and
    /// puts its result in `dest`, then goes on at `next`. `tail` (`return!`): the
    /// coroutine's result is that result (`next` returns `dest`). When the task is
    /// cancelled (seen before the start, or the awaited async ended cancelled),
    /// control goes to `cancel` (the `use` cleanups in scope, then `Cancel`); with
    /// `catch`, `dest` is an option instead: `None` on cancellation, and `next`.
    Await {
        value: Operand,
        dest: LocalId,
        next: BlockId,
        tail: bool,
        catch: bool,
        cancel: BlockId,
    },
    /// Only in a coroutine, before the async pass: suspends the task once (what
    /// wakes it was registered before), then goes on at `next`, or at `cancel`
    /// when the task was cancelled meanwhile.
    Suspend {
        next: BlockId,
        cancel: BlockId,
    },
    /// Only in a coroutine, before the async pass: ends it as cancelled.
    Cancel,
}

impl Terminator {
    /// The blocks control may go to next.
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            Terminator::Goto(t) => vec![*t],
            Terminator::Branch {
                then_block,
                else_block,
                ..
            } => vec![*then_block, *else_block],
            Terminator::Switch {
                targets, default, ..
            } => targets.iter().chain([default]).copied().collect(),
            Terminator::Await { next, cancel, .. } | Terminator::Suspend { next, cancel } => {
                vec![*next, *cancel]
            }
            Terminator::Return(_) | Terminator::Unreachable | Terminator::Cancel => vec![],
        }
    }

    /// The same terminator with every target block mapped through `f`.
    pub fn map_targets(self, f: impl Fn(BlockId) -> BlockId) -> Terminator {
        match self {
            Terminator::Goto(t) => Terminator::Goto(f(t)),
            Terminator::Branch {
                cond,
                then_block,
                else_block,
            } => Terminator::Branch {
                cond,
                then_block: f(then_block),
                else_block: f(else_block),
            },
            Terminator::Switch {
                value,
                targets,
                default,
            } => Terminator::Switch {
                value,
                targets: targets.into_iter().map(&f).collect(),
                default: f(default),
            },
            Terminator::Await {
                value,
                dest,
                next,
                tail,
                catch,
                cancel,
            } => Terminator::Await {
                value,
                dest,
                next: f(next),
                tail,
                catch,
                cancel: f(cancel),
            },
            Terminator::Suspend { next, cancel } => Terminator::Suspend {
                next: f(next),
                cancel: f(cancel),
            },
            other @ (Terminator::Return(_) | Terminator::Unreachable | Terminator::Cancel) => other,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub terminator: Terminator,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Symbol name (unique).
    pub name: String,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub blocks: Vec<Block>,
    /// Exported with the C ABI (only `clef_main`).
    pub is_export: bool,
    /// An async body: it may contain `Await` and `Suspend`, and the async pass
    /// makes it a resume function (`passes/asyncs.rs`).
    pub coroutine: bool,
}

impl Function {
    pub fn local_ty(&self, id: LocalId) -> &Ty {
        &self.locals[id.index()].ty
    }

    pub fn operand_ty(&self, op: &Operand) -> Ty {
        match op {
            Operand::Local(l) => self.local_ty(*l).clone(),
            Operand::Const(c) => c.ty(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Global {
    pub name: String,
    pub ty: Ty,
}

/// A whole program in MIR.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Program {
    pub functions: Vec<Function>,
    pub globals: Vec<Global>,
    /// String literal data, referenced by `Const::Str`.
    pub strings: Vec<String>,
    /// Union layouts, referenced by `Ty::Union`.
    pub unions: Vec<UnionLayout>,
    /// Every allocation goes through the runtime so that `--alloc-stats` counts it
    /// (otherwise code generation bumps the current region inline).
    pub count_allocations: bool,
    /// The machine the program is for: sizes and alignments follow it
    /// (`crate::layout`).
    pub target: composer_target::Target,
    /// Where lowering put each allocation it emitted, one per source site and kind,
    /// in source order (the ledger's allocation section; not part of the text form).
    pub placements: Vec<Placement>,
    /// The carry points of compacted loops and tail-recursive functions that
    /// lowering reached, one per source site and instance (the ledger's loop section).
    pub carry_points: Vec<CarryPoint>,
    /// The `(poll, start)` functions that run asyncs in slots, and the global a
    /// `return!` leaves the async it hands on in, when the program has asyncs
    /// (`lower/asyncs.rs`). One global suffices while one thread runs tasks (a
    /// worker's would be its own).
    pub async_helpers: Option<(FuncId, FuncId, GlobalId)>,
    /// Every async body lowering reached, one per instance, with its frame as the
    /// async pass made it (the ledger's async section).
    pub async_frames: Vec<AsyncFrame>,
}

/// The state machine of one async body instance.
#[derive(Debug, Clone, PartialEq)]
pub struct AsyncFrame {
    /// The coroutine (then resume function) of the body.
    pub func: FuncId,
    pub span: composer_diagnostics::Span,
    /// The frame's size in bytes (0 until the async pass runs).
    pub bytes: u64,
    /// How many points it may suspend at (`let!`, `do!`, `match!`, `use!`, and
    /// the leaves' suspensions).
    pub suspensions: u32,
    /// The variables kept in the frame across suspensions (`name: type`).
    pub kept: Vec<String>,
}

/// A loop or tail-recursive function the analysis chose to compact, as lowering
/// found it at the concrete types of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct CarryPoint {
    pub span: composer_diagnostics::Span,
    /// Why this instance does not compact (its state cannot be described, or holds
    /// no region memory at these types), or `None` when it does.
    pub refused: Option<String>,
    /// The carried variables or parameters with their types (`acc: Map<int,int>`).
    pub carried: Vec<String>,
    /// Every value of the state is immutable (no array, ref cell or mutable
    /// record): most compactions copy only what is young (`region/compact.rs`).
    pub immutable: bool,
}

/// Where an allocation's memory comes from, as lowering placed it: the region
/// current where the allocation runs, or a slot of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// Top-level code outside any loop with an iteration region.
    RootRegion,
    /// Inside a loop (or a tail-recursive function) that marks the current region
    /// and resets it each round.
    IterationRegion,
    /// Inside a loop (or a tail-recursive function) that compacts its carried state
    /// at the end of each round and frees the rest.
    CompactedRegion,
    /// A function body: the region current when the function was called.
    CallerRegion,
    /// Between `ArenaEnter` and `ArenaLeave`, or an explicit `Arena.alloc`.
    Arena,
    /// A slot of the frame that makes the value (a closure environment).
    Stack,
}

impl Place {
    /// The name the ledger prints.
    pub fn name(self) -> &'static str {
        match self {
            Place::RootRegion => "root region",
            Place::IterationRegion => "iteration region",
            Place::CompactedRegion => "compacted region",
            Place::CallerRegion => "caller's region",
            Place::Arena => "arena",
            Place::Stack => "stack",
        }
    }
}

/// One allocation site of the lowered program: where lowering placed what it
/// allocates there, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub span: composer_diagnostics::Span,
    /// What is allocated ("list cell", "closure environment").
    pub what: &'static str,
    pub place: Place,
    pub reason: &'static str,
}

impl Rvalue {
    /// The operands this rvalue reads.
    pub fn operands(&self) -> Vec<&Operand> {
        match self {
            Rvalue::Use(a)
            | Rvalue::Unary(_, a)
            | Rvalue::Convert(a, _)
            | Rvalue::Length(a)
            | Rvalue::OptionIsSome(a)
            | Rvalue::OptionPayload(a)
            | Rvalue::CompactDue(a) => vec![a],
            Rvalue::AllocArray { len, .. } => vec![len],
            Rvalue::Binary(_, a, b) | Rvalue::ArrayGet(a, b) => vec![a, b],
            Rvalue::MakeArray { ptr, len } => vec![ptr, len],
            Rvalue::Slice { base, start, len } => vec![base, start, len],
            Rvalue::Call(_, args) | Rvalue::TailCall(_, args) => args.iter().collect(),
            Rvalue::MakeOption { payload, .. } => payload.iter().collect(),
            Rvalue::Select(c, a, b) => vec![c, a, b],
            Rvalue::LoadGlobal(_) | Rvalue::TryReadln | Rvalue::Zero(_) | Rvalue::AddrOf(_) => {
                vec![]
            }
            Rvalue::MakeTuple(ops) => ops.iter().collect(),
            Rvalue::TupleGet(t, _) => vec![t],
            Rvalue::MakeClosure { captures, .. } => captures.iter().collect(),
            Rvalue::EnvGet { env, .. } => vec![env],
            Rvalue::CallClosure(c, a) => vec![c, a],
            Rvalue::ClosureHasPair(c) => vec![c],
            Rvalue::CallClosurePair(c, a, b) => vec![c, a, b],
            Rvalue::MakeUnion { fields, .. } => fields.iter().collect(),
            Rvalue::UnionTag(v) | Rvalue::Box(v) | Rvalue::Unbox(v) => vec![v],
            Rvalue::UnionField { value, .. } | Rvalue::IsCase { value, .. } => vec![value],
            Rvalue::MakeAsync { captures, env, .. } => captures.iter().chain(env).collect(),
            Rvalue::FuncAddr(_) => vec![],
            Rvalue::FieldAddr { ptr, .. }
            | Rvalue::Load { ptr, .. }
            | Rvalue::PtrAdd { ptr, .. } => {
                vec![ptr]
            }
            Rvalue::CallPtr { func, args, .. } => std::iter::once(func).chain(args).collect(),
        }
    }

    /// The local of the current frame whose address this lends out (`&x`, a stack
    /// closure environment): the frame must outlive whoever holds it.
    pub fn lent_slot(&self) -> Option<LocalId> {
        match self {
            Rvalue::AddrOf(l) => Some(*l),
            Rvalue::MakeClosure {
                env_slot: Some(l), ..
            } => Some(*l),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------
// Text form (`--emit mir`)

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Local(l) => write!(f, "{l}"),
            Operand::Const(c) => match c {
                Const::Int {
                    value,
                    bits,
                    signed,
                } => write!(f, "{value}{}{bits}", if *signed { "i" } else { "u" }),
                Const::Float { value, bits } => write!(f, "{value:?}f{bits}"),
                Const::Bool(b) => write!(f, "{b}"),
                Const::Char(c) => write!(f, "{c:?}"),
                Const::Str(s) => write!(f, "{s}"),
                Const::Unit => f.write_str("()"),
            },
        }
    }
}

fn join(ops: &[Operand]) -> String {
    ops.iter()
        .map(|o| o.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Rvalue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rvalue::Use(o) => write!(f, "{o}"),
            Rvalue::Binary(op, a, b) => write!(f, "{op:?}({a}, {b})"),
            Rvalue::Unary(op, a) => write!(f, "{op:?}({a})"),
            Rvalue::Convert(a, t) => write!(f, "convert({a}) to {t}"),
            Rvalue::Call(Callee::Func(id), args) => write!(f, "call {id}({})", join(args)),
            Rvalue::Call(Callee::Runtime(rt), args) => {
                write!(f, "call @{}({})", rt.symbol(), join(args))
            }
            Rvalue::LoadGlobal(g) => write!(f, "load {g}"),
            Rvalue::Length(a) => write!(f, "length({a})"),
            Rvalue::ArrayGet(a, i) => write!(f, "{a}[{i}]"),
            Rvalue::MakeArray { ptr, len } => write!(f, "array({ptr}, {len})"),
            Rvalue::Slice { base, start, len } => write!(f, "slice({base}, {start}, {len})"),
            Rvalue::AllocArray { elem, len } => write!(f, "alloc_array<{elem}>({len})"),
            Rvalue::MakeOption {
                payload: Some(p), ..
            } => write!(f, "Some({p})"),
            Rvalue::MakeOption { ty, payload: None } => write!(f, "None:{ty}"),
            Rvalue::OptionIsSome(a) => write!(f, "is_some({a})"),
            Rvalue::OptionPayload(a) => write!(f, "payload({a})"),
            Rvalue::TryReadln => f.write_str("try_readln()"),
            Rvalue::Select(c, a, b) => write!(f, "select({c}, {a}, {b})"),
            Rvalue::CompactDue(m) => write!(f, "compact_due({m})"),
            Rvalue::MakeTuple(ops) => write!(f, "tuple({})", join(ops)),
            Rvalue::TupleGet(t, i) => write!(f, "{t}.{i}"),
            Rvalue::MakeClosure {
                func,
                captures,
                env_slot,
                pair,
            } => {
                write!(f, "closure {func}[{}]", join(captures))?;
                if let Some(p) = pair {
                    write!(f, " pair {p}")?;
                }
                match env_slot {
                    Some(l) => write!(f, " in {l}"),
                    None => Ok(()),
                }
            }
            Rvalue::EnvGet { env, index, .. } => write!(f, "env({env}).{index}"),
            Rvalue::CallClosure(c, a) => write!(f, "call_closure {c}({a})"),
            Rvalue::ClosureHasPair(c) => write!(f, "has_pair {c}"),
            Rvalue::CallClosurePair(c, a, b) => write!(f, "call_pair {c}({a}, {b})"),
            Rvalue::MakeUnion {
                union,
                case,
                fields,
            } => write!(f, "{union}.case{case}({})", join(fields)),
            Rvalue::UnionTag(v) => write!(f, "tag({v})"),
            Rvalue::IsCase { value, case } => write!(f, "is_case({value}, {case})"),
            Rvalue::UnionField { value, case, index } => {
                write!(f, "{value}.case{case}.{index}")
            }
            Rvalue::Box(v) => write!(f, "box({v})"),
            Rvalue::AddrOf(l) => write!(f, "&{l}"),
            Rvalue::Unbox(v) => write!(f, "unbox({v})"),
            Rvalue::Zero(t) => write!(f, "zero<{t}>"),
            Rvalue::TailCall(id, args) => write!(f, "tail call {id}({})", join(args)),
            Rvalue::MakeAsync {
                func,
                captures,
                env,
            } => {
                write!(f, "async {func}[{}]", join(captures))?;
                match env {
                    Some(p) => write!(f, " at {p}"),
                    None => Ok(()),
                }
            }
            Rvalue::FuncAddr(id) => write!(f, "&{id}"),
            Rvalue::FieldAddr { ptr, ty, path } => {
                let path: Vec<String> = path.iter().map(u32::to_string).collect();
                write!(f, "field_addr {ptr} as {ty} [{}]", path.join("."))
            }
            Rvalue::Load { ptr, ty } => write!(f, "load {ptr} as {ty}"),
            Rvalue::PtrAdd { ptr, bytes } => write!(f, "{ptr} + {bytes} bytes"),
            Rvalue::CallPtr { func, args, ret } => {
                write!(f, "call_ptr {func}({}) -> {ret}", join(args))
            }
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, s) in self.strings.iter().enumerate() {
            let _ = writeln!(out, "str{i} = {s:?}");
        }
        for (i, u) in self.unions.iter().enumerate() {
            let cases: Vec<String> = u
                .cases
                .iter()
                .map(|c| {
                    let fields: Vec<String> = c.fields.iter().map(Ty::to_string).collect();
                    format!("{}({})", c.name, fields.join(", "))
                })
                .collect();
            let boxed = if u.boxed { " (pointers)" } else { "" };
            let _ = writeln!(out, "union{i} {}{boxed} = {}", u.name, cases.join(" | "));
        }
        for (i, g) in self.globals.iter().enumerate() {
            let _ = writeln!(out, "global g{i} {}: {}", g.name, g.ty);
        }
        for (i, func) in self.functions.iter().enumerate() {
            let params: Vec<String> = func
                .params
                .iter()
                .map(|p| format!("{p}: {}", func.local_ty(*p)))
                .collect();
            let _ = writeln!(
                out,
                "\nfn{i} {}({}) -> {}{}{} {{",
                func.name,
                params.join(", "),
                func.ret,
                if func.is_export { " export" } else { "" },
                if func.coroutine { " coroutine" } else { "" }
            );
            for (j, l) in func.locals.iter().enumerate() {
                if !func.params.contains(&LocalId(j as u32)) {
                    let _ = writeln!(out, "  let v{j}: {} // {}", l.ty, l.name);
                }
            }
            for (j, b) in func.blocks.iter().enumerate() {
                let _ = writeln!(out, "bb{j}:");
                for s in &b.stmts {
                    let _ = match s {
                        Stmt::Assign(l, r) => writeln!(out, "  {l} = {r}"),
                        Stmt::Eval(r) => writeln!(out, "  {r}"),
                        Stmt::StoreGlobal(g, o) => writeln!(out, "  store {g} = {o}"),
                        Stmt::ArraySet(a, i, v) => writeln!(out, "  {a}[{i}] = {v}"),
                        Stmt::StoreBoxed(p, v) => writeln!(out, "  *{p} = {v}"),
                        Stmt::Store(p, v) => writeln!(out, "  store {p} = {v}"),
                    };
                }
                let _ = match &b.terminator {
                    Terminator::Goto(t) => writeln!(out, "  goto {t}"),
                    Terminator::Branch {
                        cond,
                        then_block,
                        else_block,
                    } => writeln!(out, "  branch {cond} ? {then_block} : {else_block}"),
                    Terminator::Return(o) => writeln!(out, "  return {o}"),
                    Terminator::Unreachable => writeln!(out, "  unreachable"),
                    Terminator::Switch {
                        value,
                        targets,
                        default,
                    } => {
                        let ts: Vec<String> = targets.iter().map(|t| t.to_string()).collect();
                        writeln!(out, "  switch {value} [{}] else {default}", ts.join(", "))
                    }
                    Terminator::Await {
                        value,
                        dest,
                        next,
                        tail,
                        catch,
                        cancel,
                    } => writeln!(
                        out,
                        "  {dest} = await{}{} {value} then {next} cancel {cancel}",
                        if *tail { " tail" } else { "" },
                        if *catch { " catch" } else { "" }
                    ),
                    Terminator::Suspend { next, cancel } => {
                        writeln!(out, "  suspend then {next} cancel {cancel}")
                    }
                    Terminator::Cancel => writeln!(out, "  cancel"),
                };
            }
            out.push_str("}\n");
        }
        f.write_str(&out)
    }
}
