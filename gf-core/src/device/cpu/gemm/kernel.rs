//! The register-blocked micro-kernel and the loops over one packed block (BLIS's macro-kernel),
//! written once over [`SimdVec`] and compiled per path by [`dispatch`](super::super::simd).
//!
//! Tile shapes, by register width (32 vector registers on AVX-512 and NEON, 16 on AVX2):
//! 6 rows × 4 vectors on AVX-512 (f32 6×64, f64 6×32: 24 accumulators; on a Zen 4 core it
//! measured as fast as 14×2 and ahead of 12×2 and 8×3 on the square sizes, and ahead of all
//! on the MLP's 128-row shapes), 6 × 2 on AVX2 (f32 6×16, f64 6×8: 12), 8 × 3 on NEON
//! (f32 8×12, f64 8×6: 24), 4 × 4 on the scalar path.

use crate::device::simd::{SimdPath, SimdVec, WithSimd};

/// A writable strided matrix: element `(i, j)` at `ptr + i·rs + j·cs`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MatMut<E> {
    pub(crate) ptr: *mut E,
    pub(crate) rs: usize,
    pub(crate) cs: usize,
}

// SAFETY: the GEMM holds the only borrow of C and gives each thread a disjoint set of its
// elements (C's strides are checked to map distinct elements to distinct addresses).
unsafe impl<E: Send> Send for MatMut<E> {}
// SAFETY: as above: threads never write the same element.
unsafe impl<E: Send> Sync for MatMut<E> {}

impl<E> MatMut<E> {
    /// The matrix whose `(0, 0)` is this one's `(i, j)`.
    ///
    /// # Safety
    /// `(i, j)` lies inside the matrix this pointer was built for.
    #[inline(always)]
    pub(crate) unsafe fn at(self, i: usize, j: usize) -> MatMut<E> {
        MatMut {
            // SAFETY: inside the matrix (the caller's contract), so inside its buffer.
            ptr: unsafe { self.ptr.add(i * self.rs + j * self.cs) },
            ..self
        }
    }
}

/// Micro-tile rows and vectors per row for a path's register width in bytes.
const fn shape_for(reg_bytes: usize) -> (usize, usize) {
    match reg_bytes {
        64 => (6, 4),
        32 => (6, 2),
        16 => (8, 3),
        _ => (4, 4),
    }
}

/// `(MR, NR)`: the micro-tile of `path` for elements of `elem` bytes.
pub(crate) fn tile(path: SimdPath, elem: usize) -> (usize, usize) {
    let reg = match path {
        SimdPath::Avx512 => 64,
        SimdPath::Avx2 => 32,
        SimdPath::Neon => 16,
        SimdPath::Scalar => elem,
    };
    let (mr, nv) = shape_for(reg);
    (mr, nv * reg / elem)
}

/// `C += A·B` for one packed block: the micro-panels `q0..q1` of `pb` (`nr` columns each,
/// `kc` deep) against all micro-panels of `pa` (`mr` rows each), into the `mc × nc` block at
/// `c`.
pub(crate) struct Block<'a, E> {
    pub(crate) kc: usize,
    pub(crate) mc: usize,
    pub(crate) nc: usize,
    pub(crate) panels: core::ops::Range<usize>,
    pub(crate) pa: &'a [E],
    pub(crate) pb: &'a [E],
    pub(crate) c: MatMut<E>,
}

impl<E: Copy + Default + core::ops::Add<Output = E>> WithSimd<E> for Block<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let reg = V::LANES * core::mem::size_of::<E>();
        // SAFETY: `V`'s instructions run here (the caller's contract); the shapes are the ones
        // `tile` gave the packing for this path
        unsafe {
            match shape_for(reg) {
                (6, 4) => self.run::<V, 6, 4>(),
                (6, 2) => self.run::<V, 6, 2>(),
                (8, 3) => self.run::<V, 8, 3>(),
                _ => self.run::<V, 4, 4>(),
            }
        }
    }
}

