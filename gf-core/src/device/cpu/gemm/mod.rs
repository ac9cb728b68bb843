//! GEMM for f32 and f64: `C += A·B` on strided matrices, BLIS-style.
//!
//! B is packed `kc × nc` at a time into micro-panels `NR` wide, A `mc × kc` at a time into
//! micro-panels `MR` tall (transposes and strides are absorbed there, edges padded to whole
//! tiles); a register-blocked micro-kernel per SIMD path multiplies one `MR × NR` tile over
//! `kc` steps. The blocks come from the detected cache sizes ([`Blocking`]). Above a size
//! threshold the row blocks (or, for short matrices, the column panels) are shared out over
//! rayon's threads. Matrix·vector, vector·matrix and tiny products skip packing and threads.
//! Packing buffers come from a per-thread pool, so repeated calls do not allocate.
//!
//! NaN and ∞ propagate as in BLAS: no product is skipped because an operand is zero.
//!
//! ```
//! use gf_core::device::gemm::sgemm;
//! use gf_core::ops::matmul::{GemmDims, MatView};
//! // (2, 3)·(3, 2), added to C
//! let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let b = [1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0];
//! let mut c = [10.0f32; 4];
//! let d = GemmDims::new(1, 2, 3, 2).unwrap();
//! sgemm(d, &a, MatView::packed(2, 3), &b, MatView::packed(3, 2), &mut c, MatView::packed(2, 2)).unwrap();
//! assert_eq!(c, [14.0, 15.0, 20.0, 21.0]);
//! ```

mod blocking;
mod kernel;
mod pack;
mod pool;
mod portable;
mod small;
#[cfg(test)]
mod tests;

pub use blocking::{Blocking, CacheSizes};
pub(crate) use portable::gemm_portable;

use kernel::{tile, Block, MatMut};
use pack::{pack_a, pack_b_panel, MatPtr};
use pool::{with_buffer, Slot};

use crate::device::simd::{self, dispatch, SimdElem, SimdPath};
use crate::error::{Error, Result};
use crate::ops::matmul::{GemmDims, MatView};

/// Above this many multiply-adds (`m·n·k`) a product uses every rayon thread: below it, one
/// core finishes before the others would have started (128×128×128).
pub const PAR_WORK: usize = 1 << 21;

/// An element type the packed GEMM runs on: f32 and f64.
pub trait GemmElem: SimdElem + pool::PoolElem {}
impl GemmElem for f32 {}
impl GemmElem for f64 {}

/// `c[b] += a[b]·b[b]` for every matrix of the batch, f32, on the chosen SIMD path.
pub fn sgemm(
    dims: GemmDims,
    a: &[f32],
    av: MatView,
    b: &[f32],
    bv: MatView,
    c: &mut [f32],
    cv: MatView,
) -> Result<()> {
    gemm(dims, a, av, b, bv, c, cv)
}

/// `c[b] += a[b]·b[b]` for every matrix of the batch, f64, on the chosen SIMD path.
pub fn dgemm(
    dims: GemmDims,
    a: &[f64],
    av: MatView,
    b: &[f64],
    bv: MatView,
    c: &mut [f64],
    cv: MatView,
) -> Result<()> {
    gemm(dims, a, av, b, bv, c, cv)
}

/// `c[b] += a[b]·b[b]` for every matrix of the batch, on [`simd::path()`].
///
/// Every view may have any strides (a transpose is a view with its strides swapped), and a
/// batch stride of 0 repeats one matrix (a broadcast operand, or for C a sum over the batch).
/// `Err` when a view reaches past its buffer or C's view maps two elements of one matrix to
/// one address.
pub fn gemm<E: GemmElem>(
    dims: GemmDims,
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    c: &mut [E],
    cv: MatView,
) -> Result<()> {
    gemm_on(simd::path(), dims, a, av, b, bv, c, cv)
}

/// [`gemm`] on the calling thread only, whatever the size: for callers that already share
/// work out over rayon's threads (a convolution over its batch), where a product that forked
/// again would only queue behind its siblings. The same blocked kernels, so the same results
/// bit for bit as [`gemm`] on a product below [`PAR_WORK`].
pub fn gemm_serial<E: GemmElem>(
    dims: GemmDims,
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    c: &mut [E],
    cv: MatView,
) -> Result<()> {
    gemm_with(simd::path(), false, dims, a, av, b, bv, c, cv)
}

/// [`gemm`] on a given SIMD path (for tests and comparisons); `Err` when this CPU lacks it.
#[allow(clippy::too_many_arguments)]
pub fn gemm_on<E: GemmElem>(
    path: SimdPath,
    dims: GemmDims,
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    c: &mut [E],
    cv: MatView,
) -> Result<()> {
    gemm_with(path, true, dims, a, av, b, bv, c, cv)
}

