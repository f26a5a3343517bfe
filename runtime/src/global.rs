//! `Global<T>`: a mutable global for the single-threaded runtime.

use core::cell::UnsafeCell;

/// `repr(transparent)`: an exported `Global` has the layout of its value.
#[repr(transparent)]
pub struct Global<T>(UnsafeCell<T>);

// SAFETY: the runtime runs on one thread (see the invariant in lib.rs), so no
// two threads ever touch a `Global`.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    pub const fn new(value: T) -> Self {
        Global(UnsafeCell::new(value))
    }

    /// The value's address, for other statics and for code that keeps no
    /// reference.
    pub const fn as_ptr(&self) -> *mut T {
        self.0.get()
    }

    /// # Safety
    /// The caller must not hold another reference obtained from this global
    /// while the returned one is alive (no re-entrancy into the same global).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get(&self) -> &mut T {
        // SAFETY: exclusivity is the caller's obligation (see above).
        unsafe { &mut *self.0.get() }
    }
}
