//! F# `printf`-family conversions: one value, its conversion character, flags,
//! width and precision in, the exact text FSharp.Core prints out.
//!
//! Source of the rules: dotnet/fsharp `src/FSharp.Core/printf.fs` (modules
//! `Padding`, `Basic`, `GenericNumber`, `Integer`, `FloatAndDecimal`):
//!
//! * Integers: `%d %i` print the signed decimal (unsigned types: their value);
//!   `%u` the unsigned reinterpretation; `%x %X %o %B` the bits of the value's
//!   declared width in hex/octal/binary. Only `%d %i` of a signed type count as
//!   possibly negative; for every other conversion the `+`/space prefix is
//!   always added (`sprintf "%+x" 255` is `+ff`, as in F#).
//! * Floats: the text is .NET `ToString("<c><p>")` with `c` the conversion
//!   character and `p` the precision (default 6, clamped to 0..=99): `%f` →
//!   `F6`, `%e` → `e6` (`1.234500e+003`), `%g` → `g6` (`1.23457e+06`).
//!   NaN and infinities are "not numbers": no sign prefix, padded with spaces.
//!   F#'s `isPositive` is `x >= 0.0`, so `-0.0` counts as positive
//!   (`sprintf "%+f" -0.0` is `+-0.000000` on .NET Core 3.0+; we match it).
//! * Padding (`width` given): `-` pads on the right, otherwise on the left; the
//!   `0` flag pads numbers with zeros after the sign/prefix; strings, chars and
//!   bools always pad with spaces. Left-justified integers ignore `0`;
//!   left-justified floats pad with `0` on the right (F#'s behaviour), except
//!   `%g` of an integral value, which pads with spaces.
//! * Widths count UTF-16 code units, as .NET `PadLeft`/`PadRight` do.
//! * Strings ignore the precision; `%b` prints `true`/`false`.
//! * Conversion `0` means "as `string x` / `$"{x}"`": `ToString()` text
//!   (`True`/`False` for bools), padded with spaces only.

use super::float_fmt;
use super::int_fmt;
use super::sink::{Sink, StackBuf};

pub const FLAG_LEFT_JUSTIFY: u32 = 1;
pub const FLAG_PAD_WITH_ZEROS: u32 = 2;
pub const FLAG_PLUS_FOR_POSITIVES: u32 = 4;
pub const FLAG_SPACE_FOR_POSITIVES: u32 = 8;
/// Not a printf flag: `%A` of a char, which FSharp.Core's `formatChar` escapes
/// (`'\''`, `'\\'`, `'\b'`, and other control characters as `'\010'`).
pub const FLAG_ESCAPE_CHAR: u32 = 16;

/// Flags, width and precision of one conversion; `-1` means "not given".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub flags: u32,
    pub width: i32,
    pub precision: i32,
}

impl Spec {
    pub const PLAIN: Spec = Spec {
        flags: 0,
        width: -1,
        precision: -1,
    };

    pub fn new(flags: u32, width: i32, precision: i32) -> Spec {
        Spec {
            flags,
            width,
            precision,
        }
    }

    fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    fn width(&self) -> Option<usize> {
        if self.width >= 0 {
            Some(self.width as usize)
        } else {
            None
        }
    }

    fn prefix_for_positives(&self) -> &'static [u8] {
        if self.has(FLAG_PLUS_FOR_POSITIVES) {
            b"+"
        } else if self.has(FLAG_SPACE_FOR_POSITIVES) {
            b" "
        } else {
            b""
        }
    }
}

/// The number of UTF-16 code units of UTF-8 `text` (what .NET pads by).
pub fn utf16_len(text: &[u8]) -> usize {
    text.iter()
        .map(|&b| match b {
            0x80..=0xBF => 0, // continuation byte
            0xF0..=0xFF => 2, // four-byte sequence: a surrogate pair
            _ => 1,
        })
        .sum()
}

/// UTF-8 encoding of a Unicode scalar; anything else becomes U+FFFD.
pub fn encode_utf8(scalar: u32, buf: &mut [u8; 4]) -> &[u8] {
    let c = char::from_u32(scalar).unwrap_or('\u{FFFD}');
    c.encode_utf8(buf).as_bytes()
}