/// The checks and the batch loop behind every entry point; `parallel` lets a large product
/// use rayon's threads.
#[allow(clippy::too_many_arguments)]
fn gemm_with<E: GemmElem>(
    path: SimdPath,
    parallel: bool,
    dims: GemmDims,
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    c: &mut [E],
    cv: MatView,
) -> Result<()> {
    let path = path.check()?;
    let GemmDims { batch, m, k, n } = dims;
    let fits = av.fits(batch, m, k, a.len())
        && bv.fits(batch, k, n, b.len())
        && cv.fits(batch, m, n, c.len());
    if !fits {
        return Err(Error::Device(format!(
            "gemm: a view of {dims:?} reaches past its buffer ({}, {}, {} elements)",
            a.len(),
            b.len(),
            c.len()
        )));
    }
    if !distinct(m, n, cv.row_stride, cv.col_stride) {
        return Err(Error::Device(format!(
            "gemm: the output view (row stride {}, column stride {}) puts two elements of a \
             {m}×{n} matrix at one address",
            cv.row_stride, cv.col_stride
        )));
    }
    if batch == 0 || m == 0 || n == 0 || k == 0 {
        return Ok(());
    }
    let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
    for i in 0..batch {
        // SAFETY: `fits` checked that matrix `i` of each view lies inside its buffer, so the
        // offsets are in bounds; C's elements within a matrix are distinct (checked above) and
        // `c` is borrowed mutably, so it overlaps neither A nor B; batches run one after
        // another, so C matrices that share memory (a batch stride of 0) add up in turn
        unsafe {
            let a = MatPtr {
                ptr: ap.add(av.offset + i * av.batch_stride),
                rs: av.row_stride,
                cs: av.col_stride,
            };
            let b = MatPtr {
                ptr: bp.add(bv.offset + i * bv.batch_stride),
                rs: bv.row_stride,
                cs: bv.col_stride,
            };
            let c = MatMut {
                ptr: cp.add(cv.offset + i * cv.batch_stride),
                rs: cv.row_stride,
                cs: cv.col_stride,
            };
            gemm_matrix(path, parallel, m, k, n, a, b, c)?;
        }
    }
    Ok(())
}

/// `true` when strides `(rs, cs)` give the `m × n` elements distinct addresses: one of the
/// two orders nests the other's whole extent inside one step (so C may be row- or
/// column-major, padded, or a single row or column with any step).
fn distinct(m: usize, n: usize, rs: usize, cs: usize) -> bool {
    let spans = |outer: usize, inner: usize, inner_len: usize| {
        inner >= 1 && inner.checked_mul(inner_len).is_some_and(|s| outer >= s)
    };
    match (m, n) {
        (0, _) | (_, 0) | (1, 1) => true,
        (1, _) => cs >= 1,
        (_, 1) => rs >= 1,
        _ => spans(rs, cs, n) || spans(cs, rs, m),
    }
}

/// One product `C += A·B` of `m × k` by `k × n`: above [`PAR_WORK`] (when `parallel`), C is
/// cut into one block per thread ([`Split`]) and each thread runs the blocked loops on its
/// block with its own packing buffers, so a call forks and joins once.
///
/// # Safety
/// The pointers are valid for their matrices, C's elements are distinct and overlap neither
/// A nor B, and `path` is available.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_matrix<E: GemmElem>(
    path: SimdPath,
    parallel: bool,
    m: usize,
    k: usize,
    n: usize,
    a: MatPtr<E>,
    b: MatPtr<E>,
    c: MatMut<E>,
) -> Result<()> {
    if small::is_small(m, k, n) {
        // SAFETY: the caller's contract is `gemm_small`'s
        unsafe { small::gemm_small(path, m, k, n, a, b, c) };
        return Ok(());
    }
    let (mr, nr) = tile(path, core::mem::size_of::<E>());
    let threads = if parallel {
        threads_for(m.saturating_mul(n).saturating_mul(k))
    } else {
        1
    };
    if threads <= 1 {
        // SAFETY: the caller's contract
        return unsafe { gemm_blocked(path, m, k, n, a, b, c) };
    }
    let split = Split::new(m, k, n, mr, nr, threads);
    run_tasks(split.rows * split.cols, |t| {
        let (rows, cols) = split.task(t, m, n);
        if rows.is_empty() || cols.is_empty() {
            return Ok(());
        }
        // SAFETY: the task's rows of A, columns of B and block of C lie inside the matrices,
        // and no other task writes that block of C
        unsafe {
            gemm_blocked(
                path,
                rows.len(),
                k,
                cols.len(),
                a.at(rows.start, 0),
                b.at(0, cols.start),
                c.at(rows.start, cols.start),
            )
        }
    })
}

