//! The scalar path: one element per value, plain Rust, the reference the other paths are
//! tested against. Its `mul_add` rounds twice (`a * b + c`), as the plain loops it replaces
//! do, because a portable build without FMA would turn a fused one into a slow library call.

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
    unsafe fn hsum(self) -> E {
        self.0
    }
    #[inline(always)]
    unsafe fn hmax(self) -> E {
        self.0
    }
}
