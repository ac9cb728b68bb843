//! Small and skinny products: matrix·vector, vector·matrix, and tiny matrices, where packing
//! and threads cost more than they save. Contiguous rows go through the lane kernels (`dot`,
//! `axpy`), anything else through a plain loop.

use super::kernel::MatMut;
use super::pack::MatPtr;
use crate::device::simd::{axpy, dot, SimdElem, SimdPath};

/// Up to this many multiply-adds (`m·n·k`), a product skips packing: 16×16×16.
pub(crate) const SMALL_WORK: usize = 1 << 12;

/// `true` when [`gemm_small`] is the faster way.
pub(crate) fn is_small(m: usize, k: usize, n: usize) -> bool {
    m == 1 || n == 1 || m.saturating_mul(n).saturating_mul(k) <= SMALL_WORK
}

/// `C += A·B` without packing.
///
/// # Safety
/// `a` is valid for `m × k`, `b` for `k × n` and `c` for `m × n` elements, C's elements are at
/// distinct addresses, and C does not overlap A or B.
pub(crate) unsafe fn gemm_small<E: SimdElem>(
    path: SimdPath,
    m: usize,
    k: usize,
    n: usize,
    a: MatPtr<E>,
    b: MatPtr<E>,
    c: MatMut<E>,
) {
    // every slice below is a row with unit column stride (or a column with unit row stride)
    // of a matrix valid for its size, so `len` contiguous valid elements; C's slices are
    // written only while no other slice of C is alive
    let row = |p: MatPtr<E>, i: usize, len: usize| {
        // SAFETY: row `i` of `p`, contiguous, `len` long (see above)
        unsafe { core::slice::from_raw_parts(p.at(i, 0).ptr, len) }
    };
    let col = |p: MatPtr<E>, j: usize, len: usize| {
        // SAFETY: column `j` of `p`, contiguous, `len` long (see above)
        unsafe { core::slice::from_raw_parts(p.at(0, j).ptr, len) }
    };
    if n > 1 && b.cs == 1 && c.cs == 1 {
        // C's row i += a(i, p) · B's row p
        for i in 0..m {
            // SAFETY: row `i` of C, `n` contiguous elements (see above)
            let c_row = unsafe { core::slice::from_raw_parts_mut(c.ptr.add(i * c.rs), n) };
            for p in 0..k {
                // SAFETY: `(i, p)` is inside A
                let aip = unsafe { a.get(i, p) };
                axpy(path, aip, row(b, p, n), c_row);
            }
        }
    } else if a.cs == 1 && b.rs == 1 {
        // c(i, j) += A's row i · B's column j
        for i in 0..m {
            for j in 0..n {
                let d = dot(path, row(a, i, k), col(b, j, k));
                // SAFETY: `(i, j)` is inside C
                unsafe { *c.ptr.add(i * c.rs + j * c.cs) += d };
            }
        }
    } else if n == 1 && a.rs == 1 && c.rs == 1 {
        // C's column += b(p, 0) · A's column p
        // SAFETY: C's column 0, `m` contiguous elements
        let c_col = unsafe { core::slice::from_raw_parts_mut(c.ptr, m) };
        for p in 0..k {
            // SAFETY: `(p, 0)` is inside B
            let bp = unsafe { b.get(p, 0) };
            axpy(path, bp, col(a, p, m), c_col);
        }
    } else {
        for i in 0..m {
            for j in 0..n {
                let mut s = E::zero();
                for p in 0..k {
                    // SAFETY: `(i, p)` is inside A and `(p, j)` inside B
                    s += unsafe { a.get(i, p) * b.get(p, j) };
                }
                // SAFETY: `(i, j)` is inside C
                unsafe { *c.ptr.add(i * c.rs + j * c.cs) += s };
            }
        }
    }
}