impl<E: Copy + Default + core::ops::Add<Output = E>> Block<'_, E> {
    #[inline(always)]
    unsafe fn run<V: SimdVec<E>, const MR: usize, const NV: usize>(self) {
        let (kc, lanes) = (self.kc, V::LANES);
        let nr = NV * lanes;
        debug_assert!(self.pa.len() >= self.mc.div_ceil(MR) * MR * kc);
        debug_assert!(self.pb.len() >= self.panels.end * nr * kc);
        for q in self.panels.clone() {
            let j = q * nr;
            let cols = nr.min(self.nc - j);
            // SAFETY: panel `q` lies inside `pb` (asserted above, guaranteed by the driver)
            let pb = unsafe { self.pb.as_ptr().add(q * nr * kc) };
            for r in 0..self.mc.div_ceil(MR) {
                let i = r * MR;
                let rows = MR.min(self.mc - i);
                // SAFETY: `V`'s instructions run here; panel `r` lies inside `pa`, and the
                // tile `(i, j)` of `rows × cols` lies inside the block at `c`
                unsafe {
                    let pa = self.pa.as_ptr().add(r * MR * kc);
                    let acc = micro::<E, V, MR, NV>(kc, pa, pb);
                    store_tile::<E, V, MR, NV>(&acc, self.c.at(i, j), rows, cols);
                }
            }
        }
    }
}

/// The `MR × NV·LANES` tile of `Σ_p pa[p]·pb[p]` over packed micro-panels `kc` deep.
#[inline(always)]
unsafe fn micro<E: Copy, V: SimdVec<E>, const MR: usize, const NV: usize>(
    kc: usize,
    mut pa: *const E,
    mut pb: *const E,
) -> [[V; NV]; MR] {
    let nr = NV * V::LANES;
    // SAFETY: `V`'s instructions run here; the panels hold `kc` steps of `MR` and `nr`
    // elements, and each pointer advances by one step per iteration
    unsafe {
        let mut acc = [[V::zero(); NV]; MR];
        for _ in 0..kc {
            let mut b = [V::zero(); NV];
            for (v, bv) in b.iter_mut().enumerate() {
                *bv = V::load(pb.add(v * V::LANES));
            }
            for (i, row) in acc.iter_mut().enumerate() {
                // no test for a zero `a`: 0·NaN and 0·∞ stay NaN, as in every BLAS
                let a = V::splat(*pa.add(i));
                for (s, bv) in row.iter_mut().zip(&b) {
                    *s = a.mul_add(*bv, *s);
                }
            }
            pa = pa.add(MR);
            pb = pb.add(nr);
        }
        acc
    }
}

/// `C[..rows, ..cols] += acc`: vector loads and stores (partial at the right edge) when C's
/// rows are contiguous, element by element otherwise.
#[inline(always)]
unsafe fn store_tile<
    E: Copy + Default + core::ops::Add<Output = E>,
    V: SimdVec<E>,
    const MR: usize,
    const NV: usize,
>(
    acc: &[[V; NV]; MR],
    c: MatMut<E>,
    rows: usize,
    cols: usize,
) {
    let lanes = V::LANES;
    if c.cs == 1 {
        for (i, row) in acc.iter().enumerate().take(rows) {
            for (v, s) in row.iter().enumerate() {
                let j = v * lanes;
                // SAFETY: `V`'s instructions run here; element `(i, j..j + n)` is inside the
                // tile's `rows × cols`, which lies inside C
                unsafe {
                    let p = c.ptr.add(i * c.rs + j);
                    if j + lanes <= cols {
                        V::load(p).add(*s).store(p);
                    } else if j < cols {
                        let n = cols - j;
                        V::load_partial(p, n).add(*s).store_partial(p, n);
                    }
                }
            }
        }
        return;
    }
    // at most 16 lanes on any path (AVX-512 f32)
    let mut buf = [E::default(); 16];
    for (i, row) in acc.iter().enumerate().take(rows) {
        for (v, s) in row.iter().enumerate() {
            let j = v * lanes;
            if j >= cols {
                break;
            }
            // SAFETY: `V`'s instructions run here and `buf` holds `LANES <= 16` elements;
            // elements `(i, j + l)` with `j + l < cols` are inside the tile, inside C
            unsafe {
                s.store(buf.as_mut_ptr());
                for (l, &x) in buf.iter().enumerate().take((cols - j).min(lanes)) {
                    let p = c.ptr.add(i * c.rs + (j + l) * c.cs);
                    *p = *p + x;
                }
            }
        }
    }
}
