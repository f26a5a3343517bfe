//! Text to numbers: F# `int "42"`, `uint64 "0xFF"`, `float "3.5"`.
//!
//! Integers follow FSharp.Core `ParseInt32`/`ParseInt64`/`ParseUInt32`/...
//! (prim-types.fs): trim white space (`String.Trim`, Unicode `White_Space`),
//! then for signed types an optional `+`/`-`, then either a `0x`/`0o`/`0b`
//! prefix (either case) followed by digits of that radix, read as the unsigned
//! integer of the type's width and reinterpreted (`int "0xFFFFFFFF"` is `-1`,
//! the sign then multiplies with wrap-around), or decimal digits parsed as .NET
//! `Int32.Parse(s, NumberStyles.AllowLeadingSign)` does (unsigned types accept
//! a sign there too: `uint32 "-0"` is 0, `uint32 "-1"` overflows).
//!
//! Floats follow .NET `Double.Parse(s, NumberStyles.Float, InvariantCulture)`
//! (Core 3.0+): ASCII white space around, an optional sign, digits with an
//! optional `.` and fraction, an optional exponent; or, case-insensitively,
//! `NaN`, `Infinity`, `-Infinity`, `+Infinity`, `+NaN`, `-NaN`. Out-of-range
//! values become infinities or zeros (no overflow error since Core 3.0). The
//! digits are converted by `core`'s correctly rounded `str::parse::<f64>`.

/// Why a parse failed; [`ParseError::message`] gives .NET's exception message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `FormatException`.
    Format,
    /// `OverflowException` for the integer type of this width and signedness.
    Overflow { bits: u32, is_signed: bool },
}

impl ParseError {
    pub fn message(self) -> &'static str {
        match self {
            ParseError::Format => "Input string was not in a correct format.",
            ParseError::Overflow { bits, is_signed } => match (bits, is_signed) {
                (8, true) => "Value was either too large or too small for a signed byte.",
                (8, false) => "Value was either too large or too small for an unsigned byte.",
                (16, true) => "Value was either too large or too small for an Int16.",
                (16, false) => "Value was either too large or too small for a UInt16.",
                (32, true) => "Value was either too large or too small for an Int32.",
                (32, false) => "Value was either too large or too small for a UInt32.",
                (_, true) => "Value was either too large or too small for an Int64.",
                (_, false) => "Value was either too large or too small for a UInt64.",
            },
        }
    }
}

fn normalized_bits(bits: u32) -> u32 {
    match bits {
        8 | 16 | 32 => bits,
        _ => 64,
    }
}

/// Drops the underscores at the start of `text`: FSharp.Core removes every `_`
/// before parsing (`removeUnderscores (s.Trim())`), so `int "1_000"` is 1000.
fn skip_underscores(text: &[u8]) -> &[u8] {
    let count = text.iter().take_while(|&&b| b == b'_').count();
    &text[count..]
}

/// Whether `digits` holds at least one digit of `radix` and otherwise only
/// such digits and underscores.
fn is_digit_run(digits: &[u8], radix: u32) -> bool {
    digits.iter().any(|&b| (b as char).is_digit(radix))
        && digits
            .iter()
            .all(|&b| b == b'_' || (b as char).is_digit(radix))
}

/// Reads `digits` (valid for [`is_digit_run`]) as an unsigned number, skipping underscores,
/// `None` on overflow of `u64`.
fn accumulate(digits: &[u8], radix: u64) -> Option<u64> {
    let mut value: u64 = 0;
    for &b in digits.iter().filter(|&&b| b != b'_') {
        let digit = u64::from((b as char).to_digit(radix as u32)?);
        value = value.checked_mul(radix)?.checked_add(digit)?;
    }
    Some(value)
}

