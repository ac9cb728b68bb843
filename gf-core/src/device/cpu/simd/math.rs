//! Transcendental functions over lanes, written once over [`SimdVec`] so that every SIMD path
//! gets them; the scalar path uses libm instead and is what the accuracy tests measure
//! against. Each function states its error in ulps of the result against libm, as measured by
//! the sweeps in `tests.rs` (`transcendentals_stay_within_their_ulp_bounds`).
//!
//! Constants are chosen by precision (`E::MANTISSA_DIGITS`), which folds away after
//! monomorphisation. The polynomials are Taylor series with exact rational coefficients, taken
//! far enough that truncation costs under 0.05 ulp on the reduced range, so the error is the
//! rounding of the evaluation and the final scaling.

use super::SimdVec;
use crate::dtype::Dtype;

/// `ln 2` split so that `k · LN2_HI` is exact for every exponent `k` of the type.
const LN2_HI_F32: f64 = 0.693_359_375;
const LN2_LO_F32: f64 = -2.121_944_4e-4;
const LN2_HI_F64: f64 = 6.931_471_803_691_238e-1;
const LN2_LO_F64: f64 = 1.908_214_929_270_587_7e-10;

/// `1/n!` for `n = 2..=N+1`, highest degree first (Horner order), for `e^r = 1 + r + r²·P(r)`.
const fn exp_coefficients<const N: usize>() -> [f64; N] {
    let mut c = [0.0; N];
    let (mut i, mut f) = (0, 1.0);
    while i < N {
        f /= (i + 2) as f64;
        c[N - 1 - i] = f;
        i += 1;
    }
    c
}

/// `2/(2j+1)` for `j = 1..=N`, highest degree first, for `ln(1+f)` through `atanh` (see `ln`).
const fn ln_coefficients<const N: usize>() -> [f64; N] {
    let mut c = [0.0; N];
    let mut j = 0;
    while j < N {
        c[N - 1 - j] = 2.0 / (2 * j + 3) as f64;
        j += 1;
    }
    c
}

// |r| ≤ ln2/2: the first dropped term, r^(N+2)/(N+2)!, is under 0.05 ulp
const EXP_F32: [f64; 7] = exp_coefficients::<7>();
const EXP_F64: [f64; 12] = exp_coefficients::<12>();
// |s| ≤ (√2−1)/(√2+1): the first dropped term of 2·atanh(s) is under 0.05 ulp
const LN_F32: [f64; 4] = ln_coefficients::<4>();
const LN_F64: [f64; 10] = ln_coefficients::<10>();

#[inline(always)]
fn single<E: Dtype>() -> bool {
    E::MANTISSA_DIGITS <= 24
}

#[inline(always)]
unsafe fn splat<E: Dtype, V: SimdVec<E>>(c: f64) -> V {
    // SAFETY: the caller guarantees `V`'s instruction set.
    unsafe { V::splat(E::from_f64(c)) }
}

/// `c[0]·x^(N−1) + … + c[N−1]` by Horner's rule with fused steps.
#[inline(always)]
unsafe fn poly<E: Dtype, V: SimdVec<E>, const N: usize>(x: V, c: &[f64; N]) -> V {
    // SAFETY: the caller guarantees `V`'s instruction set.
    unsafe {
        let mut p = splat::<E, V>(c[0]);
        for &ci in &c[1..] {
            p = p.mul_add(x, splat::<E, V>(ci));
        }
        p
    }
}

