//! The async executor: a single-threaded event loop for compiled `async`
//! code (the `clef_rt_async_*` functions of `abi.rs`).
//!
//! A compiled async is a state machine: a *frame* (memory of the compiled
//! code) and a *resume function* `fn(frame) -> i8` that answers 0 when it is
//! pending, having first told the executor what must wake the *current task*
//! (a timer, a descriptor, another task finishing, or at once), and otherwise
//! how it ended: 1 finished (its result is then in the frame), 3 cancelled. A
//! task is such a pair with a runtime-owned record (`task.rs`); resuming it
//! calls its root resume function again, which re-polls its children down to
//! the leaf that waited, as Rust's `poll` does. A wake-up may be spurious: the leaf checks its
//! condition again and waits again.
//!
//! The loop (`run`): resume the root once; then, until it finishes, resume
//! the tasks that are ready, first in first out (`ready.rs`), fire the timers
//! that are due (`timers.rs`) and wait in epoll for descriptors or the next
//! timer (`fds.rs`). When nothing is ready and no timer or descriptor can wake
//! anything, the program would wait forever: it ends with a message instead.
//!
//! Re-entrancy: a task may run a nested loop (`Async.RunSynchronously` inside
//! an async). The tasks on the stack are `RUNNING`; a nested loop that takes
//! one from the ready queue sets it aside (`DEFERRED`) and it is queued again
//! when its resume function returns, so it is never resumed twice at once.
//! The executor's state is one `Global<Executor>`; every borrow of it ends
//! before a resume function is called, since that function calls back in.
//!
//! Cancellation (`cancel.rs`): a task may have a token source; cancelling the
//! source wakes its unfinished tasks, whose compiled code asks
//! `clef_rt_async_cancelled` and ends with the answer 3.
//!
//! Left for later: per-task regions (a task allocates in the current region)
//! and worker threads (one ready queue per worker with stealing; the state is
//! kept in one struct so that it can become per-worker).

mod cancel;
mod fds;
mod mapped;
mod ready;
mod task;
mod timers;

use core::ptr::null_mut;

use crate::global::Global;
use crate::{io, sys};
use cancel::{Cancellation, Source};
use fds::Poller;
use ready::ReadyQueue;
use task::{
    pop_waiter, push_waiter, remove_waiter, take_waiters_oldest_first, Task, TaskPool, WaitTarget,
    DEFERRED, DETACHED, FINISHED, FREE, PENDING, QUEUED, RUNNING,
};
use timers::{Timer, Timers};

pub use task::ResumeFn;

/// The token source argument that means "no token" (F#'s `Async.Start` and
/// `Async.RunSynchronously` without one: not the current task's), where null means
/// the current task's (`Async.StartChild`, `Async.Parallel`).
pub const NO_TOKEN: *mut Source = 1 as *mut Source;

/// What `clef_rt_async_run` prints (then exits with status 1) when its root
/// can never finish.
const DEADLOCK_MESSAGE: &[u8] =
    b"async: every task is waiting and nothing can wake one (the program would wait forever)";

struct Executor {
    tasks: TaskPool,
    ready: ReadyQueue,
    timers: Timers,
    poller: Poller,
    cancellation: Cancellation,
    /// The task whose resume function runs now (the innermost), or null in
    /// synchronous code: what `join`, `wake_at`, `wait_fd` and `yield` are
    /// about.
    current: *mut Task,
}

static EXECUTOR: Global<Executor> = Global::new(Executor {
    tasks: TaskPool::new(),
    ready: ReadyQueue::new(),
    timers: Timers::new(),
    poller: Poller::new(),
    cancellation: Cancellation::new(),
    current: null_mut(),
});

/// Runs `f` on the executor's state. Never call a resume function inside:
/// it calls back into the executor.
fn with_executor<R>(f: impl FnOnce(&mut Executor) -> R) -> R {
    // SAFETY: single-threaded; the borrow ends when `f` returns, and nothing
    // `f` calls enters the executor again (resume functions are called only
    // outside `with_executor`, in `resume_task`).
    f(unsafe { EXECUTOR.get() })
}

/// Queues `task` unless it is queued already, finished or freed.
///
/// # Safety
/// `task` must be a record of the pool (any state).
unsafe fn wake(ready: &mut ReadyQueue, task: *mut Task) {
    // SAFETY: the caller's contract; records are never unmapped.
    unsafe {
        if (*task).flags & (QUEUED | FINISHED | FREE) != 0 {
            return;
        }
        (*task).flags |= QUEUED;
    }
    ready.push_back(task);
}

