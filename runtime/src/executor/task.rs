//! The task record and its pool, and the intrusive wait lists that run
//! through task records.
//!
//! A task is a compiled async's frame and resume function. Its record is
//! runtime memory: 72 bytes, in 256 KiB `mmap`'d chunks carved in order, with
//! a free list. A record is never unmapped, and only a record no handle refers
//! to (the root of a finished `clef_rt_async_run`) returns to the free list, so
//! a handle the program holds stays valid until the process exits. Stale
//! references the executor itself keeps (a timer entry, a ready-queue entry)
//! are harmless: a freed record is marked `FREE` and ignored, and a reused one
//! sees at most a spurious wake-up, which every compiled leaf tolerates.

use core::ptr::null_mut;

use super::cancel::Source;
use crate::{io, sys};

/// A compiled resume function: `fn(frame) -> i8`, answering 0 while the async
/// is pending, else how it ended: 1 finished (its result is in the frame), 3
/// ended by cancellation (any other non-zero byte also ends it, and is kept as
/// the answer). Generated code returns the `i8` without extending it, so the
/// result is read as a `u32` of which only the low byte counts (as `ByteArg`
/// for parameters).
pub type ResumeFn = unsafe extern "C" fn(frame: *mut u8) -> u32;

/// The resume answer of a pending async.
pub const PENDING: u8 = 0;

/// In the ready queue, or set aside by a nested loop to be queued again when
/// its resume function returns (`DEFERRED`). A wake-up of a queued task does
/// nothing.
pub const QUEUED: u32 = 1;
/// Its resume function is on the stack (it may have started a nested loop):
/// no loop may resume it again before it returns.
pub const RUNNING: u32 = 2;
/// Taken from the ready queue by a nested loop while `RUNNING`: pushed back
/// (still `QUEUED`) when its resume function returns.
pub const DEFERRED: u32 = 4;
/// Its resume function answered something other than 0 (kept in `answer`).
pub const FINISHED: u32 = 8;
/// No one refers to it but a stale ready-queue entry, which frees it when it is
/// taken (the root of a `clef_rt_async_run` that returned while it was queued).
pub const DETACHED: u32 = 16;
/// On the free list.
pub const FREE: u32 = 32;

#[repr(C)]
pub struct Task {
    pub resume: ResumeFn,
    pub frame: *mut u8,
    /// The tasks waiting for this one to finish (`clef_rt_async_join`), newest
    /// first, linked through their `next_waiter`.
    pub waiters: *mut Task,
    /// The next task of the wait list this one is in (a join list or a
    /// descriptor's list); on the free list, the next free record.
    pub next_waiter: *mut Task,
    /// The wait list this task is in, as [`WaitTarget::encode`] gives it.
    pub waiting_on: usize,
    /// Its cancellation token source, or null (`cancel.rs`).
    pub token: *mut Source,
    /// The neighbours in the token's list of unfinished tasks (`cancel.rs`);
    /// null at the ends and once finished.
    pub token_previous: *mut Task,
    pub token_next: *mut Task,
    /// `QUEUED`, `RUNNING`, ...
    pub flags: u32,
    /// The resume function's last answer: `PENDING` until `FINISHED`, then
    /// how it ended (1, or 3 when cancelled).
    pub answer: u8,
}

/// A benchmark keeps 100,000 sleeping tasks, each with its record, its frame
/// and a timer entry, under 256 bytes per task.
const _: () = assert!(core::mem::size_of::<Task>() <= 72);

/// The wait list a task is in: at most one at a time (a task waits for one
/// thing; a timer entry is not a list and is never removed).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WaitTarget {
    Nothing,
    /// The waiters of this task.
    Join(*mut Task),
    /// The waiters of a file descriptor, for reading or writing.
    Fd {
        fd: i32,
        write: bool,
    },
}

impl WaitTarget {
    /// One word: 0, a task's (8-aligned) address, or `fd << 2 | write << 1 | 1`.
    pub fn encode(self) -> usize {
        match self {
            WaitTarget::Nothing => 0,
            WaitTarget::Join(task) => task as usize,
            WaitTarget::Fd { fd, write } => {
                ((fd as u32 as usize) << 2) | (usize::from(write) << 1) | 1
            }
        }
    }

    pub fn decode(word: usize) -> WaitTarget {
        if word == 0 {
            WaitTarget::Nothing
        } else if word & 1 == 0 {
            WaitTarget::Join(word as *mut Task)
        } else {
            WaitTarget::Fd {
                fd: (word >> 2) as u32 as i32,
                write: word & 2 != 0,
            }
        }
    }
}

