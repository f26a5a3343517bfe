//! Floating point to text, exactly as .NET Core 3.0 and later format `double`
//! and `float` with the invariant culture: `ToString()` (the shortest text that
//! reads back to the same value) and the standard formats `F<n>`, `E<n>`, `G<n>`.
//!
//! Source of the rules: dotnet/runtime `Number.Formatting.cs` (`FormatDouble`,
//! `FormatSingle`, `NumberToString`, `FormatGeneral`, `FormatScientific`,
//! `FormatFixed`, `RoundNumber`) and `Number.Dragon4.cs`:
//!
//! * A value is a digit string `d1 d2 ... dn` (no trailing zeros) and a `scale`,
//!   meaning `0.d1d2...dn × 10^scale`; zero has no digits and scale 0. The sign
//!   is kept separately and printed for every negative value, `-0` included
//!   (.NET Core 3.0 prints `-0`, `-0.00`, `-0.000000e+000`).
//! * `ToString()` is `G` with the shortest round-trip digits and
//!   `nMaxDigits = max(digit count, 17)` for double (`DoublePrecision`) and
//!   `max(digit count, 9)` for float (`SinglePrecision`). `FormatGeneral` uses
//!   scientific notation when `scale > nMaxDigits || scale < -3`, i.e. fixed
//!   notation for decimal exponents in `[-4, nMaxDigits)`; the exponent is
//!   written `E+dd` / `E-dd` (sign always, at least two digits).
//! * `G<p>` (`p >= 1`): `p` significant digits, correctly rounded, trailing zeros
//!   dropped, the same layout rule with `nMaxDigits = p`. `G0` means shortest.
//! * `E<p>`: one digit, `.`, `p` digits (no `.` when `p = 0`), `e+ddd` (sign
//!   always, at least three exponent digits); zero has exponent `+000`.
//! * `F<p>`: the exact decimal expansion rounded to `p` fraction digits.
//! * Rounding is correct rounding of the exact binary value with ties to even
//!   (Dragon4's final digit; `RoundNumber` does not round again for floats).
//!   Rust's `core::fmt` exact modes (`{:.N}`, `{:.Ne}`) do the same, so the
//!   digits come from there and only the layout is .NET's.
//! * NaN and infinities print as `NaN`, `Infinity`, `-Infinity` in every format.

use core::fmt::Write;

use super::sink::{Sink, StackBuf};

/// .NET `DoublePrecision`: the floor of `nMaxDigits` for the shortest format.
pub const DOUBLE_ROUND_TRIP_DIGITS: usize = 17;
/// .NET `SinglePrecision`.
pub const SINGLE_ROUND_TRIP_DIGITS: usize = 9;

/// The largest precision F# passes (`normalizePrecision` clamps to 0..=99).
pub const MAX_PRECISION: u32 = 99;

/// `E99` asks for 100 significant digits; nothing asks for more.
const MAX_DIGITS: usize = 128;

/// A decimal `0.d1d2...dn × 10^scale` without sign (.NET's `NumberBuffer`).
struct Decimal {
    digits: [u8; MAX_DIGITS],
    len: usize,
    scale: i32,
}

impl Decimal {
    fn digit(&self, index: usize) -> u8 {
        if index < self.len {
            self.digits[index]
        } else {
            b'0'
        }
    }
}

/// Reads Rust's `{:e}` text (`1.2345e-7`, `1e15`, `0.000e0`) of a non-negative
/// value into a [`Decimal`] with trailing zeros removed.
fn decimal_from_rust_exponential(text: &[u8]) -> Decimal {
    let mut decimal = Decimal {
        digits: [0; MAX_DIGITS],
        len: 0,
        scale: 0,
    };
    let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    for &b in &text[..e_at] {
        if b.is_ascii_digit() && decimal.len < MAX_DIGITS {
            decimal.digits[decimal.len] = b;
            decimal.len += 1;
        }
    }
    let mut exponent: i32 = 0;
    let mut negative = false;
    for &b in text.get(e_at + 1..).unwrap_or(&[]) {
        match b {
            b'-' => negative = true,
            b'0'..=b'9' => exponent = exponent * 10 + i32::from(b - b'0'),
            _ => {}
        }
    }
    if negative {
        exponent = -exponent;
    }
    while decimal.len > 0 && decimal.digits[decimal.len - 1] == b'0' {
        decimal.len -= 1;
    }
    decimal.scale = if decimal.len == 0 { 0 } else { exponent + 1 };
    decimal
}

