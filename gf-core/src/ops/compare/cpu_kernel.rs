use super::{CmpOp, CompareKernel};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Unit;
use crate::error::Result;
use crate::layout::Layout;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

/// The contiguous slice a view covers, when it covers one.
fn as_slice<'a, E>(buf: &'a [E], layout: &Layout) -> Option<&'a [E]> {
    let n = layout.num_elements();
    if n == 0 {
        return Some(&[]);
    }
    layout
        .is_contiguous()
        .then(|| &buf[layout.offset..layout.offset + n])
}

/// The one element a view repeats, when every stride is 0 (a broadcast scalar).
fn as_repeated<E: Copy>(buf: &[E], layout: &Layout) -> Option<E> {
    (layout.num_elements() > 0 && layout.strides.iter().all(|&s| s == 0))
        .then(|| buf[layout.offset])
}

fn compare_with<E: Unit>(
    lhs: &[E],
    ll: &Layout,
    rhs: &[E],
    rl: &Layout,
    f: impl Fn(E, E) -> bool + Sync,
) -> Vec<bool> {
    if let Some(a) = as_slice(lhs, ll) {
        if let Some(b) = as_slice(rhs, rl) {
            #[cfg(feature = "rayon")]
            if a.len() >= crate::device::PAR_THRESHOLD {
                return a.par_iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
            }
            return a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
        }
        if let Some(c) = as_repeated(rhs, rl) {
            #[cfg(feature = "rayon")]
            if a.len() >= crate::device::PAR_THRESHOLD {
                return a.par_iter().map(|&x| f(x, c)).collect();
            }
            return a.iter().map(|&x| f(x, c)).collect();
        }
    }
    let (lo, ro) = (ll.offsets(), rl.offsets());
    lo.iter()
        .zip(&ro)
        .map(|(&i, &j)| f(lhs[i], rhs[j]))
        .collect()
}

impl<E: Unit> CompareKernel<E> for Cpu {
    fn try_compare(
        &self,
        op: CmpOp,
        lhs: &CpuBuf<E>,
        ll: &Layout,
        rhs: &CpuBuf<E>,
        rl: &Layout,
    ) -> Result<CpuBuf<bool>> {
        // one monomorphized loop per op, so the comparison is not re-dispatched per element
        Ok(match op {
            CmpOp::Eq => compare_with(lhs, ll, rhs, rl, |x, y| x == y).into(),
            CmpOp::Ne => compare_with(lhs, ll, rhs, rl, |x, y| x != y).into(),
            CmpOp::Lt => compare_with(lhs, ll, rhs, rl, |x, y| x < y).into(),
            CmpOp::Le => compare_with(lhs, ll, rhs, rl, |x, y| x <= y).into(),
            CmpOp::Gt => compare_with(lhs, ll, rhs, rl, |x, y| x > y).into(),
            CmpOp::Ge => compare_with(lhs, ll, rhs, rl, |x, y| x >= y).into(),
        })
    }

    fn try_select(
        &self,
        mask: &CpuBuf<bool>,
        ml: &Layout,
        on_true: &CpuBuf<E>,
        tl: &Layout,
        on_false: &CpuBuf<E>,
        fl: &Layout,
    ) -> Result<CpuBuf<E>> {
        if let (Some(m), Some(t), Some(f)) = (
            as_slice(mask, ml),
            as_slice(on_true, tl),
            as_slice(on_false, fl),
        ) {
            return Ok(m
                .iter()
                .zip(t.iter().zip(f))
                .map(|(&m, (&t, &f))| if m { t } else { f })
                .collect());
        }
        let (mo, to, fo) = (ml.offsets(), tl.offsets(), fl.offsets());
        Ok(mo
            .iter()
            .zip(to.iter().zip(&fo))
            .map(|(&m, (&t, &f))| if mask[m] { on_true[t] } else { on_false[f] })
            .collect())
    }
}
