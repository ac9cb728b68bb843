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

/// Queries per GEMM block: the block's products (`BLOCK × n_train` f64) stay a few MB, which
/// measured fastest (the scan after the GEMM is bound by memory traffic).
const BLOCK: usize = 32;

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
            // Row r: ‖t_j‖² − 2 q_r·t_j, the squared distance less the constant ‖q_r‖².
            let shifted = block_distances(&minus_2t, &train_sq, x, start, rows);
            (0..rows)
                .map(|r| {
                    let q = x.row(start + r);
                    let d2 = &shifted[r * n..(r + 1) * n];
                    // The margin covers the rounding of the GEMM form, whose error is a few
                    // ulps of the norms.
                    let margin = 1e-12 * (squared_norm(q) + max_train_sq) + f64::MIN_POSITIVE;
                    let mut near: Vec<(f64, usize)> = candidates(d2, k, margin)
                        .into_iter()
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

/// `‖t‖² − 2 x[start..start + rows]·trainᵀ`, row-major `rows × n_train`: the GEMM adds the
/// products to rows initialised with the training norms.
fn block_distances(
    minus_2t: &[f64],
    train_sq: &[f64],
    x: &Matrix,
    start: usize,
    rows: usize,
) -> Vec<f64> {
    let (d, n) = (x.cols, train_sq.len());
    let mut out = Vec::with_capacity(rows * n);
    (0..rows).for_each(|_| out.extend_from_slice(train_sq));
    let dims = GemmDims::new(1, rows, d, n).expect("the sizes of a matrix in memory");
    gemm::dgemm(
        dims,
        &x.data[start * d..(start + rows) * d],
        MatView::packed(rows, d),
        minus_2t,
        MatView::packed(d, n),
        &mut out,
        MatView::packed(rows, n),
    )
    .expect("views within their buffers");
    out
}

/// The indices of the values within `margin` of the `k`-th smallest, in one pass: the `k`
/// smallest so far are kept sorted (most values fail the first comparison), and every value
/// within `margin` of the running `k`-th is a candidate, filtered once the true `k`-th is known.
fn candidates(values: &[f64], k: usize, margin: f64) -> Vec<usize> {
    let mut best: Vec<f64> = Vec::with_capacity(k + 1);
    let mut kept: Vec<(f64, usize)> = Vec::new();
    let mut bound = f64::INFINITY;
    for (j, &v) in values.iter().enumerate() {
        if v <= bound {
            kept.push((v, j));
            if best.len() < k || v < best[k - 1] {
                let at = best.partition_point(|&b| b <= v);
                best.insert(at, v);
                best.truncate(k);
                if best.len() == k {
                    bound = best[k - 1] + margin;
                }
            }
        }
    }
    kept.retain(|&(v, _)| v <= bound);
    kept.into_iter().map(|(_, j)| j).collect()
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
    /// included.
    #[test]
    fn matches_the_direct_search_with_ties() {
        let (n, d) = (300, 7);
        let mut data: Vec<f64> = (0..n * d)
            .map(|i| ((i * 7919) % 101) as f64 / 10.0)
            .collect();
        // Duplicate rows: equal distances, decided by index.
        let dup = data[..d].to_vec();
        data[5 * d..6 * d].copy_from_slice(&dup);
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
