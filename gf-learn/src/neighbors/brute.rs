//! The brute-force euclidean search on the GEMM: squared distances `‖q‖² − 2 q·t + ‖t‖²` for a
//! block of queries against every training row, the nearest picked from those, then their
//! exact distances.
//!
//! The GEMM form loses digits when two points are close relative to their norms, so the
//! candidates are every training row within a margin of the k-th smallest approximate value,
//! and the final order is by the exact distance `sqrt(Σ (q − t)²)` (ties by index): the same
//! neighbours and distances as the direct computation, at the speed of the GEMM.

use gf_core::device::gemm;
use gf_core::ops::matmul::{GemmDims, MatView};
use rayon::prelude::*;

use crate::validation::Matrix;

/// Queries per GEMM block.
const BLOCK: usize = 32;

/// Training rows per tile: a tile's products (`BLOCK × TILE` f64, 256 KB) stay in the L2 cache
/// between the GEMM that writes them and the scan that reads them, so the search is bound by
/// the GEMM rather than by memory traffic over a full `BLOCK × n_train` block (as scikit-learn's
/// chunked `ArgKmin`).
const TILE: usize = 1024;

/// The `k` nearest training rows of each query row by euclidean distance: `(distance, index)`,
/// nearest first, ties broken by the lower index.
pub(crate) fn euclidean_kneighbors(train: &Matrix, x: &Matrix, k: usize) -> Vec<Vec<(f64, usize)>> {
    let n = train.rows;
    let train_sq: Vec<f64> = (0..n).map(|j| squared_norm(train.row(j))).collect();
    let max_train_sq = train_sq.iter().fold(0.0f64, |m, &v| m.max(v));
    // −2·trainᵀ (d × n row-major), so that the GEMM adds −2 q·t to ‖t‖² directly.
    let mut minus_2t = vec![0.0; n * train.cols];
    for j in 0..n {
        for (c, v) in train.row(j).iter().enumerate() {
            minus_2t[c * n + j] = -2.0 * v;
        }
    }
    let blocks: Vec<usize> = (0..x.rows).step_by(BLOCK).collect();
    blocks
        .par_iter()
        .flat_map_iter(|&start| {
            let rows = BLOCK.min(x.rows - start);
            // The margin covers the rounding of the GEMM form, whose error is a few ulps of
            // the norms.
            let mut found: Vec<Candidates> = (0..rows)
                .map(|r| {
                    let margin =
                        1e-12 * (squared_norm(x.row(start + r)) + max_train_sq) + f64::MIN_POSITIVE;
                    Candidates::new(k, margin)
                })
                .collect();
            let mut tile = Vec::with_capacity(rows * TILE.min(n));
            for t0 in (0..n).step_by(TILE) {
                let cols = TILE.min(n - t0);
                // Row r: ‖t_j‖² − 2 q_r·t_j, the squared distance less the constant ‖q_r‖².
                tile_distances(&minus_2t, &train_sq, x, start, rows, t0, cols, &mut tile);
                for (r, c) in found.iter_mut().enumerate() {
                    c.scan(&tile[r * cols..(r + 1) * cols], t0);
                }
            }
            found
                .into_iter()
                .enumerate()
                .map(|(r, c)| {
                    let q = x.row(start + r);
                    let mut near: Vec<(f64, usize)> = c
                        .into_indices()
                        .map(|j| (exact(q, train.row(j)), j))
                        .collect();
                    near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    near.truncate(k);
                    near
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Into `out`: `‖t‖² − 2 x[start..start + rows]·trainᵀ` for the training rows
/// `t0..t0 + cols`, row-major `rows × cols`: the GEMM adds the products to rows initialised
/// with the training norms.
#[allow(clippy::too_many_arguments)]
fn tile_distances(
    minus_2t: &[f64],
    train_sq: &[f64],
    x: &Matrix,
    start: usize,
    rows: usize,
    t0: usize,
    cols: usize,
    out: &mut Vec<f64>,
) {
    let (d, n) = (x.cols, train_sq.len());
    out.clear();
    (0..rows).for_each(|_| out.extend_from_slice(&train_sq[t0..t0 + cols]));
    let dims = GemmDims::new(1, rows, d, cols).expect("the sizes of a matrix in memory");
    gemm::dgemm(
        dims,
        &x.data[start * d..(start + rows) * d],
        MatView::packed(rows, d),
        minus_2t,
        MatView::new(t0, 0, n, 1),
        out,
        MatView::packed(rows, cols),
    )
    .expect("views within their buffers");
}

/// One query's running search over the training rows, tile by tile: the values within
/// `margin` of the `k`-th smallest seen so far. The `k` smallest are kept sorted (most values
/// fail the first comparison), and every value within `margin` of the running `k`-th is a
/// candidate, filtered once the true `k`-th is known.
struct Candidates {
    k: usize,
    margin: f64,
    best: Vec<f64>,
    kept: Vec<(f64, usize)>,
    bound: f64,
}

impl Candidates {
    fn new(k: usize, margin: f64) -> Self {
        Candidates {
            k,
            margin,
            best: Vec::with_capacity(k + 1),
            kept: Vec::new(),
            bound: f64::INFINITY,
        }
    }

    /// Takes in the values of the training rows `offset..offset + values.len()`.
    fn scan(&mut self, values: &[f64], offset: usize) {
        const LANES: usize = 8;
        for (c, chunk) in values.chunks(LANES).enumerate() {
            // Most chunks hold nothing near the bound: their minimum (a branch-free reduction
            // the compiler vectorises) says so at once. NaN never arises (finite inputs).
            let low = chunk
                .iter()
                .fold(f64::INFINITY, |m, &v| if v < m { v } else { m });
            if low > self.bound {
                continue;
            }
            for (i, &v) in chunk.iter().enumerate() {
                if v <= self.bound {
                    self.kept.push((v, offset + c * LANES + i));
                    let k = self.k;
                    if self.best.len() < k || v < self.best[k - 1] {
                        let at = self.best.partition_point(|&b| b <= v);
                        self.best.insert(at, v);
                        self.best.truncate(k);
                        if self.best.len() == k {
                            self.bound = self.best[k - 1] + self.margin;
                        }
                    }
                }
            }
        }
    }

    /// The indices of the values within `margin` of the `k`-th smallest.
    fn into_indices(self) -> impl Iterator<Item = usize> {
        let bound = self.bound;
        self.kept
            .into_iter()
            .filter(move |&(v, _)| v <= bound)
            .map(|(_, j)| j)
    }
}

fn squared_norm(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum()
}

/// The euclidean distance, summed directly.
fn exact(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GEMM search gives the direct search's neighbours and distances, duplicates and ties
    /// included, with one tile of training rows and with several (the last one partial, and a
    /// duplicate in a later tile than its original).
    #[test]
    fn matches_the_direct_search_with_ties() {
        for n in [300, 2 * TILE + 37] {
            direct_search_check(n);
        }
    }

    fn direct_search_check(n: usize) {
        let d = 7;
        let mut data: Vec<f64> = (0..n * d)
            .map(|i| ((i * 7919) % 101) as f64 / 10.0)
            .collect();
        // Duplicate rows: equal distances, decided by index.
        let dup = data[..d].to_vec();
        data[5 * d..6 * d].copy_from_slice(&dup);
        data[(n - 1) * d..].copy_from_slice(&dup);
        let train = Matrix {
            rows: n,
            cols: d,
            data,
        };
        let queries = Matrix {
            rows: 70,
            cols: d,
            data: (0..70 * d)
                .map(|i| ((i * 104729) % 97) as f64 / 9.0)
                .collect(),
        };
        for k in [1, 5, 17] {
            let got = euclidean_kneighbors(&train, &queries, k);
            for (i, g) in got.iter().enumerate() {
                let q = queries.row(i);
                let mut want: Vec<(f64, usize)> =
                    (0..n).map(|j| (exact(q, train.row(j)), j)).collect();
                want.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                want.truncate(k);
                assert_eq!(g, &want, "query {i}, k = {k}");
            }
        }
    }
}
