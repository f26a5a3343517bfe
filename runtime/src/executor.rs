//! The async executor: a single-threaded event loop for compiled `async`
//! code (the `clef_rt_async_*` functions of `abi.rs`).
//!
//! A compiled async is a state machine: a *frame* (memory of the compiled
//! code) and a *resume function* `fn(frame) -> i8` that answers 1 when the
//! async finished (its result is then in the frame) and 0 when it is pending,
//! having first told the executor what must wake the *current task* (a timer,
//! a descriptor, another task finishing, or at once). A task is such a pair
//! with a runtime-owned record (`task.rs`); resuming it calls its root resume
//! function again, which re-polls its children down to the leaf that waited,
//! as Rust's `poll` does. A wake-up may be spurious: the leaf checks its
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
//! Left for later: per-task regions (a task allocates in the current region),
//! cancellation, and worker threads (one ready queue per worker with stealing;
//! the state is kept in one struct so that it can become per-worker).

mod fds;
mod mapped;
mod ready;
mod task;
mod timers;

use core::ptr::null_mut;

use crate::global::Global;
use crate::{io, sys};
use fds::Poller;
use ready::ReadyQueue;
use task::{
    pop_waiter, push_waiter, remove_waiter, take_waiters_oldest_first, Task, TaskPool, WaitTarget,
    DEFERRED, DETACHED, FINISHED, FREE, QUEUED, RUNNING,
};
use timers::Timers;

pub use task::ResumeFn;

/// What `clef_rt_async_run` prints (then exits with status 1) when its root
/// can never finish.
const DEADLOCK_MESSAGE: &[u8] =
    b"async: every task is waiting and nothing can wake one (the program would wait forever)";

struct Executor {
    tasks: TaskPool,
    ready: ReadyQueue,
    timers: Timers,
    poller: Poller,
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

    /// `task`'s resume function answered 1: it leaves its wait list and the
    /// tasks joined on it are woken, in the order they joined. A ready-queue
    /// entry of it stays (and is dropped when taken).
    ///
    /// # Safety
    /// `task` must be a live record.
    unsafe fn finish(&mut self, task: *mut Task) {
        // SAFETY: the caller's contract; the waiters are live records.
        unsafe {
            self.stop_waiting(task);
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

    /// Wakes the tasks of the timers due at `now`.
    fn fire_due_timers(&mut self, now: i64) {
        while let Some(task) = self.timers.pop_due(now) {
            // SAFETY: timer entries point at records of the pool.
            unsafe { wake(&mut self.ready, task) };
        }
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
        let timeout_ms = match self.timers.next_deadline() {
            Some(deadline) => milliseconds_until(deadline, sys::monotonic_nanos()),
            None if self.poller.waiting() > 0 => -1,
            None => io::fail(DEADLOCK_MESSAGE, 1),
        };
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
/// outcome: finished, or pending (queued again if a nested loop set it aside).
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
    let finished = unsafe { resume(frame) } as u8 != 0;
    with_executor(|executor| {
        executor.current = previous;
        // SAFETY: records are never unmapped; nothing freed it while it ran
        // (only finished records are freed).
        unsafe {
            (*task).flags &= !RUNNING;
            if finished {
                executor.finish(task);
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

/// `clef_rt_async_run`: runs the loop until the task `(resume, frame)` has
/// finished. Other tasks run meanwhile; those left unfinished stay queued or
/// registered for a later run.
///
/// # Safety
/// `resume` must be a compiled resume function and `frame` a frame for it,
/// valid until the task finishes.
pub unsafe fn run(resume: ResumeFn, frame: *mut u8) {
    let root = with_executor(|executor| executor.tasks.acquire(resume, frame));
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
        // SAFETY: finished, in no wait list (`finish`), and no handle exists.
        unsafe {
            if (*root).flags & QUEUED != 0 {
                (*root).flags |= DETACHED;
            } else {
                executor.tasks.release(root);
            }
        }
    });
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
/// not run now); its handle, the address of its record (opaque to the
/// program).
pub fn spawn(resume: ResumeFn, frame: *mut u8) -> *mut u8 {
    with_executor(|executor| {
        let task = executor.tasks.acquire(resume, frame);
        // SAFETY: a fresh record.
        unsafe { wake(&mut executor.ready, task) };
        task as *mut u8
    })
}

/// `clef_rt_async_done`.
///
/// # Safety
/// `handle` must be a handle `spawn` answered.
pub unsafe fn is_done(handle: *mut u8) -> bool {
    // SAFETY: the caller's contract: records with handles are never freed.
    unsafe { is_finished(handle as *mut Task) }
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
            executor.timers.add(deadline, executor.current);
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
