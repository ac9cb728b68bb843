use super::{UnaryKernel, UnaryOp};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::layout::Layout;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

use crate::device::PAR_THRESHOLD;

impl<E: Dtype> UnaryKernel<E> for Cpu {
    fn try_unary_fwd<Op: UnaryOp<E>>(
        &self,
        op: &Op,
        inp: &CpuBuf<E>,
        layout: &Layout,
    ) -> Result<CpuBuf<E>> {
        let n = layout.num_elements();
        if layout.is_contiguous() {
            let src = &inp[layout.offset..layout.offset + n];
            let mut out = CpuBuf::try_zeroed(n)?;
            #[cfg(feature = "rayon")]
            if n >= PAR_THRESHOLD {
                out.par_chunks_mut(PAR_THRESHOLD)
                    .zip(src.par_chunks(PAR_THRESHOLD))
                    .for_each(|(d, s)| E::unary_into(op, s, d));
                return Ok(out);
            }
            E::unary_into(op, src, &mut out);
            return Ok(out);
        }
        let mut out = Vec::with_capacity(n);
        layout.for_each_offset(|o| out.push(op.f(inp[o])));
        Ok(out.into())
    }

    fn try_unary_assign<Op: UnaryOp<E>>(&self, op: &Op, buf: &mut CpuBuf<E>) -> Result<()> {
        #[cfg(feature = "rayon")]
        if buf.len() >= PAR_THRESHOLD {
            buf.par_chunks_mut(PAR_THRESHOLD)
                .for_each(|c| E::unary_in_place(op, c));
            return Ok(());
        }
        E::unary_in_place(op, buf);
        Ok(())
    }

    fn try_unary_bwd<Op: UnaryOp<E>>(
        &self,
        op: &Op,
        saved: Option<(&CpuBuf<E>, &Layout)>,
        grad_inp: &mut CpuBuf<E>,
        grad_out: &CpuBuf<E>,
    ) -> Result<()> {
        let Some((saved, saved_layout)) = saved else {
            // the derivative reads nothing: it is the same for every element
            let d = op.df(E::zero());
            for (gi, &go) in grad_inp.iter_mut().zip(grad_out) {
                *gi += d * go;
            }
            return Ok(());
        };
        if saved_layout.is_contiguous() {
            let s = &saved[saved_layout.offset..saved_layout.offset + grad_out.len()];
            #[cfg(feature = "rayon")]
            if s.len() >= PAR_THRESHOLD {
                grad_inp
                    .par_chunks_mut(PAR_THRESHOLD)
                    .zip(
                        s.par_chunks(PAR_THRESHOLD)
                            .zip(grad_out.par_chunks(PAR_THRESHOLD)),
                    )
                    .for_each(|(gi, (s, go))| E::unary_bwd_into(op, s, go, gi));
                return Ok(());
            }
            E::unary_bwd_into(op, s, grad_out, grad_inp);
            return Ok(());
        }
        let mut i = 0;
        saved_layout.for_each_offset(|o| {
            grad_inp[i] += op.df(saved[o]) * grad_out[i];
            i += 1;
        });
        Ok(())
    }
}
