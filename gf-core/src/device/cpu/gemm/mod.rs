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
/// core finishes before the others would have started (about 64×64×64).
pub const PAR_WORK: usize = 1 << 18;

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
            gemm_matrix(path, m, k, n, a, b, c)?;
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

/// One product `C += A·B` of `m × k` by `k × n`.
///
/// # Safety
/// The pointers are valid for their matrices, C's elements are distinct and overlap neither
/// A nor B, and `path` is available.
unsafe fn gemm_matrix<E: GemmElem>(
    path: SimdPath,
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
    let elem = core::mem::size_of::<E>();
    let (mr, nr) = tile(path, elem);
    let Blocking { kc, mc, nc } = Blocking::new(CacheSizes::detect(), mr, nr, elem);
    let threads = threads_for(m.saturating_mul(n).saturating_mul(k));
    for jc in (0..n).step_by(nc) {
        let ncb = nc.min(n - jc);
        let panels = ncb.div_ceil(nr);
        for pc in (0..k).step_by(kc) {
            let kcb = kc.min(k - pc);
            with_buffer::<E, Result<()>>(Slot::B, panels * nr * kcb, |pb| {
                // SAFETY: `(pc, jc)` and the `kcb × ncb` block from it are inside B
                let b0 = unsafe { b.at(pc, jc) };
                let pack = |(q, dst): (usize, &mut [E])| {
                    let cols = nr.min(ncb - q * nr);
                    // SAFETY: panel `q`'s columns are inside the block; `dst` holds `nr·kcb`
                    unsafe { pack_b_panel(dst, b0.at(0, q * nr), kcb, cols, nr) };
                };
                par_chunks(pb, nr * kcb, threads > 1, pack);
                let plan = Plan::new(m, mc, mr, panels, threads);
                let task = |t: usize| -> Result<()> {
                    let (rows, cols) = plan.task(t, m, panels);
                    let h = rows.len();
                    with_buffer::<E, ()>(Slot::A, h.div_ceil(mr) * mr * kcb, |pa| {
                        // SAFETY: rows `rows` and depth `pc..pc + kcb` are inside A, and
                        // `pa` holds whole micro-panels for them; the task's block of C,
                        // rows `rows` by panels `cols`, is written by this task alone
                        unsafe {
                            pack_a(pa, a.at(rows.start, pc), h, kcb, mr);
                            let block = Block {
                                kc: kcb,
                                mc: h,
                                nc: ncb,
                                panels: cols,
                                pa,
                                pb,
                                c: c.at(rows.start, jc),
                            };
                            dispatch(path, block);
                        }
                    })
                };
                run_tasks(plan.tasks(), threads > 1, task)
            })??;
        }
    }
    Ok(())
}

/// How one packed panel of B is shared out: `row_blocks` blocks of `mc` rows, each split into
/// `col_splits` ranges of micro-panels.
struct Plan {
    mc: usize,
    row_blocks: usize,
    col_splits: usize,
}

impl Plan {
    fn new(m: usize, mc: usize, mr: usize, panels: usize, threads: usize) -> Plan {
        let blocks = m.div_ceil(mc);
        if threads <= 1 {
            return Plan {
                mc,
                row_blocks: blocks,
                col_splits: 1,
            };
        }
        if blocks >= threads {
            // a multiple of the threads, so none waits for a last odd block
            let want = blocks.div_ceil(threads) * threads;
            let mc = m.div_ceil(want).div_ceil(mr) * mr;
            return Plan {
                mc,
                row_blocks: m.div_ceil(mc),
                col_splits: 1,
            };
        }
        // too few rows to go round: split the columns too
        Plan {
            mc,
            row_blocks: blocks,
            col_splits: threads.div_ceil(blocks).min(panels).max(1),
        }
    }

    fn tasks(&self) -> usize {
        self.row_blocks * self.col_splits
    }

    /// Task `t`'s rows of C and micro-panels of B.
    fn task(
        &self,
        t: usize,
        m: usize,
        panels: usize,
    ) -> (core::ops::Range<usize>, core::ops::Range<usize>) {
        let (rb, cs) = (t / self.col_splits, t % self.col_splits);
        let r0 = rb * self.mc;
        let per = panels.div_ceil(self.col_splits);
        let c0 = (cs * per).min(panels);
        (r0..(r0 + self.mc).min(m), c0..(c0 + per).min(panels))
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

fn par_chunks<E: Send>(
    buf: &mut [E],
    size: usize,
    parallel: bool,
    f: impl Fn((usize, &mut [E])) + Sync + Send,
) {
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        buf.par_chunks_mut(size).enumerate().for_each(f);
        return;
    }
    let _ = parallel;
    buf.chunks_mut(size).enumerate().for_each(f);
}

fn run_tasks(
    n: usize,
    parallel: bool,
    f: impl Fn(usize) -> Result<()> + Sync + Send,
) -> Result<()> {
    #[cfg(feature = "rayon")]
    if parallel && n > 1 {
        use rayon::prelude::*;
        return (0..n).into_par_iter().try_for_each(f);
    }
    let _ = parallel;
    (0..n).try_for_each(f)
}
