//! Cancellation token sources: F#'s `CancellationTokenSource` without
//! exceptions. A task has at most one *token*, a source, fixed when it is made
//! (`clef_rt_async_run`, `clef_rt_async_spawn`: the source passed, else the
//! current task's). Cancelling a source marks it (once; later calls do
//! nothing) and wakes every unfinished task with it as token, whatever it waits
//! for, so that the compiled code notices at its suspension point
//! (`clef_rt_async_cancelled`) and ends the task with the answer 3.
//!
//! Each source keeps its unfinished tasks in a doubly linked list through the
//! task records (`token_previous`, `token_next`), oldest first: cancelling is
//! linear in that list, a task leaves it in constant time when it finishes,
//! and a freed task record is never in one.
//!
//! `clef_rt_cts_cancel_after` schedules the cancellation as a timer entry
//! (`timers.rs`) that names the source and the deadline. Scheduling again
//! replaces the deadline, as .NET's `CancelAfter` does: an entry whose deadline
//! is no longer the source's is stale and ignored when it fires.
//!
//! Source records are 32 bytes, carved from 64 KiB `mmap`'d chunks and never
//! freed: the program's handle to a source has no end of life yet.

use core::ptr::null_mut;

use super::task::Task;
use crate::{io, sys};

/// Cancelled: final.
const CANCELLED: u32 = 1;
/// A `cancel_after` is pending; `deadline` says when.
const SCHEDULED: u32 = 2;

#[repr(C)]
pub struct Source {
    /// The unfinished tasks with this source as token, oldest first.
    first: *mut Task,
    last: *mut Task,
    /// When the pending `cancel_after` fires (with `SCHEDULED`).
    deadline: i64,
    flags: u32,
}

const _: () = assert!(core::mem::size_of::<Source>() == 32);

/// Bytes of each mapping source records are carved from.
const CHUNK_BYTES: usize = 64 * 1024;

pub struct Cancellation {
    /// The unused rest of the newest chunk.
    cursor: *mut Source,
    end: *mut Source,
    /// Sources with a pending `cancel_after` and at least one unfinished task:
    /// while there are any, a timer can still wake a task (the deadlock check
    /// ignores the timers of the other sources, which wake nobody).
    scheduled_with_tasks: usize,
}

impl Source {
    fn has_tasks(&self) -> bool {
        !self.first.is_null()
    }

    fn is_scheduled(&self) -> bool {
        self.flags & SCHEDULED != 0
    }
}

impl Cancellation {
    pub const fn new() -> Cancellation {
        Cancellation {
            cursor: null_mut(),
            end: null_mut(),
            scheduled_with_tasks: 0,
        }
    }

    /// A new source: not cancelled, nothing scheduled, no tasks.
    pub fn create(&mut self) -> *mut Source {
        if self.cursor == self.end {
            let chunk = sys::map_anonymous(CHUNK_BYTES)
                .unwrap_or_else(|| io::fatal(b"out of memory"))
                as *mut Source;
            self.cursor = chunk;
            // SAFETY: one past the end of the chunk just mapped.
            self.end = unsafe { chunk.add(CHUNK_BYTES / core::mem::size_of::<Source>()) };
        }
        let source = self.cursor;
        // SAFETY: `cursor < end`, both in the same chunk; the record is unused
        // and page alignment suits it.
        unsafe {
            self.cursor = self.cursor.add(1);
            source.write(Source {
                first: null_mut(),
                last: null_mut(),
                deadline: 0,
                flags: 0,
            });
        }
        source
    }

    /// Whether a timer of the executor can still wake a task by cancelling a
    /// source.
    pub fn can_wake_tasks(&self) -> bool {
        self.scheduled_with_tasks > 0
    }

