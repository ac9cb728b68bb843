use super::{BinaryKernel, BinaryOp, Saved};
use crate::device::simd::elementwise::Run;
use crate::device::{Cpu, CpuBuf, PAR_THRESHOLD};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::layout::Layout;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

impl<E: Dtype> BinaryKernel<E> for Cpu {
    fn try_binary_fwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &CpuBuf<E>,
        ll: &Layout,
        rhs: &CpuBuf<E>,
        rl: &Layout,
    ) -> Result<CpuBuf<E>> {
        let n = ll.num_elements();
        if ll.is_contiguous() && rl.is_contiguous() {
            let (a, b) = (
                &lhs[ll.offset..ll.offset + n],
                &rhs[rl.offset..rl.offset + n],
            );
            let mut out = CpuBuf::try_zeroed(n)?;
            #[cfg(feature = "rayon")]
            if n >= PAR_THRESHOLD {
                out.par_chunks_mut(PAR_THRESHOLD)
                    .zip(a.par_chunks(PAR_THRESHOLD).zip(b.par_chunks(PAR_THRESHOLD)))
                    .for_each(|(d, (a, b))| E::binary_into(op, a, b, d));
                return Ok(out);
            }
            E::binary_into(op, a, b, &mut out);
            return Ok(out);
        }
        if let Some(rows) = Rows::plan(n, &[ll, rl]) {
            let mut out = CpuBuf::try_zeroed(n)?;
            let row = |(r, d): (usize, &mut [E])| {
                let (a, b) = (rows.run(0, r, lhs), rows.run(1, r, rhs));
                E::binary_run_into(op, a, b, d)
            };
            #[cfg(feature = "rayon")]
            if n >= PAR_THRESHOLD {
                out.par_chunks_mut(rows.len).enumerate().for_each(row);
                return Ok(out);
            }
            out.chunks_mut(rows.len).enumerate().for_each(row);
            return Ok(out);
        }
        let (lo, ro) = (ll.offsets(), rl.offsets());
        Ok(lo
            .iter()
            .zip(&ro)
            .map(|(&i, &j)| op.f(lhs[i], rhs[j]))
            .collect())
    }

    fn try_binary_assign<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &mut CpuBuf<E>,
        rhs: &CpuBuf<E>,
        rl: &Layout,
    ) -> Result<()> {
        if rl.is_contiguous() {
            let b = &rhs[rl.offset..rl.offset + lhs.len()];
            #[cfg(feature = "rayon")]
            if lhs.len() >= PAR_THRESHOLD {
                lhs.par_chunks_mut(PAR_THRESHOLD)
                    .zip(b.par_chunks(PAR_THRESHOLD))
                    .for_each(|(a, b)| E::binary_in_place(op, a, b));
                return Ok(());
            }
            E::binary_in_place(op, lhs, b);
            return Ok(());
        }
        if let Some(rows) = Rows::plan(lhs.len(), &[rl]) {
            let row =
                |(r, a): (usize, &mut [E])| E::binary_run_in_place(op, a, rows.run(0, r, rhs));
            #[cfg(feature = "rayon")]
            if lhs.len() >= PAR_THRESHOLD {
                lhs.par_chunks_mut(rows.len).enumerate().for_each(row);
                return Ok(());
            }
            lhs.chunks_mut(rows.len).enumerate().for_each(row);
            return Ok(());
        }
        let mut k = 0;
        rl.for_each_offset(|o| {
            lhs[k] = op.f(lhs[k], rhs[o]);
            k += 1;
        });
        Ok(())
    }

    fn try_binary_bwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: Saved<'_, CpuBuf<E>>,
        rhs: Saved<'_, CpuBuf<E>>,
        mut grad_lhs: Option<&mut CpuBuf<E>>,
        mut grad_rhs: Option<&mut CpuBuf<E>>,
        grad_out: &CpuBuf<E>,
    ) -> Result<()> {
        let n = grad_out.len();
        let saved: Vec<&Layout> = [lhs, rhs].iter().flatten().map(|(_, l)| *l).collect();
        if let Some(rows) = Rows::plan(n, &saved).filter(|_| n > 0) {
            // the saved operands are views 0 and 1 of `rows`, in that order
            let x = lhs.map(|(b, _)| (0, &b[..]));
            let y = rhs.map(|(b, _)| (usize::from(lhs.is_some()), &b[..]));
            for (by_x, acc) in [(true, grad_lhs), (false, grad_rhs)] {
                let Some(acc) = acc else { continue };
                let row = |(r, (a, g)): (usize, (&mut [E], &[E]))| {
                    E::binary_bwd_into(
                        op,
                        by_x,
                        rows.run_or_zero(x, r),
                        rows.run_or_zero(y, r),
                        g,
                        a,
                    )
                };
                #[cfg(feature = "rayon")]
                if n >= PAR_THRESHOLD {
                    acc.par_chunks_mut(rows.len)
                        .zip(grad_out.par_chunks(rows.len))
                        .enumerate()
                        .for_each(row);
                    continue;
                }
                acc.chunks_mut(rows.len)
                    .zip(grad_out.chunks(rows.len))
                    .enumerate()
                    .for_each(row);
            }
            return Ok(());
        }
        // an operand the partials do not read is never looked at: stand in zeros
        let offsets = |s: Saved<'_, CpuBuf<E>>| s.map(|(_, l)| l.offsets());
        let (lo, ro) = (offsets(lhs), offsets(rhs));
        let value = |s: Saved<'_, CpuBuf<E>>, o: &Option<Vec<usize>>, k: usize| match (s, o) {
            (Some((b, _)), Some(o)) => b[o[k]],
            _ => E::zero(),
        };
        for (k, &g) in grad_out.iter().enumerate() {
            let (x, y) = (value(lhs, &lo, k), value(rhs, &ro, k));
            if let Some(gl) = grad_lhs.as_deref_mut() {
                gl[k] += op.dfdx(x, y) * g;
            }
            if let Some(gr) = grad_rhs.as_deref_mut() {
                gr[k] += op.dfdy(x, y) * g;
            }
        }
        Ok(())
    }
}

