//! Waiting for file descriptors: one epoll instance (created on first use,
//! `EPOLL_CLOEXEC`) and a table indexed by descriptor, in an `mmap`'d array
//! that grows to the next power of two past the largest descriptor seen.
//!
//! Each descriptor is registered with `EPOLLONESHOT` for the union of what its
//! waiting tasks want (`EPOLLIN` for readers, `EPOLLOUT` for writers), with the
//! descriptor as the event's data. An event disarms the registration; the
//! tasks whose direction is ready (all of them on `EPOLLERR` or `EPOLLHUP`, so
//! that each retries its system call and sees the error or the end) are woken,
//! and the registration is armed again for the ones left. The table remembers
//! which descriptors the epoll instance knows, to `EPOLL_CTL_MOD` instead of
//! `EPOLL_CTL_ADD`; a descriptor closed and reused behind the executor's back
//! is handled by retrying with the other operation. `clef_rt_fd_close` tells
//! the poller first (`forget`): the registration is deleted (the kernel drops
//! it on close only when no other reference to the open file remains, so a
//! duplicated descriptor would keep reporting events for a number that now
//! means something else), the entry is reset and its waiters are woken, to
//! retry their system call and see `EBADF`.

use core::ptr::null_mut;

use super::mapped::{MappedArray, Zeroable};
use super::task::{
    pop_waiter, push_waiter, remove_waiter, take_waiters_oldest_first, Task, WaitTarget,
};
use crate::{io, sys};

/// Descriptors of the first table: 0..64.
const INITIAL_CAPACITY: usize = 64;
/// Events taken from the kernel per `epoll_pwait`.
const EVENTS_PER_WAIT: usize = 64;

#[derive(Clone, Copy)]
struct FdEntry {
    /// The tasks waiting for this descriptor, newest first.
    waiters: *mut Task,
    /// The events the registration is armed for (0 after it fired).
    armed: u32,
    /// The epoll instance knows the descriptor (`EPOLL_CTL_MOD`, not `ADD`).
    registered: bool,
}

// SAFETY: no waiters, nothing armed, not registered.
unsafe impl Zeroable for FdEntry {}

pub struct Poller {
    /// The epoll descriptor, or -1 before the first use.
    epoll: i32,
    entries: MappedArray<FdEntry>,
    /// Tasks in the descriptors' wait lists: while there are any, an event may
    /// still wake one.
    waiting: usize,
}

/// What a task waiting in the direction `write` needs.
fn direction_events(write: bool) -> u32 {
    if write {
        sys::EPOLLOUT
    } else {
        sys::EPOLLIN
    }
}

impl Poller {
    pub const fn new() -> Poller {
        Poller {
            epoll: -1,
            entries: MappedArray::empty(),
            waiting: 0,
        }
    }

