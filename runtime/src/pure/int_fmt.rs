//! Integer to text: decimal, hexadecimal, octal and binary, plus the
//! reinterpretation of a value as the unsigned integer of its declared width
//! (F# prints `%x` of `-1` as `ffffffff` for `int32`, sixteen `f`s for `int64`).

use super::sink::Sink;

/// The bits of `value` as an unsigned integer `bits` wide (8, 16, 32 or 64;
/// anything else is treated as 64). The compiler passes signed values
/// sign-extended and unsigned values zero-extended; both become the same bit
/// pattern here.
pub fn to_unsigned_bits(value: i64, bits: u32) -> u64 {
    match bits {
        8 => value as u64 & 0xff,
        16 => value as u64 & 0xffff,
        32 => value as u64 & 0xffff_ffff,
        _ => value as u64,
    }
}

/// Writes `value` in `radix` (2..=16) without prefix or sign.
pub fn write_unsigned<S: Sink>(out: &mut S, value: u64, radix: u64, uppercase: bool) {
    let digits: &[u8; 16] = if uppercase {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    // 64 binary digits is the longest text.
    let mut buf = [0u8; 64];
    let mut pos = buf.len();
    let mut rest = value;
    loop {
        pos -= 1;
        buf[pos] = digits[(rest % radix) as usize];
        rest /= radix;
        if rest == 0 {
            break;
        }
    }
    out.push_bytes(&buf[pos..]);
}

/// Writes a signed decimal integer (`-` for negatives), as .NET `Int64.ToString()`.
pub fn write_signed_decimal<S: Sink>(out: &mut S, value: i64) {
    if value < 0 {
        out.push_byte(b'-');
    }
    write_unsigned(out, value.unsigned_abs(), 10, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimal_extremes() {
        assert_eq!(text(|o| write_signed_decimal(o, 0)), "0");
        assert_eq!(text(|o| write_signed_decimal(o, -42)), "-42");
        assert_eq!(
            text(|o| write_signed_decimal(o, i64::MIN)),
            "-9223372036854775808"
        );
        assert_eq!(
            text(|o| write_signed_decimal(o, i64::MAX)),
            "9223372036854775807"
        );
        assert_eq!(
            text(|o| write_unsigned(o, u64::MAX, 10, false)),
            "18446744073709551615"
        );
    }

    #[test]
    fn radixes() {
        assert_eq!(text(|o| write_unsigned(o, 255, 16, false)), "ff");
        assert_eq!(text(|o| write_unsigned(o, 255, 16, true)), "FF");
        assert_eq!(text(|o| write_unsigned(o, 8, 8, false)), "10");
        assert_eq!(text(|o| write_unsigned(o, 5, 2, false)), "101");
        assert_eq!(text(|o| write_unsigned(o, u64::MAX, 2, false)).len(), 64);
    }

    #[test]
    fn unsigned_bits_of_negative_values() {
        assert_eq!(to_unsigned_bits(-1, 8), 0xff);
        assert_eq!(to_unsigned_bits(-1, 16), 0xffff);
        assert_eq!(to_unsigned_bits(-1, 32), 0xffff_ffff);
        assert_eq!(to_unsigned_bits(-1, 64), u64::MAX);
        assert_eq!(to_unsigned_bits(-128, 8), 0x80);
    }
}
