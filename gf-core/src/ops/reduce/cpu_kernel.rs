use super::{reduced_last, ReduceKernel, ReduceOp};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::layout::{host_vec, Layout};

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
