//! The timers: a binary min-heap (`pure/timer_heap.rs`) of `(deadline,
//! insertion sequence, what)` entries, 24 bytes each, in an `mmap`'d array that
//! doubles when full. Equal deadlines fire in the order they were set. An entry
//! either wakes a task (`clef_rt_async_wake_at`) or cancels a token source
//! (`clef_rt_cts_cancel_after`), one word tagged by its low bit (both records
//! are 8-aligned). An entry stays until it fires, even when its task was woken
//! otherwise or finished, or its source's deadline changed: the executor
//! ignores entries of finished tasks, any other stale task entry is a spurious
//! wake-up, and `cancel.rs` ignores a stale source entry.

use super::cancel::Source;
use super::mapped::{MappedArray, Zeroable};
use super::task::Task;
use crate::pure::timer_heap::{TimerEntry, TimerHeap};

/// Entries of the first array: 12 KiB.
const INITIAL_CAPACITY: usize = 512;

/// What a timer entry does when it fires.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    Wake(*mut Task),
    Cancel(*mut Source),
}

/// A [`Timer`] in one word: the record's address, plus 1 for a source.
#[repr(transparent)]
#[derive(Clone, Copy)]
struct TimerWord(usize);

impl TimerWord {
    fn encode(timer: Timer) -> TimerWord {
        match timer {
            Timer::Wake(task) => TimerWord(task as usize),
            Timer::Cancel(source) => TimerWord(source as usize | 1),
        }
    }

    fn decode(self) -> Timer {
        if self.0 & 1 == 0 {
            Timer::Wake(self.0 as *mut Task)
        } else {
            Timer::Cancel((self.0 & !1) as *mut Source)
        }
    }
}

// SAFETY: a zero word is a valid value (a null task).
unsafe impl Zeroable for TimerWord {}

// SAFETY: zero deadline, zero sequence and a zeroable item are valid values.
unsafe impl<T: Zeroable> Zeroable for TimerEntry<T> {}

pub struct Timers {
    heap: TimerHeap,
    slots: MappedArray<TimerEntry<TimerWord>>,
    next_seq: u64,
    /// Entries that wake a task (`Timer::Wake`) in the heap.
    wake_entries: usize,
}

impl Timers {
    pub const fn new() -> Timers {
        Timers {
            heap: TimerHeap::new(),
            slots: MappedArray::empty(),
            next_seq: 0,
            wake_entries: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Whether an entry that wakes a task is pending (it may be stale).
    pub fn has_wake_entries(&self) -> bool {
        self.wake_entries > 0
    }

    /// Fire `timer` when the monotonic clock reaches `deadline`.
    pub fn add(&mut self, deadline: i64, timer: Timer) {
        if matches!(timer, Timer::Wake(_)) {
            self.wake_entries += 1;
        }
        let entry = TimerEntry {
            deadline,
            seq: self.next_seq,
            item: TimerWord::encode(timer),
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

    /// Removes and answers the earliest entry, with its deadline, if that is
    /// `now` or earlier.
    pub fn pop_due(&mut self, now: i64) -> Option<(i64, Timer)> {
        if self.next_deadline()? > now {
            return None;
        }
        let entry = self.heap.pop(self.slots.as_mut_slice())?;
        let timer = entry.item.decode();
        if matches!(timer, Timer::Wake(_)) {
            self.wake_entries -= 1;
        }
        Some((entry.deadline, timer))
    }
}
