//! Row kernels for softmax, log-softmax and logsumexp along a contiguous axis, forward and
//! backward, on every path. Each forward reads its row twice: once for the maximum, once for
//! `e^(x − max)` summed as it is written; a third, cheap pass scales the row in cache.
//!
//! A row whose maximum is ±∞ is shifted by 0 instead (as the composite ops do), so an all
//! −∞ row gives NaN, as in PyTorch.

use super::kernels::{dot, max, sum};
use super::{dispatch, SimdElem, SimdPath, SimdVec, WithSimd};
use crate::ops::unary::{ScalarMul, ScalarSub};

/// The shift of a row: its maximum, or 0 when that is not finite.
fn shift<E: SimdElem>(path: SimdPath, x: &[E]) -> E {
    let m = max(path, x);
    if m.is_finite() {
        m
    } else {
        E::zero()
    }
}

/// `y[i] = softmax(x)[i]` over one row (the shorter length).
pub fn softmax_row<E: SimdElem>(path: SimdPath, x: &[E], y: &mut [E]) {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &mut y[..n]);
    let s = dispatch(path, ExpShiftedSum(x, shift(path, x), Some(&mut *y)));
    super::elementwise::unary_in_place(path, &ScalarMul::new(E::one() / s), y);
}

/// `y[i] = log_softmax(x)[i] = x[i] − max − ln Σ e^(x − max)` over one row.
pub fn log_softmax_row<E: SimdElem>(path: SimdPath, x: &[E], y: &mut [E]) {
    let c = logsumexp_row(path, x);
    super::elementwise::unary_into(path, &ScalarSub::new(c), x, y);
}

/// `ln Σ e^x[i]` over one row, computed without overflow (−∞ for an empty row).
pub fn logsumexp_row<E: SimdElem>(path: SimdPath, x: &[E]) -> E {
    let m = shift(path, x);
    m + dispatch(path, ExpShiftedSum(x, m, None)).ln()
}

/// Softmax's backward over one row: `gi[i] += y[i] · (g[i] − Σ g·y)`, `y` its output.
pub fn softmax_row_bwd<E: SimdElem>(path: SimdPath, y: &[E], g: &[E], gi: &mut [E]) {
    let d = dot(path, y, g);
    dispatch(path, SoftmaxBwd(y, g, d, gi));
}

/// Log-softmax's backward over one row: `gi[i] += g[i] − e^y[i] · Σ g`, `y` its output.
pub fn log_softmax_row_bwd<E: SimdElem>(path: SimdPath, y: &[E], g: &[E], gi: &mut [E]) {
    let s = sum(path, g);
    dispatch(path, LogSoftmaxBwd(y, g, s, gi));
}

/// Logsumexp's backward over one row: `gi[i] += g · e^(x[i] − lse)`, `lse` its output.
pub fn logsumexp_row_bwd<E: SimdElem>(path: SimdPath, x: &[E], lse: E, g: E, gi: &mut [E]) {
    dispatch(path, ExpShiftedAxpy(x, lse, g, gi));
}

/// `LANES` elements from `p`, or the first `r` when fewer remain (the rest 0).
///
/// # Safety
/// The CPU supports `V`'s instruction set and `p` is valid for reading `r <= LANES` elements.
#[inline(always)]
unsafe fn ld<E: SimdElem, V: SimdVec<E>>(p: *const E, r: usize) -> V {
    // SAFETY: the caller's contract.
    unsafe {
        if r == V::LANES {
            V::load(p)
        } else {
            V::load_partial(p, r)
        }
    }
}

/// Writes `LANES` elements to `p`, or the first `r` when fewer remain.
///
/// # Safety
/// The CPU supports `V`'s instruction set and `p` is valid for writing `r <= LANES` elements.
#[inline(always)]
unsafe fn st<E: SimdElem, V: SimdVec<E>>(v: V, p: *mut E, r: usize) {
    // SAFETY: the caller's contract.
    unsafe {
        if r == V::LANES {
            v.store(p)
        } else {
            v.store_partial(p, r)
        }
    }
}

/// `Σ e^(x[i] − shift)`, writing each term to the output when there is one.
struct ExpShiftedSum<'a, E>(&'a [E], E, Option<&'a mut [E]>);