/// `Basic.withPadding`: strings, chars, bools and conversion 0.
fn write_padded_text<S: Sink>(out: &mut S, text: &[u8], spec: Spec) {
    let fill = spec
        .width()
        .map_or(0, |w| w.saturating_sub(utf16_len(text)));
    if spec.has(FLAG_LEFT_JUSTIFY) {
        out.push_bytes(text);
        out.push_repeated(b' ', fill);
    } else {
        out.push_repeated(b' ', fill);
        out.push_bytes(text);
    }
}

/// How `GenericNumber` treats one formatted number.
struct NumberText<'a> {
    text: &'a [u8],
    /// False for NaN and infinities.
    is_number: bool,
    /// F# `isPositive` (`x >= 0`; always true for unsigned conversions).
    is_positive: bool,
    /// `%g`/`%G` of a float whose value is integral (`x % 1.0 = 0.0`).
    is_g_format_integer: bool,
    /// Integers may not pad with zeros when left-justified; floats may.
    zero_pad_when_left_justified: bool,
}

/// `GenericNumber` justification, shared by integers and floats.
fn write_padded_number<S: Sink>(out: &mut S, number: NumberText<'_>, spec: Spec) {
    let prefix: &[u8] = if number.is_number && number.is_positive {
        spec.prefix_for_positives()
    } else {
        b""
    };
    let Some(width) = spec.width() else {
        out.push_bytes(prefix);
        out.push_bytes(number.text);
        return;
    };
    let zero_flag = spec.has(FLAG_PAD_WITH_ZEROS);
    let text_len = prefix.len() + number.text.len();
    let fill = width.saturating_sub(text_len);
    if spec.has(FLAG_LEFT_JUSTIFY) {
        let pad = if !number.is_number || number.is_g_format_integer {
            b' '
        } else if zero_flag && number.zero_pad_when_left_justified {
            b'0'
        } else {
            b' '
        };
        out.push_bytes(prefix);
        out.push_bytes(number.text);
        out.push_repeated(pad, fill);
    } else if zero_flag && number.is_number {
        // `rightJustifyWithZeroAsPadChar`: zeros go after the sign or prefix.
        if number.is_positive {
            out.push_bytes(prefix);
            out.push_repeated(b'0', fill);
            out.push_bytes(number.text);
        } else if let Some((&b'-', digits)) = number.text.split_first() {
            out.push_byte(b'-');
            out.push_repeated(b'0', fill);
            out.push_bytes(digits);
        } else {
            out.push_repeated(b'0', fill);
            out.push_bytes(number.text);
        }
    } else {
        out.push_repeated(b' ', fill);
        out.push_bytes(prefix);
        out.push_bytes(number.text);
    }
}

/// One integer conversion. `value` is sign-extended when `is_signed`, else
/// zero-extended; `bits` is 8, 16, 32 or 64; `conv` is `d i u x X o B` or 0.
/// Unknown conversions print as `%d`.
pub fn write_int<S: Sink>(
    out: &mut S,
    value: i64,
    bits: u32,
    is_signed: bool,
    conv: u8,
    spec: Spec,
) {
    let unsigned_bits = int_fmt::to_unsigned_bits(value, bits);
    let mut text = StackBuf::<72>::new();
    let mut is_positive = true;
    match conv {
        b'u' => int_fmt::write_unsigned(&mut text, unsigned_bits, 10, false),
        b'x' => int_fmt::write_unsigned(&mut text, unsigned_bits, 16, false),
        b'X' => int_fmt::write_unsigned(&mut text, unsigned_bits, 16, true),
        b'o' => int_fmt::write_unsigned(&mut text, unsigned_bits, 8, false),
        b'B' => int_fmt::write_unsigned(&mut text, unsigned_bits, 2, false),
        _ => {
            if is_signed {
                is_positive = value >= 0;
                int_fmt::write_signed_decimal(&mut text, value);
            } else {
                int_fmt::write_unsigned(&mut text, unsigned_bits, 10, false);
            }
        }
    }
    if conv == 0 {
        write_padded_text(out, text.as_bytes(), spec);
        return;
    }
    let number = NumberText {
        text: text.as_bytes(),
        is_number: true,
        is_positive,
        is_g_format_integer: false,
        zero_pad_when_left_justified: false,
    };
    write_padded_number(out, number, spec);
}

