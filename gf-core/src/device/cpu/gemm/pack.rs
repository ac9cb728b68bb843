//! Packing: copies a block of A or B into the order the micro-kernel reads, so that transposed
//! and strided operands cost nothing after this step, and edge tiles are padded with zeros to
//! whole tiles (the padded products land in rows and columns of the tile that are never
//! stored, so 0·NaN in the padding never reaches C).

/// A read-only strided matrix: element `(i, j)` at `ptr + i·rs + j·cs`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MatPtr<E> {
    pub(crate) ptr: *const E,
    pub(crate) rs: usize,
    pub(crate) cs: usize,
}

// SAFETY: a `MatPtr` is only read through, and the GEMM that builds one holds a shared borrow
// of the buffer for as long as any thread uses it.
unsafe impl<E: Sync> Send for MatPtr<E> {}
// SAFETY: as above.
unsafe impl<E: Sync> Sync for MatPtr<E> {}

impl<E: Copy> MatPtr<E> {
    /// The matrix whose `(0, 0)` is this one's `(i, j)`.
    ///
    /// # Safety
    /// `(i, j)` lies inside the matrix this pointer was built for.
    #[inline(always)]
    pub(crate) unsafe fn at(self, i: usize, j: usize) -> MatPtr<E> {
        MatPtr {
            // SAFETY: inside the matrix (the caller's contract), so inside its buffer.
            ptr: unsafe { self.ptr.add(i * self.rs + j * self.cs) },
            ..self
        }
    }

    /// Element `(i, j)`.
    ///
    /// # Safety
    /// `(i, j)` lies inside the matrix.
    #[inline(always)]
    pub(crate) unsafe fn get(self, i: usize, j: usize) -> E {
        // SAFETY: inside the matrix, so inside its buffer.
        unsafe { *self.ptr.add(i * self.rs + j * self.cs) }
    }
}

/// Packs the `rows × depth` block at `a` into `dst` as `ceil(rows / mr)` micro-panels, each
/// `depth` columns of `mr` rows (rows past `rows` are zeros).
///
/// # Safety
/// `a` is valid for the whole block; `dst` holds `ceil(rows / mr)·mr·depth` elements.
pub(crate) unsafe fn pack_a<E: Copy + Default>(
    dst: &mut [E],
    a: MatPtr<E>,
    rows: usize,
    depth: usize,
    mr: usize,
) {
    for (r, panel) in dst.chunks_exact_mut(mr * depth).enumerate() {
        let i0 = r * mr;
        let h = mr.min(rows - i0);
        if a.cs == 1 {
            // rows contiguous: read along each row
            for i in 0..h {
                // SAFETY: row `i0 + i < rows` and columns `< depth` are inside the block.
                let row = unsafe { a.at(i0 + i, 0).ptr };
                for p in 0..depth {
                    // SAFETY: as above, with unit column stride.
                    panel[p * mr + i] = unsafe { *row.add(p) };
                }
            }
        } else {
            for p in 0..depth {
                for i in 0..h {
                    // SAFETY: `(i0 + i, p)` is inside the block.
                    panel[p * mr + i] = unsafe { a.get(i0 + i, p) };
                }
            }
        }
        if h < mr {
            for p in 0..depth {
                panel[p * mr + h..(p + 1) * mr].fill(E::default());
            }
        }
    }
}

/// Packs the `depth × cols` block at `b` into one micro-panel `dst` of `depth` rows of `nr`
/// (columns past `cols`, at most `nr`, are zeros).
///
/// # Safety
/// `b` is valid for the whole block; `dst` holds `nr·depth` elements and `cols <= nr`.
pub(crate) unsafe fn pack_b_panel<E: Copy + Default>(
    dst: &mut [E],
    b: MatPtr<E>,
    depth: usize,
    cols: usize,
    nr: usize,
) {
    if b.cs == 1 {
        for p in 0..depth {
            // SAFETY: row `p < depth`, columns `< cols` are inside the block.
            let src = unsafe { core::slice::from_raw_parts(b.at(p, 0).ptr, cols) };
            dst[p * nr..p * nr + cols].copy_from_slice(src);
        }
    } else {
        for j in 0..cols {
            for p in 0..depth {
                // SAFETY: `(p, j)` is inside the block.
                dst[p * nr + j] = unsafe { b.get(p, j) };
            }
        }
    }
    if cols < nr {
        for p in 0..depth {
            dst[p * nr + cols..(p + 1) * nr].fill(E::default());
        }
    }
}
