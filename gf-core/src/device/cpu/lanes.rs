//! Lanes: a fixed number of elements an elementwise kernel processes together.
//!
//! An op descriptor may write its function once over [`Lanes`] (`x.max(L::splat(0))` for relu);
//! every SIMD back end (AVX-512, AVX2, NEON) implements the trait for its registers, and
//! [`Chunk`] is the portable implementation over plain arrays, which the compiler vectorises.
//! An op without a lane form gets one from its scalar `f`, lane by lane.

use crate::dtype::Dtype;

/// `WIDTH` elements computed together. Arithmetic follows IEEE like the scalar ops; `max` and
/// `min` propagate NaN (as PyTorch's `maximum` does), whatever the hardware instruction does.
pub trait Lanes<E: Dtype>: Copy {
    /// How many elements a lane value holds.
    const WIDTH: usize;
    /// Every lane `v`.
    fn splat(v: E) -> Self;
    /// The first `WIDTH` elements of `src` (which must hold that many).
    fn load(src: &[E]) -> Self;
    /// Writes the lanes to the first `WIDTH` elements of `dst`.
    fn store(self, dst: &mut [E]);
    /// `f` on every lane: the fallback for functions with no lane-level form.
    fn map(self, f: impl Fn(E) -> E) -> Self;
    /// `f` on every pair of lanes.
    fn zip_map(self, other: Self, f: impl Fn(E, E) -> E) -> Self;
    /// Lane-wise `self + other`.
    fn add(self, other: Self) -> Self {
        self.zip_map(other, |a, b| a + b)
    }
    /// Lane-wise `self − other`.
    fn sub(self, other: Self) -> Self {
        self.zip_map(other, |a, b| a - b)
    }
    /// Lane-wise `self · other`.
    fn mul(self, other: Self) -> Self {
        self.zip_map(other, |a, b| a * b)
    }
    /// Lane-wise `self / other`.
    fn div(self, other: Self) -> Self {
        self.zip_map(other, |a, b| a / b)
    }
    /// Lane-wise maximum; NaN in either operand gives NaN.
    fn max(self, other: Self) -> Self {
        self.zip_map(other, max_nan)
    }
    /// Lane-wise minimum; NaN in either operand gives NaN.
    fn min(self, other: Self) -> Self {
        self.zip_map(other, min_nan)
    }
    /// `t` in the lanes where `a < b` (false when either is NaN), `f` in the others.
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self;
    /// `e^x` per lane: libm's on the portable lanes, the polynomial of
    /// [`simd::math::exp`](super::simd::math::exp) on a SIMD path.
    fn exp(self) -> Self {
        self.map(|v| v.exp())
    }
    /// `ln x` per lane (libm's, or [`simd::math::ln`](super::simd::math::ln)).
    fn ln(self) -> Self {
        self.map(|v| v.ln())
    }
    /// `tanh x` per lane (libm's, or [`simd::math::tanh`](super::simd::math::tanh)).
    fn tanh(self) -> Self {
        self.map(|v| v.tanh())
    }
    /// The logistic sigmoid per lane ([`simd::math::sigmoid_scalar`](super::simd::math::sigmoid_scalar),
    /// or [`simd::math::sigmoid`](super::simd::math::sigmoid)).
    fn sigmoid(self) -> Self {
        self.map(super::simd::math::sigmoid_scalar)
    }
}

/// `max(a, b)`, NaN when either is NaN.
#[inline(always)]
pub fn max_nan<E: Dtype>(a: E, b: E) -> E {
    if a.is_nan() || a >= b {
        a
    } else {
        b
    }
}

/// `min(a, b)`, NaN when either is NaN.
#[inline(always)]
pub fn min_nan<E: Dtype>(a: E, b: E) -> E {
    if a.is_nan() || a <= b {
        a
    } else {
        b
    }
}

/// `N` elements in a plain array: the portable lane type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chunk<E, const N: usize>(pub [E; N]);

impl<E: Dtype, const N: usize> Lanes<E> for Chunk<E, N> {
    const WIDTH: usize = N;
    #[inline(always)]
    fn splat(v: E) -> Self {
        Chunk([v; N])
    }
    #[inline(always)]
    fn load(src: &[E]) -> Self {
        let mut a = [E::zero(); N];
        a.copy_from_slice(&src[..N]);
        Chunk(a)
    }
    #[inline(always)]
    fn store(self, dst: &mut [E]) {
        dst[..N].copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn map(self, f: impl Fn(E) -> E) -> Self {
        Chunk(self.0.map(f))
    }
    #[inline(always)]
    fn zip_map(self, other: Self, f: impl Fn(E, E) -> E) -> Self {
        let mut out = self.0;
        for (o, b) in out.iter_mut().zip(other.0) {
            *o = f(*o, b);
        }
        Chunk(out)
    }
    #[inline(always)]
    fn select_lt(a: Self, b: Self, t: Self, f: Self) -> Self {
        let mut out = f.0;
        for (o, ((a, b), t)) in out.iter_mut().zip(a.0.iter().zip(b.0).zip(t.0)) {
            if *a < b {
                *o = t;
            }
        }
        Chunk(out)
    }
}
