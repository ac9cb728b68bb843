//! The Q matrices C-SVC, one-class and ε-SVR solve over (libsvm's `SVC_Q`, `ONE_CLASS_Q` —
//! `SVC_Q` with every label `+1` — and `SVR_Q`), column by column through the kernel cache.

use rayon::prelude::*;

use super::super::cache::Cache;
use super::super::kernel::{dot, KernelFn};

/// Below this many multiply-adds a column is filled on one thread.
const PARALLEL_WORK: usize = 1 << 15;

/// The matrix of the dual problem, column by column.
pub(crate) trait QMatrix {
    /// The diagonal `Q[i][i]`, in the current order.
    fn diagonal(&self) -> Vec<f64>;
    /// The first `len` entries of column `i`.
    fn column(&mut self, i: usize, len: usize) -> &[f32];
    /// The first `len` entries of columns `i` and `j`.
    fn columns(&mut self, i: usize, j: usize, len: usize) -> (&[f32], &[f32]);
    /// Exchanges the positions of variables `i` and `j`.
    fn swap_index(&mut self, i: usize, j: usize);
}

/// Fills `out[k]` with `scale(k) · K(row_i, rows[start + k])`.
fn fill_column(
    kernel: &KernelFn,
    rows: &[&[f64]],
    norms: &[f64],
    i: usize,
    start: usize,
    out: &mut [f32],
    scale: impl Fn(usize) -> f64 + Sync,
) {
    let xi = rows[i];
    let sq_i = norms.get(i).copied().unwrap_or(0.0);
    let one = |(k, v): (usize, &mut f32)| {
        let j = start + k;
        let sq_j = norms.get(j).copied().unwrap_or(0.0);
        *v = (scale(j) * kernel.train(xi, rows[j], sq_i, sq_j)) as f32;
    };
    if out.len() * xi.len() < PARALLEL_WORK {
        out.iter_mut().enumerate().for_each(one);
    } else {
        out.par_iter_mut().enumerate().for_each(one);
    }
}

/// The squared norm of each row when the kernel needs them (RBF), else nothing.
fn row_norms(kernel: &KernelFn, rows: &[&[f64]]) -> Vec<f64> {
    if kernel.needs_norms() {
        rows.iter().map(|r| dot(r, r)).collect()
    } else {
        Vec::new()
    }
}

/// C-SVC's `Q[i][j] = yᵢ yⱼ K(xᵢ, xⱼ)` (libsvm's `SVC_Q`).
pub(crate) struct SvcQ<'a> {
    kernel: KernelFn,
    rows: Vec<&'a [f64]>,
    norms: Vec<f64>,
    y: Vec<i8>,
    cache: Cache,
}

impl<'a> SvcQ<'a> {
    /// Q over `rows` with labels `y`, caching within `cache_bytes`.
    pub(crate) fn new(
        kernel: KernelFn,
        rows: Vec<&'a [f64]>,
        y: &[i8],
        cache_bytes: usize,
    ) -> Self {
        let norms = row_norms(&kernel, &rows);
        let cache = Cache::new(rows.len(), cache_bytes);
        SvcQ {
            kernel,
            rows,
            norms,
            y: y.to_vec(),
            cache,
        }
    }

    fn ensure(&mut self, i: usize, len: usize) {
        let (col, had) = self.cache.get(i, len);
        if had < len {
            let y = &self.y;
            let yi = f64::from(y[i]);
            fill_column(
                &self.kernel,
                &self.rows,
                &self.norms,
                i,
                had,
                &mut col[had..len],
                |j| yi * f64::from(y[j]),
            );
        }
    }
}

impl QMatrix for SvcQ<'_> {
    fn diagonal(&self) -> Vec<f64> {
        (0..self.rows.len())
            .map(|i| {
                let sq = self.norms.get(i).copied().unwrap_or(0.0);
                self.kernel.train(self.rows[i], self.rows[i], sq, sq)
            })
            .collect()
    }

    fn column(&mut self, i: usize, len: usize) -> &[f32] {
        self.ensure(i, len);
        &self.cache.column(i)[..len]
    }

    fn columns(&mut self, i: usize, j: usize, len: usize) -> (&[f32], &[f32]) {
        self.ensure(i, len);
        self.ensure(j, len);
        // The budget holds two full columns, so filling `j` never evicts `i`.
        (&self.cache.column(i)[..len], &self.cache.column(j)[..len])
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.cache.swap_index(i, j);
        self.rows.swap(i, j);
        if !self.norms.is_empty() {
            self.norms.swap(i, j);
        }
        self.y.swap(i, j);
    }
}

/// ε-SVR's `2l × 2l` matrix `Q[i][j] = sᵢ sⱼ K(x_{i mod l}, x_{j mod l})`, with `s = +1` for the
/// first copy of each sample and `−1` for the second (libsvm's `SVR_Q`): the kernel rows of the
/// `l` samples are cached and read through an index.
pub(crate) struct SvrQ<'a> {
    kernel: KernelFn,
    rows: Vec<&'a [f64]>,
    norms: Vec<f64>,
    sign: Vec<i8>,
    index: Vec<usize>,
    cache: Cache,
    buffers: [Vec<f32>; 2],
}

impl<'a> SvrQ<'a> {
    /// Q over the samples `rows`, caching within `cache_bytes`.
    pub(crate) fn new(kernel: KernelFn, rows: Vec<&'a [f64]>, cache_bytes: usize) -> Self {
        let l = rows.len();
        let norms = row_norms(&kernel, &rows);
        SvrQ {
            kernel,
            norms,
            sign: (0..2 * l).map(|k| if k < l { 1 } else { -1 }).collect(),
            index: (0..2 * l).map(|k| k % l).collect(),
            cache: Cache::new(l, cache_bytes),
            buffers: [vec![0.0; 2 * l], vec![0.0; 2 * l]],
            rows,
        }
    }

    /// Column `i` (of length `len`) into buffer `b`.
    fn load(&mut self, i: usize, len: usize, b: usize) {
        let l = self.rows.len();
        let real = self.index[i];
        let (col, had) = self.cache.get(real, l);
        if had < l {
            fill_column(
                &self.kernel,
                &self.rows,
                &self.norms,
                real,
                had,
                &mut col[had..],
                |_| 1.0,
            );
        }
        let col = self.cache.column(real);
        let si = f32::from(self.sign[i]);
        for (k, out) in self.buffers[b][..len].iter_mut().enumerate() {
            *out = si * f32::from(self.sign[k]) * col[self.index[k]];
        }
    }
}

impl QMatrix for SvrQ<'_> {
    fn diagonal(&self) -> Vec<f64> {
        (0..self.index.len())
            .map(|k| {
                let r = self.index[k];
                let sq = self.norms.get(r).copied().unwrap_or(0.0);
                self.kernel.train(self.rows[r], self.rows[r], sq, sq)
            })
            .collect()
    }

    fn column(&mut self, i: usize, len: usize) -> &[f32] {
        self.load(i, len, 0);
        &self.buffers[0][..len]
    }

    fn columns(&mut self, i: usize, j: usize, len: usize) -> (&[f32], &[f32]) {
        self.load(i, len, 0);
        self.load(j, len, 1);
        (&self.buffers[0][..len], &self.buffers[1][..len])
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.sign.swap(i, j);
        self.index.swap(i, j);
    }
}
