//! Functions the compiler knows by name: conversions, operators-as-functions,
//! `Console`, `String` and math. Each has a type scheme given by [`Builtin::ty`];
//! lowering turns each into primitive operations or runtime calls.

use crate::types::Requirement;
use crate::types::{Constraint, Prim, Ty, TyCon, Unifier};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MathFn {
    Sqrt,
    Exp,
    Log,
    Log10,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Floor,
    Ceil,
    Round,
    Truncate,
}

impl MathFn {
    pub fn name(self) -> &'static str {
        match self {
            MathFn::Sqrt => "sqrt",
            MathFn::Exp => "exp",
            MathFn::Log => "log",
            MathFn::Log10 => "log10",
            MathFn::Sin => "sin",
            MathFn::Cos => "cos",
            MathFn::Tan => "tan",
            MathFn::Asin => "asin",
            MathFn::Acos => "acos",
            MathFn::Atan => "atan",
            MathFn::Sinh => "sinh",
            MathFn::Cosh => "cosh",
            MathFn::Tanh => "tanh",
            MathFn::Floor => "floor",
            MathFn::Ceil => "ceil",
            MathFn::Round => "round",
            MathFn::Truncate => "truncate",
        }
    }

    /// The C math library functions (double, float) that compute it. `round` is
    /// `rint`: F#'s `round` rounds halves to even, as `rint` does in the default
    /// rounding mode.
    pub fn c_names(self) -> (&'static str, &'static str) {
        match self {
            MathFn::Sqrt => ("sqrt", "sqrtf"),
            MathFn::Exp => ("exp", "expf"),
            MathFn::Log => ("log", "logf"),
            MathFn::Log10 => ("log10", "log10f"),
            MathFn::Sin => ("sin", "sinf"),
            MathFn::Cos => ("cos", "cosf"),
            MathFn::Tan => ("tan", "tanf"),
            MathFn::Asin => ("asin", "asinf"),
            MathFn::Acos => ("acos", "acosf"),
            MathFn::Atan => ("atan", "atanf"),
            MathFn::Sinh => ("sinh", "sinhf"),
            MathFn::Cosh => ("cosh", "coshf"),
            MathFn::Tanh => ("tanh", "tanhf"),
            MathFn::Floor => ("floor", "floorf"),
            MathFn::Ceil => ("ceil", "ceilf"),
            MathFn::Round => ("rint", "rintf"),
            MathFn::Truncate => ("trunc", "truncf"),
        }
    }

    pub const ALL: &'static [MathFn] = &[
        MathFn::Sqrt,
        MathFn::Exp,
        MathFn::Log,
        MathFn::Log10,
        MathFn::Sin,
        MathFn::Cos,
        MathFn::Tan,
        MathFn::Asin,
        MathFn::Acos,
        MathFn::Atan,
        MathFn::Sinh,
        MathFn::Cosh,
        MathFn::Tanh,
        MathFn::Floor,
        MathFn::Ceil,
        MathFn::Round,
        MathFn::Truncate,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    Ignore,
    Id,
    /// `fst (a, b)`
    Fst,
    /// `snd (a, b)`
    Snd,
    Not,
    Failwith,
    Exit,
    /// `int x`, `float x`, `char x`, ...: conversion to the primitive.
    Convert(Prim),
    /// `string x`
    ToString,
    Max,
    Min,
    /// `compare a b`
    Compare,
    /// `hash x`
    Hash,
    Abs,
    Sign,
    Pown,
    Atan2,
    Math(MathFn),
    Nan,
    Infinity,
    ConsoleWrite,
    ConsoleWriteBytes,
    ConsoleWriteln,
    ConsoleReadln,
    ConsoleTryReadln,
    StringLength,
    /// `Array.create n value`
    ArrayCreate,
    /// `Array.zeroCreate n`
    ArrayZeroCreate,
    /// `Array.length a`
    ArrayLength,
    /// `ref v`: a new cell holding `v`.
    Ref,
    /// `incr r` / `decr r` on an `int ref`.
    Incr,
    Decr,
    /// `LanguagePrimitives.GenericZero`: zero of any numeric type.
    GenericZero,
    /// `Unchecked.defaultof<'T>`: the all-zero value of any type.
    DefaultOf,
    /// `LanguagePrimitives.GenericOne`
    GenericOne,
    /// `LanguagePrimitives.DivideByInt x n`: `x / n` for a float type (F#'s
    /// `DivideByInt` member; `List.average` uses it, so averaging ints is an error at
    /// the call, and `float<m>` keeps its unit).
    DivideByInt,
    Some,
    None,
    /// `Seq.__make producer`: the seq whose elements `producer` pushes to its
    /// consumer (library-internal; the same value, retyped).
    SeqMake,
    /// `Seq.__run source consumer`: pushes the elements to `consumer` until it
    /// answers false; true when the seq ran to its end (library-internal).
    SeqRun,
    /// `String.__bytes s`: the string's UTF-8 bytes as an array sharing its memory
    /// (library-internal; the library never writes through it).
    StringBytes,
    /// `String.__ofBytes bytes`: the bytes as a string sharing their memory
    /// (library-internal; the bytes must not change afterwards).
    StringOfBytes,
    /// `Array.__view array start count`: `count` elements from `start`, sharing the
    /// array's memory, unchecked (library-internal; slices check and clamp first).
    ArrayView,
    /// `Async.__run a`: runs an async to its result, with the event loop
    /// (`Async.RunSynchronously`).
    AsyncRun,
    /// `Async.__start a`: queues an `Async<unit>` as a new task (`Async.Start`).
    AsyncStart,
    /// `Async.__suspend`: an `Async<unit>` that suspends the current task once (it
    /// runs again when what it registered wakes it); the leaf of `Async.Sleep`.
    AsyncSuspend,
    /// `Async.__now ()`: the monotonic clock in nanoseconds.
    AsyncNow,
    /// `Async.__wakeAt t`: the current task is woken at `Async.__now` time `t`.
    AsyncWakeAt,
    /// The descriptor calls the event loop's I/O is written with (`Async.__fdRead`
    /// and the others of [`IoFn`]).
    Io(IoFn),
    /// `Async.__tryRun a token`: runs the async with a cancellation token source
    /// (0: the current task's); `None` when it ended cancelled.
    AsyncTryRun,
    /// `Async.__startWith a token`: `Async.Start` with a token source (0: the
    /// current task's); answers the task's handle.
    AsyncSpawn,
    /// `Async.__startNow a token`: as `__startWith`, but the task runs at once
    /// until its first suspension.
    AsyncSpawnNow,
    /// `Async.__taskState h`: 0 while the task of handle `h` runs, 1 when it
    /// finished, 3 when it ended cancelled.
    AsyncTaskState,
    /// `Async.__joinTask h`: the current task wakes when task `h` ends.
    AsyncJoinTask,
    /// `Async.__taskResult h`: the result of the finished task `h`.
    AsyncTaskResult,
    /// `Async.__catch a`: an async whose result is `Some` of `a`'s, or `None` when `a`
    /// ended cancelled (awaited only).
    AsyncCatch,
    /// `Async.__cancel`: awaited, ends the current async as cancelled (its `use`
    /// resources released).
    AsyncCancel,
    /// `Async.__wait`: as `Async.__suspend`, but a cancellation meanwhile does not
    /// end the async (`Async.Parallel` waits for its cancelled children to end).
    AsyncWait,
    /// `Async.__cancelled ()`: whether the current task's token is cancelled.
    AsyncCancelled,
    /// `Async.__requeue ()`: the current task goes to the back of the ready queue
    /// (then `do! Async.__suspend` gives the others their turn).
    AsyncRequeue,
    /// `Async.__token ()`: the current task's token source (0: none).
    AsyncToken,
    /// `Async.__ctsCreate ()`, `__ctsCancel s`, `__ctsIsCancelled s`,
    /// `__ctsCancelAfter s ms`: cancellation token sources.
    CtsCreate,
    CtsCancel,
    CtsIsCancelled,
    CtsCancelAfter,
    /// `Arena.create capacityBytes`: a new explicit arena.
    ArenaCreate,
    /// `Arena.alloc arena`: a zeroed `'T ref` cell in the arena.
    ArenaAlloc,
    /// `Arena.allocArray arena n`: a zeroed `'T[]` of `n` elements in the arena.
    ArenaAllocArray,
    /// `Arena.mark arena`: a sentinel.
    ArenaMark,
    /// `Arena.release arena mark`: frees what the arena allocated after `mark`.
    ArenaRelease,
    /// `arena.Dispose()`: returns the arena's memory (the end of its `use`).
    ArenaDispose,
    /// The method forms taking `()`: `arena.Mark()`, `arena.Alloc()`,
    /// `arena.Dispose()` (`Arena -> unit -> _`).
    ArenaMarkMethod,
    ArenaAllocMethod,
    ArenaDisposeMethod,
    /// `flags.HasFlag flag` on an enum: whether every bit of `flag` is set.
    EnumHasFlag,
    /// `enum<Color> 1`: an enum of an `int`.
    EnumOfInt,
    /// `LanguagePrimitives.EnumOfValue`/`EnumToValue`: between an enum and an integer
    /// (both sides only constrained to integer types and enums).
    EnumConvert,
}

