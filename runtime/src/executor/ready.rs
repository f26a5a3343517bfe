//! The ready queue: the tasks to resume, first in first out. A ring buffer
//! of task pointers (`pure/ring.rs` does the index arithmetic) in an `mmap`'d
//! array that doubles when full. Kept to `push_back` and `pop_front` so that it
//! can become one deque per worker thread, with stealing, without touching the
//! executor's logic.

use super::mapped::MappedArray;
use super::task::Task;
use crate::pure::ring::Ring;

/// Slots of the first array: 4 KiB.
const INITIAL_CAPACITY: usize = 512;

pub struct ReadyQueue {
    ring: Ring,
    slots: MappedArray<*mut Task>,
}

impl ReadyQueue {
    pub const fn new() -> ReadyQueue {
        ReadyQueue {
            ring: Ring::new(),
            slots: MappedArray::empty(),
        }
    }

    pub fn len(&self) -> usize {
        self.ring.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    pub fn push_back(&mut self, task: *mut Task) {
        if self.ring.push_back(self.slots.as_mut_slice(), task).is_ok() {
            return;
        }
        let capacity = (self.slots.capacity() * 2).max(INITIAL_CAPACITY);
        let mut grown = MappedArray::with_capacity(capacity);
        self.ring
            .move_to(self.slots.as_slice(), grown.as_mut_slice());
        core::mem::replace(&mut self.slots, grown).release();
        if self
            .ring
            .push_back(self.slots.as_mut_slice(), task)
            .is_err()
        {
            crate::io::fatal(b"internal runtime error: the ready queue did not grow")
        }
    }

    pub fn pop_front(&mut self) -> Option<*mut Task> {
        self.ring.pop_front(self.slots.as_slice())
    }
}
