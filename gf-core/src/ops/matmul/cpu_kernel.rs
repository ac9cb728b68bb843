use super::{GemmDims, MatMulKernel, MatView};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::{Error, Result};

/// Through the element type's GEMM ([`CpuDtype::gemm`](crate::device::CpuDtype::gemm)): the
/// packed SIMD kernels for f32 and f64, the portable loop for any other type.
impl<E: Dtype> MatMulKernel<E> for Cpu {
    fn try_gemm(
        &self,
        d: GemmDims,
        a: &CpuBuf<E>,
        av: MatView,
        b: &CpuBuf<E>,
        bv: MatView,
        c: &mut CpuBuf<E>,
        cv: MatView,
    ) -> Result<()> {
        if cv.col_stride != 1 || cv.row_stride != d.n {
            return Err(Error::Device(
                "gemm: the output must have contiguous rows".into(),
            ));
        }
        E::gemm(d, a, av, b, bv, c, cv)
    }
}