/// A run-time descriptor call (the runtime's `descriptors.rs`): results are the value
/// or a negated errno. `Async.__errnoMessage` gives an errno's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IoFn {
    /// `fd -> bytes (a string view of a buffer) -> count`
    FdRead,
    FdWrite,
    /// `fd -> 0 or -errno`
    FdClose,
    /// `address -> port -> backlog -> fd`
    TcpListen,
    /// `listening fd -> fd` (`-EAGAIN`: none yet)
    TcpAccept,
    /// `address -> port -> fd` (the connection completes when it is writable)
    TcpConnect,
    /// `fd -> 0 or -errno` (`SO_ERROR`)
    SocketError,
    /// `fd -> port or -errno`
    LocalPort,
    /// `path -> mode (0 read, 1 write, 2 append) -> fd`
    FileOpen,
    /// `fd -> 0 or -errno`
    SetNonblocking,
    /// `errno -> text`
    ErrnoMessage,
    /// `fd -> forWriting -> unit`: the current task wakes when the fd is ready.
    WaitFd,
    /// `unit -> bool`: whether a line (or the end) of stdin can be read now.
    StdinLineReady,
}

impl IoFn {
    pub const ALL: &'static [IoFn] = &[
        IoFn::FdRead,
        IoFn::FdWrite,
        IoFn::FdClose,
        IoFn::TcpListen,
        IoFn::TcpAccept,
        IoFn::TcpConnect,
        IoFn::SocketError,
        IoFn::LocalPort,
        IoFn::FileOpen,
        IoFn::SetNonblocking,
        IoFn::ErrnoMessage,
        IoFn::WaitFd,
        IoFn::StdinLineReady,
    ];

    /// The name after `Async.`.
    pub fn name(self) -> &'static str {
        match self {
            IoFn::FdRead => "__fdRead",
            IoFn::FdWrite => "__fdWrite",
            IoFn::FdClose => "__fdClose",
            IoFn::TcpListen => "__tcpListen",
            IoFn::TcpAccept => "__tcpAccept",
            IoFn::TcpConnect => "__tcpConnect",
            IoFn::SocketError => "__socketError",
            IoFn::LocalPort => "__localPort",
            IoFn::FileOpen => "__fileOpen",
            IoFn::SetNonblocking => "__setNonblocking",
            IoFn::ErrnoMessage => "__errnoMessage",
            IoFn::WaitFd => "__waitFd",
            IoFn::StdinLineReady => "__stdinLineReady",
        }
    }

    /// Parameter types and result type.
    pub fn signature(self) -> (Vec<Ty>, Ty) {
        let int = Ty::INT;
        match self {
            IoFn::FdRead | IoFn::FdWrite => (vec![int.clone(), Ty::STRING], int),
            IoFn::FdClose
            | IoFn::TcpAccept
            | IoFn::SocketError
            | IoFn::LocalPort
            | IoFn::SetNonblocking => (vec![int.clone()], int),
            IoFn::TcpListen => (vec![Ty::STRING, int.clone(), int.clone()], int),
            IoFn::TcpConnect => (vec![Ty::STRING, int.clone()], int),
            IoFn::FileOpen => (vec![Ty::STRING, int.clone()], int),
            IoFn::ErrnoMessage => (vec![int], Ty::STRING),
            IoFn::WaitFd => (vec![int, Ty::BOOL], Ty::UNIT),
            IoFn::StdinLineReady => (vec![Ty::UNIT], Ty::BOOL),
        }
    }
}

