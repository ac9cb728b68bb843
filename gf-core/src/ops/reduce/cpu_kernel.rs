use std::borrow::Cow;

use super::{reduced_last, ReduceKernel, ReduceOp};
use crate::device::{Cpu, CpuBuf, PAR_THRESHOLD};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::layout::{host_vec, Layout};

#[cfg(feature = "rayon")]
use rayon::prelude::*;

/// The view's elements in row-major order: the buffer itself when contiguous, else a copy.
fn rows_of<'a, E: Dtype>(inp: &'a CpuBuf<E>, layout: &Layout) -> Cow<'a, [E]> {
    let n = layout.num_elements();
    if layout.is_contiguous() {
        Cow::Borrowed(&inp[layout.offset..layout.offset + n])
    } else {
        Cow::Owned(layout.offsets().into_iter().map(|o| inp[o]).collect())
    }
}

/// `f(row, out)` for each row of `n` inputs and its `per_row` outputs, over threads when the
/// input is large (rows are independent, so the result is the same).
fn for_rows<E: Dtype>(
    src: &[E],
    n: usize,
    out: &mut [E],
    per_row: usize,
    f: impl Fn(&[E], &mut [E]) + Sync + Send,
) {
    #[cfg(feature = "rayon")]
    if src.len() >= PAR_THRESHOLD && src.len() > n {
        src.par_chunks(n)
            .zip(out.par_chunks_mut(per_row))
            .for_each(|(x, o)| f(x, o));
        return;
    }
    src.chunks(n)
        .zip(out.chunks_mut(per_row))
        .for_each(|(x, o)| f(x, o));
}

impl<E: Dtype> ReduceKernel<E> for Cpu {
    fn try_reduce(
        &self,
        op: ReduceOp,
        inp: &CpuBuf<E>,
        layout: &Layout,
        axes: &[usize],
    ) -> Result<CpuBuf<E>> {
        let (l, n) = reduced_last(layout, axes);
        // exact: the caller checked that the kept dims fit a buffer (a 0 among them may follow
        // dims whose product alone would overflow)
        let out_len = Layout::contiguous(&l.dims[..l.dims.len() - axes.len()]).num_elements();
        let init = match op {
            ReduceOp::Sum => E::zero(),
            ReduceOp::Max => E::neg_infinity(),
            ReduceOp::Min => E::infinity(),
        };
        let mut out = host_vec("reduce", out_len, |_| init)?;
        if l.is_contiguous() && n > 0 {
            // each output element reduces one contiguous row: the SIMD row kernels
            let src = &inp[l.offset..l.offset + out_len * n];
            for_rows(src, n, &mut out, 1, |x, o| o[0] = E::reduce_row(op, x));
            return Ok(out.into());
        }
        let mut i = 0;
        l.for_each_offset(|o| {
            let x = inp[o];
            let acc = &mut out[i / n];
            *acc = match op {
                ReduceOp::Sum => *acc + x,
                // NaN propagates, as in PyTorch
                ReduceOp::Max => {
                    if x > *acc || x.is_nan() {
                        x
                    } else {
                        *acc
                    }
                }
                ReduceOp::Min => {
                    if x < *acc || x.is_nan() {
                        x
                    } else {
                        *acc
                    }
                }
            };
            i += 1;
        });
        Ok(out.into())
    }

    fn try_extremum_bwd(
        &self,
        inp: &CpuBuf<E>,
        layout: &Layout,
        axes: &[usize],
        out: &CpuBuf<E>,
        grad_inp: &mut CpuBuf<E>,
        grad_out: &CpuBuf<E>,
    ) -> Result<()> {
        let (l, n) = reduced_last(layout, axes);
        let offsets = l.offsets();
        // the gradient buffer is contiguous in the input's own order: map permuted positions back
        let (gl, _) = reduced_last(&Layout::contiguous(&layout.dims), axes);
        let gpos = gl.offsets();
        // a NaN result came from the NaNs of its block: they are its ties, as in torch.max()'s
        // backward (evenly_distribute_backward masks `input.isnan()` when the result is NaN)
        let tie = |x: E, m: E| x == m || (x.is_nan() && m.is_nan());
        for (j, block) in offsets.chunks(n.max(1)).enumerate() {
            let ties = block.iter().filter(|&&o| tie(inp[o], out[j])).count();
            if ties == 0 {
                continue;
            }
            let share = grad_out[j] / E::from_usize(ties);
            for (k, &o) in block.iter().enumerate() {
                if tie(inp[o], out[j]) {
                    grad_inp[gpos[j * n + k]] += share;
                }
            }
        }
        Ok(())
    }