impl<E: SimdElem> WithSimd<E> for ExpShiftedSum<'_, E> {
    type Output = E;
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) -> E {
        let (x, n, w) = (self.0.as_ptr(), self.0.len(), V::LANES);
        let out = self.2.map(|y| {
            assert!(y.len() >= n);
            y.as_mut_ptr()
        });
        // SAFETY: `V`'s instructions run here (the caller's contract); loads stay below `n`,
        // which `x` holds, and stores below `n`, which the output holds (just checked).
        unsafe {
            let m = V::splat(self.1);
            let (mut a0, mut a1) = (V::zero(), V::zero());
            let mut i = 0;
            while i + 2 * w <= n {
                let e0 = V::load(x.add(i)).sub(m).exp();
                let e1 = V::load(x.add(i + w)).sub(m).exp();
                if let Some(y) = out {
                    e0.store(y.add(i));
                    e1.store(y.add(i + w));
                }
                a0 = a0.add(e0);
                a1 = a1.add(e1);
                i += 2 * w;
            }
            while i < n {
                let r = (n - i).min(w);
                let mut e = ld::<E, V>(x.add(i), r).sub(m).exp();
                if r < w {
                    // the padding lanes hold e^(0 − shift): only the first `r` count
                    let live = lane_index::<E, V>().lt(V::splat(E::from_usize(r)));
                    e = V::select(live, e, V::zero());
                }
                if let Some(y) = out {
                    st(e, y.add(i), r);
                }
                a0 = a0.add(e);
                i += r;
            }
            a0.add(a1).hsum()
        }
    }
}

/// The lane numbers `0, 1, …, LANES − 1`.
///
/// # Safety
/// The CPU supports `V`'s instruction set.
#[inline(always)]
unsafe fn lane_index<E: SimdElem, V: SimdVec<E>>() -> V {
    let mut a = [E::zero(); 16];
    for (i, v) in a.iter_mut().enumerate() {
        *v = E::from_usize(i);
    }
    // SAFETY: `a` holds 16 ≥ LANES elements; the caller guarantees `V`'s instructions.
    unsafe { V::load(a.as_ptr()) }
}

/// `gi[i] += (g[i] − d) · y[i]`.
struct SoftmaxBwd<'a, E>(&'a [E], &'a [E], E, &'a mut [E]);

impl<E: SimdElem> WithSimd<E> for SoftmaxBwd<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let n = self.0.len().min(self.1.len()).min(self.3.len());
        let (y, g, gi, w) = (
            self.0.as_ptr(),
            self.1.as_ptr(),
            self.3.as_mut_ptr(),
            V::LANES,
        );
        // SAFETY: `V`'s instructions run here; every access stays below `n`, which all three
        // slices hold.
        unsafe {
            let d = V::splat(self.2);
            let mut i = 0;
            while i < n {
                let r = (n - i).min(w);
                let (yv, gv) = (ld::<E, V>(y.add(i), r), ld::<E, V>(g.add(i), r));
                let acc = ld::<E, V>(gi.add(i), r);
                st(gv.sub(d).mul_add(yv, acc), gi.add(i), r);
                i += r;
            }
        }
    }
}

/// `gi[i] += g[i] − e^y[i] · s`.
struct LogSoftmaxBwd<'a, E>(&'a [E], &'a [E], E, &'a mut [E]);

impl<E: SimdElem> WithSimd<E> for LogSoftmaxBwd<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let n = self.0.len().min(self.1.len()).min(self.3.len());
        let (y, g, gi, w) = (
            self.0.as_ptr(),
            self.1.as_ptr(),
            self.3.as_mut_ptr(),
            V::LANES,
        );
        // SAFETY: `V`'s instructions run here; every access stays below `n`.
        unsafe {
            let neg_s = V::splat(-self.2);
            let mut i = 0;
            while i < n {
                let r = (n - i).min(w);
                let (yv, gv) = (ld::<E, V>(y.add(i), r), ld::<E, V>(g.add(i), r));
                let acc = ld::<E, V>(gi.add(i), r).add(gv);
                st(yv.exp().mul_add(neg_s, acc), gi.add(i), r);
                i += r;
            }
        }
    }
}

/// `gi[i] += g · e^(x[i] − lse)`.
struct ExpShiftedAxpy<'a, E>(&'a [E], E, E, &'a mut [E]);

impl<E: SimdElem> WithSimd<E> for ExpShiftedAxpy<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let n = self.0.len().min(self.3.len());
        let (x, gi, w) = (self.0.as_ptr(), self.3.as_mut_ptr(), V::LANES);
        // SAFETY: `V`'s instructions run here; every access stays below `n`.
        unsafe {
            let (lse, g) = (V::splat(self.1), V::splat(self.2));
            let mut i = 0;
            while i < n {
                let r = (n - i).min(w);
                let e = ld::<E, V>(x.add(i), r).sub(lse).exp();
                st(e.mul_add(g, ld::<E, V>(gi.add(i), r)), gi.add(i), r);
                i += r;
            }
        }
    }
}
