use super::{BinaryKernel, BinaryOp};
use crate::device::Cpu;
use crate::dtype::Dtype;
use crate::error::Result;
use crate::layout::Layout;

#[cfg(feature = "rayon")]
use rayon::prelude::*;

impl<E: Dtype> BinaryKernel<E> for Cpu {
    fn try_binary_fwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &Vec<E>,
        ll: &Layout,
        rhs: &Vec<E>,
        rl: &Layout,
    ) -> Result<Vec<E>> {
        let n = ll.num_elements();
        if ll.is_contiguous() && rl.is_contiguous() {
            let (a, b) = (
                &lhs[ll.offset..ll.offset + n],
                &rhs[rl.offset..rl.offset + n],
            );
            #[cfg(feature = "rayon")]
            if n >= crate::device::PAR_THRESHOLD {
                return Ok(a.par_iter().zip(b).map(|(&x, &y)| op.f(x, y)).collect());
            }
            return Ok(a.iter().zip(b).map(|(&x, &y)| op.f(x, y)).collect());
        }
        let (lo, ro) = (ll.offsets(), rl.offsets());
        Ok(lo
            .iter()
            .zip(&ro)
            .map(|(&i, &j)| op.f(lhs[i], rhs[j]))
            .collect())
    }

    fn try_binary_bwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &Vec<E>,
        ll: &Layout,
        rhs: &Vec<E>,
        rl: &Layout,
        mut grad_lhs: Option<&mut Vec<E>>,
        mut grad_rhs: Option<&mut Vec<E>>,
        grad_out: &Vec<E>,
    ) -> Result<()> {
        let (lo, ro) = (ll.offsets(), rl.offsets());
        for (k, (&i, &j)) in lo.iter().zip(&ro).enumerate() {
            let (x, y, g) = (lhs[i], rhs[j], grad_out[k]);
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
