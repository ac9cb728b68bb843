//! The fuzzy simplicial set of UMAP, as umap-learn's `fuzzy_simplicial_set`: per point, the
//! distance `rho` to its nearest neighbour (interpolated by `local_connectivity`) and the scale
//! `sigma` whose memberships `exp(-(d - rho) / sigma)` sum to `log2(k)` (`smooth_knn_dist`, a
//! binary search), then the fuzzy union `A + Aᵀ - A∘Aᵀ` of the directed memberships, mixed
//! with the intersection `A∘Aᵀ` by `set_op_mix_ratio`. The graph is kept sparse (CSR), never
//! dense, and in `f32` as umap-learn's.

use super::knn::Knn;

const SMOOTH_K_TOLERANCE: f64 = 1e-5;
const MIN_K_DIST_SCALE: f64 = 1e-3;
/// `np.finfo(np.float32).max`, the open upper end of the search.
const NPY_FLOATMAX: f64 = f32::MAX as f64;

/// A sparse matrix in CSR form, `rows × cols`, the columns of each row increasing.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Graph {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) indptr: Vec<usize>,
    pub(crate) indices: Vec<usize>,
    pub(crate) data: Vec<f32>,
}

impl Graph {
    /// The largest value (0 when empty).
    pub(crate) fn max(&self) -> f32 {
        self.data.iter().fold(0.0f32, |m, &v| m.max(v))
    }

    /// The graph without the values below `threshold` (umap-learn zeroes them, then
    /// `eliminate_zeros`).
    pub(crate) fn pruned(&self, threshold: f32) -> Graph {
        let mut g = Graph {
            rows: self.rows,
            cols: self.cols,
            indptr: vec![0; self.rows + 1],
            indices: Vec::new(),
            data: Vec::new(),
        };
        for i in 0..self.rows {
            for p in self.indptr[i]..self.indptr[i + 1] {
                let v = self.data[p];
                if v >= threshold && v != 0.0 {
                    g.indices.push(self.indices[p]);
                    g.data.push(v);
                }
            }
            g.indptr[i + 1] = g.indices.len();
        }
        g
    }

    /// The row of each stored value, in storage order (the `row` of the COO form).
    pub(crate) fn row_of_entries(&self) -> Vec<usize> {
        (0..self.rows)
            .flat_map(|i| std::iter::repeat_n(i, self.indptr[i + 1] - self.indptr[i]))
            .collect()
    }
}

/// umap-learn's `smooth_knn_dist`: `(sigma, rho)` per row of the `n × k_cols` distances
/// (nearest first), for the target `log2(k)`. As there, the search skips the first column
/// (the point itself when the graph is of the training data), `rho` and `d - rho` are `f32`,
/// and the search runs 64 halvings.
pub(crate) fn smooth_knn_dist(
    dists: &[f32],
    k_cols: usize,
    k: f64,
    local_connectivity: f64,
) -> (Vec<f32>, Vec<f32>) {
    let n = dists.len() / k_cols.max(1);
    let target = k.log2();
    let mean_distances = if dists.is_empty() {
        0.0
    } else {
        dists.iter().map(|&d| f64::from(d)).sum::<f64>() / dists.len() as f64
    };
    let mut sigma = vec![0.0f32; n];
    let mut rho = vec![0.0f32; n];
    for i in 0..n {
        let row = &dists[i * k_cols..(i + 1) * k_cols];
        let non_zero: Vec<f32> = row.iter().copied().filter(|&d| d > 0.0).collect();
        if non_zero.len() as f64 >= local_connectivity {
            let index = local_connectivity.floor() as usize;
            let interpolation = local_connectivity - index as f64;
            if index > 0 {
                let mut r = f64::from(non_zero[index - 1]);
                if interpolation > SMOOTH_K_TOLERANCE {
                    r += interpolation * f64::from(non_zero[index] - non_zero[index - 1]);
                }
                rho[i] = r as f32;
            } else {
                rho[i] = (interpolation * f64::from(non_zero[0])) as f32;
            }
        } else if let Some(m) = non_zero.iter().copied().reduce(f32::max) {
            rho[i] = m;
        }
        let (mut lo, mut hi, mut mid) = (0.0f64, NPY_FLOATMAX, 1.0f64);
        for _ in 0..64 {
            let mut psum = 0.0;
            for &dj in &row[1..] {
                let d = dj - rho[i];
                psum += if d > 0.0 {
                    (-(f64::from(d) / mid)).exp()
                } else {
                    1.0
                };
            }
            if (psum - target).abs() < SMOOTH_K_TOLERANCE {
                break;
            }
            if psum > target {
                hi = mid;
                mid = (lo + hi) / 2.0;
            } else {
                lo = mid;
                if hi >= NPY_FLOATMAX {
                    mid *= 2.0;
                } else {
                    mid = (lo + hi) / 2.0;
                }
            }
        }
        let floor = if rho[i] > 0.0 {
            let mean_i = row.iter().map(|&d| f64::from(d)).sum::<f64>() / k_cols as f64;
            MIN_K_DIST_SCALE * mean_i
        } else {
            MIN_K_DIST_SCALE * mean_distances
        };
        sigma[i] = mid.max(floor) as f32;
    }
    (sigma, rho)
}