/// Parses an integer of `bits` width (8, 16, 32, 64); the result is
/// sign-extended for signed types and zero-extended (or, for 64 bits,
/// reinterpreted) for unsigned ones.
pub fn parse_int(text: &[u8], bits: u32, is_signed: bool) -> Result<i64, ParseError> {
    let bits = normalized_bits(bits);
    let overflow = ParseError::Overflow { bits, is_signed };
    let text = skip_underscores(
        core::str::from_utf8(text)
            .map_err(|_| ParseError::Format)?
            .trim()
            .as_bytes(),
    );

    let mut after_sign = text;
    let mut negative = false;
    if is_signed {
        match text.first() {
            Some(b'-') => {
                negative = true;
                after_sign = skip_underscores(&text[1..]);
            }
            Some(b'+') => after_sign = skip_underscores(&text[1..]),
            _ => {}
        }
    }
    let unsigned_max: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };

    let after_zero = match after_sign.first() {
        Some(b'0') => skip_underscores(&after_sign[1..]),
        _ => &[],
    };
    let radix = match after_zero.first() {
        Some(b'x' | b'X') => 16,
        Some(b'o' | b'O') => 8,
        Some(b'b' | b'B') => 2,
        _ => 10,
    };
    if radix != 10 {
        let digits = &after_zero[1..];
        if !is_digit_run(digits, radix) {
            return Err(ParseError::Format);
        }
        let magnitude = accumulate(digits, u64::from(radix)).ok_or(overflow)?;
        if magnitude > unsigned_max {
            return Err(overflow);
        }
        if !is_signed {
            return Ok(magnitude as i64);
        }
        // Reinterpret the bits as the signed type, then apply the sign (F#'s
        // unchecked `*`).
        let shift = 64 - bits;
        let reinterpreted = ((magnitude << shift) as i64) >> shift;
        let signed = if negative {
            reinterpreted.wrapping_neg()
        } else {
            reinterpreted
        };
        let wrapped = (signed << shift) >> shift;
        return Ok(wrapped);
    }

    // Decimal: .NET `Parse(s, NumberStyles.AllowLeadingSign)`.
    let mut digits = text;
    let mut negative = false;
    match text.first() {
        Some(b'-') => {
            negative = true;
            digits = &text[1..];
        }
        Some(b'+') => digits = &text[1..],
        _ => {}
    }
    if !is_digit_run(digits, 10) {
        return Err(ParseError::Format);
    }
    let magnitude = accumulate(digits, 10).ok_or(overflow)?;
    if is_signed {
        let limit_positive = (unsigned_max >> 1) as u128;
        let magnitude = u128::from(magnitude);
        if negative {
            if magnitude > limit_positive + 1 {
                return Err(overflow);
            }
            Ok((-(magnitude as i128)) as i64)
        } else {
            if magnitude > limit_positive {
                return Err(overflow);
            }
            Ok(magnitude as i64)
        }
    } else if negative {
        if magnitude == 0 {
            Ok(0)
        } else {
            Err(overflow)
        }
    } else if magnitude > unsigned_max {
        Err(overflow)
    } else {
        Ok(magnitude as i64)
    }
}

/// .NET `IsWhite`: the white space `NumberStyles.AllowLeading/TrailingWhite` skip.
fn is_number_white(b: u8) -> bool {
    b == b' ' || (0x09..=0x0D).contains(&b)
}