/// What the ready queue gave.
enum Taken {
    /// A task to resume.
    Resume(*mut Task),
    /// An entry that needs no resume (a finished task, or a running one set
    /// aside).
    Skipped,
    Empty,
}

impl Executor {
    /// Takes `task` out of the wait list it is in, if any.
    ///
    /// # Safety
    /// `task` must be a live record.
    unsafe fn stop_waiting(&mut self, task: *mut Task) {
        // SAFETY: the caller's contract; wait lists hold live records.
        unsafe {
            match WaitTarget::decode((*task).waiting_on) {
                WaitTarget::Nothing => {}
                WaitTarget::Join(target) => {
                    remove_waiter(&mut (*target).waiters, task);
                }
                WaitTarget::Fd { fd, .. } => self.poller.remove(task, fd),
            }
        }
    }

    /// `task`'s resume function answered `answer` (not `PENDING`): it leaves
    /// its wait list and its token's list, and the tasks joined on it are
    /// woken, in the order they joined. A ready-queue entry of it stays (and is
    /// dropped when taken).
    ///
    /// # Safety
    /// `task` must be a live, unfinished record.
    unsafe fn finish(&mut self, task: *mut Task, answer: u8) {
        // SAFETY: the caller's contract; the waiters are live records.
        unsafe {
            self.stop_waiting(task);
            self.cancellation.detach(task);
            (*task).answer = answer;
            let mut flags = (*task).flags | FINISHED;
            if flags & DEFERRED != 0 {
                // Set aside, so in no queue any more.
                flags &= !(DEFERRED | QUEUED);
            }
            (*task).flags = flags;
            let mut waiters = take_waiters_oldest_first(&mut (*task).waiters);
            while let Some((waiter, _)) = pop_waiter(&mut waiters) {
                wake(&mut self.ready, waiter);
            }
        }
    }

    fn take_ready(&mut self) -> Taken {
        let Some(task) = self.ready.pop_front() else {
            return Taken::Empty;
        };
        // SAFETY: queued records are never freed (see `task.rs`).
        unsafe {
            let flags = (*task).flags;
            if flags & FINISHED != 0 {
                (*task).flags = flags & !QUEUED;
                if flags & DETACHED != 0 {
                    self.tasks.release(task);
                }
                Taken::Skipped
            } else if flags & RUNNING != 0 {
                // On the stack below this nested loop: queued again when its
                // resume function returns.
                (*task).flags = flags | DEFERRED;
                Taken::Skipped
            } else {
                (*task).flags = flags & !QUEUED;
                Taken::Resume(task)
            }
        }
    }

    /// Fires the timers due at `now`: wakes their tasks, cancels their
    /// sources.
    fn fire_due_timers(&mut self, now: i64) {
        while let Some((deadline, timer)) = self.timers.pop_due(now) {
            let ready = &mut self.ready;
            // SAFETY: timer entries point at records of the pools, which are
            // never unmapped; a source's list holds live records.
            unsafe {
                match timer {
                    Timer::Wake(task) => wake(ready, task),
                    Timer::Cancel(source) => self
                        .cancellation
                        .fire(source, deadline, |task| wake(ready, task)),
                }
            }
        }
    }

    /// The token of a task made now with `source` (null: the current task's
    /// token, if any; [`NO_TOKEN`]: none).
    fn token_for(&self, source: *mut Source) -> *mut Source {
        if source == NO_TOKEN {
            return null_mut();
        }
        if !source.is_null() || self.current.is_null() {
            return source;
        }
        // SAFETY: `current` is live (it is running).
        unsafe { (*self.current).token }
    }

    /// A new task `(resume, frame)` with the token `token_for(source)` gives.
    fn new_task(&mut self, resume: ResumeFn, frame: *mut u8, source: *mut Source) -> *mut Task {
        let token = self.token_for(source);
        let task = self.tasks.acquire(resume, frame);
        if !token.is_null() {
            // SAFETY: a fresh record; `token` is a source record (the compiled
            // code passes only what `clef_rt_cts_create` answered).
            unsafe { self.cancellation.attach(task, token) };
        }
        task
    }