/// `significant` digits of the exact value of `magnitude` (finite, >= 0),
/// correctly rounded with ties to even.
fn exact_digits(magnitude: f64, significant: usize) -> Decimal {
    let mut text = StackBuf::<160>::new();
    // Cannot fail: 160 bytes hold 100 digits, the point and the exponent.
    let _ = write!(text, "{:.*e}", significant.saturating_sub(1), magnitude);
    decimal_from_rust_exponential(text.as_bytes())
}

/// The shortest digits that read back to `magnitude` (finite, >= 0) as a
/// double, or as a float when `single`.
fn shortest_digits(magnitude: f64, single: bool) -> Decimal {
    if magnitude == 0.0 {
        return Decimal {
            digits: [0; MAX_DIGITS],
            len: 0,
            scale: 0,
        };
    }
    let mut text = StackBuf::<64>::new();
    let _ = if single {
        write!(text, "{:e}", magnitude as f32)
    } else {
        write!(text, "{:e}", magnitude)
    };
    let shortest = decimal_from_rust_exponential(text.as_bytes());
    // When the value lies exactly halfway between the two closest candidates of
    // that length (2^-25 = 2.98023223876953125E-08), Rust picks the upper one and
    // .NET's Dragon4 the even one. The correctly rounded string of the same
    // length is the closest candidate, so it reads back whenever the shortest
    // does, and its tie rule is .NET's.
    exact_digits(magnitude, shortest.len)
}

/// Writes `NaN`, `Infinity` or `-Infinity` and returns true for those values.
fn write_non_finite<S: Sink>(out: &mut S, value: f64) -> bool {
    if value.is_nan() {
        out.push_bytes(b"NaN");
        true
    } else if value.is_infinite() {
        out.push_bytes(if value < 0.0 {
            b"-Infinity"
        } else {
            b"Infinity"
        });
        true
    } else {
        false
    }
}

fn write_exponent<S: Sink>(out: &mut S, exponent: i32, exponent_char: u8, min_digits: usize) {
    out.push_byte(exponent_char);
    out.push_byte(if exponent < 0 { b'-' } else { b'+' });
    let magnitude = exponent.unsigned_abs();
    let mut digits = [b'0'; 10];
    let mut count = 0;
    let mut rest = magnitude;
    while rest > 0 {
        digits[count] = b'0' + (rest % 10) as u8;
        rest /= 10;
        count += 1;
    }
    for _ in count..min_digits {
        out.push_byte(b'0');
    }
    for index in (0..count).rev() {
        out.push_byte(digits[index]);
    }
}

/// .NET `FormatGeneral`.
fn layout_general<S: Sink>(out: &mut S, decimal: &Decimal, max_digits: usize, exponent_char: u8) {
    let mut digit_pos = decimal.scale;
    let scientific = digit_pos > max_digits as i32 || digit_pos < -3;
    if scientific {
        digit_pos = 1;
    }
    let mut index = 0;
    if digit_pos > 0 {
        while digit_pos > 0 {
            out.push_byte(decimal.digit(index));
            index += 1;
            digit_pos -= 1;
        }
    } else {
        out.push_byte(b'0');
    }
    if index < decimal.len || digit_pos < 0 {
        out.push_byte(b'.');
        while digit_pos < 0 {
            out.push_byte(b'0');
            digit_pos += 1;
        }
        while index < decimal.len {
            out.push_byte(decimal.digits[index]);
            index += 1;
        }
    }
    if scientific {
        write_exponent(out, decimal.scale - 1, exponent_char, 2);
    }
}

/// .NET `G<precision>` (`precision == 0`: shortest round-trip, as `ToString()`).
/// `exponent_char` is `E` for `G` and `e` for `g`.
pub fn write_general<S: Sink>(
    out: &mut S,
    value: f64,
    single: bool,
    precision: u32,
    exponent_char: u8,
) {
    if write_non_finite(out, value) {
        return;
    }
    let magnitude = value.abs();
    let (decimal, max_digits) = if precision == 0 {
        let decimal = shortest_digits(magnitude, single);
        let floor = if single {
            SINGLE_ROUND_TRIP_DIGITS
        } else {
            DOUBLE_ROUND_TRIP_DIGITS
        };
        let max_digits = if decimal.len > floor {
            decimal.len
        } else {
            floor
        };
        (decimal, max_digits)
    } else {
        let precision = precision.min(MAX_PRECISION) as usize;
        (exact_digits(magnitude, precision), precision)
    };
    if value.is_sign_negative() {
        out.push_byte(b'-');
    }
    layout_general(out, &decimal, max_digits, exponent_char);
}