/// One float conversion: `conv` is `e E f F g G` or 0 (`ToString()`).
/// Unknown conversions print as conversion 0.
pub fn write_float<S: Sink>(out: &mut S, value: f64, is_single: bool, conv: u8, spec: Spec) {
    let precision = if spec.precision < 0 {
        6
    } else {
        spec.precision.min(99) as u32
    };
    let mut text = StackBuf::<520>::new();
    match conv {
        b'f' | b'F' => float_fmt::write_fixed(&mut text, value, precision),
        b'e' | b'E' => float_fmt::write_scientific(&mut text, value, precision, conv),
        b'g' => float_fmt::write_general(&mut text, value, is_single, precision, b'e'),
        b'G' => float_fmt::write_general(&mut text, value, is_single, precision, b'E'),
        b'A' => {
            // F#'s `%A`: "g10" (lower-case exponent, `1e+10`), with ".0" added to
            // whole numbers; nan and infinity
            // spelled the F# way.
            if value.is_nan() {
                text.push_bytes(b"nan");
            } else if value.is_infinite() {
                text.push_bytes(if value > 0.0 {
                    b"infinity"
                } else {
                    b"-infinity"
                });
            } else {
                float_fmt::write_general(&mut text, value, is_single, 10, b'e');
                if !text
                    .as_bytes()
                    .iter()
                    .any(|c| matches!(c, b'.' | b'E' | b'e'))
                {
                    text.push_bytes(b".0");
                }
            }
            if is_single {
                text.push_bytes(b"f");
            }
            write_padded_text(out, text.as_bytes(), spec);
            return;
        }
        _ => {
            float_fmt::write_round_trip(&mut text, value, is_single);
            write_padded_text(out, text.as_bytes(), spec);
            return;
        }
    }
    let is_number = value.is_finite();
    let number = NumberText {
        text: text.as_bytes(),
        is_number,
        // FSharp.Core on .NET Core (dotnet/fsharp PR 18147): `not (Double.IsNegative n)`,
        // so -0.0 is negative like its `ToString()` ("-0"); NaN is not a number here.
        is_positive: !value.is_sign_negative(),
        is_g_format_integer: matches!(conv, b'g' | b'G') && is_number && value % 1.0 == 0.0,
        zero_pad_when_left_justified: true,
    };
    write_padded_number(out, number, spec);
}

/// `%s`: the precision is ignored, as in F#.
pub fn write_str<S: Sink>(out: &mut S, text: &[u8], spec: Spec) {
    write_padded_text(out, text, spec);
}

/// `%c`; with [`FLAG_ESCAPE_CHAR`], the body of `%A`'s `'c'`.
pub fn write_char<S: Sink>(out: &mut S, scalar: u32, spec: Spec) {
    if spec.has(FLAG_ESCAPE_CHAR) {
        let mut escaped = StackBuf::<8>::new();
        match scalar {
            0x27 => escaped.push_bytes(b"\\'"),
            0x5C => escaped.push_bytes(b"\\\\"),
            0x08 => escaped.push_bytes(b"\\b"),
            // `Char.IsControl`: C0 and C1 controls, as three decimal digits.
            0..=0x1F | 0x7F..=0x9F => {
                escaped.push_bytes(b"\\");
                for divisor in [100, 10, 1] {
                    escaped.push_bytes(&[b'0' + ((scalar / divisor) % 10) as u8]);
                }
            }
            _ => {
                let mut buf = [0u8; 4];
                escaped.push_bytes(encode_utf8(scalar, &mut buf));
            }
        }
        let plain = Spec::new(spec.flags & !FLAG_ESCAPE_CHAR, spec.width, spec.precision);
        write_padded_text(out, escaped.as_bytes(), plain);
        return;
    }
    let mut buf = [0u8; 4];
    let text = encode_utf8(scalar, &mut buf);
    write_padded_text(out, text, spec);
}