    /// `cancel` for `source`: wakes its unfinished tasks.
    ///
    /// # Safety
    /// `source` must be a record `Cancellation::create` answered.
    unsafe fn cancel(&mut self, source: *mut Source) {
        let Executor {
            cancellation,
            ready,
            ..
        } = self;
        // SAFETY: the caller's contract; the list holds live records.
        unsafe { cancellation.cancel(source, |task| wake(ready, task)) };
    }

    /// Waits for descriptors for at most `timeout_ms` and wakes their tasks.
    fn poll(&mut self, timeout_ms: i32) {
        let Executor { poller, ready, .. } = self;
        // SAFETY: descriptor wait lists hold live records.
        poller.poll(timeout_ms, |task| unsafe { wake(ready, task) });
    }

    /// The part of a turn after the ready tasks: fires the due timers and
    /// looks for descriptor events; when nothing is ready, sleeps in epoll
    /// until a descriptor or the next timer; when nothing can wake any task,
    /// ends the program.
    fn wait_for_events(&mut self) {
        if !self.timers.is_empty() {
            self.fire_due_timers(sys::monotonic_nanos());
        }
        if !self.ready.is_empty() {
            if self.poller.waiting() > 0 {
                self.poll(0);
            }
            return;
        }
        // A `cancel_after` of a source without unfinished tasks wakes nobody;
        // every other timer may.
        let can_wake = self.poller.waiting() > 0
            || self.timers.has_wake_entries()
            || self.cancellation.can_wake_tasks();
        if !can_wake {
            io::fail(DEADLOCK_MESSAGE, 1)
        }
        let timeout_ms = match self.timers.next_deadline() {
            Some(deadline) => milliseconds_until(deadline, sys::monotonic_nanos()),
            None => -1,
        };
        if timeout_ms != 0 {
            // About to sleep: what the program printed so far is seen now (a
            // server's "listening" line, a progress message), not at exit.
            io::flush_stdout();
        }
        self.poll(timeout_ms);
        if !self.timers.is_empty() {
            self.fire_due_timers(sys::monotonic_nanos());
        }
    }
}

/// An epoll timeout that does not end before `deadline`: rounded up to whole
/// milliseconds, at most `i32::MAX`.
fn milliseconds_until(deadline: i64, now: i64) -> i32 {
    if deadline <= now {
        return 0;
    }
    let nanoseconds = deadline.saturating_sub(now);
    let milliseconds = nanoseconds / 1_000_000 + i64::from(nanoseconds % 1_000_000 != 0);
    milliseconds.min(i64::from(i32::MAX)) as i32
}

/// Calls `task`'s resume function as the current task, then records the
/// outcome: ended (any answer but `PENDING`), or pending (queued again if a
/// nested loop set it aside).
///
/// # Safety
/// `task` must be a live, unfinished record that is not `RUNNING`.
unsafe fn resume_task(task: *mut Task) {
    // SAFETY: the caller's contract.
    let (resume, frame, previous) = with_executor(|executor| unsafe {
        (*task).flags |= RUNNING;
        let previous = core::mem::replace(&mut executor.current, task);
        ((*task).resume, (*task).frame, previous)
    });
    // SAFETY: the compiled code's contract (`clef_rt_async_run`,
    // `clef_rt_async_spawn`); no borrow of the executor is alive.
    let answer = unsafe { resume(frame) } as u8;
    with_executor(|executor| {
        executor.current = previous;
        // SAFETY: records are never unmapped; nothing freed it while it ran
        // (only finished records are freed).
        unsafe {
            (*task).flags &= !RUNNING;
            if answer != PENDING {
                executor.finish(task, answer);
            } else if (*task).flags & DEFERRED != 0 {
                (*task).flags &= !DEFERRED;
                executor.ready.push_back(task);
            }
        }
    });
}

/// Whether `task` has finished.
///
/// # Safety
/// `task` must be a record of the pool that is not free.
unsafe fn is_finished(task: *mut Task) -> bool {
    // SAFETY: the caller's contract.
    unsafe { (*task).flags & FINISHED != 0 }
}

