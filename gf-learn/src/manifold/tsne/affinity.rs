//! The joint probabilities P of the input space, as scikit-learn's `_joint_probabilities`
//! (every pair, for the exact method) and `_joint_probabilities_nn` (the nearest neighbours,
//! for Barnes-Hut): conditional Gaussians whose precisions a binary search fits to the
//! perplexity (`_utils._binary_search_perplexity`, on `float32` squared distances as there),
//! symmetrised and normalised.

use rayon::prelude::*;

use crate::neighbors::brute::euclidean_kneighbors;
use crate::validation::{np_sum, Matrix};

/// `np.finfo(np.double).eps`, the floor of the probabilities.
pub(super) const MACHINE_EPSILON: f64 = f64::EPSILON;

/// The steps of the binary search and the tolerance on the entropy (`float` in Cython).
const N_STEPS: usize = 100;
const PERPLEXITY_TOLERANCE: f32 = 1e-5;
/// The floor of a row's sum (`float EPSILON_DBL = 1e-8`, a `float` in Cython).
const EPSILON_DBL: f32 = 1e-8;

/// A symmetric sparse matrix in CSR form, the column indices of each row increasing.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Csr {
    pub(crate) indptr: Vec<usize>,
    pub(crate) indices: Vec<usize>,
    pub(crate) data: Vec<f64>,
}

/// The conditional probabilities `p_{j|i}`, row-major `n × k`, of the squared distances
/// `sqd` (`n × k`): when `k == n` (every pair) the diagonal is left out and stays 0.
pub(crate) fn binary_search_perplexity(sqd: &[f32], k: usize, perplexity: f64) -> Vec<f64> {
    let n = sqd.len() / k.max(1);
    let using_neighbors = k < n;
    // Cython takes the perplexity as a C `float`.
    let desired_entropy = f64::from(perplexity as f32).ln();
    let mut p = vec![0.0; n * k];
    p.par_chunks_mut(k.max(1))
        .zip(sqd.par_chunks(k.max(1)))
        .enumerate()
        .for_each(|(i, (row, d))| {
            let (mut beta, mut beta_min, mut beta_max) = (1.0f64, f64::NEG_INFINITY, f64::INFINITY);
            for _ in 0..N_STEPS {
                let mut sum_p = 0.0;
                for (j, (pj, &dj)) in row.iter_mut().zip(d).enumerate() {
                    if j != i || using_neighbors {
                        *pj = (-f64::from(dj) * beta).exp();
                        sum_p += *pj;
                    }
                }
                if sum_p == 0.0 {
                    sum_p = f64::from(EPSILON_DBL);
                }
                let mut sum_disti_p = 0.0;
                for (pj, &dj) in row.iter_mut().zip(d) {
                    *pj /= sum_p;
                    sum_disti_p += f64::from(dj) * *pj;
                }
                let entropy = sum_p.ln() + beta * sum_disti_p;
                let diff = entropy - desired_entropy;
                if diff.abs() <= f64::from(PERPLEXITY_TOLERANCE) {
                    break;
                }
                if diff > 0.0 {
                    beta_min = beta;
                    beta = if beta_max == f64::INFINITY {
                        beta * 2.0
                    } else {
                        (beta + beta_max) / 2.0
                    };
                } else {
                    beta_max = beta;
                    beta = if beta_min == f64::NEG_INFINITY {
                        beta / 2.0
                    } else {
                        (beta + beta_min) / 2.0
                    };
                }
            }
        });
    p
}

/// The squared euclidean distances of every pair, `n × n`, as `float32`.
fn squared_distances(x: &Matrix) -> Vec<f32> {
    let n = x.rows;
    let mut out = vec![0.0f32; n * n];
    out.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let a = x.row(i);
        for (j, v) in row.iter_mut().enumerate() {
            let d: f64 = a.iter().zip(x.row(j)).map(|(p, q)| (p - q) * (p - q)).sum();
            *v = d as f32;
        }
    });
    out
}

/// P of every pair (`_joint_probabilities`), `n × n` row-major with a zero diagonal: the
/// conditional probabilities plus their transpose, over their sum, floored at the machine
/// epsilon.
pub(crate) fn joint_probabilities(x: &Matrix, perplexity: f64) -> Vec<f64> {
    let n = x.rows;
    let cond = binary_search_perplexity(&squared_distances(x), n, perplexity);
    let mut p = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            p[i * n + j] = cond[i * n + j] + cond[j * n + i];
        }
    }
    let sum_p = np_sum(&p).max(MACHINE_EPSILON);
    for i in 0..n {
        for j in 0..n {
            p[i * n + j] = if i == j {
                0.0
            } else {
                (p[i * n + j] / sum_p).max(MACHINE_EPSILON)
            };
        }
    }
    p
}

/// The `k` nearest neighbours of each row of `x` but itself, in increasing column order (as
/// scikit-learn's sorted `kneighbors_graph`), with their squared distances as `float32`.
fn neighbor_graph(x: &Matrix, k: usize) -> (Vec<usize>, Vec<f32>) {
    let near = euclidean_kneighbors(x, x, k + 1);
    let mut indices = Vec::with_capacity(x.rows * k);
    let mut sqd = Vec::with_capacity(x.rows * k);
    for (i, mut row) in near.into_iter().enumerate() {
        // scikit-learn drops the sample itself, or the farthest when duplicates hide it.
        match row.iter().position(|&(_, j)| j == i) {
            Some(at) => {
                row.remove(at);
            }
            None => {
                row.pop();
            }
        }
        row.sort_by_key(|&(_, j)| j);
        for (d, j) in row {
            indices.push(j);
            sqd.push((d * d) as f32);
        }
    }
    (indices, sqd)
}

/// P of the `k` nearest neighbours (`_joint_probabilities_nn`): the conditional probabilities
/// as a sparse matrix plus its transpose, over the sum of its entries.
pub(crate) fn joint_probabilities_nn(x: &Matrix, k: usize, perplexity: f64) -> Csr {
    let n = x.rows;
    let (indices, sqd) = neighbor_graph(x, k);
    let cond = binary_search_perplexity(&sqd, k, perplexity);
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::with_capacity(2 * k); n];
    for i in 0..n {
        for t in i * k..(i + 1) * k {
            let j = indices[t];
            rows[i].push((j, cond[t]));
            rows[j].push((i, cond[t]));
        }
    }
    let mut csr = Csr {
        indptr: Vec::with_capacity(n + 1),
        indices: Vec::new(),
        data: Vec::new(),
    };
    csr.indptr.push(0);
    for mut row in rows {
        row.sort_by_key(|&(j, _)| j);
        let mut last = usize::MAX;
        for (j, v) in row {
            if j == last {
                *csr.data.last_mut().expect("an entry before a duplicate") += v;
            } else {
                csr.indices.push(j);
                csr.data.push(v);
                last = j;
            }
        }
        csr.indptr.push(csr.indices.len());
    }
    let sum_p = np_sum(&csr.data).max(MACHINE_EPSILON);
    csr.data.iter_mut().for_each(|v| *v /= sum_p);
    csr
}
