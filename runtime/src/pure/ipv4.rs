//! The host names `clef_rt_tcp_listen` and `clef_rt_tcp_connect` accept: IPv4
//! only, without name resolution (the runtime has no resolver).
//!
//! * a dotted quad, `a.b.c.d`, each part a decimal number of 0..=255 written
//!   without a leading zero (as `inet_pton` reads it: `010.0.0.1` is refused
//!   rather than guessed as octal, the old `inet_aton` reading);
//! * `localhost` (any case): 127.0.0.1;
//! * for listening only, the wildcards `""` and `*`: 0.0.0.0 (any address;
//!   `0.0.0.0` itself is a dotted quad and is accepted everywhere).

/// Where a name is used: a wildcard means something only for listening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Listen,
    Connect,
}

/// The address `host` names, in network order (the bytes as written), or
/// `None` when it is not one of the forms above.
pub fn parse_host(host: &[u8], purpose: Use) -> Option<[u8; 4]> {
    if host.eq_ignore_ascii_case(b"localhost") {
        return Some([127, 0, 0, 1]);
    }
    if host.is_empty() || host == b"*" {
        return match purpose {
            Use::Listen => Some([0, 0, 0, 0]),
            Use::Connect => None,
        };
    }
    let mut address = [0u8; 4];
    let mut parts = host.split(|&byte| byte == b'.');
    for slot in &mut address {
        *slot = parse_part(parts.next()?)?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(address)
}

/// One decimal part of 0..=255: one to three digits, no leading zero.
fn parse_part(digits: &[u8]) -> Option<u8> {
    if digits.is_empty() || digits.len() > 3 || (digits.len() > 1 && digits[0] == b'0') {
        return None;
    }
    let mut value: u32 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(digit - b'0');
    }
    u8::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::{parse_host, Use};

    #[test]
    fn dotted_quads_and_localhost_parse_for_both_uses() {
        for purpose in [Use::Listen, Use::Connect] {
            assert_eq!(parse_host(b"127.0.0.1", purpose), Some([127, 0, 0, 1]));
            assert_eq!(parse_host(b"0.0.0.0", purpose), Some([0, 0, 0, 0]));
            assert_eq!(
                parse_host(b"255.255.255.255", purpose),
                Some([255, 255, 255, 255])
            );
            assert_eq!(parse_host(b"10.20.30.40", purpose), Some([10, 20, 30, 40]));
            assert_eq!(parse_host(b"localhost", purpose), Some([127, 0, 0, 1]));
            assert_eq!(parse_host(b"LocalHost", purpose), Some([127, 0, 0, 1]));
        }
    }

    #[test]
    fn wildcards_are_for_listening_only() {
        assert_eq!(parse_host(b"", Use::Listen), Some([0, 0, 0, 0]));
        assert_eq!(parse_host(b"*", Use::Listen), Some([0, 0, 0, 0]));
        assert_eq!(parse_host(b"", Use::Connect), None);
        assert_eq!(parse_host(b"*", Use::Connect), None);
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            &b"256.0.0.1"[..],
            b"1.2.3",
            b"1.2.3.4.5",
            b"1.2.3.",
            b".1.2.3",
            b"1..2.3",
            b"01.2.3.4",
            b"1.2.3.0004",
            b"1.2.3.-4",
            b"1.2.3.+4",
            b" 1.2.3.4",
            b"1.2.3.4 ",
            b"example.com",
            b"::1",
            b"localhost.",
            b"0x7f.0.0.1",
        ] {
            assert_eq!(
                parse_host(bad, Use::Listen),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