/// How a kernel walks views of the same dims in runs the SIMD loops take: rows along the
/// innermost axis, on which every view steps by 0 (a broadcast) or 1. Rows of a view that is
/// contiguous throughout merge into one, and so do all rows when every view is contiguous
/// (threads then split that row).
struct Rows {
    /// Elements per row.
    len: usize,
    /// Per view: the buffer offset each row starts at, and the step along the row.
    views: Vec<(Vec<usize>, usize)>,
}

impl Rows {
    /// The rows of `n` elements under `layouts`, or `None` when a view steps by more than 1
    /// along its innermost axis (a transposed view), which the per-element walk handles.
    fn plan(n: usize, layouts: &[&Layout]) -> Option<Rows> {
        if layouts.iter().all(|l| l.is_contiguous()) {
            let len = n.clamp(1, PAR_THRESHOLD);
            let views = layouts
                .iter()
                .map(|l| {
                    (
                        (0..n.div_ceil(len)).map(|r| l.offset + r * len).collect(),
                        1,
                    )
                })
                .collect();
            return Some(Rows { len, views });
        }
        let dims = &layouts[0].dims;
        let len = *dims.last()?;
        let step = |l: &Layout| {
            if len == 1 {
                1
            } else {
                l.strides[dims.len() - 1]
            }
        };
        if len == 0 || layouts.iter().any(|l| step(l) > 1) {
            return None;
        }
        let views = layouts
            .iter()
            .map(|l| {
                let outer = Layout {
                    dims: dims[..dims.len() - 1].to_vec(),
                    strides: l.strides[..dims.len() - 1].to_vec(),
                    offset: l.offset,
                };
                (outer.offsets(), step(l))
            })
            .collect();
        Some(Rows { len, views })
    }

    /// Row `r` of a saved operand (its view number and buffer), or a run of zeros standing in
    /// for an operand the partials do not read.
    fn run_or_zero<'a, E: Dtype>(&self, s: Option<(usize, &'a [E])>, r: usize) -> Run<'a, E> {
        match s {
            Some((v, b)) => self.run(v, r, b),
            None => Run::Splat(E::zero()),
        }
    }

    /// Row `r` of view `v` over `buf`: a slice, or its one value when the view steps by 0.
    /// The last row of a merged contiguous walk may be shorter.
    fn run<'a, E: Dtype>(&self, v: usize, r: usize, buf: &'a [E]) -> Run<'a, E> {
        let (starts, step) = &self.views[v];
        let start = starts[r];
        if *step == 0 {
            Run::Splat(buf[start])
        } else {
            Run::Slice(&buf[start..(start + self.len).min(buf.len())])
        }
    }
}