/// .NET `Double.ToString()` / `Single.ToString()` with the invariant culture.
pub fn write_round_trip<S: Sink>(out: &mut S, value: f64, single: bool) {
    write_general(out, value, single, 0, b'E');
}

/// .NET `E<precision>`; `exponent_char` is `e` or `E`.
pub fn write_scientific<S: Sink>(out: &mut S, value: f64, precision: u32, exponent_char: u8) {
    if write_non_finite(out, value) {
        return;
    }
    let significant = precision.min(MAX_PRECISION) as usize + 1;
    let decimal = exact_digits(value.abs(), significant);
    if value.is_sign_negative() {
        out.push_byte(b'-');
    }
    out.push_byte(decimal.digit(0));
    if significant != 1 {
        out.push_byte(b'.');
    }
    for index in 1..significant {
        out.push_byte(decimal.digit(index));
    }
    let exponent = if decimal.len == 0 {
        0
    } else {
        decimal.scale - 1
    };
    write_exponent(out, exponent, exponent_char, 3);
}

/// .NET `F<precision>`.
pub fn write_fixed<S: Sink>(out: &mut S, value: f64, precision: u32) {
    if write_non_finite(out, value) {
        return;
    }
    if value.is_sign_negative() {
        out.push_byte(b'-');
    }
    // 309 integer digits + point + 99 fraction digits fit in 512 bytes.
    let mut text = StackBuf::<512>::new();
    let _ = write!(
        text,
        "{:.*}",
        precision.min(MAX_PRECISION) as usize,
        value.abs()
    );
    out.push_bytes(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_string(value: f64) -> String {
        let mut out = Vec::new();
        write_round_trip(&mut out, value, false);
        String::from_utf8(out).unwrap()
    }

    fn to_string32(value: f32) -> String {
        let mut out = Vec::new();
        write_round_trip(&mut out, f64::from(value), true);
        String::from_utf8(out).unwrap()
    }

    fn general(value: f64, precision: u32, exponent_char: u8) -> String {
        let mut out = Vec::new();
        write_general(&mut out, value, false, precision, exponent_char);
        String::from_utf8(out).unwrap()
    }

    fn scientific(value: f64, precision: u32) -> String {
        let mut out = Vec::new();
        write_scientific(&mut out, value, precision, b'e');
        String::from_utf8(out).unwrap()
    }

    fn fixed(value: f64, precision: u32) -> String {
        let mut out = Vec::new();
        write_fixed(&mut out, value, precision);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn double_to_string_examples() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (2.5, "2.5"),
            (-60.0, "-60"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.1, "0.1"),
            (123456789.0, "123456789"),
            (1e14, "100000000000000"),
            // Fixed notation up to 17 digits before the point (DoublePrecision = 17).
            (1e15, "1000000000000000"),
            (1e16, "10000000000000000"),
            (1e17, "1E+17"),
            (9.999999999999999e14, "999999999999999.9"),
            (12345678901234568.0, "12345678901234568"),
            (123456789012345680.0, "1.2345678901234568E+17"),
            (1.2345678901234568e20, "1.2345678901234568E+20"),
            (1e21, "1E+21"),
            (1.23e22, "1.23E+22"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e-5, "1E-05"),
            (1.5e-7, "1.5E-07"),
            (5e-324, "5E-324"),
            (-5e-324, "-5E-324"),
            (2.2250738585072014e-308, "2.2250738585072014E-308"),
            (2.225073858507201e-308, "2.225073858507201E-308"),
            (1.7976931348623157e308, "1.7976931348623157E+308"),
            (-1.7976931348623157e308, "-1.7976931348623157E+308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1.618033988749895, "1.618033988749895"),
            (100.00101000000001, "100.00101000000001"),
            (std::f64::consts::PI, "3.141592653589793"),
            (1e100, "1E+100"),
        ];
        for &(value, expected) in cases {
            assert_eq!(to_string(value), expected, "ToString of {value:e}");
        }
    }

    #[test]
    fn exact_ties_round_to_even_like_dragon4() {
        // dotnet/runtime DoubleTests.ToString_ExactPowerOfTwo_Roundtrips.
        assert_eq!(
            to_string(f64::from_bits(0x3E60000000000000)),
            "2.9802322387695312E-08"
        );
        assert_eq!(
            to_string(f64::from_bits(0xBE60000000000000)),
            "-2.9802322387695312E-08"
        );
        assert_eq!(
            to_string(f64::from_bits(0x0410000000000000)),
            "4.1045368012983762E-289"
        );
    }

    #[test]
    fn shortest_output_reads_back() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f64::from_bits(state);
            if !value.is_finite() {
                continue;
            }
            let text = to_string(value);
            let back: f64 = text.parse().unwrap();
            assert_eq!(back.to_bits(), value.to_bits(), "{text}");
        }
    }

    #[test]
    fn single_to_string_examples() {
        let cases: &[(f32, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.33333334"),
            (16777216.0, "16777216"),
            (1e8, "100000000"),
            (1e9, "1E+09"),
            (123456789.0, "123456790"),
            (3.4028235e38, "3.4028235E+38"),
            (1e-5, "1E-05"),
            (0.0001, "0.0001"),
            (f32::from_bits(1), "1E-45"),
            (f32::NAN, "NaN"),
            (f32::NEG_INFINITY, "-Infinity"),
        ];
        for &(value, expected) in cases {
            assert_eq!(to_string32(value), expected, "ToString of {value:e}");
        }
    }

    #[test]
    fn general_with_precision() {
        assert_eq!(general(1234567.0, 6, b'e'), "1.23457e+06");
        assert_eq!(general(123456.0, 6, b'e'), "123456");
        assert_eq!(general(100000.0, 6, b'e'), "100000");
        assert_eq!(general(1e6, 6, b'e'), "1e+06");
        assert_eq!(general(999999.5, 6, b'e'), "1e+06");
        assert_eq!(general(0.0001, 6, b'e'), "0.0001");
        assert_eq!(general(0.00001, 6, b'e'), "1e-05");
        assert_eq!(general(1e-5, 6, b'E'), "1E-05");
        assert_eq!(general(3.14259265, 6, b'e'), "3.14259");
        assert_eq!(general(2.5, 6, b'e'), "2.5");
        assert_eq!(general(0.0, 6, b'e'), "0");
        assert_eq!(general(-0.0, 6, b'e'), "-0");
        assert_eq!(general(1e20, 6, b'e'), "1e+20");
        assert_eq!(general(123.456, 2, b'e'), "1.2e+02");
        assert_eq!(general(0.5, 1, b'e'), "0.5");
        assert_eq!(general(2.5, 1, b'e'), "2");
        assert_eq!(general(3.5, 1, b'e'), "4");
        // G0 is the shortest round-trip text.
        assert_eq!(general(0.1 + 0.2, 0, b'e'), "0.30000000000000004");
        assert_eq!(general(1e20, 0, b'e'), "1e+20");
    }

    #[test]
    fn scientific_examples() {
        assert_eq!(scientific(1234.5, 6), "1.234500e+003");
        assert_eq!(scientific(0.0, 6), "0.000000e+000");
        assert_eq!(scientific(-0.0, 6), "-0.000000e+000");
        assert_eq!(scientific(-1234.5, 2), "-1.23e+003");
        assert_eq!(scientific(1e-10, 3), "1.000e-010");
        assert_eq!(scientific(2.5, 0), "2e+000");
        assert_eq!(scientific(3.5, 0), "4e+000");
        assert_eq!(scientific(1.7976931348623157e308, 6), "1.797693e+308");
        assert_eq!(scientific(5e-324, 2), "4.94e-324");
        assert_eq!(scientific(9.9999999, 2), "1.00e+001");
        let mut upper = Vec::new();
        write_scientific(&mut upper, 12345.6789, 10, b'E');
        assert_eq!(upper, b"1.2345678900E+004");
    }

    #[test]
    fn fixed_examples() {
        assert_eq!(fixed(2.5, 6), "2.500000");
        assert_eq!(fixed(3.14259, 2), "3.14");
        assert_eq!(fixed(-0.0, 6), "-0.000000");
        assert_eq!(fixed(-0.001, 2), "-0.00");
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(0.375, 2), "0.38");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(3.5, 0), "4");
        assert_eq!(fixed(12345.6789, 0), "12346");
        assert_eq!(fixed(1e15, 1), "1000000000000000.0");
        assert_eq!(fixed(0.1, 20), "0.10000000000000000555");
        assert_eq!(fixed(f64::NAN, 2), "NaN");
        assert_eq!(fixed(f64::NEG_INFINITY, 2), "-Infinity");
        assert_eq!(fixed(5e-324, 2), "0.00");
        let max = fixed(1.7976931348623157e308, 99);
        assert_eq!(max.len(), 309 + 1 + 99);
        assert!(max.starts_with("17976931348623157081452742373170435679807056752584499659891747680315726078002853876058955863276687817154045895351438246423432132688946418276846754670353751698604991057655128207624549009038932894407586850845513394230458323690322294816580855933212334827479782620414472316873817718091929988125040402618412485836"));
    }
}