/// Puts `task` at the front of the wait list starting at `head`.
///
/// # Safety
/// `task` must be a live record in no wait list.
pub unsafe fn push_waiter(head: &mut *mut Task, task: *mut Task, target: WaitTarget) {
    // SAFETY: the caller's contract.
    unsafe {
        (*task).next_waiter = *head;
        (*task).waiting_on = target.encode();
    }
    *head = task;
}

/// Takes `task` out of the wait list starting at `head`; false if it was not
/// in it. Linear in the list's length: only a task that stops waiting before
/// what it waits for happens (after a spurious wake-up) is removed this way.
///
/// # Safety
/// The list must consist of live records.
pub unsafe fn remove_waiter(head: &mut *mut Task, task: *mut Task) -> bool {
    let mut link: *mut *mut Task = head;
    // SAFETY: every link is `head` or the `next_waiter` of a live record.
    unsafe {
        while !(*link).is_null() {
            if *link == task {
                *link = (*task).next_waiter;
                (*task).next_waiter = null_mut();
                (*task).waiting_on = 0;
                return true;
            }
            link = &mut (**link).next_waiter;
        }
    }
    false
}

/// Empties the wait list at `head` and answers it oldest first, to be taken
/// apart with [`pop_waiter`].
///
/// # Safety
/// The list must consist of live records.
pub unsafe fn take_waiters_oldest_first(head: &mut *mut Task) -> *mut Task {
    let mut reversed = null_mut();
    let mut rest = core::mem::replace(head, null_mut());
    // SAFETY: the list's records are live.
    unsafe {
        while !rest.is_null() {
            let next = (*rest).next_waiter;
            (*rest).next_waiter = reversed;
            reversed = rest;
            rest = next;
        }
    }
    reversed
}

/// Takes the first task of a list [`take_waiters_oldest_first`] answered,
/// with what it was waiting for; the task no longer waits for anything.
///
/// # Safety
/// The list must consist of live records.
pub unsafe fn pop_waiter(list: &mut *mut Task) -> Option<(*mut Task, WaitTarget)> {
    let task = *list;
    if task.is_null() {
        return None;
    }
    // SAFETY: the caller's contract.
    unsafe {
        *list = (*task).next_waiter;
        (*task).next_waiter = null_mut();
        let target = WaitTarget::decode((*task).waiting_on);
        (*task).waiting_on = 0;
        Some((task, target))
    }
}

/// Bytes of each mapping the pool carves records from.
const CHUNK_BYTES: usize = 256 * 1024;

pub struct TaskPool {
    /// Released records, linked through `next_waiter`.
    free: *mut Task,
    /// The unused rest of the newest chunk.
    cursor: *mut Task,
    end: *mut Task,
}

impl TaskPool {
    pub const fn new() -> TaskPool {
        TaskPool {
            free: null_mut(),
            cursor: null_mut(),
            end: null_mut(),
        }
    }

    /// A new record for `(resume, frame)` with no flags and no token.
    pub fn acquire(&mut self, resume: ResumeFn, frame: *mut u8) -> *mut Task {
        let task = if !self.free.is_null() {
            let task = self.free;
            // SAFETY: records on the free list are ours and live.
            self.free = unsafe { (*task).next_waiter };
            task
        } else {
            if self.cursor == self.end {
                let chunk = sys::map_anonymous(CHUNK_BYTES)
                    .unwrap_or_else(|| io::fatal(b"out of memory"))
                    as *mut Task;
                self.cursor = chunk;
                // SAFETY: within (one past the end of) the chunk just mapped.
                self.end = unsafe { chunk.add(CHUNK_BYTES / core::mem::size_of::<Task>()) };
            }
            let task = self.cursor;
            // SAFETY: `cursor < end`, both in the same chunk.
            self.cursor = unsafe { self.cursor.add(1) };
            task
        };
        // SAFETY: the record is ours, unused, and suitably aligned (chunks are
        // page-aligned and records are a multiple of 8 bytes).
        unsafe {
            task.write(Task {
                resume,
                frame,
                waiters: null_mut(),
                next_waiter: null_mut(),
                waiting_on: 0,
                token: null_mut(),
                token_previous: null_mut(),
                token_next: null_mut(),
                flags: 0,
                answer: PENDING,
            })
        };
        task
    }

    /// Returns a record to the free list.
    ///
    /// # Safety
    /// `task` must come from `acquire`, be finished (so in no token list), in
    /// no wait list and not in the ready queue, and no handle to it may be used
    /// again.
    pub unsafe fn release(&mut self, task: *mut Task) {
        // SAFETY: the caller's contract.
        unsafe {
            (*task).flags = FREE;
            (*task).next_waiter = self.free;
        }
        self.free = task;
    }
}
