//! The k-nearest-neighbour graph of UMAP: exact euclidean neighbours by the crate's GEMM-based
//! brute-force search, as umap-learn computes them exactly (every pairwise distance) for data
//! under 4096 samples, or approximate ones by NN-descent from 4096 samples on (or when
//! forced), as umap-learn's pynndescent. Distances are rounded to `f32`, as umap-learn casts
//! them.

use crate::neighbors::brute::euclidean_kneighbors;
use crate::neighbors::{nn_descent, NnDescentParams};
use crate::validation::Matrix;

/// The size from which umap-learn searches the training graph by NN-descent.
pub(crate) const APPROXIMATE_FROM: usize = 4096;

/// The `k` nearest rows of `train` of each row of `query`, nearest first: their indices and
/// distances, row-major `query.rows × k`.
pub(crate) struct Knn {
    pub(crate) indices: Vec<usize>,
    pub(crate) dists: Vec<f32>,
    pub(crate) k: usize,
}

/// [`Knn`] of `query` into `train` (a query row that is also in `train` finds itself first,
/// at distance 0, as umap-learn's graph of the training data includes each point).
pub(crate) fn knn(train: &Matrix, query: &Matrix, k: usize) -> Knn {
    let near = euclidean_kneighbors(train, query, k);
    let mut indices = Vec::with_capacity(query.rows * k);
    let mut dists = Vec::with_capacity(query.rows * k);
    for row in near {
        for (d, j) in row {
            indices.push(j);
            dists.push(d as f32);
        }
    }
    Knn { indices, dists, k }
}

/// [`Knn`] of the training data itself by NN-descent with umap-learn's parameters (each point
/// its own first neighbour, at distance 0).
pub(crate) fn approximate_knn(train: &Matrix, k: usize, seed: u64) -> Knn {
    let params = NnDescentParams::umap(train.rows, k);
    let (indices, dists) = nn_descent(train, k, seed, &params);
    Knn {
        indices,
        dists: dists.iter().map(|&d| d as f32).collect(),
        k,
    }
}