/// `(k, q)` with `e^x = 2^k · (1 + q)`, `k` integral and `|q| ≤ √2 − 1`, for `x` already
/// limited to the range the caller needs.
#[inline(always)]
unsafe fn exp_reduced<E: Dtype, V: SimdVec<E>>(x: V) -> (V, V) {
    let (hi, lo) = if single::<E>() {
        (LN2_HI_F32, LN2_LO_F32)
    } else {
        (LN2_HI_F64, LN2_LO_F64)
    };
    // SAFETY: the caller guarantees `V`'s instruction set.
    unsafe {
        let k = x.mul(splat::<E, V>(core::f64::consts::LOG2_E)).round();
        // Cody–Waite: k·hi is exact, so r carries no error from the reduction but lo's
        let r = k.mul_add(splat::<E, V>(-hi), x);
        let r = k.mul_add(splat::<E, V>(-lo), r);
        let p = if single::<E>() {
            poly(r, &EXP_F32)
        } else {
            poly(r, &EXP_F64)
        };
        (k, p.mul_add(r.mul(r), r))
    }
}

/// `e^x`, within 1 ulp of libm for f32 and f64 over the whole finite range (measured on
/// `[-87, 88]` for f32 and `[-708, 709]` for f64, and at the edges of underflow); ±∞ and NaN
/// as libm, overflow to +∞, underflow through the subnormals to 0.
///
/// # Safety
/// The CPU supports `V`'s instruction set.
#[inline(always)]
pub unsafe fn exp<E: Dtype, V: SimdVec<E>>(x: V) -> V {
    // past these, e^x is ∞ or rounds to 0; clamping keeps k in the range `pow2i` takes
    let (lo, hi) = if single::<E>() {
        (-104.0, 88.8)
    } else {
        (-746.0, 710.0)
    };
    // SAFETY: the caller guarantees `V`'s instruction set.
    unsafe {
        // `max` and `min` keep a NaN in `self`, so NaN stays NaN
        let x = x.max(splat::<E, V>(lo)).min(splat::<E, V>(hi));
        let (k, q) = exp_reduced(x);
        // 2^k in two halves, each a normal power of two, so results in the subnormal range
        // round once and the top of the range overflows to ∞
        let k1 = k.mul(splat::<E, V>(0.5)).round();
        let k2 = k.sub(k1);
        q.add(splat::<E, V>(1.0)).mul(k1.pow2i()).mul(k2.pow2i())
    }
}

/// `e^x − 1` for `|x| ≤ 80`, accurate near 0 (no cancellation): `2^k·q + (2^k − 1)`.
#[inline(always)]
unsafe fn expm1_moderate<E: Dtype, V: SimdVec<E>>(x: V) -> V {
    // SAFETY: the caller guarantees `V`'s instruction set; |k| ≤ 116 keeps 2^k normal.
    unsafe {
        let (k, q) = exp_reduced(x);
        let t = k.pow2i();
        t.mul_add(q, t.sub(splat::<E, V>(1.0)))
    }
}

/// `ln x`, within 1 ulp of libm for f32 and f64 on every positive finite input, subnormals
/// included; `ln 0 = −∞`, `ln x = NaN` for `x < 0`, `ln ∞ = ∞`, NaN stays NaN.
///
/// `x = m·2^e` with `m` in `[√½, √2)`; with `f = m − 1` and `s = f / (2 + f)`,
/// `ln(1 + f) = 2·atanh(s) = f − (f²/2 − s·(f²/2 + R(s²)))` (fdlibm's arrangement), whose
/// leading `f` is exact.
///
/// # Safety
/// The CPU supports `V`'s instruction set.
#[inline(always)]
pub unsafe fn ln<E: Dtype, V: SimdVec<E>>(x: V) -> V {
    let digits = f64::from(E::MANTISSA_DIGITS);
    let (hi, lo) = if single::<E>() {
        (LN2_HI_F32, LN2_LO_F32)
    } else {
        (LN2_HI_F64, LN2_LO_F64)
    };
    // SAFETY: the caller guarantees `V`'s instruction set; `frexp` sees only positive normal
    // numbers in the lanes whose result is kept.
    unsafe {
        let zero = V::zero();
        // subnormals are scaled into the normal range first
        let sub = x.lt(V::splat(E::min_positive_value()));
        let xs = V::select(sub, x.mul(splat::<E, V>(2f64.powf(digits))), x);
        let (e, m) = xs.frexp();
        let e = V::select(sub, e.sub(splat::<E, V>(digits)), e);
        let big = splat::<E, V>(core::f64::consts::SQRT_2).lt(m);
        let m = V::select(big, m.mul(splat::<E, V>(0.5)), m);
        let e = V::select(big, e.add(splat::<E, V>(1.0)), e);
        let f = m.sub(splat::<E, V>(1.0));
        let s = f.div(f.add(splat::<E, V>(2.0)));
        let z = s.mul(s);
        let r = z.mul(if single::<E>() {
            poly(z, &LN_F32)
        } else {
            poly(z, &LN_F64)
        });
        let hfsq = splat::<E, V>(0.5).mul(f.mul(f));
        let l = f.sub(hfsq.sub(s.mul_add(hfsq.add(r), e.mul(splat::<E, V>(lo)))));
        let y = e.mul_add(splat::<E, V>(hi), l);
        // x ≤ 0 (and NaN) → −∞, then x < 0 → NaN, a NaN input → NaN (x − x), +∞ → +∞
        let y = V::select(zero.lt(x), y, V::splat(E::neg_infinity()));
        let y = V::select(x.lt(zero), V::splat(E::nan()), y);
        let y = y.add(x.sub(x));
        V::select(V::splat(E::max_value()).lt(x), x, y)
    }
}