/// The BLIS loops on one thread: panels of B (`nc` columns, `kc` deep), blocks of A (`mc`
/// rows), and the macro-kernel.
///
/// # Safety
/// As for [`gemm_matrix`].
unsafe fn gemm_blocked<E: GemmElem>(
    path: SimdPath,
    m: usize,
    k: usize,
    n: usize,
    a: MatPtr<E>,
    b: MatPtr<E>,
    c: MatMut<E>,
) -> Result<()> {
    let elem = core::mem::size_of::<E>();
    let (mr, nr) = tile(path, elem);
    let Blocking { kc, mc, nc } = Blocking::new(CacheSizes::detect(), mr, nr, elem);
    for jc in (0..n).step_by(nc) {
        let ncb = nc.min(n - jc);
        let panels = ncb.div_ceil(nr);
        for pc in (0..k).step_by(kc) {
            let kcb = kc.min(k - pc);
            with_buffer::<E, Result<()>>(Slot::B, panels * nr * kcb, |pb| {
                for (q, dst) in pb.chunks_exact_mut(nr * kcb).enumerate() {
                    let cols = nr.min(ncb - q * nr);
                    // SAFETY: panel `q`'s `kcb × cols` block is inside B; `dst` holds `nr·kcb`
                    unsafe { pack_b_panel(dst, b.at(pc, jc + q * nr), kcb, cols, nr) };
                }
                let pb: &[E] = pb;
                for ic in (0..m).step_by(mc) {
                    let h = mc.min(m - ic);
                    with_buffer::<E, ()>(Slot::A, h.div_ceil(mr) * mr * kcb, |pa| {
                        // SAFETY: rows `ic..ic + h` and depth `pc..pc + kcb` are inside A, and
                        // `pa` holds whole micro-panels for them; the block of C at
                        // `(ic, jc)`, `h × ncb`, is inside C
                        unsafe {
                            pack_a(pa, a.at(ic, pc), h, kcb, mr);
                            let block = Block {
                                kc: kcb,
                                mc: h,
                                nc: ncb,
                                panels: 0..panels,
                                pa,
                                pb,
                                c: c.at(ic, jc),
                            };
                            dispatch(path, block);
                        }
                    })?;
                }
                Ok(())
            })??;
        }
    }
    Ok(())
}

/// C cut into `rows × cols` blocks, one per thread: rows in multiples of `MR`, columns in
/// multiples of `NR`. Each block packs its own rows of A and columns of B, so a cut through
/// the rows packs B once more and a cut through the columns A; the grid packs least.
#[derive(Clone, Copy, Debug)]
struct Split {
    rows: usize,
    cols: usize,
    row_step: usize,
    col_step: usize,
}

impl Split {
    fn new(m: usize, k: usize, n: usize, mr: usize, nr: usize, threads: usize) -> Split {
        let (mut best, mut best_cost) = (None, usize::MAX);
        for rows in (1..=threads).filter(|&r| threads.is_multiple_of(r)) {
            let cols = threads / rows;
            let row_step = m.div_ceil(rows).div_ceil(mr) * mr;
            let col_step = n.div_ceil(cols).div_ceil(nr) * nr;
            // extra packing, plus the padding a block pays past the matrix's edge
            let waste =
                (rows * row_step).saturating_sub(m) * k + (cols * col_step).saturating_sub(n) * k;
            let cost = (cols - 1) * m * k + (rows - 1) * k * n + waste;
            if cost < best_cost {
                best_cost = cost;
                best = Some(Split {
                    rows,
                    cols,
                    row_step,
                    col_step,
                });
            }
        }
        best.expect("1 divides every thread count")
    }

    /// Task `t`'s rows and columns of C (empty when the matrix is smaller than the grid).
    fn task(
        &self,
        t: usize,
        m: usize,
        n: usize,
    ) -> (core::ops::Range<usize>, core::ops::Range<usize>) {
        let (r, c) = (t / self.cols, t % self.cols);
        let r0 = (r * self.row_step).min(m);
        let c0 = (c * self.col_step).min(n);
        (
            r0..(r0 + self.row_step).min(m),
            c0..(c0 + self.col_step).min(n),
        )
    }
}

/// How many threads a product of `work` multiply-adds uses.
fn threads_for(work: usize) -> usize {
    #[cfg(feature = "rayon")]
    if work >= PAR_WORK {
        return rayon::current_num_threads();
    }
    let _ = work;
    1
}

/// Runs tasks `0..n`, on rayon's threads when there are any.
fn run_tasks(n: usize, f: impl Fn(usize) -> Result<()> + Sync + Send) -> Result<()> {
    #[cfg(feature = "rayon")]
    use rayon::prelude::*;
    #[cfg(feature = "rayon")]
    let tasks = (0..n).into_par_iter();
    #[cfg(not(feature = "rayon"))]
    let mut tasks = 0..n;
    tasks.try_for_each(f)
}
