//! The portable GEMM every [`Dtype`] has: row by row, `k` outer, so B's rows stream through
//! contiguous memory when they are contiguous. f32 and f64 replace it with the packed kernels
//! (through [`CpuDtype`](crate::device::CpuDtype)); another element type keeps this one.

use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops::matmul::{GemmDims, MatView};

#[cfg(feature = "rayon")]
use rayon::prelude::*;

/// `c[b] += a[b]·b[b]`, with C's rows contiguous (`Err` otherwise, or when a view reaches past
/// its buffer).
pub(crate) fn gemm_portable<E: Dtype>(
    d: GemmDims,
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    c: &mut [E],
    cv: MatView,
) -> Result<()> {
    let fits = av.fits(d.batch, d.m, d.k, a.len())
        && bv.fits(d.batch, d.k, d.n, b.len())
        && cv.fits(d.batch, d.m, d.n, c.len());
    if !fits || cv.col_stride != 1 || cv.row_stride != d.n {
        return Err(Error::Device(format!(
            "gemm: a view of {d:?} reaches past its buffer, or C's rows are not contiguous"
        )));
    }
    if d.m == 0 || d.n == 0 || d.k == 0 {
        return Ok(());
    }
    for batch in 0..d.batch {
        let ao = av.offset + batch * av.batch_stride;
        let bo = bv.offset + batch * bv.batch_stride;
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
