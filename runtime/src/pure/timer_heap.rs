//! A binary min-heap of timers ordered by `(deadline, seq)`, over storage the
//! caller owns and passes in (the executor keeps it in `mmap`'d memory, see
//! `executor/timers.rs`). The sequence number is the order of insertion, so
//! timers with equal deadlines come out first-in first-out. The array layout
//! and the sift-up and sift-down steps are Williams' heap ("Algorithm 232:
//! Heapsort", CACM 7(6), 1964; CLRS chapter 6). A full heap refuses an entry
//! instead of growing: this module does not allocate.

/// One timer: wake `item` when the clock reaches `deadline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerEntry<T> {
    pub deadline: i64,
    /// Insertion order among equal deadlines.
    pub seq: u64,
    pub item: T,
}

impl<T> TimerEntry<T> {
    fn fires_before(&self, other: &TimerEntry<T>) -> bool {
        (self.deadline, self.seq) < (other.deadline, other.seq)
    }
}

/// How many entries of the slots passed to each call are in the heap (the
/// first `len`); the capacity is the length of the slots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimerHeap {
    len: usize,
}

impl TimerHeap {
    pub const fn new() -> TimerHeap {
        TimerHeap { len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entry that fires first.
    pub fn peek<T: Copy>(&self, slots: &[TimerEntry<T>]) -> Option<TimerEntry<T>> {
        if self.len == 0 {
            None
        } else {
            Some(slots[0])
        }
    }

    /// Adds `entry`, or gives it back when every slot is taken.
    pub fn push<T: Copy>(
        &mut self,
        slots: &mut [TimerEntry<T>],
        entry: TimerEntry<T>,
    ) -> Result<(), TimerEntry<T>> {
        if self.len == slots.len() {
            return Err(entry);
        }
        let mut index = self.len;
        self.len += 1;
        // Sift up: move parents that fire later down into the hole.
        while index > 0 {
            let parent = (index - 1) / 2;
            if !entry.fires_before(&slots[parent]) {
                break;
            }
            slots[index] = slots[parent];
            index = parent;
        }
        slots[index] = entry;
        Ok(())
    }

    /// Removes and answers the entry that fires first.
    pub fn pop<T: Copy>(&mut self, slots: &mut [TimerEntry<T>]) -> Option<TimerEntry<T>> {
        if self.len == 0 {
            return None;
        }
        let first = slots[0];
        self.len -= 1;
        if self.len > 0 {
            // Sift the last entry down from the root: move the earlier child
            // up into the hole while it fires before the entry.
            let last = slots[self.len];
            let mut index = 0;
            loop {
                let left = 2 * index + 1;
                if left >= self.len {
                    break;
                }
                let right = left + 1;
                let child = if right < self.len && slots[right].fires_before(&slots[left]) {
                    right
                } else {
                    left
                };
                if !slots[child].fires_before(&last) {
                    break;
                }
                slots[index] = slots[child];
                index = child;
            }
            slots[index] = last;
        }
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::{TimerEntry, TimerHeap};

    /// A small deterministic pseudo-random sequence (Knuth's MMIX LCG).
    fn pseudo_random(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn every_pop_answers_the_earliest_entry_present() {
        let mut state = 7;
        let empty = TimerEntry {
            deadline: 0,
            seq: 0,
            item: 0u64,
        };
        let mut slots = vec![empty; 300];
        let mut heap = TimerHeap::new();
        // The entries that should be in the heap, as a plain list.
        let mut model: Vec<TimerEntry<u64>> = Vec::new();
        let mut seq = 0;
        // Two pushes per pop, few distinct deadlines (so many ties), then a
        // drain.
        for round in 0..900 {
            if round % 3 == 2 || round >= 600 {
                let earliest = model
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, entry)| (entry.deadline, entry.seq))
                    .map(|(index, _)| index);
                let expected = earliest.map(|index| model.remove(index));
                assert_eq!(heap.peek(&slots), expected);
                assert_eq!(heap.pop(&mut slots), expected);
            } else {
                let entry = TimerEntry {
                    deadline: (pseudo_random(&mut state) % 10) as i64 - 5,
                    seq,
                    item: seq,
                };
                seq += 1;
                heap.push(&mut slots, entry).expect("room");
                model.push(entry);
            }
            assert_eq!(heap.len(), model.len());
        }
        assert!(heap.is_empty());
    }

    #[test]
    fn equal_deadlines_fire_first_in_first_out() {
        let mut slots = [TimerEntry {
            deadline: 0,
            seq: 0,
            item: 'x',
        }; 8];
        let mut heap = TimerHeap::new();
        for (seq, (deadline, item)) in [(20, 'c'), (10, 'a'), (20, 'd'), (10, 'b'), (5, 'z')]
            .into_iter()
            .enumerate()
        {
            let entry = TimerEntry {
                deadline,
                seq: seq as u64,
                item,
            };
            heap.push(&mut slots, entry).expect("room");
        }
        let order: Vec<char> = core::iter::from_fn(|| heap.pop(&mut slots))
            .map(|entry| entry.item)
            .collect();
        assert_eq!(order, ['z', 'a', 'b', 'c', 'd']);
    }

    #[test]
    fn a_full_heap_gives_the_entry_back() {
        let entry = TimerEntry {
            deadline: 1,
            seq: 0,
            item: (),
        };
        let mut slots = [entry; 1];
        let mut heap = TimerHeap::new();
        assert_eq!(heap.push(&mut slots, entry), Ok(()));
        assert_eq!(heap.push(&mut slots, entry), Err(entry));
        assert_eq!(heap.len(), 1);
    }
}
