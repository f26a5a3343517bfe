//! F#'s `hash` on strings and floats: equal values hash equal, and different
//! values spread over all 32 bits.

/// FNV-1a (32-bit) over bytes.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The bits of `x` folded to 32 bits; `-0.0` hashes like `0.0` (they are equal),
/// and every NaN like one canonical NaN (as .NET does): which NaN an operation makes
/// depends on the processor (x86_64 makes a negative one, aarch64 a positive one)
/// and on constant folding, and `hash` must not.
pub fn float_hash(x: f64) -> u32 {
    let bits = if x == 0.0 {
        0
    } else if x.is_nan() {
        f64::NAN.to_bits()
    } else {
        x.to_bits()
    };
    (bits ^ (bits >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0x811c_9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn equal_floats_hash_equal_and_nearby_ones_differ() {
        assert_eq!(float_hash(0.0), float_hash(-0.0));
        assert_ne!(float_hash(1.5), float_hash(1.7));
        assert_ne!(float_hash(1.0), float_hash(2.0));
        let negative_nan = f64::from_bits(f64::NAN.to_bits() | (1 << 63));
        assert!(negative_nan.is_nan());
        assert_eq!(float_hash(negative_nan), float_hash(f64::NAN));
        assert_eq!(
            float_hash(f64::from_bits(0x7ff0_0000_0000_0001)),
            float_hash(f64::NAN)
        );
    }
}