/// `%b` prints `true`/`false`; conversion 0 prints `True`/`False` (`string b`).
pub fn write_bool<S: Sink>(out: &mut S, value: bool, conv: u8, spec: Spec) {
    let text: &[u8] = match (conv, value) {
        (0, true) => b"True",
        (0, false) => b"False",
        (_, true) => b"true",
        (_, false) => b"false",
    };
    write_padded_text(out, text, spec);
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEFT: u32 = FLAG_LEFT_JUSTIFY;
    const ZERO: u32 = FLAG_PAD_WITH_ZEROS;
    const PLUS: u32 = FLAG_PLUS_FOR_POSITIVES;
    const SPACE: u32 = FLAG_SPACE_FOR_POSITIVES;

    fn int(value: i64, bits: u32, signed: bool, conv: u8, flags: u32, width: i32) -> String {
        let mut out = Vec::new();
        write_int(
            &mut out,
            value,
            bits,
            signed,
            conv,
            Spec::new(flags, width, -1),
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn format_a_escapes_chars_as_fsharp_core_format_char() {
        let a = |c: char| {
            let mut out = Vec::new();
            write_char(&mut out, c as u32, Spec::new(FLAG_ESCAPE_CHAR, -1, -1));
            String::from_utf8(out).unwrap()
        };
        assert_eq!(a('a'), "a");
        assert_eq!(a('\''), "\\'");
        assert_eq!(a('\\'), "\\\\");
        assert_eq!(a('\u{8}'), "\\b");
        assert_eq!(a('\n'), "\\010");
        assert_eq!(a('\t'), "\\009");
        assert_eq!(a('\u{7f}'), "\\127");
        assert_eq!(a('"'), "\"");
        assert_eq!(a('λ'), "λ");
    }

    #[test]
    fn format_a_float_uses_lower_case_g10() {
        assert_eq!(float(1e-7, b'A', 0, -1, -1), "1e-07");
        assert_eq!(float(1e10, b'A', 0, -1, -1), "1e+10");
        assert_eq!(float(2.0, b'A', 0, -1, -1), "2.0");
    }

    fn d(value: i64, flags: u32, width: i32) -> String {
        int(value, 32, true, b'd', flags, width)
    }

    fn float(value: f64, conv: u8, flags: u32, width: i32, precision: i32) -> String {
        let mut out = Vec::new();
        write_float(
            &mut out,
            value,
            false,
            conv,
            Spec::new(flags, width, precision),
        );
        String::from_utf8(out).unwrap()
    }

    fn string(text: &str, flags: u32, width: i32) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text.as_bytes(), Spec::new(flags, width, -1));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimal_flags_and_widths() {
        assert_eq!(d(42, 0, -1), "42");
        assert_eq!(d(-42, 0, -1), "-42");
        assert_eq!(d(42, 0, 5), "   42");
        assert_eq!(d(-42, 0, 5), "  -42");
        assert_eq!(d(42, LEFT, 5), "42   ");
        assert_eq!(d(-42, LEFT, 5), "-42  ");
        assert_eq!(d(42, ZERO, 5), "00042");
        assert_eq!(d(-42, ZERO, 5), "-0042");
        assert_eq!(d(42, PLUS, -1), "+42");
        assert_eq!(d(-42, PLUS, -1), "-42");
        assert_eq!(d(0, PLUS, -1), "+0");
        assert_eq!(d(42, SPACE, -1), " 42");
        assert_eq!(d(-42, SPACE, -1), "-42");
        assert_eq!(d(42, PLUS | ZERO, 5), "+0042");
        assert_eq!(d(42, SPACE | ZERO, 5), " 0042");
        assert_eq!(d(42, PLUS, 5), "  +42");
        assert_eq!(d(42, LEFT | PLUS, 5), "+42  ");
        // Left-justified integers never pad with zeros.
        assert_eq!(d(42, LEFT | ZERO, 5), "42   ");
        assert_eq!(d(12345, 0, 3), "12345");
        assert_eq!(d(7, ZERO, 1), "7");
    }

    #[test]
    fn integer_extremes() {
        assert_eq!(int(-128, 8, true, b'd', 0, -1), "-128");
        assert_eq!(int(127, 8, true, b'd', 0, -1), "127");
        assert_eq!(int(-32768, 16, true, b'd', 0, -1), "-32768");
        assert_eq!(
            int(i64::from(i32::MIN), 32, true, b'd', 0, -1),
            "-2147483648"
        );
        assert_eq!(int(i64::MIN, 64, true, b'd', 0, -1), "-9223372036854775808");
        assert_eq!(int(i64::MAX, 64, true, b'i', 0, -1), "9223372036854775807");
        assert_eq!(int(-1, 64, false, b'd', 0, -1), "18446744073709551615");
        assert_eq!(int(255, 8, false, b'd', 0, -1), "255");
        assert_eq!(int(4294967295, 32, false, b'u', 0, -1), "4294967295");
    }

    #[test]
    fn unsigned_conversions_of_negative_values() {
        assert_eq!(int(-1, 32, true, b'x', 0, -1), "ffffffff");
        assert_eq!(int(-1, 32, true, b'X', 0, -1), "FFFFFFFF");
        assert_eq!(int(-1, 64, true, b'x', 0, -1), "ffffffffffffffff");
        assert_eq!(int(-1, 8, true, b'x', 0, -1), "ff");
        assert_eq!(int(-1, 16, true, b'x', 0, -1), "ffff");
        assert_eq!(int(-1, 32, true, b'u', 0, -1), "4294967295");
        assert_eq!(int(-1, 64, true, b'u', 0, -1), "18446744073709551615");
        assert_eq!(int(-1, 32, true, b'o', 0, -1), "37777777777");
        assert_eq!(int(-1, 64, true, b'o', 0, -1), "1777777777777777777777");
        assert_eq!(int(8, 32, true, b'o', 0, -1), "10");
        assert_eq!(int(5, 32, true, b'B', 0, -1), "101");
        assert_eq!(int(255, 32, true, b'x', 0, 6), "    ff");
        assert_eq!(int(255, 32, true, b'x', ZERO, 6), "0000ff");
        assert_eq!(int(255, 32, true, b'X', LEFT, 6), "FF    ");
        // Unsigned conversions always take the prefix, as F# does.
        assert_eq!(int(255, 32, true, b'x', PLUS, -1), "+ff");
        assert_eq!(int(-1, 32, true, b'u', PLUS, -1), "+4294967295");
    }

    #[test]
    fn conversion_zero_is_plain_to_string() {
        assert_eq!(int(-5, 32, true, 0, 0, -1), "-5");
        assert_eq!(int(-5, 32, true, 0, 0, 4), "  -5");
        assert_eq!(int(-5, 32, true, 0, LEFT, 4), "-5  ");
        assert_eq!(int(200, 8, false, 0, 0, -1), "200");
    }

    #[test]
    fn structured_float_conversion_is_fsharp_percent_a() {
        assert_eq!(float(1.0, b'A', 0, -1, -1), "1.0");
        assert_eq!(float(2.5, b'A', 0, -1, -1), "2.5");
        assert_eq!(float(1.0 / 3.0, b'A', 0, -1, -1), "0.3333333333");
        assert_eq!(float(-0.5, b'A', 0, -1, -1), "-0.5");
        assert_eq!(float(f64::NAN, b'A', 0, -1, -1), "nan");
        assert_eq!(float(f64::INFINITY, b'A', 0, -1, -1), "infinity");
    }

    #[test]
    fn float_conversions() {
        assert_eq!(float(2.5, b'f', 0, -1, -1), "2.500000");
        assert_eq!(float(3.14259, b'f', 0, -1, 2), "3.14");
        assert_eq!(float(3.14259, b'F', 0, -1, 2), "3.14");
        assert_eq!(float(1234.5, b'e', 0, -1, -1), "1.234500e+003");
        assert_eq!(float(1234.5, b'E', 0, -1, -1), "1.234500E+003");
        assert_eq!(float(1234567.0, b'g', 0, -1, -1), "1.23457e+06");
        assert_eq!(float(1234567.0, b'G', 0, -1, -1), "1.23457E+06");
        assert_eq!(float(0.5, b'g', 0, -1, -1), "0.5");
        assert_eq!(float(100.0, b'g', 0, -1, -1), "100");
        assert_eq!(float(1e-5, b'g', 0, -1, -1), "1e-05");
        assert_eq!(float(-0.0, b'f', 0, -1, -1), "-0.000000");
        assert_eq!(float(2.5, b'f', 0, -1, 0), "2");
        assert_eq!(float(1.0, b'f', 0, -1, 150), float(1.0, b'f', 0, -1, 99));
    }

    #[test]
    fn float_flags_and_widths() {
        assert_eq!(float(2.5, b'f', 0, 10, -1), "  2.500000");
        assert_eq!(float(-2.5, b'f', 0, 10, -1), " -2.500000");
        assert_eq!(float(2.5, b'f', ZERO, 10, -1), "002.500000");
        assert_eq!(float(-2.5, b'f', ZERO, 10, -1), "-02.500000");
        assert_eq!(float(2.5, b'f', PLUS, -1, -1), "+2.500000");
        assert_eq!(float(2.5, b'f', SPACE, -1, -1), " 2.500000");
        assert_eq!(float(2.5, b'f', PLUS | ZERO, 10, -1), "+02.500000");
        assert_eq!(float(2.5, b'f', LEFT, 10, -1), "2.500000  ");
        assert_eq!(float(3.14259, b'f', 0, 8, 2), "    3.14");
        assert_eq!(float(3.14259, b'f', LEFT, 8, 2), "3.14    ");
        // F# pads left-justified floats with the pad character, zeros included...
        assert_eq!(float(1.5, b'f', LEFT | ZERO, 10, 2), "1.50000000");
        // ...except `%g` of an integral value.
        assert_eq!(float(5.0, b'g', LEFT | ZERO, 5, -1), "5    ");
        assert_eq!(float(5.5, b'g', LEFT | ZERO, 5, -1), "5.500");
        // -0.0 is negative (FSharp.Core's `isPositive` is `not (Double.IsNegative n)`).
        assert_eq!(float(-0.0, b'f', PLUS, -1, -1), "-0.000000");
        assert_eq!(float(-0.0, b'g', PLUS, -1, -1), "-0");
        assert_eq!(float(-0.0, b'f', ZERO, 10, 3), "-00000.000");
        assert_eq!(float(0.0, b'f', PLUS, -1, -1), "+0.000000");
    }

    #[test]
    fn non_finite_floats() {
        for conv in [b'e', b'E', b'f', b'F', b'g', b'G', 0] {
            assert_eq!(float(f64::NAN, conv, 0, -1, -1), "NaN");
            assert_eq!(float(f64::INFINITY, conv, 0, -1, -1), "Infinity");
            assert_eq!(float(f64::NEG_INFINITY, conv, 0, -1, -1), "-Infinity");
        }
        assert_eq!(float(f64::NAN, b'f', ZERO, 6, -1), "   NaN");
        assert_eq!(float(f64::INFINITY, b'f', PLUS, -1, -1), "Infinity");
        assert_eq!(
            float(f64::INFINITY, b'f', PLUS | ZERO, 10, -1),
            "  Infinity"
        );
        assert_eq!(
            float(f64::NEG_INFINITY, b'e', LEFT | ZERO, 11, -1),
            "-Infinity  "
        );
        assert_eq!(float(f64::NAN, b'g', 0, 5, -1), "  NaN");
    }

    #[test]
    fn float_conversion_zero_is_to_string() {
        assert_eq!(float(0.1 + 0.2, 0, 0, -1, -1), "0.30000000000000004");
        assert_eq!(float(1.0, 0, 0, -1, -1), "1");
        assert_eq!(float(1e21, 0, 0, -1, -1), "1E+21");
        assert_eq!(float(2.5, 0, 0, 6, -1), "   2.5");
        let mut out = Vec::new();
        write_float(&mut out, f64::from(0.1f32), true, 0, Spec::PLAIN);
        assert_eq!(out, b"0.1");
    }

    #[test]
    fn strings_chars_bools() {
        assert_eq!(string("abc", 0, -1), "abc");
        assert_eq!(string("abc", 0, 6), "   abc");
        assert_eq!(string("abc", LEFT, 6), "abc   ");
        assert_eq!(string("abc", ZERO, 6), "   abc");
        assert_eq!(string("abcdef", 0, 3), "abcdef");
        assert_eq!(string("", 0, 2), "  ");
        // Widths count UTF-16 code units: é is one, 😀 is two.
        assert_eq!(string("é", 0, 3), "  é");
        assert_eq!(string("😀", 0, 3), " 😀");
        let mut out = Vec::new();
        write_str(&mut out, b"abcdef", Spec::new(0, -1, 2));
        assert_eq!(out, b"abcdef");

        let mut out = Vec::new();
        write_char(&mut out, 'x' as u32, Spec::new(0, 3, -1));
        write_char(&mut out, 'é' as u32, Spec::PLAIN);
        write_char(&mut out, 0x1F600, Spec::PLAIN);
        write_char(&mut out, 0xD800, Spec::PLAIN);
        assert_eq!(String::from_utf8(out).unwrap(), "  xé😀\u{FFFD}");

        let mut out = Vec::new();
        write_bool(&mut out, true, b'b', Spec::PLAIN);
        write_bool(&mut out, false, b'b', Spec::new(LEFT, 7, -1));
        write_bool(&mut out, true, 0, Spec::PLAIN);
        write_bool(&mut out, false, 0, Spec::PLAIN);
        assert_eq!(String::from_utf8(out).unwrap(), "truefalse  TrueFalse");
    }

    #[test]
    fn utf16_lengths() {
        assert_eq!(utf16_len(b"abc"), 3);
        assert_eq!(utf16_len("é€😀".as_bytes()), 4);
    }
}
