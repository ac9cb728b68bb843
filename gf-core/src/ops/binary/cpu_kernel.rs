use super::{BinaryKernel, BinaryOp, Saved};
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