impl Builtin {
    /// What a full application allocates in the current region, named as the ledger
    /// names it; `None` when it allocates nothing. The one list of allocating builtins:
    /// the value-flow analysis, region inference and the ledger all read it.
    /// (`string` of a string allocates nothing; the ledger looks at the argument.)
    pub fn allocates(self) -> Option<&'static str> {
        Some(match self {
            Builtin::ToString => "string conversion",
            Builtin::ConsoleReadln | Builtin::ConsoleTryReadln => "line read from stdin",
            Builtin::ArrayCreate | Builtin::ArrayZeroCreate => "array",
            Builtin::Ref => "ref cell",
            Builtin::AsyncRun
            | Builtin::AsyncStart
            | Builtin::AsyncSpawn
            | Builtin::AsyncSpawnNow
            | Builtin::AsyncTryRun => crate::analysis::alloc::ASYNC_FRAME,
            _ => return None,
        })
    }

    /// Whether a full application never returns (it fails or exits).
    pub fn diverges(self) -> bool {
        matches!(self, Builtin::Failwith | Builtin::Exit)
    }

    pub fn name(self) -> String {
        match self {
            Builtin::Ignore => "ignore".into(),
            Builtin::Id => "id".into(),
            Builtin::Fst => "fst".into(),
            Builtin::Snd => "snd".into(),
            Builtin::Not => "not".into(),
            Builtin::Failwith => "failwith".into(),
            Builtin::Exit => "exit".into(),
            Builtin::Convert(p) => p.name().into(),
            Builtin::ToString => "string".into(),
            Builtin::Max => "max".into(),
            Builtin::Compare => "compare".into(),
            Builtin::Hash => "hash".into(),
            Builtin::Min => "min".into(),
            Builtin::Abs => "abs".into(),
            Builtin::Sign => "sign".into(),
            Builtin::Pown => "pown".into(),
            Builtin::Atan2 => "atan2".into(),
            Builtin::Math(m) => m.name().into(),
            Builtin::Nan => "nan".into(),
            Builtin::Infinity => "infinity".into(),
            Builtin::ConsoleWrite => "Console.write".into(),
            Builtin::ConsoleWriteBytes => "Console.writeBytes".into(),
            Builtin::ConsoleWriteln => "Console.writeln".into(),
            Builtin::ConsoleReadln => "Console.readln".into(),
            Builtin::ConsoleTryReadln => "Console.tryReadln".into(),
            Builtin::StringLength => "String.length".into(),
            Builtin::ArrayCreate => "Array.create".into(),
            Builtin::ArrayZeroCreate => "Array.zeroCreate".into(),
            Builtin::ArrayLength => "Array.length".into(),
            Builtin::GenericZero => "LanguagePrimitives.GenericZero".into(),
            Builtin::DefaultOf => "Unchecked.defaultof".into(),
            Builtin::Ref => "ref".into(),
            Builtin::Incr => "incr".into(),
            Builtin::Decr => "decr".into(),
            Builtin::GenericOne => "LanguagePrimitives.GenericOne".into(),
            Builtin::DivideByInt => "LanguagePrimitives.DivideByInt".into(),
            Builtin::Some => "Some".into(),
            Builtin::None => "None".into(),
            Builtin::SeqMake => "Seq.__make".into(),
            Builtin::SeqRun => "Seq.__run".into(),
            Builtin::StringBytes => "String.__bytes".into(),
            Builtin::StringOfBytes => "String.__ofBytes".into(),
            Builtin::ArrayView => "Array.__view".into(),
            Builtin::AsyncRun => "Async.__run".into(),
            Builtin::AsyncStart => "Async.__start".into(),
            Builtin::AsyncSuspend => "Async.__suspend".into(),
            Builtin::AsyncNow => "Async.__now".into(),
            Builtin::AsyncWakeAt => "Async.__wakeAt".into(),
            Builtin::Io(f) => format!("Async.{}", f.name()),
            Builtin::AsyncTryRun => "Async.__tryRun".into(),
            Builtin::AsyncSpawn => "Async.__startWith".into(),
            Builtin::AsyncSpawnNow => "Async.__startNow".into(),
            Builtin::AsyncTaskState => "Async.__taskState".into(),
            Builtin::AsyncJoinTask => "Async.__joinTask".into(),
            Builtin::AsyncTaskResult => "Async.__taskResult".into(),
            Builtin::AsyncCatch => "Async.__catch".into(),
            Builtin::AsyncCancel => "Async.__cancel".into(),
            Builtin::AsyncWait => "Async.__wait".into(),
            Builtin::AsyncCancelled => "Async.__cancelled".into(),
            Builtin::AsyncRequeue => "Async.__requeue".into(),
            Builtin::AsyncToken => "Async.__token".into(),
            Builtin::CtsCreate => "Async.__ctsCreate".into(),
            Builtin::CtsCancel => "Async.__ctsCancel".into(),
            Builtin::CtsIsCancelled => "Async.__ctsIsCancelled".into(),
            Builtin::CtsCancelAfter => "Async.__ctsCancelAfter".into(),
            Builtin::ArenaCreate => "Arena.create".into(),
            Builtin::ArenaAlloc => "Arena.alloc".into(),
            Builtin::ArenaAllocArray => "Arena.allocArray".into(),
            Builtin::ArenaMark => "Arena.mark".into(),
            Builtin::ArenaRelease => "Arena.release".into(),
            Builtin::ArenaDispose => "Arena.dispose".into(),
            Builtin::ArenaMarkMethod => "Arena.Mark".into(),
            Builtin::ArenaAllocMethod => "Arena.Alloc".into(),
            Builtin::ArenaDisposeMethod => "Arena.Dispose".into(),
            Builtin::EnumHasFlag => "HasFlag".into(),
            Builtin::EnumOfInt => "enum".into(),
            Builtin::EnumConvert => "LanguagePrimitives.EnumOfValue".into(),
        }
    }

    /// Number of curried arguments lowering needs before it can emit the operation.
    pub fn arity(self) -> usize {
        match self {
            Builtin::Nan
            | Builtin::Infinity
            | Builtin::None
            | Builtin::GenericZero
            | Builtin::DefaultOf
            | Builtin::AsyncSuspend
            | Builtin::AsyncCancel
            | Builtin::AsyncWait
            | Builtin::GenericOne => 0,
            Builtin::Max
            | Builtin::Min
            | Builtin::Compare
            | Builtin::Pown
            | Builtin::DivideByInt
            | Builtin::Atan2
            | Builtin::ArrayCreate
            | Builtin::ArenaAllocArray
            | Builtin::ArenaRelease
            | Builtin::ArenaMarkMethod
            | Builtin::ArenaAllocMethod
            | Builtin::ArenaDisposeMethod
            | Builtin::EnumHasFlag
            | Builtin::AsyncTryRun
            | Builtin::AsyncSpawn
            | Builtin::AsyncSpawnNow
            | Builtin::CtsCancelAfter
            | Builtin::SeqRun => 2,
            Builtin::ArrayView => 3,
            Builtin::Io(f) => f.signature().0.len(),
            _ => 1,
        }
    }

    /// A fresh instance of the builtin's type.
    pub fn ty(self, u: &mut Unifier) -> Ty {
        match self {
            Builtin::Ignore => Ty::fun(u.fresh(), Ty::UNIT),
            Builtin::Id => {
                let a = u.fresh();
                Ty::fun(a.clone(), a)
            }
            Builtin::Fst | Builtin::Snd => {
                let a = u.fresh();
                let b = u.fresh();
                let result = if self == Builtin::Fst {
                    a.clone()
                } else {
                    b.clone()
                };
                Ty::fun(Ty::tuple(vec![a, b]), result)
            }
            Builtin::Not => Ty::fun(Ty::BOOL, Ty::BOOL),
            Builtin::Failwith => Ty::fun(Ty::STRING, u.fresh()),
            Builtin::Exit => Ty::fun(Ty::INT, u.fresh()),
            Builtin::Convert(p) => {
                Ty::fun(u.fresh_constrained(Constraint::Convertible), Ty::Prim(p))
            }
            Builtin::ToString => Ty::fun(u.fresh(), Ty::STRING),
            Builtin::Max | Builtin::Min => {
                let a = u.fresh_requiring(Requirement::Comparison);
                Ty::curried(vec![a.clone(), a.clone()], a)
            }
            Builtin::Compare => {
                let a = u.fresh_requiring(Requirement::Comparison);
                Ty::curried(vec![a.clone(), a], Ty::INT)
            }
            Builtin::Hash => Ty::fun(u.fresh_requiring(Requirement::Equality), Ty::INT),
            Builtin::Abs => {
                let a = u.fresh_constrained(Constraint::SignedNumeric);
                Ty::fun(a.clone(), a)
            }
            Builtin::Sign => Ty::fun(u.fresh_constrained(Constraint::SignedNumeric), Ty::INT),
            Builtin::Pown => {
                let a = u.fresh_constrained(Constraint::Numeric);
                Ty::curried(vec![a.clone(), Ty::INT], a)
            }
            Builtin::Atan2 => {
                let a = u.fresh_constrained(Constraint::Floating);
                Ty::curried(vec![a.clone(), a.clone()], a)
            }
            Builtin::DivideByInt => {
                let a = u.fresh_constrained(Constraint::Floating);
                Ty::curried(vec![a.clone(), Ty::INT], a)
            }
            Builtin::Math(_) => {
                let a = u.fresh_constrained(Constraint::Floating);
                Ty::fun(a.clone(), a)
            }
            Builtin::Nan | Builtin::Infinity => Ty::FLOAT,
            // F#'s `Zero` and `One` are built in for `char` too (dotnet/fsharp PR
            // 8298 for `Zero`), which ranges of chars use.
            Builtin::GenericZero | Builtin::GenericOne => u.fresh_constrained(Constraint::Range),
            Builtin::DefaultOf => u.fresh(),
            Builtin::Ref => {
                let a = u.fresh();
                Ty::fun(a.clone(), Ty::app(crate::types::TyCon::Ref, vec![a]))
            }
            Builtin::Incr | Builtin::Decr => {
                Ty::fun(Ty::app(crate::types::TyCon::Ref, vec![Ty::INT]), Ty::UNIT)
            }
            Builtin::ConsoleWrite | Builtin::ConsoleWriteln => Ty::fun(Ty::STRING, Ty::UNIT),
            Builtin::ConsoleWriteBytes => Ty::fun(Ty::array(Ty::Prim(Prim::UInt8)), Ty::UNIT),
            Builtin::ConsoleReadln => Ty::fun(Ty::UNIT, Ty::STRING),
            Builtin::ConsoleTryReadln => Ty::fun(Ty::UNIT, Ty::option(Ty::STRING)),
            Builtin::StringLength => Ty::fun(Ty::STRING, Ty::INT),
            Builtin::ArrayCreate => {
                let a = u.fresh();
                Ty::curried(vec![Ty::INT, a.clone()], Ty::array(a))
            }
            Builtin::ArrayZeroCreate => Ty::fun(Ty::INT, Ty::array(u.fresh())),
            Builtin::ArrayLength => Ty::fun(Ty::array(u.fresh()), Ty::INT),
            Builtin::Some => {
                let a = u.fresh();
                Ty::fun(a.clone(), Ty::option(a))
            }
            Builtin::None => Ty::option(u.fresh()),
            Builtin::SeqMake => {
                let a = u.fresh();
                Ty::fun(push_ty(a.clone()), Ty::seq(a))
            }
            Builtin::StringBytes => Ty::fun(Ty::STRING, Ty::array(Ty::Prim(Prim::UInt8))),
            Builtin::StringOfBytes => Ty::fun(Ty::array(Ty::Prim(Prim::UInt8)), Ty::STRING),
            Builtin::ArrayView => {
                let a = Ty::array(u.fresh());
                Ty::curried(vec![a.clone(), Ty::INT, Ty::INT], a)
            }
            Builtin::SeqRun => {
                let a = u.fresh();
                Ty::curried(vec![Ty::seq(a.clone()), Ty::fun(a, Ty::BOOL)], Ty::BOOL)
            }
            Builtin::AsyncRun => {
                let a = u.fresh();
                Ty::fun(Ty::async_of(a.clone()), a)
            }
            Builtin::AsyncStart => Ty::fun(Ty::async_of(Ty::UNIT), Ty::UNIT),
            Builtin::AsyncSuspend => Ty::async_of(Ty::UNIT),
            Builtin::AsyncNow => Ty::fun(Ty::UNIT, Ty::Prim(Prim::Int64)),
            Builtin::AsyncWakeAt => Ty::fun(Ty::Prim(Prim::Int64), Ty::UNIT),
            Builtin::Io(f) => {
                let (params, result) = f.signature();
                Ty::curried(params, result)
            }
            Builtin::AsyncTryRun => {
                let a = u.fresh();
                Ty::curried(
                    vec![Ty::async_of(a.clone()), Ty::Prim(Prim::NativeInt)],
                    Ty::app(TyCon::Option, vec![a]),
                )
            }
            Builtin::AsyncSpawn | Builtin::AsyncSpawnNow => {
                let a = u.fresh();
                Ty::curried(
                    vec![Ty::async_of(a), Ty::Prim(Prim::NativeInt)],
                    Ty::Prim(Prim::NativeInt),
                )
            }
            Builtin::AsyncTaskState => Ty::fun(Ty::Prim(Prim::NativeInt), Ty::INT),
            Builtin::AsyncJoinTask => Ty::fun(Ty::Prim(Prim::NativeInt), Ty::UNIT),
            Builtin::AsyncTaskResult => Ty::fun(Ty::Prim(Prim::NativeInt), u.fresh()),
            Builtin::AsyncCatch => {
                let a = u.fresh();
                Ty::fun(
                    Ty::async_of(a.clone()),
                    Ty::async_of(Ty::app(TyCon::Option, vec![a])),
                )
            }
            Builtin::AsyncCancel => Ty::async_of(u.fresh()),
            Builtin::AsyncWait => Ty::async_of(Ty::UNIT),
            Builtin::AsyncCancelled => Ty::fun(Ty::UNIT, Ty::BOOL),
            Builtin::AsyncRequeue => Ty::fun(Ty::UNIT, Ty::UNIT),
            Builtin::AsyncToken | Builtin::CtsCreate => {
                Ty::fun(Ty::UNIT, Ty::Prim(Prim::NativeInt))
            }
            Builtin::CtsCancel => Ty::fun(Ty::Prim(Prim::NativeInt), Ty::UNIT),
            Builtin::CtsIsCancelled => Ty::fun(Ty::Prim(Prim::NativeInt), Ty::BOOL),
            Builtin::CtsCancelAfter => {
                Ty::curried(vec![Ty::Prim(Prim::NativeInt), Ty::INT], Ty::UNIT)
            }
            Builtin::ArenaCreate => Ty::fun(Ty::INT, Ty::arena()),
            Builtin::ArenaAlloc => Ty::fun(Ty::arena(), Ty::app(TyCon::Ref, vec![u.fresh()])),
            Builtin::ArenaAllocArray => {
                Ty::curried(vec![Ty::arena(), Ty::INT], Ty::array(u.fresh()))
            }
            Builtin::ArenaMark => Ty::fun(Ty::arena(), Ty::Prim(Prim::NativeInt)),
            Builtin::ArenaRelease => {
                Ty::curried(vec![Ty::arena(), Ty::Prim(Prim::NativeInt)], Ty::UNIT)
            }
            Builtin::ArenaDispose => Ty::fun(Ty::arena(), Ty::UNIT),
            Builtin::ArenaMarkMethod => {
                Ty::curried(vec![Ty::arena(), Ty::UNIT], Ty::Prim(Prim::NativeInt))
            }
            Builtin::ArenaAllocMethod => Ty::curried(
                vec![Ty::arena(), Ty::UNIT],
                Ty::app(TyCon::Ref, vec![u.fresh()]),
            ),
            Builtin::ArenaDisposeMethod => Ty::curried(vec![Ty::arena(), Ty::UNIT], Ty::UNIT),
            Builtin::EnumHasFlag => {
                let e = u.fresh_constrained(Constraint::Integer);
                Ty::curried(vec![e.clone(), e], Ty::BOOL)
            }
            Builtin::EnumOfInt => Ty::fun(Ty::INT, u.fresh_constrained(Constraint::Integer)),
            Builtin::EnumConvert => Ty::fun(
                u.fresh_constrained(Constraint::Integer),
                u.fresh_constrained(Constraint::Integer),
            ),
        }
    }

    /// Builtins visible without qualification (FSharp.Core's auto-opened operators).
    pub fn global_names() -> Vec<(&'static str, Builtin)> {
        let mut v = vec![
            ("ignore", Builtin::Ignore),
            ("id", Builtin::Id),
            ("fst", Builtin::Fst),
            ("ref", Builtin::Ref),
            ("incr", Builtin::Incr),
            ("decr", Builtin::Decr),
            ("snd", Builtin::Snd),
            ("not", Builtin::Not),
            ("failwith", Builtin::Failwith),
            ("exit", Builtin::Exit),
            ("string", Builtin::ToString),
            ("enum", Builtin::EnumOfInt),
            ("max", Builtin::Max),
            ("min", Builtin::Min),
            ("compare", Builtin::Compare),
            ("hash", Builtin::Hash),
            ("abs", Builtin::Abs),
            ("sign", Builtin::Sign),
            ("pown", Builtin::Pown),
            ("atan2", Builtin::Atan2),
            ("nan", Builtin::Nan),
            ("infinity", Builtin::Infinity),
            ("Some", Builtin::Some),
            ("None", Builtin::None),
            ("int", Builtin::Convert(Prim::Int)),
            ("int8", Builtin::Convert(Prim::Int8)),
            ("sbyte", Builtin::Convert(Prim::Int8)),
            ("int16", Builtin::Convert(Prim::Int16)),
            ("int32", Builtin::Convert(Prim::Int32)),
            ("int64", Builtin::Convert(Prim::Int64)),
            ("nativeint", Builtin::Convert(Prim::NativeInt)),
            ("uint", Builtin::Convert(Prim::UInt)),
            ("uint8", Builtin::Convert(Prim::UInt8)),
            ("byte", Builtin::Convert(Prim::UInt8)),
            ("uint16", Builtin::Convert(Prim::UInt16)),
            ("uint32", Builtin::Convert(Prim::UInt32)),
            ("uint64", Builtin::Convert(Prim::UInt64)),
            ("unativeint", Builtin::Convert(Prim::UNativeInt)),
            ("float", Builtin::Convert(Prim::Float)),
            ("double", Builtin::Convert(Prim::Float)),
            ("float32", Builtin::Convert(Prim::Float32)),
            ("single", Builtin::Convert(Prim::Float32)),
            ("char", Builtin::Convert(Prim::Char)),
        ];
        for m in MathFn::ALL {
            v.push((m.name(), Builtin::Math(*m)));
        }
        v
    }

    /// Members of the built-in modules (`Console.writeln`, `String.length`).
    pub fn module_members() -> Vec<(&'static str, Vec<(&'static str, Builtin)>)> {
        vec![
            (
                "Console",
                vec![
                    ("write", Builtin::ConsoleWrite),
                    ("writeBytes", Builtin::ConsoleWriteBytes),
                    ("writeln", Builtin::ConsoleWriteln),
                    ("readln", Builtin::ConsoleReadln),
                    ("tryReadln", Builtin::ConsoleTryReadln),
                ],
            ),
            (
                "String",
                vec![
                    ("length", Builtin::StringLength),
                    ("__bytes", Builtin::StringBytes),
                    ("__ofBytes", Builtin::StringOfBytes),
                ],
            ),
            ("Unchecked", vec![("defaultof", Builtin::DefaultOf)]),
            (
                "LanguagePrimitives",
                vec![
                    ("GenericZero", Builtin::GenericZero),
                    ("GenericOne", Builtin::GenericOne),
                    ("DivideByInt", Builtin::DivideByInt),
                    ("EnumOfValue", Builtin::EnumConvert),
                    ("EnumToValue", Builtin::EnumConvert),
                ],
            ),
            (
                "Seq",
                vec![("__make", Builtin::SeqMake), ("__run", Builtin::SeqRun)],
            ),
            (
                "Async",
                vec![
                    ("__run", Builtin::AsyncRun),
                    ("__start", Builtin::AsyncStart),
                    ("__suspend", Builtin::AsyncSuspend),
                    ("__now", Builtin::AsyncNow),
                    ("__wakeAt", Builtin::AsyncWakeAt),
                    ("__tryRun", Builtin::AsyncTryRun),
                    ("__startWith", Builtin::AsyncSpawn),
                    ("__startNow", Builtin::AsyncSpawnNow),
                    ("__taskState", Builtin::AsyncTaskState),
                    ("__joinTask", Builtin::AsyncJoinTask),
                    ("__taskResult", Builtin::AsyncTaskResult),
                    ("__catch", Builtin::AsyncCatch),
                    ("__cancel", Builtin::AsyncCancel),
                    ("__wait", Builtin::AsyncWait),
                    ("__cancelled", Builtin::AsyncCancelled),
                    ("__requeue", Builtin::AsyncRequeue),
                    ("__token", Builtin::AsyncToken),
                    ("__ctsCreate", Builtin::CtsCreate),
                    ("__ctsCancel", Builtin::CtsCancel),
                    ("__ctsIsCancelled", Builtin::CtsIsCancelled),
                    ("__ctsCancelAfter", Builtin::CtsCancelAfter),
                ]
                .into_iter()
                .chain(IoFn::ALL.iter().map(|f| (f.name(), Builtin::Io(*f))))
                .collect(),
            ),
            (
                "Arena",
                vec![
                    ("create", Builtin::ArenaCreate),
                    ("alloc", Builtin::ArenaAlloc),
                    ("allocArray", Builtin::ArenaAllocArray),
                    ("mark", Builtin::ArenaMark),
                    ("release", Builtin::ArenaRelease),
                ],
            ),
            (
                "Array",
                vec![
                    ("create", Builtin::ArrayCreate),
                    ("zeroCreate", Builtin::ArrayZeroCreate),
                    ("length", Builtin::ArrayLength),
                    ("__view", Builtin::ArrayView),
                ],
            ),
        ]
    }
}

/// The representation of `seq<'a>`: `('a -> bool) -> bool`.
pub fn push_ty(elem: Ty) -> Ty {
    Ty::fun(Ty::fun(elem, Ty::BOOL), Ty::BOOL)
}
