//! Slice kernels on the lane layer, for every path: the building blocks other kernels (the
//! GEMM's matrix-vector path) use, and what the path tests exercise. Each takes the path to
//! run on; pass [`path()`](super::path) for the chosen one.

use super::{dispatch, SimdElem, SimdPath, SimdVec, WithSimd};
use crate::device::lanes::{max_nan, min_nan};

/// `Σ a[i]·b[i]` over the shorter length; lanes accumulate apart, so the rounding differs from
/// a left-to-right sum by a few ulps per term.
pub fn dot<E: SimdElem>(path: SimdPath, a: &[E], b: &[E]) -> E {
    let n = a.len().min(b.len());
    dispatch(path, Dot(&a[..n], &b[..n]))
}

/// `y[i] += alpha·x[i]` over the shorter length.
pub fn axpy<E: SimdElem>(path: SimdPath, alpha: E, x: &[E], y: &mut [E]) {
    let n = x.len().min(y.len());
    dispatch(path, Axpy(alpha, &x[..n], &mut y[..n]))
}

/// `Σ x[i]` (0 for an empty slice).
pub fn sum<E: SimdElem>(path: SimdPath, x: &[E]) -> E {
    dispatch(path, Sum(x))
}

/// The largest element, NaN when any is NaN, −∞ for an empty slice.
pub fn max<E: SimdElem>(path: SimdPath, x: &[E]) -> E {
    dispatch(path, Max(x))
}

/// The smallest element, NaN when any is NaN, +∞ for an empty slice.
pub fn min<E: SimdElem>(path: SimdPath, x: &[E]) -> E {
    dispatch(path, Min(x))
}

/// `dst[i] = max(src[i], 0)` over the shorter length; NaN stays NaN.
pub fn relu_into<E: SimdElem>(path: SimdPath, src: &[E], dst: &mut [E]) {
    let n = src.len().min(dst.len());
    dispatch(path, Relu(&src[..n], &mut dst[..n]))
}

struct Dot<'a, E>(&'a [E], &'a [E]);

impl<E: SimdElem> WithSimd<E> for Dot<'_, E> {
    type Output = E;
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) -> E {
        let (a, b, n, w) = (self.0.as_ptr(), self.1.as_ptr(), self.0.len(), V::LANES);
        // SAFETY: `V`'s instructions run here (the caller's contract); every load reads lanes
        // below `n`, and both slices hold `n` elements.
        unsafe {
            let mut acc = [V::zero(); 4];
            let mut i = 0;
            while i + 4 * w <= n {
                for (j, s) in acc.iter_mut().enumerate() {
                    let o = i + j * w;
                    *s = V::load(a.add(o)).mul_add(V::load(b.add(o)), *s);
                }
                i += 4 * w;
            }
            while i + w <= n {
                acc[0] = V::load(a.add(i)).mul_add(V::load(b.add(i)), acc[0]);
                i += w;
            }
            let (x, y) = (
                V::load_partial(a.add(i), n - i),
                V::load_partial(b.add(i), n - i),
            );
            acc[1] = x.mul_add(y, acc[1]);
            acc[0].add(acc[1]).add(acc[2].add(acc[3])).hsum()
        }
    }
}

struct Axpy<'a, E>(E, &'a [E], &'a mut [E]);

impl<E: SimdElem> WithSimd<E> for Axpy<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let (x, y, n, w) = (self.1.as_ptr(), self.2.as_mut_ptr(), self.1.len(), V::LANES);
        // SAFETY: `V`'s instructions run here; loads and stores stay below `n`, which both
        // slices hold.
        unsafe {
            let alpha = V::splat(self.0);
            let mut i = 0;
            while i + w <= n {
                alpha
                    .mul_add(V::load(x.add(i)), V::load(y.add(i)))
                    .store(y.add(i));
                i += w;
            }
            let r = n - i;
            let v = alpha.mul_add(V::load_partial(x.add(i), r), V::load_partial(y.add(i), r));
            v.store_partial(y.add(i), r);
        }
    }
}

struct Sum<'a, E>(&'a [E]);

impl<E: SimdElem> WithSimd<E> for Sum<'_, E> {
    type Output = E;
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) -> E {
        let (x, n, w) = (self.0.as_ptr(), self.0.len(), V::LANES);
        // SAFETY: `V`'s instructions run here; every load stays below `n`.
        unsafe {
            let mut acc = [V::zero(); 4];
            let mut i = 0;
            while i + 4 * w <= n {
                for (j, s) in acc.iter_mut().enumerate() {
                    *s = s.add(V::load(x.add(i + j * w)));
                }
                i += 4 * w;
            }
            while i + w <= n {
                acc[0] = acc[0].add(V::load(x.add(i)));
                i += w;
            }
            acc[1] = acc[1].add(V::load_partial(x.add(i), n - i));
            acc[0].add(acc[1]).add(acc[2].add(acc[3])).hsum()
        }
    }
}

struct Max<'a, E>(&'a [E]);

impl<E: SimdElem> WithSimd<E> for Max<'_, E> {
    type Output = E;
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) -> E {
        let (x, n, w) = (self.0.as_ptr(), self.0.len(), V::LANES);
        let mut i = 0;
        // SAFETY: `V`'s instructions run here; every load stays below `n`.
        let lanes = unsafe {
            let mut acc = [V::splat(E::neg_infinity()); 2];
            while i + 2 * w <= n {
                acc[0] = acc[0].max(V::load(x.add(i)));
                acc[1] = acc[1].max(V::load(x.add(i + w)));
                i += 2 * w;
            }
            acc[0].max(acc[1]).hmax()
        };
        // a partial load fills with zeros, which would win over negative elements
        self.0[i..].iter().copied().fold(lanes, max_nan)
    }
}

struct Min<'a, E>(&'a [E]);

impl<E: SimdElem> WithSimd<E> for Min<'_, E> {
    type Output = E;
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) -> E {
        let (x, n, w) = (self.0.as_ptr(), self.0.len(), V::LANES);
        let mut i = 0;
        // SAFETY: `V`'s instructions run here; every load stays below `n`.
        let lanes = unsafe {
            let mut acc = [V::splat(E::infinity()); 2];
            while i + 2 * w <= n {
                acc[0] = acc[0].min(V::load(x.add(i)));
                acc[1] = acc[1].min(V::load(x.add(i + w)));
                i += 2 * w;
            }
            // the smallest of the lanes is minus the largest of their negations
            let m = acc[0].min(acc[1]);
            -V::zero().sub(m).hmax()
        };
        // a partial load fills with zeros, which would win over positive elements
        self.0[i..].iter().copied().fold(lanes, min_nan)
    }
}

struct Relu<'a, E>(&'a [E], &'a mut [E]);

impl<E: SimdElem> WithSimd<E> for Relu<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let (x, y, n, w) = (self.0.as_ptr(), self.1.as_mut_ptr(), self.0.len(), V::LANES);
        // SAFETY: `V`'s instructions run here; loads and stores stay below `n`.
        unsafe {
            let zero = V::zero();
            // `x < 0` is false for NaN, which therefore passes through
            let f = |v: V| V::select(v.lt(zero), zero, v);
            let mut i = 0;
            while i + w <= n {
                f(V::load(x.add(i))).store(y.add(i));
                i += w;
            }
            f(V::load_partial(x.add(i), n - i)).store_partial(y.add(i), n - i);
        }
    }
}
