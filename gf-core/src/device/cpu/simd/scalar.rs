//! The scalar path: one element per value, plain Rust, the reference the other paths are
//! tested against. Its `mul_add` rounds twice (`a * b + c`), as the plain loops it replaces
//! do, because a portable build without FMA would turn a fused one into a slow library call.
//! Its transcendentals are libm's (`f32::exp`, ...): the reference the lane polynomials of
//! [`math`](super::math) are measured against.

use super::SimdVec;
use crate::device::lanes::{max_nan, min_nan};
use crate::dtype::Dtype;

/// One element of `E`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scalar<E>(E);

impl<E: Dtype> SimdVec<E> for Scalar<E> {
    const LANES: usize = 1;
    type Mask = bool;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Scalar(E::zero())
    }
    #[inline(always)]
    unsafe fn splat(x: E) -> Self {
        Scalar(x)
    }
    #[inline(always)]
    unsafe fn load(p: *const E) -> Self {
        // SAFETY: the caller guarantees `p` is valid for reading one element.
        Scalar(unsafe { p.read_unaligned() })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut E) {
        // SAFETY: the caller guarantees `p` is valid for writing one element.
        unsafe { p.write_unaligned(self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const E, n: usize) -> Self {
        if n == 0 {
            Scalar(E::zero())
        } else {
            // SAFETY: `n == 1` here, and the caller guarantees `p` holds `n` elements.
            unsafe { Self::load(p) }
        }
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut E, n: usize) {
        if n != 0 {
            // SAFETY: `n == 1` here, and the caller guarantees `p` holds `n` elements.
            unsafe { self.store(p) }
        }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        Scalar(self.0 + o.0)
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        Scalar(self.0 * o.0)
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        Scalar(self.0 * b.0 + c.0)
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        Scalar(max_nan(self.0, o.0))
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        Scalar(min_nan(self.0, o.0))
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> bool {
        self.0 < o.0
    }
    #[inline(always)]
    unsafe fn select(m: bool, t: Self, f: Self) -> Self {
        if m {
            t
        } else {
            f
        }
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        Scalar(self.0 - o.0)
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        Scalar(self.0 / o.0)
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        let (x, r) = (self.0, self.0.round());
        // `round` takes ties away from zero; the SIMD paths (and the trait) take them to even
        let tie = (x - x.trunc()).abs() == E::from_f64(0.5);
        Scalar(if tie {
            (x * E::from_f64(0.5)).round() * E::from_f64(2.0)
        } else {
            r
        })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        Scalar(E::from_f64(2f64.powi(self.0.as_f64() as i32)))
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // a normal value is `mant · 2^exp` with `mant` holding MANTISSA_DIGITS bits
        let (mant, exp, _) = self.0.integer_decode();
        let top = (E::MANTISSA_DIGITS - 1) as i32;
        let e = E::from_f64(f64::from(i32::from(exp) + top));
        let m = E::from_f64(mant as f64 / 2f64.powi(top));
        (Scalar(e), Scalar(m))
    }
    #[inline(always)]
    unsafe fn hsum(self) -> E {
        self.0
    }
    #[inline(always)]
    unsafe fn hmax(self) -> E {
        self.0
    }
    #[inline(always)]
    unsafe fn exp(self) -> Self {
        Scalar(self.0.exp())
    }
    #[inline(always)]
    unsafe fn ln(self) -> Self {
        Scalar(self.0.ln())
    }
    #[inline(always)]
    unsafe fn tanh(self) -> Self {
        Scalar(self.0.tanh())
    }
    #[inline(always)]
    unsafe fn sigmoid(self) -> Self {
        Scalar(super::math::sigmoid_scalar(self.0))
    }
}