    /// Makes `source` the token of `task` and puts it at the end of the
    /// source's list.
    ///
    /// # Safety
    /// `source` must be a record `create` answered; `task` a live, unfinished
    /// record without a token.
    pub unsafe fn attach(&mut self, task: *mut Task, source: *mut Source) {
        // SAFETY: the caller's contract; the list holds live records.
        unsafe {
            let source_ref = &mut *source;
            if !source_ref.has_tasks() && source_ref.is_scheduled() {
                self.scheduled_with_tasks += 1;
            }
            (*task).token = source;
            (*task).token_previous = source_ref.last;
            (*task).token_next = null_mut();
            if source_ref.last.is_null() {
                source_ref.first = task;
            } else {
                (*source_ref.last).token_next = task;
            }
            source_ref.last = task;
        }
    }

    /// Takes a finishing `task` out of its token's list (if it has a token).
    /// The token stays recorded.
    ///
    /// # Safety
    /// `task` must be a live record that `attach` put in its token's list and
    /// that was not detached since.
    pub unsafe fn detach(&mut self, task: *mut Task) {
        // SAFETY: the caller's contract; the neighbours are live records of
        // the same list.
        unsafe {
            let source = (*task).token;
            if source.is_null() {
                return;
            }
            let source = &mut *source;
            let (previous, next) = ((*task).token_previous, (*task).token_next);
            if previous.is_null() {
                source.first = next;
            } else {
                (*previous).token_next = next;
            }
            if next.is_null() {
                source.last = previous;
            } else {
                (*next).token_previous = previous;
            }
            (*task).token_previous = null_mut();
            (*task).token_next = null_mut();
            if !source.has_tasks() && source.is_scheduled() {
                self.scheduled_with_tasks -= 1;
            }
        }
    }

    /// # Safety
    /// `source` must be a record `create` answered.
    pub unsafe fn is_cancelled(source: *mut Source) -> bool {
        // SAFETY: the caller's contract; records are never unmapped.
        unsafe { (*source).flags & CANCELLED != 0 }
    }

    /// Cancels `source`: the first time, marks it, drops its pending
    /// `cancel_after`, and calls `wake` for each of its unfinished tasks, oldest
    /// first; afterwards, nothing.
    ///
    /// # Safety
    /// `source` must be a record `create` answered; `wake` must not change the
    /// source's list.
    pub unsafe fn cancel(&mut self, source: *mut Source, mut wake: impl FnMut(*mut Task)) {
        // SAFETY: the caller's contract; the list holds live records.
        unsafe {
            let source = &mut *source;
            if source.flags & CANCELLED != 0 {
                return;
            }
            if source.is_scheduled() && source.has_tasks() {
                self.scheduled_with_tasks -= 1;
            }
            source.flags = CANCELLED;
            let mut task = source.first;
            while !task.is_null() {
                let next = (*task).token_next;
                wake(task);
                task = next;
            }
        }
    }

    /// Schedules the cancellation of `source` at `deadline`, replacing a
    /// pending one; answers whether the caller must add a timer entry for it
    /// (not when the source is already cancelled).
    ///
    /// # Safety
    /// `source` must be a record `create` answered.
    pub unsafe fn schedule(&mut self, source: *mut Source, deadline: i64) -> bool {
        // SAFETY: the caller's contract.
        let source = unsafe { &mut *source };
        if source.flags & CANCELLED != 0 {
            return false;
        }
        if !source.is_scheduled() && source.has_tasks() {
            self.scheduled_with_tasks += 1;
        }
        source.flags |= SCHEDULED;
        source.deadline = deadline;
        true
    }

    /// A timer entry of `source` for `deadline` fired: cancels the source if
    /// that is still its pending deadline (else the entry is stale).
    ///
    /// # Safety
    /// As [`Cancellation::cancel`].
    pub unsafe fn fire(&mut self, source: *mut Source, deadline: i64, wake: impl FnMut(*mut Task)) {
        // SAFETY: the caller's contract.
        unsafe {
            if (*source).is_scheduled() && (*source).deadline == deadline {
                self.cancel(source, wake);
            }
        }
    }
}
