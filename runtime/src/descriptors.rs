//! Files and sockets by descriptor: what `clef_rt_tcp_*`, `clef_rt_fd_*`,
//! `clef_rt_file_open` and `clef_rt_set_nonblocking` do. Everything answers a
//! value (a descriptor, a count, 0) or a negated errno, never a panic: the
//! compiled code turns errors into results, and waits for readiness itself
//! with `clef_rt_async_wait_fd` when a call answers `-EAGAIN`.
//!
//! Sockets are IPv4 TCP, made non-blocking and close-on-exec, without name
//! resolution (`pure/ipv4.rs` reads the host). Files are opened blocking (a
//! regular file never blocks; epoll refuses them, and the executor then wakes a
//! waiter at once). SIGPIPE is ignored from the start (`start.rs`), so a write
//! to a closed socket or pipe answers `-EPIPE` instead of killing the process.
//!
//! Descriptors 0, 1 and 2 share the process's standard streams with `io.rs`:
//! stdout is flushed before a read, write or close of any of them, so output
//! keeps program order. Bytes `io.rs` has already buffered from stdin
//! (`ReadLine`) are not seen by a later `fd_read` of descriptor 0.

use crate::pure::ipv4::{self, Use};
use crate::{executor, io, sys};

/// The longest path `file_open` takes, in bytes (Linux's `PATH_MAX` less its
/// terminator).
const PATH_MAX_BYTES: usize = 4095;

/// A descriptor argument (`I64` in the ABI) as the kernel's `int`; `None` when
/// it cannot be one.
fn descriptor(fd: i64) -> Option<i32> {
    i32::try_from(fd).ok().filter(|&fd| fd >= 0)
}

/// Flushes stdout before `fd` is used, if it is one of the standard streams.
fn order_with_standard_streams(fd: i32) {
    if fd <= 2 {
        io::flush_stdout();
    }
}

/// The port of a socket call: 0..=65535.
fn port(port: i32) -> Option<u16> {
    u16::try_from(port).ok()
}

/// A new non-blocking TCP socket and the address `(host, port)` names for `use`,
/// or the negated errno to answer.
fn socket_for(
    host: &[u8],
    port_number: i32,
    use_: Use,
) -> Result<(i32, sys::SocketAddressV4), i64> {
    let (Some(address), Some(port)) = (ipv4::parse_host(host, use_), port(port_number)) else {
        return Err(-(sys::EINVAL as i64));
    };
    let socket = sys::tcp_socket();
    if socket < 0 {
        return Err(socket as i64);
    }
    Ok((socket as i32, sys::SocketAddressV4::new(address, port)))
}

/// `clef_rt_tcp_listen`.
pub fn tcp_listen(host: &[u8], port_number: i32, backlog: i32) -> i64 {
    let (socket, address) = match socket_for(host, port_number, Use::Listen) {
        Ok(made) => made,
        Err(failed) => return failed,
    };
    let mut result = sys::set_reuse_address(socket);
    if result == 0 {
        result = sys::bind(socket, &address);
    }
    if result == 0 {
        result = sys::listen(socket, backlog);
    }
    if result < 0 {
        sys::close(socket);
        return result as i64;
    }
    i64::from(socket)
}

/// `clef_rt_tcp_accept`.
pub fn tcp_accept(fd: i64) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    loop {
        let accepted = sys::accept(fd);
        if accepted != -sys::EINTR {
            return accepted as i64;
        }
    }
}

/// `clef_rt_tcp_connect`: the socket once the connection is under way (or
/// made); the compiled code waits until it is writable and asks
/// `socket_error`.
pub fn tcp_connect(host: &[u8], port_number: i32) -> i64 {
    let (socket, address) = match socket_for(host, port_number, Use::Connect) {
        Ok(made) => made,
        Err(failed) => return failed,
    };
    let result = sys::connect(socket, &address);
    // An interrupted non-blocking connect goes on in the background, as one
    // under way does (POSIX `connect`, EINTR).
    if result == 0 || result == -sys::EINPROGRESS || result == -sys::EINTR {
        return i64::from(socket);
    }
    sys::close(socket);
    result as i64
}

/// `clef_rt_socket_error`: the pending error, negated (0 when none).
pub fn socket_error(fd: i64) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    match sys::socket_error(fd) {
        Ok(error) => -i64::from(error),
        Err(failed) => failed as i64,
    }
}

/// `clef_rt_tcp_local_port`: the port a socket is bound to, or a negated errno.
pub fn local_port(fd: i64) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    match sys::local_port(fd) {
        Ok(port) => i64::from(port),
        Err(failed) => failed as i64,
    }
}

/// `clef_rt_fd_read`.
pub fn read(fd: i64, buffer: &mut [u8]) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    order_with_standard_streams(fd);
    loop {
        let got = sys::read(fd, buffer);
        if got != -sys::EINTR {
            return got as i64;
        }
    }
}

/// `clef_rt_fd_write`: one `write`, which may take only part of the bytes.
pub fn write(fd: i64, bytes: &[u8]) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    order_with_standard_streams(fd);
    loop {
        let written = sys::write(fd, bytes);
        if written != -sys::EINTR {
            return written as i64;
        }
    }
}

/// `clef_rt_fd_close`: the executor forgets the descriptor first (its epoll
/// registration, its waiters, who are woken).
pub fn close(fd: i64) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    order_with_standard_streams(fd);
    executor::forget_fd(fd);
    sys::close(fd) as i64
}

/// `clef_rt_file_open`: mode 0 reads, 1 writes (created, truncated), 2 appends
/// (created); permission 0644 before the umask. A path with a NUL byte is
/// `-EINVAL` (the kernel would read a shorter one).
pub fn open_file(path: &[u8], mode: i32) -> i64 {
    let flags = match mode {
        0 => sys::O_RDONLY,
        1 => sys::O_WRONLY | sys::O_CREAT | sys::O_TRUNC,
        2 => sys::O_WRONLY | sys::O_CREAT | sys::O_APPEND,
        _ => return -(sys::EINVAL as i64),
    };
    if path.len() > PATH_MAX_BYTES {
        return -(sys::ENAMETOOLONG as i64);
    }
    if path.contains(&0) {
        return -(sys::EINVAL as i64);
    }
    let mut terminated = [0u8; PATH_MAX_BYTES + 1];
    terminated[..path.len()].copy_from_slice(path);
    sys::open(&terminated[..=path.len()], flags | sys::O_CLOEXEC, 0o644) as i64
}

/// `clef_rt_set_nonblocking`.
pub fn set_nonblocking(fd: i64) -> i64 {
    let Some(fd) = descriptor(fd) else {
        return -(sys::EBADF as i64);
    };
    sys::set_nonblocking(fd) as i64
}