/// `[sign] (digits [. digits*] | . digits) [(e|E) [sign] digits]`
fn is_float_syntax(text: &[u8]) -> bool {
    let mut pos = 0;
    if matches!(text.first(), Some(b'+' | b'-')) {
        pos = 1;
    }
    let integral_start = pos;
    while pos < text.len() && text[pos].is_ascii_digit() {
        pos += 1;
    }
    let mut digit_count = pos - integral_start;
    if pos < text.len() && text[pos] == b'.' {
        pos += 1;
        let fraction_start = pos;
        while pos < text.len() && text[pos].is_ascii_digit() {
            pos += 1;
        }
        digit_count += pos - fraction_start;
    }
    if digit_count == 0 {
        return false;
    }
    if pos < text.len() && (text[pos] == b'e' || text[pos] == b'E') {
        pos += 1;
        if matches!(text.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        let exponent_start = pos;
        while pos < text.len() && text[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos == exponent_start {
            return false;
        }
    }
    pos == text.len()
}

/// Parses a float as F# `float "..."` does.
pub fn parse_float(text: &[u8]) -> Result<f64, ParseError> {
    let mut start = 0;
    let mut end = text.len();
    while start < end && is_number_white(text[start]) {
        start += 1;
    }
    while end > start && is_number_white(text[end - 1]) {
        end -= 1;
    }
    let number = &text[start..end];
    if is_float_syntax(number) {
        let number = core::str::from_utf8(number).map_err(|_| ParseError::Format)?;
        return number.parse::<f64>().map_err(|_| ParseError::Format);
    }
    // The special symbols, compared after `String.Trim` (Unicode white space).
    let symbol = core::str::from_utf8(text)
        .map_err(|_| ParseError::Format)?
        .trim()
        .as_bytes();
    let (sign, body) = match symbol.first() {
        Some(b'+') => (1, &symbol[1..]),
        Some(b'-') => (-1, &symbol[1..]),
        _ => (0, symbol),
    };
    if body.eq_ignore_ascii_case(b"Infinity") {
        Ok(if sign < 0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        })
    } else if body.eq_ignore_ascii_case(b"NaN") {
        Ok(f64::NAN)
    } else {
        Err(ParseError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int32(text: &str) -> Result<i64, ParseError> {
        parse_int(text.as_bytes(), 32, true)
    }

    #[test]
    fn underscores_are_removed_as_fsharp_core_does() {
        assert_eq!(int32("1_000"), Ok(1000));
        assert_eq!(int32(" _1__0_ "), Ok(10));
        assert_eq!(int32("-_5"), Ok(-5));
        assert_eq!(int32("0x_FF"), Ok(255));
        assert_eq!(int32("0_x10"), Ok(16));
        assert_eq!(int32("_"), Err(ParseError::Format));
        assert_eq!(int32("-_"), Err(ParseError::Format));
        assert_eq!(int32("0x_"), Err(ParseError::Format));
        assert_eq!(parse_int(b"2_55", 8, false), Ok(255));
    }

    #[test]
    fn decimal_int32() {
        assert_eq!(int32("42"), Ok(42));
        assert_eq!(int32("  42  "), Ok(42));
        assert_eq!(int32("\t-42\n"), Ok(-42));
        assert_eq!(int32("+7"), Ok(7));
        assert_eq!(int32("007"), Ok(7));
        assert_eq!(int32("-0"), Ok(0));
        assert_eq!(int32("2147483647"), Ok(2147483647));
        assert_eq!(int32("-2147483648"), Ok(-2147483648));
        assert_eq!(
            int32("2147483648"),
            Err(ParseError::Overflow {
                bits: 32,
                is_signed: true
            })
        );
        assert_eq!(
            int32("-2147483649"),
            Err(ParseError::Overflow {
                bits: 32,
                is_signed: true
            })
        );
        assert_eq!(
            int32("99999999999999999999999"),
            Err(ParseError::Overflow {
                bits: 32,
                is_signed: true
            })
        );
        for bad in [
            "", "   ", "-", "+", "4 2", "42x", "x42", "1.0", "--1", "+-1", "0x", "٤٢",
        ] {
            assert_eq!(int32(bad), Err(ParseError::Format), "{bad:?}");
        }
    }

    #[test]
    fn prefixed_integers() {
        assert_eq!(int32("0x1F"), Ok(31));
        assert_eq!(int32("0X1f"), Ok(31));
        assert_eq!(int32("0o17"), Ok(15));
        assert_eq!(int32("0b101"), Ok(5));
        assert_eq!(int32("-0x10"), Ok(-16));
        assert_eq!(int32("0xFFFFFFFF"), Ok(-1));
        assert_eq!(int32("0x80000000"), Ok(i64::from(i32::MIN)));
        assert_eq!(int32("-0x80000000"), Ok(i64::from(i32::MIN)));
        assert_eq!(
            int32("0x100000000"),
            Err(ParseError::Overflow {
                bits: 32,
                is_signed: true
            })
        );
        assert_eq!(int32("0x1G"), Err(ParseError::Format));
        assert_eq!(int32("0b102"), Err(ParseError::Format));
        assert_eq!(parse_int(b"0xFFFFFFFFFFFFFFFF", 64, true), Ok(-1));
        assert_eq!(parse_int(b"0xFFFFFFFFFFFFFFFF", 64, false), Ok(-1));
        assert_eq!(parse_int(b"0xFF", 8, true), Ok(-1));
        assert_eq!(parse_int(b"0xFF", 8, false), Ok(255));
        assert_eq!(
            parse_int(b"0x100", 8, false),
            Err(ParseError::Overflow {
                bits: 8,
                is_signed: false
            })
        );
    }

    #[test]
    fn other_widths() {
        assert_eq!(parse_int(b"127", 8, true), Ok(127));
        assert_eq!(parse_int(b"-128", 8, true), Ok(-128));
        assert_eq!(
            parse_int(b"128", 8, true),
            Err(ParseError::Overflow {
                bits: 8,
                is_signed: true
            })
        );
        assert_eq!(parse_int(b"255", 8, false), Ok(255));
        assert_eq!(
            parse_int(b"256", 8, false),
            Err(ParseError::Overflow {
                bits: 8,
                is_signed: false
            })
        );
        assert_eq!(parse_int(b"-32768", 16, true), Ok(-32768));
        assert_eq!(parse_int(b"65535", 16, false), Ok(65535));
        assert_eq!(parse_int(b"4294967295", 32, false), Ok(4294967295));
        assert_eq!(parse_int(b"-9223372036854775808", 64, true), Ok(i64::MIN));
        assert_eq!(
            parse_int(b"9223372036854775808", 64, true),
            Err(ParseError::Overflow {
                bits: 64,
                is_signed: true
            })
        );
        assert_eq!(parse_int(b"18446744073709551615", 64, false), Ok(-1));
        assert_eq!(
            parse_int(b"18446744073709551616", 64, false),
            Err(ParseError::Overflow {
                bits: 64,
                is_signed: false
            })
        );
        assert_eq!(parse_int(b"-0", 32, false), Ok(0));
        assert_eq!(
            parse_int(b"-1", 32, false),
            Err(ParseError::Overflow {
                bits: 32,
                is_signed: false
            })
        );
        assert_eq!(parse_int(b"+5", 32, false), Ok(5));
    }

    #[test]
    fn messages_name_the_type() {
        assert_eq!(
            ParseError::Format.message(),
            "Input string was not in a correct format."
        );
        assert_eq!(
            ParseError::Overflow {
                bits: 32,
                is_signed: true
            }
            .message(),
            "Value was either too large or too small for an Int32."
        );
        assert_eq!(
            ParseError::Overflow {
                bits: 64,
                is_signed: false
            }
            .message(),
            "Value was either too large or too small for a UInt64."
        );
        assert_eq!(
            ParseError::Overflow {
                bits: 8,
                is_signed: true
            }
            .message(),
            "Value was either too large or too small for a signed byte."
        );
    }

    fn float(text: &str) -> Result<f64, ParseError> {
        parse_float(text.as_bytes())
    }

    #[test]
    fn floats() {
        assert_eq!(float("3.5"), Ok(3.5));
        assert_eq!(float("  -3.5  "), Ok(-3.5));
        assert_eq!(float("+1e3"), Ok(1000.0));
        assert_eq!(float("1E-3"), Ok(0.001));
        assert_eq!(float(".5"), Ok(0.5));
        assert_eq!(float("5."), Ok(5.0));
        assert_eq!(float("0.1"), Ok(0.1));
        assert_eq!(float("1e400"), Ok(f64::INFINITY));
        assert_eq!(float("-1e400"), Ok(f64::NEG_INFINITY));
        assert_eq!(float("1e-400"), Ok(0.0));
        assert_eq!(float("4.9406564584124654E-324"), Ok(5e-324));
        assert_eq!(float("1.7976931348623157E+308"), Ok(f64::MAX));
        assert_eq!(float("Infinity"), Ok(f64::INFINITY));
        assert_eq!(float("-Infinity"), Ok(f64::NEG_INFINITY));
        assert_eq!(float("+infinity"), Ok(f64::INFINITY));
        assert!(float("NaN").unwrap().is_nan());
        assert!(float("-nan").unwrap().is_nan());
        let negative_zero = float("-0").unwrap();
        assert!(negative_zero == 0.0 && negative_zero.is_sign_negative());
        // Correct rounding of a halfway case.
        assert_eq!(float("9007199254740993"), Ok(9007199254740992.0));
        for bad in [
            "",
            " ",
            ".",
            "-",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            "inf",
            "nan1",
            "0x10",
            "1,5",
            "1 5",
            "Infinityx",
        ] {
            assert_eq!(float(bad), Err(ParseError::Format), "{bad:?}");
        }
    }
}
