//! `memcpy memmove memset memcmp bcmp`: LLVM emits calls to these for copies,
//! fills and comparisons, and there is no libc to provide them.
//!
//! A hand-written byte loop here could be recognised by LLVM's loop-idiom pass
//! and turned back into a call to `memcpy` itself (infinite recursion), so the
//! copies and fills are the architecture's (`arch/`: `rep movsb` / `rep stosb`
//! on x86_64, inline-assembly loops on aarch64), and the comparison reads whole
//! words; `tests` check them on the host, and the link tests check them and the
//! exported symbols from real executables (on aarch64 under qemu).

pub use crate::arch::{copy_backward, copy_forward, fill};

/// Lexicographic comparison of two byte ranges: negative, zero or positive.
///
/// # Safety
/// Both pointers must be valid for reads of `count` bytes.
#[inline(always)]
pub unsafe fn compare(a: *const u8, b: *const u8, count: usize) -> i32 {
    let mut index = 0;
    while index + 8 <= count {
        // SAFETY: `index + 8 <= count`; unaligned reads are allowed.
        let (x, y) = unsafe {
            (
                core::ptr::read_unaligned(a.add(index) as *const u64),
                core::ptr::read_unaligned(b.add(index) as *const u64),
            )
        };
        if x != y {
            // Memory order is little-endian: swap so the first byte is the
            // most significant one.
            return if x.swap_bytes() < y.swap_bytes() {
                -1
            } else {
                1
            };
        }
        index += 8;
    }
    while index < count {
        // SAFETY: `index < count`; volatile keeps this loop a loop.
        let (x, y) = unsafe {
            (
                core::ptr::read_volatile(a.add(index)),
                core::ptr::read_volatile(b.add(index)),
            )
        };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        index += 1;
    }
    0
}

#[cfg(not(test))]
mod exported {
    use super::*;

    /// # Safety
    /// C `memcpy` contract.
    #[no_mangle]
    pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, count: usize) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { copy_forward(dst, src, count) };
        dst
    }

    /// # Safety
    /// C `memmove` contract.
    #[no_mangle]
    pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, count: usize) -> *mut u8 {
        // A forward copy is safe unless dst starts inside the source range.
        let dst_inside_src = (dst as usize).wrapping_sub(src as usize) < count;
        // SAFETY: the caller's contract; the direction avoids overwriting
        // source bytes before they are read.
        unsafe {
            if dst_inside_src {
                copy_backward(dst, src, count);
            } else {
                copy_forward(dst, src, count);
            }
        }
        dst
    }

    /// # Safety
    /// C `memset` contract.
    #[no_mangle]
    pub unsafe extern "C" fn memset(dst: *mut u8, byte: i32, count: usize) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { fill(dst, byte as u8, count) };
        dst
    }

    /// # Safety
    /// C `memcmp` contract.
    #[no_mangle]
    pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, count: usize) -> i32 {
        // SAFETY: the caller's contract.
        unsafe { compare(a, b, count) }
    }

    /// # Safety
    /// C `bcmp` contract (zero iff equal).
    #[no_mangle]
    pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, count: usize) -> i32 {
        // SAFETY: the caller's contract.
        unsafe { compare(a, b, count) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_fills() {
        let src: Vec<u8> = (0..100u8).collect();
        for len in [0usize, 1, 7, 8, 9, 64, 100] {
            let mut dst = vec![0xAAu8; 100];
            unsafe { copy_forward(dst.as_mut_ptr(), src.as_ptr(), len) };
            assert_eq!(&dst[..len], &src[..len]);
            assert!(dst[len..].iter().all(|&b| b == 0xAA));
            let mut filled = vec![0u8; 100];
            unsafe { fill(filled.as_mut_ptr(), 0x5C, len) };
            assert!(filled[..len].iter().all(|&b| b == 0x5C));
            assert!(filled[len..].iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn overlapping_moves() {
        let mut buf: Vec<u8> = (0..32u8).collect();
        // Move up by 5 (backwards copy needed).
        unsafe { copy_backward(buf.as_mut_ptr().add(5), buf.as_ptr(), 20) };
        assert_eq!(&buf[5..25], &(0..20u8).collect::<Vec<_>>()[..]);
        let mut buf: Vec<u8> = (0..32u8).collect();
        // Move down by 5 (forward copy is right).
        unsafe { copy_forward(buf.as_mut_ptr(), buf.as_ptr().add(5), 20) };
        assert_eq!(&buf[..20], &(5..25u8).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn comparisons() {
        let cmp = |a: &[u8], b: &[u8]| {
            unsafe { compare(a.as_ptr(), b.as_ptr(), a.len().min(b.len())) }.signum()
        };
        assert_eq!(cmp(b"", b""), 0);
        assert_eq!(cmp(b"abcdefghijk", b"abcdefghijk"), 0);
        assert_eq!(cmp(b"abcdefghijk", b"abcdefghijz"), -1);
        assert_eq!(cmp(b"abcdefgz", b"abcdefga"), 1);
        assert_eq!(
            cmp(
                b"\x01\x00\x00\x00\x00\x00\x00\x00",
                b"\x00\xff\x00\x00\x00\x00\x00\x00"
            ),
            1
        );
        assert_eq!(cmp(b"a\x80", b"a\x7f"), 1);
    }
}