/// umap-learn's `compute_membership_strengths`: the directed memberships
/// `exp(-(d - rho) / sigma)` (1 within `rho`), as an `n × n_cols` CSR graph. Unless
/// `bipartite`, a point's membership to itself is 0 (and left out).
pub(crate) fn membership_strengths(
    knn: &Knn,
    sigma: &[f32],
    rho: &[f32],
    n_cols: usize,
    bipartite: bool,
) -> Graph {
    let n = sigma.len();
    let mut entries: Vec<Vec<(usize, f32)>> = vec![Vec::with_capacity(knn.k); n];
    for (i, row) in entries.iter_mut().enumerate() {
        for c in 0..knn.k {
            let j = knn.indices[i * knn.k + c];
            let d = knn.dists[i * knn.k + c];
            let val = if !bipartite && j == i {
                0.0
            } else if d - rho[i] <= 0.0 || sigma[i] == 0.0 {
                1.0
            } else {
                (-(f64::from(d - rho[i]) / f64::from(sigma[i]))).exp() as f32
            };
            row.push((j, val));
        }
        row.sort_by_key(|e| e.0);
    }
    let mut g = Graph {
        rows: n,
        cols: n_cols,
        indptr: vec![0; n + 1],
        indices: Vec::with_capacity(n * knn.k),
        data: Vec::with_capacity(n * knn.k),
    };
    for (i, row) in entries.into_iter().enumerate() {
        for (j, v) in row {
            // scipy's eliminate_zeros drops them in the end.
            if v != 0.0 {
                g.indices.push(j);
                g.data.push(v);
            }
        }
        g.indptr[i + 1] = g.indices.len();
    }
    g
}

/// `mix (A + Aᵀ - A∘Aᵀ) + (1 - mix) A∘Aᵀ` of the square `a`, in `f32` as scipy computes it,
/// zeros dropped.
pub(crate) fn fuzzy_union(a: &Graph, set_op_mix_ratio: f32) -> Graph {
    let n = a.rows;
    // Each row: (column, a_ij, a_ji), from A's entries and those of its transpose.
    let mut rows: Vec<Vec<(usize, f32, f32)>> = vec![Vec::new(); n];
    for i in 0..n {
        for p in a.indptr[i]..a.indptr[i + 1] {
            let (j, v) = (a.indices[p], a.data[p]);
            rows[i].push((j, v, 0.0));
            rows[j].push((i, 0.0, v));
        }
    }
    let mut g = Graph {
        rows: n,
        cols: n,
        indptr: vec![0; n + 1],
        indices: Vec::new(),
        data: Vec::new(),
    };
    for (i, mut row) in rows.into_iter().enumerate() {
        row.sort_by_key(|e| e.0);
        let mut at = 0;
        while at < row.len() {
            let j = row[at].0;
            let (mut v, mut vt) = (0.0f32, 0.0f32);
            while at < row.len() && row[at].0 == j {
                v += row[at].1;
                vt += row[at].2;
                at += 1;
            }
            let prod = v * vt;
            let union = v + vt - prod;
            let value = set_op_mix_ratio * union + (1.0 - set_op_mix_ratio) * prod;
            if value != 0.0 {
                g.indices.push(j);
                g.data.push(value);
            }
        }
        g.indptr[i + 1] = g.indices.len();
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, triplets: &[(usize, usize, f32)]) -> Graph {
        let mut g = Graph {
            rows: n,
            cols: n,
            indptr: vec![0; n + 1],
            indices: vec![],
            data: vec![],
        };
        for i in 0..n {
            let mut row: Vec<_> = triplets.iter().filter(|t| t.0 == i).collect();
            row.sort_by_key(|t| t.1);
            for t in row {
                g.indices.push(t.1);
                g.data.push(t.2);
            }
            g.indptr[i + 1] = g.indices.len();
        }
        g
    }

    fn dense(g: &Graph) -> Vec<f32> {
        let mut d = vec![0.0; g.rows * g.cols];
        for i in 0..g.rows {
            for p in g.indptr[i]..g.indptr[i + 1] {
                d[i * g.cols + g.indices[p]] = g.data[p];
            }
        }
        d
    }

    /// The union and the intersection against the dense formula, entry by entry: one-sided
    /// edges, mutual edges of different strengths, and a mix of the two.
    #[test]
    fn fuzzy_union_is_the_probabilistic_t_conorm() {
        let a = graph(
            4,
            &[
                (0, 1, 0.5),
                (1, 0, 0.25),
                (1, 2, 1.0),
                (2, 3, 0.75),
                (3, 0, 0.125),
            ],
        );
        let d = dense(&a);
        for mix in [1.0f32, 0.0, 0.3] {
            let u = dense(&fuzzy_union(&a, mix));
            for i in 0..4 {
                for j in 0..4 {
                    let (x, y) = (d[i * 4 + j], d[j * 4 + i]);
                    let want = mix * (x + y - x * y) + (1.0 - mix) * x * y;
                    assert!((u[i * 4 + j] - want).abs() < 1e-7, "{mix} {i} {j}");
                    assert_eq!(u[i * 4 + j], u[j * 4 + i]);
                }
            }
        }
        // The pure intersection keeps the mutual edge only.
        assert_eq!(fuzzy_union(&a, 0.0).indices, vec![1, 0]);
    }
}
