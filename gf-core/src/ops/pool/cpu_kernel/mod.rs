//! The CPU pooling kernels: one plane (an image's channel) at a time, shared out over rayon's
//! threads above [`PAR_THRESHOLD`] input elements. Window bounds are found once per output
//! row and column, and a window is read a contiguous row segment at a time.
//!
//! Max pooling keeps the rules it always had: the forward value is the largest element of the
//! window, NaN winning over any number; the gradient goes to the first element (row-major)
//! that no later one exceeds, recomputed from the input rather than stored.

use super::{PoolKernel, PoolKind, PoolProblem};
use crate::device::{Cpu, CpuBuf, PAR_THRESHOLD};
use crate::dtype::Dtype;
use crate::error::{Error, Result};

/// The divisor of an average window: the full window (padding counts) or the adaptive bin.
fn divisor(p: &PoolProblem, full: usize, seen: usize) -> usize {
    match p.kind {
        PoolKind::AdaptiveAvg => seen,
        _ => full,
    }
}

/// Each output row's (or column's, `axis` 1) clipped input range and full window size.
fn windows(p: &PoolProblem, axis: usize) -> Vec<(usize, usize, usize)> {
    (0..p.output[axis]).map(|o| p.window(axis, o)).collect()
}

/// Runs `f(plane index, that plane's part of buf)` for every `len`-element plane of `buf`, on
/// rayon's threads when the problem is large enough.
fn for_planes<E: Dtype>(
    p: &PoolProblem,
    buf: &mut [E],
    len: usize,
    f: impl Fn(usize, &mut [E]) + Sync + Send,
) {
    if len == 0 {
        return;
    }
    #[cfg(feature = "rayon")]
    if p.planes.saturating_mul(p.input[0] * p.input[1]) >= PAR_THRESHOLD {
        use rayon::prelude::*;
        buf.par_chunks_mut(len)
            .enumerate()
            .for_each(|(i, b)| f(i, b));
        return;
    }
    let _ = (p, PAR_THRESHOLD);
    buf.chunks_mut(len).enumerate().for_each(|(i, b)| f(i, b));
}

impl<E: Dtype> PoolKernel<E> for Cpu {
    fn try_pool_fwd(&self, p: &PoolProblem, x: &CpuBuf<E>) -> Result<CpuBuf<E>> {
        let ([h, w], [oh, ow]) = (p.input, p.output);
        let mut y = CpuBuf::<E>::try_zeroed(p.planes * oh * ow)?;
        if y.is_empty() {
            // nothing to pool, and the window bounds of a side may not even be computable
            return Ok(y);
        }
        let (rows, cols) = (windows(p, 0), windows(p, 1));
        for_planes(p, &mut y, oh * ow, |plane, out| {
            let xp = &x[plane * (h * w)..][..h * w];
            for (yrow, &(y0, y1, ky)) in out.chunks_exact_mut(ow).zip(&rows) {
                let window_rows = || (y0..y1).map(|r| &xp[r * w..][..w]);
                for (o, &(x0, x1, kx)) in yrow.iter_mut().zip(&cols) {
                    *o = match p.kind {
                        PoolKind::Max => window_rows().fold(E::neg_infinity(), |m, row| {
                            row[x0..x1]
                                .iter()
                                .fold(m, |m, &v| if v > m || v.is_nan() { v } else { m })
                        }),
                        _ => {
                            let sum = window_rows().fold(E::zero(), |s, row| {
                                row[x0..x1].iter().fold(s, |s, &v| s + v)
                            });
                            let seen = (y1 - y0) * (x1 - x0);
                            sum / E::from_usize(divisor(p, ky * kx, seen))
                        }
                    };
                }
            }
        });
        Ok(y)
    }

    fn try_pool_bwd(
        &self,
        p: &PoolProblem,
        x: Option<&CpuBuf<E>>,
        gy: &CpuBuf<E>,
        gx: &mut CpuBuf<E>,
    ) -> Result<()> {
        let max_input = match (p.kind, x) {
            (PoolKind::Max, None) => {
                return Err(Error::Device(
                    "max_pool2d backward needs the pooled input".into(),
                ))
            }
            (PoolKind::Max, Some(x)) => Some(x),
            _ => None,
        };
        let ([h, w], [oh, ow]) = (p.input, p.output);
        if gx.is_empty() || gy.is_empty() {
            return Ok(());
        }
        let (rows, cols) = (windows(p, 0), windows(p, 1));
        for_planes(p, gx, h * w, |plane, gxp| {
            let gyp = &gy[plane * (oh * ow)..][..oh * ow];
            let xp = max_input.map(|x| &x[plane * (h * w)..][..h * w]);
            for (grow, &(y0, y1, ky)) in gyp.chunks_exact(ow).zip(&rows) {
                for (&g, &(x0, x1, kx)) in grow.iter().zip(&cols) {
                    if let Some(xp) = xp {
                        if y0 == y1 || x0 == x1 {
                            continue;
                        }
                        // the first element, then any later one greater than the best so far
                        // (the value kept beside its index, so NaN never moves it either way)
                        let (mut best, mut best_v) = (y0 * w + x0, xp[y0 * w + x0]);
                        for r in y0..y1 {
                            for (c, &v) in xp[r * w..][x0..x1].iter().enumerate() {
                                if v > best_v {
                                    (best, best_v) = (r * w + x0 + c, v);
                                }
                            }
                        }
                        gxp[best] += g;
                    } else {
                        let seen = (y1 - y0) * (x1 - x0);
                        let share = g / E::from_usize(divisor(p, ky * kx, seen));
                        for r in y0..y1 {
                            gxp[r * w..][x0..x1].iter_mut().for_each(|v| *v += share);
                        }
                    }
                }
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests;