    fn try_softmax_last(&self, log: bool, inp: &CpuBuf<E>, layout: &Layout) -> Result<CpuBuf<E>> {
        let src = rows_of(inp, layout);
        let n = layout.dims.last().copied().unwrap_or(1);
        let mut out = CpuBuf::try_zeroed(src.len())?;
        for_rows(&src, n, &mut out, n, |x, y| E::softmax_row(log, x, y));
        Ok(out)
    }

    fn try_softmax_last_bwd(
        &self,
        log: bool,
        out: &CpuBuf<E>,
        grad_out: &CpuBuf<E>,
        grad_inp: &mut CpuBuf<E>,
        n: usize,
    ) -> Result<()> {
        let rows = out.chunks(n).zip(grad_out.chunks(n));
        let step = |((y, g), gi): ((&[E], &[E]), &mut [E])| E::softmax_row_bwd(log, y, g, gi);
        #[cfg(feature = "rayon")]
        if out.len() >= PAR_THRESHOLD {
            out.par_chunks(n)
                .zip(grad_out.par_chunks(n))
                .zip(grad_inp.par_chunks_mut(n))
                .for_each(step);
            return Ok(());
        }
        rows.zip(grad_inp.chunks_mut(n)).for_each(step);
        Ok(())
    }

    fn try_logsumexp_last(&self, inp: &CpuBuf<E>, layout: &Layout) -> Result<CpuBuf<E>> {
        let src = rows_of(inp, layout);
        let n = layout.dims.last().copied().unwrap_or(1);
        let mut out = CpuBuf::try_zeroed(src.len() / n)?;
        for_rows(&src, n, &mut out, 1, |x, o| o[0] = E::logsumexp_row(x));
        Ok(out)
    }

    fn try_logsumexp_last_bwd(
        &self,
        inp: &CpuBuf<E>,
        layout: &Layout,
        out: &CpuBuf<E>,
        grad_out: &CpuBuf<E>,
        grad_inp: &mut CpuBuf<E>,
    ) -> Result<()> {
        let src = rows_of(inp, layout);
        let n = layout.dims.last().copied().unwrap_or(1);
        let step = |(x, gi): (&[E], &mut [E]), lse: E, g: E| E::logsumexp_row_bwd(x, lse, g, gi);
        #[cfg(feature = "rayon")]
        if src.len() >= PAR_THRESHOLD {
            src.par_chunks(n)
                .zip(grad_inp.par_chunks_mut(n))
                .zip(out.par_iter().zip(grad_out.par_iter()))
                .for_each(|(r, (&lse, &g))| step(r, lse, g));
            return Ok(());
        }
        src.chunks(n)
            .zip(grad_inp.chunks_mut(n))
            .zip(out.iter().zip(grad_out.iter()))
            .for_each(|(r, (&lse, &g))| step(r, lse, g));
        Ok(())
    }

    fn try_arg_reduce(
        &self,
        max: bool,
        inp: &CpuBuf<E>,
        layout: &Layout,
        axis: usize,
    ) -> Result<CpuBuf<usize>> {
        let (l, n) = reduced_last(layout, &[axis]);
        let offsets = l.offsets();
        Ok(offsets
            .chunks(n)
            .map(|block| {
                let mut best = 0;
                for (k, &o) in block.iter().enumerate() {
                    let (x, b) = (inp[o], inp[block[best]]);
                    if (max && x > b) || (!max && x < b) || (x.is_nan() && !b.is_nan()) {
                        best = k;
                    }
                }
                best
            })
            .collect())
    }
}