/// `clef_rt_async_run`: runs the loop until the task `(resume, frame)`, with
/// the token `cts` (null: the current task's, if any), has ended; answers its
/// last answer (1, or 3 when cancelled). Other tasks run meanwhile; those left
/// unfinished stay queued or registered for a later run.
///
/// # Safety
/// `resume` must be a compiled resume function and `frame` a frame for it,
/// valid until the task finishes; `cts` null or a source `cts_create` answered.
pub unsafe fn run(resume: ResumeFn, frame: *mut u8, cts: *mut u8) -> u8 {
    let root = with_executor(|executor| executor.new_task(resume, frame, cts as *mut Source));
    // SAFETY: a fresh record; the loop resumes only records taken from the
    // ready queue, which are live and unfinished.
    unsafe {
        resume_task(root);
        while !is_finished(root) {
            turn(root);
        }
    }
    // No handle to the root exists: its record can be reused, once no queue
    // entry refers to it.
    with_executor(|executor| {
        // SAFETY: finished, in no wait list and no token list (`finish`), and
        // no handle exists.
        unsafe {
            let answer = (*root).answer;
            if (*root).flags & QUEUED != 0 {
                (*root).flags |= DETACHED;
            } else {
                executor.tasks.release(root);
            }
            answer
        }
    })
}

/// One turn of the loop: resumes the tasks that were ready when it began (not
/// those they wake), returning early once `root` has finished, then handles
/// timers and descriptors.
///
/// # Safety
/// `root` must be a live record.
unsafe fn turn(root: *mut Task) {
    let mut budget = with_executor(|executor| executor.ready.len());
    while budget > 0 {
        budget -= 1;
        match with_executor(Executor::take_ready) {
            Taken::Resume(task) => {
                // SAFETY: `take_ready` answers live, unfinished, not running
                // records.
                unsafe {
                    resume_task(task);
                    if is_finished(root) {
                        return;
                    }
                }
            }
            Taken::Skipped => {}
            Taken::Empty => break,
        }
    }
    with_executor(Executor::wait_for_events);
}

/// `clef_rt_async_spawn`: a new task at the back of the ready queue (it does
/// not run now), with the token `cts` (null: the current task's, if any); its
/// handle, the address of its record (opaque to the program).
///
/// # Safety
/// `cts` must be null or a source `cts_create` answered.
pub unsafe fn spawn(resume: ResumeFn, frame: *mut u8, cts: *mut u8) -> *mut u8 {
    with_executor(|executor| {
        let task = executor.new_task(resume, frame, cts as *mut Source);
        // SAFETY: a fresh record.
        unsafe { wake(&mut executor.ready, task) };
        task as *mut u8
    })
}

/// `clef_rt_async_spawn_now`: as `spawn`, but the task runs at once, on this
/// stack, until its first suspension (F#'s `Async.StartImmediate`, a hot
/// `task { }`); answers its handle.
///
/// # Safety
/// As `spawn`.
pub unsafe fn spawn_now(resume: ResumeFn, frame: *mut u8, cts: *mut u8) -> *mut u8 {
    let task = with_executor(|executor| executor.new_task(resume, frame, cts as *mut Source));
    // SAFETY: a fresh record, not queued and not running.
    unsafe { resume_task(task) };
    task as *mut u8
}

/// `clef_rt_async_done`: 0 while the task runs, then how it ended (1, or 3
/// when cancelled).
///
/// # Safety
/// `handle` must be a handle `spawn` answered.
pub unsafe fn outcome(handle: *mut u8) -> u8 {
    // SAFETY: the caller's contract: records with handles are never freed.
    unsafe { (*(handle as *mut Task)).answer }
}

/// `clef_rt_async_join`: the current task is woken when `target` finishes (at
/// once if it has). Nothing happens outside a task.
///
/// # Safety
/// `handle` must be a handle `spawn` answered.
pub unsafe fn join(handle: *mut u8) {
    let target = handle as *mut Task;
    with_executor(|executor| {
        let task = executor.current;
        if task.is_null() {
            return;
        }
        // SAFETY: `current` is live (it is running); the caller's contract.
        unsafe {
            if is_finished(target) {
                wake(&mut executor.ready, task);
                return;
            }
            let wait = WaitTarget::Join(target);
            if (*task).waiting_on == wait.encode() {
                return;
            }
            executor.stop_waiting(task);
            push_waiter(&mut (*target).waiters, task, wait);
        }
    })
}

/// `clef_rt_async_now`: the monotonic clock in nanoseconds.
pub fn now() -> i64 {
    sys::monotonic_nanos()
}

