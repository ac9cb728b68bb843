//! [`trustworthiness`]: how well an embedding keeps the neighbourhoods of the data.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::neighbors::brute::euclidean_kneighbors;
use crate::validation::{check_lengths, check_x};

/// The trustworthiness of the embedding `x_embedded` of `x`, as scikit-learn's
/// `sklearn.manifold.trustworthiness` with the euclidean metric:
///
/// `T(k) = 1 - 2 / (n k (2n - 3k - 1)) Σᵢ Σ_{j ∈ Nᵢᵏ} max(0, r(i, j) - k)`
///
/// where `Nᵢᵏ` are the `k = n_neighbors` nearest neighbours of sample `i` in the embedding and
/// `r(i, j)` the rank of `j` among the neighbours of `i` in the input space (ties in the input
/// distances ranked by index). 1 when every embedded neighbour is a true neighbour.
///
/// `Err` unless `1 <= n_neighbors < n_samples / 2` and both inputs have the same rows.
pub fn trustworthiness<F: Dim, G: Dim, E: Dtype>(
    x: &Tensor<(usize, F), E, Cpu>,
    x_embedded: &Tensor<(usize, G), E, Cpu>,
    n_neighbors: usize,
) -> Result<f64> {
    const OP: &str = "trustworthiness";
    let x = check_x(OP, x)?;
    let emb = check_x(OP, x_embedded)?;
    check_lengths(OP, x.rows, emb.rows)?;
    let (n, k) = (x.rows, n_neighbors);
    if k < 1 || k as f64 >= n as f64 / 2.0 {
        return Err(Error::InvalidParameter {
            estimator: "trustworthiness",
            name: "n_neighbors",
            allowed: "an int in [1, n_samples / 2)",
            got: format!("{k}, with n_samples / 2 = {}", n as f64 / 2.0),
        });
    }
    let embedded = euclidean_kneighbors(&emb, &emb, k + 1);
    let penalty: i64 = (0..n)
        .into_par_iter()
        .map(|i| {
            // The rank (from 1) of every sample among the input-space neighbours of i.
            let xi = x.row(i);
            let mut order: Vec<(f64, usize)> = (0..n)
                .map(|j| {
                    let d = if j == i {
                        f64::INFINITY
                    } else {
                        xi.iter()
                            .zip(x.row(j))
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum()
                    };
                    (d, j)
                })
                .collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut rank = vec![0i64; n];
            for (r, &(_, j)) in order.iter().enumerate() {
                rank[j] = r as i64 + 1;
            }
            let mut near: Vec<usize> = embedded[i].iter().map(|&(_, j)| j).collect();
            // The sample itself is not its own neighbour (or the farthest goes, for duplicates).
            match near.iter().position(|&j| j == i) {
                Some(at) => {
                    near.remove(at);
                }
                None => {
                    near.pop();
                }
            }
            near.iter()
                .map(|&j| (rank[j] - k as i64).max(0))
                .sum::<i64>()
        })
        .sum();
    let (nf, kf) = (n as f64, k as f64);
    Ok(1.0 - penalty as f64 * (2.0 / ((n * k) as f64 * (2.0 * nf - 3.0 * kf - 1.0))))
}