    /// How many tasks wait for a descriptor.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    fn epoll(&mut self) -> i32 {
        if self.epoll < 0 {
            let created = sys::epoll_create();
            if created < 0 {
                io::fatal(b"async: cannot create an epoll instance")
            }
            self.epoll = created as i32;
        }
        self.epoll
    }

    /// The entry of `fd` (not negative), growing the table to hold it.
    fn entry(&mut self, fd: i32) -> &mut FdEntry {
        let index = fd as usize;
        if index >= self.entries.capacity() {
            let capacity = (index + 1).next_power_of_two().max(INITIAL_CAPACITY);
            let mut grown = MappedArray::with_capacity(capacity);
            let old = self.entries.as_slice();
            grown.as_mut_slice()[..old.len()].copy_from_slice(old);
            core::mem::replace(&mut self.entries, grown).release();
        }
        &mut self.entries.as_mut_slice()[index]
    }

    /// Arms `fd`'s registration for `events` (one shot); false if the kernel
    /// refuses (a regular file, which is always ready; a closed descriptor).
    fn arm(&mut self, fd: i32, events: u32) -> bool {
        let epoll = self.epoll();
        let first = if self.entry(fd).registered {
            sys::EpollOp::Modify
        } else {
            sys::EpollOp::Add
        };
        let ctl = |op| sys::epoll_ctl(epoll, op, fd, events | sys::EPOLLONESHOT, fd as u64);
        let mut result = ctl(first);
        if first == sys::EpollOp::Modify && result == -sys::ENOENT {
            // Closed and reused: the kernel dropped the old registration.
            result = ctl(sys::EpollOp::Add);
        } else if first == sys::EpollOp::Add && result == -sys::EEXIST {
            result = ctl(sys::EpollOp::Modify);
        }
        let entry = self.entry(fd);
        if result < 0 {
            entry.armed = 0;
            return false;
        }
        entry.registered = true;
        entry.armed = events;
        true
    }

    /// Puts `task` in `fd`'s wait list for reading or writing and arms the
    /// registration for it; false (and nothing changed) when the descriptor
    /// cannot be waited for: the task should then be woken at once, to retry
    /// its system call.
    ///
    /// # Safety
    /// `task` must be a live record in no wait list.
    pub unsafe fn wait(&mut self, task: *mut Task, fd: i32, write: bool) -> bool {
        if fd < 0 {
            return false;
        }
        let armed = self.entry(fd).armed;
        let wanted = armed | direction_events(write);
        if wanted != armed && !self.arm(fd, wanted) {
            return false;
        }
        // SAFETY: the caller's contract.
        unsafe {
            push_waiter(
                &mut self.entry(fd).waiters,
                task,
                WaitTarget::Fd { fd, write },
            )
        };
        self.waiting += 1;
        true
    }

    /// Takes `task` out of `fd`'s wait list (it stopped waiting before the
    /// descriptor was ready). Its direction may stay armed: that event then
    /// wakes nobody.
    ///
    /// # Safety
    /// `task` must be a live record.
    pub unsafe fn remove(&mut self, task: *mut Task, fd: i32) {
        if fd < 0 || fd as usize >= self.entries.capacity() {
            return;
        }
        // SAFETY: the wait lists hold live records.
        if unsafe { remove_waiter(&mut self.entry(fd).waiters, task) } {
            self.waiting -= 1;
        }
    }

    /// `fd` is about to be closed: deletes its registration, resets its entry
    /// and calls `wake` for each task waiting for it, oldest first.
    pub fn forget(&mut self, fd: i32, mut wake: impl FnMut(*mut Task)) {
        if fd < 0 || fd as usize >= self.entries.capacity() {
            return;
        }
        if self.entry(fd).registered {
            // Errors do not matter: the descriptor is going away.
            sys::epoll_ctl(self.epoll, sys::EpollOp::Delete, fd, 0, 0);
        }
        let entry = self.entry(fd);
        entry.armed = 0;
        entry.registered = false;
        // SAFETY: the wait lists hold live records.
        let mut waiters = unsafe { take_waiters_oldest_first(&mut entry.waiters) };
        // SAFETY: as above.
        while let Some((waiter, _)) = unsafe { pop_waiter(&mut waiters) } {
            self.waiting -= 1;
            wake(waiter);
        }
    }

    /// Waits for descriptor events at most `timeout_ms` milliseconds (-1:
    /// without limit, 0: only looks) and calls `wake` for each task whose
    /// descriptor is ready. An interrupted wait (`EINTR`) returns without
    /// events; the caller's loop waits again.
    pub fn poll(&mut self, timeout_ms: i32, mut wake: impl FnMut(*mut Task)) {
        let epoll = self.epoll();
        let mut events = [sys::EpollEvent::EMPTY; EVENTS_PER_WAIT];
        let count = sys::epoll_wait(epoll, &mut events, timeout_ms);
        if count < 0 {
            if count == -sys::EINTR {
                return;
            }
            io::fatal(b"async: epoll_pwait failed")
        }
        for event in &events[..count as usize] {
            let fd = event.user_data() as i32;
            if fd < 0 || fd as usize >= self.entries.capacity() {
                continue;
            }
            self.dispatch(fd, event.ready(), &mut wake);
        }
    }

    /// One event of `fd`: wakes the waiters whose direction is ready (all on
    /// an error or hang-up), oldest first, and arms the registration again for
    /// the others.
    fn dispatch(&mut self, fd: i32, ready: u32, wake: &mut impl FnMut(*mut Task)) {
        let failed = ready & (sys::EPOLLERR | sys::EPOLLHUP) != 0;
        let entry = self.entry(fd);
        entry.armed = 0;
        // SAFETY: the wait lists hold live records.
        let mut waiters = unsafe { take_waiters_oldest_first(&mut entry.waiters) };
        let mut still_wanted = 0;
        let mut kept: *mut Task = null_mut();
        // SAFETY: as above.
        while let Some((waiter, target)) = unsafe { pop_waiter(&mut waiters) } {
            let write = matches!(target, WaitTarget::Fd { write: true, .. });
            let wanted = direction_events(write);
            if failed || ready & wanted != 0 {
                self.waiting -= 1;
                wake(waiter);
            } else {
                still_wanted |= wanted;
                // SAFETY: the record is live and in no list now.
                unsafe { push_waiter(&mut kept, waiter, WaitTarget::Fd { fd, write }) };
            }
        }
        self.entry(fd).waiters = kept;
        if still_wanted != 0 && !self.arm(fd, still_wanted) {
            // Cannot wait any more: let them all retry.
            // SAFETY: the list holds live records.
            let mut waiters = unsafe { take_waiters_oldest_first(&mut self.entry(fd).waiters) };
            // SAFETY: as above.
            while let Some((waiter, _)) = unsafe { pop_waiter(&mut waiters) } {
                self.waiting -= 1;
                wake(waiter);
            }
        }
    }
}