/// `tanh x`, within 3 ulp of libm for f32 and f64 (measured on `[-10, 10]` and near 0):
/// `t / (t + 2)` with `t = e^(2|x|) − 1`, the sign put back; `|x|` is capped where tanh
/// rounds to 1, and below the point where it rounds to `x` the result is `x` (so `tanh(−0)`
/// is −0). NaN stays NaN.
///
/// # Safety
/// The CPU supports `V`'s instruction set.
#[inline(always)]
pub unsafe fn tanh<E: Dtype, V: SimdVec<E>>(x: V) -> V {
    // tanh rounds to 1 past 9.01 (f32) and 19.06 (f64), and to x below 2^-12 (2^-27)
    let (cap, tiny) = if single::<E>() {
        (10.0, 2f64.powi(-12))
    } else {
        (20.0, 2f64.powi(-27))
    };
    // SAFETY: the caller guarantees `V`'s instruction set; 2·cap is in `expm1_moderate`'s
    // range.
    unsafe {
        let zero = V::zero();
        let neg = x.lt(zero);
        let ax = V::select(neg, zero.sub(x), x).min(splat::<E, V>(cap));
        let t = expm1_moderate(ax.add(ax));
        let y = t.div(t.add(splat::<E, V>(2.0)));
        let y = V::select(neg, zero.sub(y), y);
        // x itself near 0, which also keeps the sign of −0
        V::select(ax.lt(splat::<E, V>(tiny)), x, y)
    }
}

/// The logistic sigmoid `1 / (1 + e^−x)`, within 3 ulp of [`sigmoid_scalar`] for f32 and f64
/// (measured on `[-87, 88]` for f32 and `[-708, 709]` for f64); 0 and 1 at −∞ and +∞, NaN
/// stays NaN.
///
/// # Safety
/// The CPU supports `V`'s instruction set.
#[inline(always)]
pub unsafe fn sigmoid<E: Dtype, V: SimdVec<E>>(x: V) -> V {
    // SAFETY: the caller guarantees `V`'s instruction set.
    unsafe {
        let one = splat::<E, V>(1.0);
        one.div(one.add(exp(V::zero().sub(x))))
    }
}

/// The logistic sigmoid on one value, the reference for [`sigmoid`]: `1 / (1 + e^−x)` for
/// `x ≥ 0` and `e^x / (1 + e^x)` below, so neither side overflows.
#[inline(always)]
pub fn sigmoid_scalar<E: Dtype>(x: E) -> E {
    if x >= E::zero() {
        E::one() / (E::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (E::one() + e)
    }
}
