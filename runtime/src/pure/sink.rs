//! Byte sinks: the destination of every formatting routine.

/// Something that accepts formatted bytes. Implementations never fail: the
/// runtime's growable buffers grow, and [`StackBuf`] is only used where its
/// capacity is known to suffice.
pub trait Sink {
    fn push_bytes(&mut self, bytes: &[u8]);

    fn push_byte(&mut self, byte: u8) {
        self.push_bytes(&[byte]);
    }

    fn push_repeated(&mut self, byte: u8, count: usize) {
        let chunk = [byte; 32];
        let mut left = count;
        while left > 0 {
            let n = if left < chunk.len() {
                left
            } else {
                chunk.len()
            };
            self.push_bytes(&chunk[..n]);
            left -= n;
        }
    }
}

/// A fixed-capacity buffer for the text of one number. The capacity is chosen
/// by the caller to hold the longest possible text (a `%.99f` of
/// `1.7976931348623157E+308` is 410 bytes); pushing past it is a bug in this
/// runtime, and the excess is dropped and recorded in `overflowed` rather than
/// corrupting memory.
pub struct StackBuf<const N: usize> {
    bytes: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> StackBuf<N> {
    pub const fn new() -> Self {
        StackBuf {
            bytes: [0; N],
            len: 0,
            overflowed: false,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed
    }
}

impl<const N: usize> Default for StackBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Sink for StackBuf<N> {
    fn push_bytes(&mut self, bytes: &[u8]) {
        let room = N - self.len;
        let n = if bytes.len() <= room {
            bytes.len()
        } else {
            self.overflowed = true;
            room
        };
        self.bytes[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }
}

impl<const N: usize> core::fmt::Write for StackBuf<N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.push_bytes(s.as_bytes());
        if self.overflowed {
            Err(core::fmt::Error)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
impl Sink for Vec<u8> {
    fn push_bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_buf_collects_and_reports_overflow() {
        let mut buf = StackBuf::<4>::new();
        buf.push_bytes(b"ab");
        buf.push_repeated(b'x', 1);
        assert_eq!(buf.as_bytes(), b"abx");
        assert!(!buf.overflowed());
        buf.push_bytes(b"yz");
        assert_eq!(buf.as_bytes(), b"abxy");
        assert!(buf.overflowed());
    }

    #[test]
    fn push_repeated_handles_long_runs() {
        let mut out = Vec::new();
        out.push_repeated(b'0', 100);
        assert_eq!(out.len(), 100);
        assert!(out.iter().all(|&b| b == b'0'));
    }
}
