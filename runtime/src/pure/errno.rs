//! The text of a Linux error number, in glibc's wording (`strerror`), for
//! `clef_rt_errno_message`: what the program shows for a failed file or socket
//! operation. The numbers are the generic Linux ones (asm-generic/errno-base.h
//! and errno.h), which x86_64 and aarch64 share. Only the common ones are here;
//! anything else is `Unknown error` (glibc adds the number, which would need
//! an allocation). The host test compares every entry with the host's glibc.

/// `(errno, message)`, by number.
const MESSAGES: &[(u32, &str)] = &[
    (0, "Success"),
    (1, "Operation not permitted"),
    (2, "No such file or directory"),
    (3, "No such process"),
    (4, "Interrupted system call"),
    (5, "Input/output error"),
    (6, "No such device or address"),
    (7, "Argument list too long"),
    (8, "Exec format error"),
    (9, "Bad file descriptor"),
    (10, "No child processes"),
    (11, "Resource temporarily unavailable"),
    (12, "Cannot allocate memory"),
    (13, "Permission denied"),
    (14, "Bad address"),
    (16, "Device or resource busy"),
    (17, "File exists"),
    (18, "Invalid cross-device link"),
    (19, "No such device"),
    (20, "Not a directory"),
    (21, "Is a directory"),
    (22, "Invalid argument"),
    (23, "Too many open files in system"),
    (24, "Too many open files"),
    (25, "Inappropriate ioctl for device"),
    (26, "Text file busy"),
    (27, "File too large"),
    (28, "No space left on device"),
    (29, "Illegal seek"),
    (30, "Read-only file system"),
    (31, "Too many links"),
    (32, "Broken pipe"),
    (33, "Numerical argument out of domain"),
    (34, "Numerical result out of range"),
    (35, "Resource deadlock avoided"),
    (36, "File name too long"),
    (38, "Function not implemented"),
    (39, "Directory not empty"),
    (40, "Too many levels of symbolic links"),
    (88, "Socket operation on non-socket"),
    (89, "Destination address required"),
    (90, "Message too long"),
    (91, "Protocol wrong type for socket"),
    (92, "Protocol not available"),
    (93, "Protocol not supported"),
    (95, "Operation not supported"),
    (97, "Address family not supported by protocol"),
    (98, "Address already in use"),
    (99, "Cannot assign requested address"),
    (100, "Network is down"),
    (101, "Network is unreachable"),
    (102, "Network dropped connection on reset"),
    (103, "Software caused connection abort"),
    (104, "Connection reset by peer"),
    (105, "No buffer space available"),
    (106, "Transport endpoint is already connected"),
    (107, "Transport endpoint is not connected"),
    (108, "Cannot send after transport endpoint shutdown"),
    (110, "Connection timed out"),
    (111, "Connection refused"),
    (112, "Host is down"),
    (113, "No route to host"),
    (114, "Operation already in progress"),
    (115, "Operation now in progress"),
    (125, "Operation canceled"),
];

/// What an unlisted number gives.
pub const UNKNOWN: &str = "Unknown error";

/// The message of `errno`, positive or negated (system calls answer `-errno`).
pub fn message(errno: i64) -> &'static str {
    let Ok(number) = u32::try_from(errno.unsigned_abs()) else {
        return UNKNOWN;
    };
    match MESSAGES.binary_search_by_key(&number, |&(listed, _)| listed) {
        Ok(index) => MESSAGES[index].1,
        Err(_) => UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::{message, MESSAGES, UNKNOWN};

    #[test]
    fn the_table_is_sorted_for_the_binary_search() {
        assert!(MESSAGES.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn negated_and_positive_numbers_give_the_same_text() {
        assert_eq!(message(111), "Connection refused");
        assert_eq!(message(-111), "Connection refused");
        assert_eq!(message(-2), "No such file or directory");
        assert_eq!(message(9999), UNKNOWN);
        assert_eq!(message(i64::MIN), UNKNOWN);
        assert_eq!(message(37), UNKNOWN);
    }

    /// Every entry is what the host's C library says (`std` formats an OS
    /// error with `strerror_r`, then ` (os error N)`). Linux numbers, so only on
    /// a Linux host with glibc.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn every_message_is_glibcs() {
        for &(number, text) in MESSAGES {
            let host = std::io::Error::from_raw_os_error(number as i32).to_string();
            let host = host
                .strip_suffix(&format!(" (os error {number})"))
                .unwrap_or(&host);
            assert_eq!(text, host, "errno {number}");
        }
    }
}
