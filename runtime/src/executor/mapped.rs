//! `MappedArray<T>`: a fixed number of `T` in an anonymous mapping of their
//! own, the storage of the executor's growable arrays (ready queue, timer heap,
//! descriptor table). They grow by mapping an array twice the size, copying
//! and returning the old mapping to the kernel (`release`). Pages the program
//! never reaches are never touched, so they cost no memory.

use core::ptr::NonNull;

use crate::{io, sys};

/// Types for which all-zero bytes are a valid value: what a fresh mapping
/// holds before anything is written.
///
/// # Safety
/// The all-zero bit pattern must be a valid value of the type.
pub unsafe trait Zeroable: Copy {}

// SAFETY: a null pointer is a valid raw pointer.
unsafe impl<T> Zeroable for *mut T {}

pub struct MappedArray<T: Zeroable> {
    ptr: NonNull<T>,
    capacity: usize,
}

impl<T: Zeroable> MappedArray<T> {
    /// No storage: capacity 0, nothing mapped.
    pub const fn empty() -> Self {
        MappedArray {
            ptr: NonNull::dangling(),
            capacity: 0,
        }
    }

    /// `capacity` zeroed values in a fresh mapping; running out of memory ends
    /// the program with a panic message.
    pub fn with_capacity(capacity: usize) -> Self {
        let Some(bytes) = capacity.checked_mul(core::mem::size_of::<T>()) else {
            io::fatal(b"out of memory")
        };
        if bytes == 0 {
            return MappedArray::empty();
        }
        let mapping = sys::map_anonymous(bytes).unwrap_or_else(|| io::fatal(b"out of memory"));
        MappedArray {
            ptr: NonNull::new(mapping as *mut T).unwrap_or_else(|| io::fatal(b"out of memory")),
            capacity,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn as_slice(&self) -> &[T] {
        // SAFETY: the mapping holds `capacity` values, each zeroed (valid by
        // `Zeroable`) or written since; page alignment suits any `T`.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.capacity) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as `as_slice`, and `&mut self` makes the access exclusive.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.capacity) }
    }

    /// Returns the mapping to the kernel.
    pub fn release(self) {
        if self.capacity > 0 {
            // SAFETY: the whole mapping made in `with_capacity`; `self` is
            // consumed, so nothing refers to it any more.
            unsafe {
                sys::unmap(
                    self.ptr.as_ptr() as *mut u8,
                    self.capacity * core::mem::size_of::<T>(),
                )
            };
        }
    }
}
