use super::{PoolKernel, PoolKind, PoolProblem};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::{Error, Result};

/// Calls `f(output index, input index of each element of its window)` for every window.
fn windows(p: &PoolProblem, mut f: impl FnMut(usize, &mut dyn Iterator<Item = usize>, usize)) {
    let ([h, w], [oh, ow]) = (p.input, p.output);
    for plane in 0..p.planes {
        for oy in 0..oh {
            let (y0, y1, ky) = p.window(0, oy);
            for ox in 0..ow {
                let (x0, x1, kx) = p.window(1, ox);
                let base = plane * (h * w);
                let mut it = (y0..y1).flat_map(move |y| (x0..x1).map(move |x| base + y * w + x));
                f((plane * oh + oy) * ow + ox, &mut it, ky * kx);
            }
        }
    }
}

/// The divisor of an average window: the full window (padding counts) or the adaptive bin.
fn divisor(p: &PoolProblem, full: usize, seen: usize) -> usize {
    match p.kind {
        PoolKind::AdaptiveAvg => seen,
        _ => full,
    }
}

impl<E: Dtype> PoolKernel<E> for Cpu {
    fn try_pool_fwd(&self, p: &PoolProblem, x: &CpuBuf<E>) -> Result<CpuBuf<E>> {
        let mut y = CpuBuf::<E>::try_zeroed(p.planes * p.output[0] * p.output[1])?;
        windows(p, |o, window, full| {
            y[o] = match p.kind {
                PoolKind::Max => window.fold(E::neg_infinity(), |m, i| {
                    if x[i] > m || x[i].is_nan() {
                        x[i]
                    } else {
                        m
                    }
                }),
                _ => {
                    let (sum, seen) = window.fold((E::zero(), 0), |(s, n), i| (s + x[i], n + 1));
                    sum / E::from_usize(divisor(p, full, seen))
                }
            };
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
        if p.kind == PoolKind::Max && x.is_none() {
            return Err(Error::Device(
                "max_pool2d backward needs the pooled input".into(),
            ));
        }
        windows(p, |o, window, full| match (p.kind, x) {
            (PoolKind::Max, Some(x)) => {
                let mut best: Option<usize> = None;
                for i in window {
                    if best.is_none_or(|b| x[i] > x[b]) {
                        best = Some(i);
                    }
                }
                if let Some(b) = best {
                    gx[b] += gy[o];
                }
            }
            _ => {
                let idx: Vec<usize> = window.collect();
                let share = gy[o] / E::from_usize(divisor(p, full, idx.len()));
                idx.into_iter().for_each(|i| gx[i] += share);
            }
        });
        Ok(())
    }
}
