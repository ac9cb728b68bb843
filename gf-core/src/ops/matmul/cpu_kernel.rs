use super::{GemmDims, MatMulKernel, MatView};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::{Error, Result};

#[cfg(feature = "rayon")]
use rayon::prelude::*;

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
        let fits = av.fits(d.batch, d.m, d.k, a.len())
            && bv.fits(d.batch, d.k, d.n, b.len())
            && cv.fits(d.batch, d.m, d.n, c.len());
        if !fits {
            return Err(Error::Device(format!(
                "gemm: a view of {d:?} reaches past its buffer ({}, {}, {} elements)",
                a.len(),
                b.len(),
                c.len()
            )));
        }
        // nothing to add: return before walking a batch that may be huge when a matrix is empty
        if d.m == 0 || d.n == 0 || d.k == 0 {
            return Ok(());
        }
        for batch in 0..d.batch {
            let (ao, bo) = (
                av.offset + batch * av.batch_stride,
                bv.offset + batch * bv.batch_stride,
            );
            let co = cv.offset + batch * cv.batch_stride;
            let c_mat = &mut c[co..co + d.m * d.n];
            let row = |i: usize, c_row: &mut [E]| {
                for p in 0..d.k {
                    // no skip of a zero `aip`: 0 · NaN and 0 · ∞ are NaN, as in PyTorch's GEMM
                    let aip = a[ao + i * av.row_stride + p * av.col_stride];
                    let b_row = bo + p * bv.row_stride;
                    if bv.col_stride == 1 {
                        for (cj, &bj) in c_row.iter_mut().zip(&b[b_row..b_row + d.n]) {
                            *cj += aip * bj;
                        }
                    } else {
                        for (j, cj) in c_row.iter_mut().enumerate() {
                            *cj += aip * b[b_row + j * bv.col_stride];
                        }
                    }
                }
            };
            #[cfg(feature = "rayon")]
            if d.m * d.n * d.k >= 1 << 16 {
                c_mat
                    .par_chunks_mut(d.n)
                    .enumerate()
                    .for_each(|(i, r)| row(i, r));
                continue;
            }
            c_mat
                .chunks_mut(d.n)
                .enumerate()
                .for_each(|(i, r)| row(i, r));
        }
        Ok(())
    }
}
