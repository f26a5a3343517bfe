//! The C math library names that LLVM lowers intrinsics (`llvm.sin`,
//! `llvm.pow`, ...) and `frem` to, implemented by the pure-Rust `libm` crate.
//! Unused ones disappear at link time (`--gc-sections`).
//!
//! `exp`, `log` and `pow` (`float`'s `exp`, `log`, `**` and `Math.Pow`) are
//! correctly rounded instead (but for the rare hard cases, below 2^-40 of inputs):
//! the `libm` crate's are FreeBSD's (under one ulp, so the last bit often differs
//! from glibc, whose results .NET prints on Linux and LLVM folds constants with),
//! while glibc's are within 0.52 ulp, so correctly rounded results agree with
//! glibc's except where glibc itself is off, and `-O0` agrees with `-O2`.

macro_rules! c_math {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(
            #[no_mangle]
            pub extern "C" fn $name($($arg: $ty),*) -> $ret {
                libm::$name($($arg),*)
            }
        )*
    };
}

c_math! {
    fmod(x: f64, y: f64) -> f64;
    fmodf(x: f32, y: f32) -> f32;
    powf(x: f32, y: f32) -> f32;
    expf(x: f32) -> f32;
    exp2(x: f64) -> f64;
    exp2f(x: f32) -> f32;
    expm1(x: f64) -> f64;
    logf(x: f32) -> f32;
    log2(x: f64) -> f64;
    log2f(x: f32) -> f32;
    log10(x: f64) -> f64;
    log10f(x: f32) -> f32;
    log1p(x: f64) -> f64;
    sin(x: f64) -> f64;
    sinf(x: f32) -> f32;
    cos(x: f64) -> f64;
    cosf(x: f32) -> f32;
    tan(x: f64) -> f64;
    tanf(x: f32) -> f32;
    asin(x: f64) -> f64;
    asinf(x: f32) -> f32;
    acos(x: f64) -> f64;
    acosf(x: f32) -> f32;
    atan(x: f64) -> f64;
    atanf(x: f32) -> f32;
    atan2(y: f64, x: f64) -> f64;
    atan2f(y: f32, x: f32) -> f32;
    sinh(x: f64) -> f64;
    sinhf(x: f32) -> f32;
    cosh(x: f64) -> f64;
    coshf(x: f32) -> f32;
    tanh(x: f64) -> f64;
    tanhf(x: f32) -> f32;
    floor(x: f64) -> f64;
    floorf(x: f32) -> f32;
    ceil(x: f64) -> f64;
    ceilf(x: f32) -> f32;
    round(x: f64) -> f64;
    roundf(x: f32) -> f32;
    roundeven(x: f64) -> f64;
    rint(x: f64) -> f64;
    rintf(x: f32) -> f32;
    trunc(x: f64) -> f64;
    truncf(x: f32) -> f32;
    sqrt(x: f64) -> f64;
    sqrtf(x: f32) -> f32;
    fabs(x: f64) -> f64;
    fabsf(x: f32) -> f32;
    cbrt(x: f64) -> f64;
    hypot(x: f64, y: f64) -> f64;
    fma(x: f64, y: f64, z: f64) -> f64;
    fmaf(x: f32, y: f32, z: f32) -> f32;
    fmin(x: f64, y: f64) -> f64;
    fmax(x: f64, y: f64) -> f64;
    copysign(x: f64, y: f64) -> f64;
    ldexp(x: f64, n: i32) -> f64;
}

#[no_mangle]
pub extern "C" fn exp(x: f64) -> f64 {
    dd::exp_rounded(x)
}

#[no_mangle]
pub extern "C" fn log(x: f64) -> f64 {
    dd::log_rounded(x)
}

#[no_mangle]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    dd::pow_rounded(x, y)
}

/// Double-double arithmetic (a value is `hi + lo`, about 106 bits) for the
/// correctly rounded `exp`, `log` and `pow`: each is computed to about 2^-95
/// relative error and rounded once. Arguments whose results are not normal
/// numbers, and special values, go to the `libm` crate.
mod dd {
    #[derive(Clone, Copy)]
    struct Dd {
        hi: f64,
        lo: f64,
    }

    fn quick_two_sum(a: f64, b: f64) -> Dd {
        let s = a + b;
        Dd {
            hi: s,
            lo: b - (s - a),
        }
    }

    fn two_sum(a: f64, b: f64) -> Dd {
        let s = a + b;
        let bb = s - a;
        Dd {
            hi: s,
            lo: (a - (s - bb)) + (b - bb),
        }
    }

    /// Veltkamp's split (no FMA on the baseline x86_64).
    fn split(a: f64) -> (f64, f64) {
        let t = 134_217_729.0 * a;
        let hi = t - (t - a);
        (hi, a - hi)
    }

    /// Dekker's exact product.
    fn two_prod(a: f64, b: f64) -> Dd {
        let p = a * b;
        let (ah, al) = split(a);
        let (bh, bl) = split(b);
        Dd {
            hi: p,
            lo: ((ah * bh - p) + ah * bl + al * bh) + al * bl,
        }
    }

    fn add(a: Dd, b: Dd) -> Dd {
        let s = two_sum(a.hi, b.hi);
        let t = two_sum(a.lo, b.lo);
        let s = quick_two_sum(s.hi, s.lo + t.hi);
        quick_two_sum(s.hi, s.lo + t.lo)
    }

