//! The index arithmetic of a first-in first-out ring buffer over storage the
//! caller owns and passes in (the executor's ready queue keeps it in `mmap`'d
//! memory and grows it by copying into a mapping twice the size, see
//! `executor/ready.rs`). A full ring refuses a value instead of growing: this
//! module does not allocate.

/// Where the oldest value is and how many there are; the capacity is the
/// length of the slots passed to each call, the same slots every time (or,
/// after [`Ring::move_to`], the new ones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ring {
    head: usize,
    len: usize,
}

impl Ring {
    pub const fn new() -> Ring {
        Ring { head: 0, len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `value` after the newest one, or gives it back when every slot
    /// is taken.
    pub fn push_back<T: Copy>(&mut self, slots: &mut [T], value: T) -> Result<(), T> {
        let capacity = slots.len();
        if self.len == capacity {
            return Err(value);
        }
        let mut index = self.head + self.len;
        if index >= capacity {
            index -= capacity;
        }
        slots[index] = value;
        self.len += 1;
        Ok(())
    }

    /// Removes and answers the oldest value.
    pub fn pop_front<T: Copy>(&mut self, slots: &[T]) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let value = slots[self.head];
        self.head += 1;
        if self.head == slots.len() {
            self.head = 0;
        }
        self.len -= 1;
        Some(value)
    }

    /// Copies the values, oldest first, to the start of `into`, which becomes
    /// the ring's storage (it must hold at least [`Ring::len`] values).
    pub fn move_to<T: Copy>(&mut self, slots: &[T], into: &mut [T]) {
        let first = (slots.len() - self.head).min(self.len);
        into[..first].copy_from_slice(&slots[self.head..self.head + first]);
        into[first..self.len].copy_from_slice(&slots[..self.len - first]);
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;

    #[test]
    fn values_come_out_in_the_order_they_went_in_across_the_wrap() {
        let mut slots = [0u32; 4];
        let mut ring = Ring::new();
        let mut next_in = 0;
        let mut next_out = 0;
        // Three in, two out, repeatedly: the head walks around the slots.
        for _ in 0..10 {
            for _ in 0..3 {
                if ring.push_back(&mut slots, next_in).is_ok() {
                    next_in += 1;
                }
            }
            for _ in 0..2 {
                assert_eq!(ring.pop_front(&slots), Some(next_out));
                next_out += 1;
            }
        }
        while let Some(value) = ring.pop_front(&slots) {
            assert_eq!(value, next_out);
            next_out += 1;
        }
        assert_eq!(next_out, next_in);
        assert!(ring.is_empty());
    }

    #[test]
    fn a_full_ring_gives_the_value_back() {
        let mut slots = [0u8; 2];
        let mut ring = Ring::new();
        assert_eq!(ring.push_back(&mut slots, 1), Ok(()));
        assert_eq!(ring.push_back(&mut slots, 2), Ok(()));
        assert_eq!(ring.push_back(&mut slots, 3), Err(3));
        assert_eq!(ring.len(), 2);
        let mut empty: [u8; 0] = [];
        assert_eq!(Ring::new().push_back(&mut empty, 7), Err(7));
        assert_eq!(Ring::new().pop_front(&empty), None);
    }

    #[test]
    fn moving_to_larger_slots_keeps_the_order() {
        for head_start in 0..5 {
            let mut slots = [0u32; 5];
            let mut ring = Ring::new();
            // Advance the head, then fill completely so the values wrap.
            for value in 0..head_start {
                ring.push_back(&mut slots, value).expect("room");
                ring.pop_front(&slots);
            }
            for value in 100..105 {
                ring.push_back(&mut slots, value).expect("room");
            }
            let mut larger = [0u32; 10];
            ring.move_to(&slots, &mut larger);
            assert_eq!(&larger[..5], &[100, 101, 102, 103, 104]);
            ring.push_back(&mut larger, 105)
                .expect("room after growing");
            let drained: Vec<u32> = core::iter::from_fn(|| ring.pop_front(&larger)).collect();
            assert_eq!(drained, [100, 101, 102, 103, 104, 105]);
        }
    }
}
