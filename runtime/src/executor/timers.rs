//! The timers: a binary min-heap (`pure/timer_heap.rs`) of `(deadline,
//! insertion sequence, task)` entries, 24 bytes each, in an `mmap`'d array that
//! doubles when full. Equal deadlines fire in the order they were set. An entry
//! stays until it fires, even when its task was woken otherwise or finished:
//! the executor ignores entries of finished tasks, and any other stale entry is
//! a spurious wake-up.

use super::mapped::{MappedArray, Zeroable};
use super::task::Task;
use crate::pure::timer_heap::{TimerEntry, TimerHeap};

/// Entries of the first array: 12 KiB.
const INITIAL_CAPACITY: usize = 512;

// SAFETY: zero deadline, zero sequence and a null pointer are valid values.
unsafe impl<T: Zeroable> Zeroable for TimerEntry<T> {}

pub struct Timers {
    heap: TimerHeap,
    slots: MappedArray<TimerEntry<*mut Task>>,
    next_seq: u64,
}

impl Timers {
    pub const fn new() -> Timers {
        Timers {
            heap: TimerHeap::new(),
            slots: MappedArray::empty(),
            next_seq: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Wake `task` when the monotonic clock reaches `deadline`.
    pub fn add(&mut self, deadline: i64, task: *mut Task) {
        let entry = TimerEntry {
            deadline,
            seq: self.next_seq,
            item: task,
        };
        self.next_seq += 1;
        if self.heap.push(self.slots.as_mut_slice(), entry).is_ok() {
            return;
        }
        let capacity = (self.slots.capacity() * 2).max(INITIAL_CAPACITY);
        let mut grown = MappedArray::with_capacity(capacity);
        // The heap is the first `len` entries: copying them keeps its order.
        let len = self.heap.len();
        grown.as_mut_slice()[..len].copy_from_slice(&self.slots.as_slice()[..len]);
        core::mem::replace(&mut self.slots, grown).release();
        if self.heap.push(self.slots.as_mut_slice(), entry).is_err() {
            crate::io::fatal(b"internal runtime error: the timer heap did not grow")
        }
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<i64> {
        self.heap
            .peek(self.slots.as_slice())
            .map(|entry| entry.deadline)
    }

    /// Removes and answers the task of the earliest entry if its deadline is
    /// `now` or earlier.
    pub fn pop_due(&mut self, now: i64) -> Option<*mut Task> {
        if self.next_deadline()? > now {
            return None;
        }
        self.heap
            .pop(self.slots.as_mut_slice())
            .map(|entry| entry.item)
    }
}