    fn mul(a: Dd, b: Dd) -> Dd {
        let p = two_prod(a.hi, b.hi);
        quick_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi))
    }

    fn mul_f(a: Dd, b: f64) -> Dd {
        let p = two_prod(a.hi, b);
        quick_two_sum(p.hi, p.lo + a.lo * b)
    }

    fn div_f(a: Dd, b: f64) -> Dd {
        let q1 = a.hi / b;
        let p = two_prod(q1, b);
        let r = (a.hi - p.hi - p.lo + a.lo) / b;
        quick_two_sum(q1, r)
    }

    fn from(x: f64) -> Dd {
        Dd { hi: x, lo: 0.0 }
    }

    // ln 2 = LN2_HI + LN2_MID + LN2_LO; LN2_HI has 40 significant bits, so
    // k * LN2_HI is exact for |k| < 2^13.
    const LN2_HI: f64 = 0.6931471805601177;
    const LN2_MID: f64 = -1.7239444525614835e-13;
    const LN2_LO: f64 = 1.94704509238075e-31;
    const INV_LN2: f64 = 1.4426950408889634;

    /// `k * ln 2` for an integer `k`, as a double-double.
    fn k_ln2(k: f64) -> Dd {
        add(
            Dd {
                hi: k * LN2_HI,
                lo: 0.0,
            },
            add(two_prod(k, LN2_MID), from(k * LN2_LO)),
        )
    }

    /// `exp(x) = m * 2^k` with `m` in about [0.7, 1.42] (|x| below about 740).
    fn exp_dd(x: Dd) -> (Dd, i32) {
        let k = libm::round(x.hi * INV_LN2);
        let r = add(x, neg(k_ln2(k)));
        // exp(r) = exp(r / 16)^16; Taylor to the 17th power of |r / 16| < 0.022.
        let r = Dd {
            hi: r.hi / 16.0,
            lo: r.lo / 16.0,
        };
        let mut p = from(1.0);
        for n in (1..=17).rev() {
            p = add(from(1.0), div_f(mul(r, p), n as f64));
        }
        for _ in 0..4 {
            p = mul(p, p);
        }
        (p, k as i32)
    }

    fn neg(a: Dd) -> Dd {
        Dd {
            hi: -a.hi,
            lo: -a.lo,
        }
    }

    pub fn exp_rounded(x: f64) -> f64 {
        // Outside this, the result overflows or is subnormal (or `x` is NaN).
        if !(x.abs() < 708.0) {
            return libm::exp(x);
        }
        if x.abs() < 1e-17 {
            return 1.0 + x;
        }
        let (m, k) = exp_dd(from(x));
        libm::scalbn(m.hi + m.lo, k)
    }

    /// `ln x` for a positive normal `x`, as a double-double.
    fn log_dd(x: f64) -> Dd {
        // x = m * 2^j with m in [sqrt(1/2), sqrt(2)).
        let bits = x.to_bits();
        let mut j = ((bits >> 52) & 0x7ff) as i32 - 1023;
        let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
        if m > core::f64::consts::SQRT_2 {
            m /= 2.0;
            j += 1;
        }
        let log_m = if (m - 1.0).abs() < 1.0 / 64.0 {
            // 2 atanh(s), s = (m - 1) / (m + 1): m - 1 is exact, |s| < 2^-7.
            let f = m - 1.0;
            let s = div_dd(from(f), add(from(2.0), from(f)));
            let s2 = mul(s, s);
            let mut p = from(0.0);
            for n in (0..=9).rev() {
                p = add(div_f(from(1.0), (2 * n + 1) as f64), mul(s2, p));
            }
            mul_f(mul(s, p), 2.0)
        } else {
            // One Newton step on exp from `libm`'s log (under one ulp): y + log(1 + t)
            // with t = m exp(-y) - 1, tiny.
            let y = libm::log(m);
            let (e, k) = exp_dd(from(-y));
            let scale = libm::scalbn(1.0, k);
            let me = mul_f(Dd { hi: e.hi * scale, lo: e.lo * scale }, m);
            let t = add(me, from(-1.0));
            let t2 = mul(t, t);
            add(from(y), add(t, Dd { hi: -t2.hi / 2.0, lo: -t2.lo / 2.0 }))
        };
        if j == 0 {
            log_m
        } else {
            add(k_ln2(j as f64), log_m)
        }
    }

    fn div_dd(a: Dd, b: Dd) -> Dd {
        let q1 = a.hi / b.hi;
        let r = add(a, neg(mul_f(b, q1)));
        let q2 = r.hi / b.hi;
        let r = add(r, neg(mul_f(b, q2)));
        let q3 = r.hi / b.hi;
        add(quick_two_sum(q1, q2), from(q3))
    }

    pub fn log_rounded(x: f64) -> f64 {
        // Zero, negative, subnormal, infinite or NaN.
        if !(x >= f64::MIN_POSITIVE && x < f64::INFINITY) {
            return libm::log(x);
        }
        if x == 1.0 {
            return 0.0;
        }
        let r = log_dd(x);
        r.hi + r.lo
    }

    pub fn pow_rounded(x: f64, y: f64) -> f64 {
        if !(x.is_finite() && y.is_finite()) || x == 0.0 || y == 0.0 || x == 1.0 {
            return libm::pow(x, y);
        }
        let (base, negate) = if x < 0.0 {
            // A negative base needs an integer exponent; its parity gives the sign.
            if libm::trunc(y) != y {
                return libm::pow(x, y);
            }
            (-x, libm::fmod(y, 2.0) != 0.0)
        } else {
            (x, false)
        };
        if base < f64::MIN_POSITIVE {
            return libm::pow(x, y);
        }
        let z = mul_f(log_dd(base), y);
        // Overflow, underflow and subnormal results are libm's.
        if !(z.hi.abs() < 708.0) {
            return libm::pow(x, y);
        }
        let (m, k) = exp_dd(z);
        let r = libm::scalbn(m.hi + m.lo, k);
        if negate {
            -r
        } else {
            r
        }
    }
}