/// `clef_rt_async_wake_at`: the current task is woken once the clock reaches
/// `deadline`. Nothing happens outside a task.
pub fn wake_at(deadline: i64) {
    with_executor(|executor| {
        if !executor.current.is_null() {
            executor.timers.add(deadline, Timer::Wake(executor.current));
        }
    })
}

/// `clef_rt_async_wait_fd`: the current task is woken when `fd` is readable
/// (or writable), or at once when it cannot be waited for (a regular file, a
/// closed descriptor: its system call will not block, or will fail). Nothing
/// happens outside a task.
pub fn wait_fd(fd: i32, write: bool) {
    with_executor(|executor| {
        let task = executor.current;
        if task.is_null() {
            return;
        }
        // SAFETY: `current` is live.
        unsafe {
            if (*task).waiting_on == (WaitTarget::Fd { fd, write }).encode() && fd >= 0 {
                // Already waiting (woken spuriously, waiting again).
                return;
            }
            executor.stop_waiting(task);
            if !executor.poller.wait(task, fd, write) {
                wake(&mut executor.ready, task);
            }
        }
    })
}

/// `clef_rt_async_yield`: the current task goes to the back of the ready
/// queue. Nothing happens outside a task.
pub fn yield_now() {
    with_executor(|executor| {
        if !executor.current.is_null() {
            // SAFETY: `current` is live.
            unsafe { wake(&mut executor.ready, executor.current) };
        }
    })
}

/// `clef_rt_async_cancelled`: whether the current task's token is cancelled
/// (false outside a task or without a token).
pub fn current_is_cancelled() -> bool {
    with_executor(|executor| {
        let token = executor.token_for(null_mut());
        // SAFETY: tokens are source records.
        !token.is_null() && unsafe { Cancellation::is_cancelled(token) }
    })
}

/// `clef_rt_async_token`: the current task's token source, or null.
pub fn current_token() -> *mut u8 {
    with_executor(|executor| executor.token_for(null_mut()) as *mut u8)
}

/// `clef_rt_cts_create`: a new token source, its address (opaque to the
/// program).
pub fn cts_create() -> *mut u8 {
    with_executor(|executor| executor.cancellation.create() as *mut u8)
}

/// `clef_rt_cts_cancel`: cancels `cts` (once) and wakes its unfinished tasks.
/// Nothing happens for null.
///
/// # Safety
/// `cts` must be null or a source `cts_create` answered.
pub unsafe fn cts_cancel(cts: *mut u8) {
    if cts.is_null() {
        return;
    }
    // SAFETY: the caller's contract.
    with_executor(|executor| unsafe { executor.cancel(cts as *mut Source) })
}

/// `clef_rt_cts_is_cancelled` (false for null).
///
/// # Safety
/// `cts` must be null or a source `cts_create` answered.
pub unsafe fn cts_is_cancelled(cts: *mut u8) -> bool {
    // SAFETY: the caller's contract.
    !cts.is_null() && unsafe { Cancellation::is_cancelled(cts as *mut Source) }
}

/// `clef_rt_cts_cancel_after`: cancels `cts` once `milliseconds` have passed
/// (a timer entry, replacing a pending one), at once for 0, never for a
/// negative delay (.NET's `Timeout.Infinite` is -1). Nothing happens for null.
///
/// # Safety
/// `cts` must be null or a source `cts_create` answered.
pub unsafe fn cts_cancel_after(cts: *mut u8, milliseconds: i64) {
    if cts.is_null() || milliseconds < 0 {
        return;
    }
    let source = cts as *mut Source;
    with_executor(|executor| {
        // SAFETY: the caller's contract.
        unsafe {
            if milliseconds == 0 {
                executor.cancel(source);
                return;
            }
            let deadline =
                sys::monotonic_nanos().saturating_add(milliseconds.saturating_mul(1_000_000));
            if executor.cancellation.schedule(source, deadline) {
                executor.timers.add(deadline, Timer::Cancel(source));
            }
        }
    })
}

/// Before `clef_rt_fd_close` closes `fd`: its epoll registration and waiters
/// are dropped, the waiters woken (they retry and see the descriptor closed).
pub fn forget_fd(fd: i32) {
    with_executor(|executor| {
        let Executor { poller, ready, .. } = executor;
        // SAFETY: descriptor wait lists hold live records.
        poller.forget(fd, |task| unsafe { wake(ready, task) });
    })
}
