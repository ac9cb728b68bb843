//! Approximate nearest neighbours by NN-descent, as pynndescent's `NNDescent` with the
//! euclidean metric: a random-projection forest gives a first neighbour graph (`rp_tree`),
//! which rounds of "a neighbour of a neighbour is likely a neighbour" improve (`descent`) in
//! the fixed-size heaps of `heap`. It costs about `n log n` distances instead of the `n²` of
//! the exact search, which is why umap-learn uses it from 4096 samples on. The result depends
//! only on the seed, not on the number of threads.

mod descent;
mod heap;
mod rp_tree;

use gf_core::shape::Dim;
use gf_core::Dtype;

pub(crate) use self::descent::nn_descent;
use crate::error::{Error, Result};
use crate::traits::Features;
use crate::validation::{check_param, check_x};

const NAME: &str = "NNDescent";
const OP: &str = "NNDescent::neighbor_graph";

/// A k-nearest-neighbour graph: `(indices, distances)`, one `Vec` per point, nearest first.
pub type NeighborGraph = (Vec<Vec<usize>>, Vec<Vec<f64>>);

/// The parameters of one NN-descent search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NnDescentParams {
    /// Trees of the random-projection forest.
    pub(crate) n_trees: usize,
    /// The most points of a leaf of a tree.
    pub(crate) leaf_size: usize,
    /// The most NN-descent rounds.
    pub(crate) n_iters: usize,
    /// The most new (and old) candidates sampled per vertex and round.
    pub(crate) max_candidates: usize,
    /// The search stops once a round changes at most `delta · k · n` neighbours.
    pub(crate) delta: f64,
}

impl NnDescentParams {
    /// umap-learn's choices for `n` samples and `k` neighbours (`nearest_neighbors`):
    /// `n_trees = min(64, 5 + round(sqrt(n) / 20))`, `n_iters = max(5, round(log2(n)))`,
    /// `max_candidates = 60`, `delta = 0.001`, and pynndescent's leaf size
    /// `max(60, min(256, 5 k))`.
    pub(crate) fn umap(n: usize, k: usize) -> Self {
        let n_f = n.max(1) as f64;
        NnDescentParams {
            n_trees: 64.min(5 + (n_f.sqrt() / 20.0).round() as usize),
            leaf_size: default_leaf_size(k),
            n_iters: 5.max(n_f.log2().round() as usize),
            max_candidates: 60,
            delta: 0.001,
        }
    }
}

/// pynndescent's forest leaf size for `k` neighbours.
fn default_leaf_size(k: usize) -> usize {
    60.max(256.min(5 * k))
}

/// The approximate k-nearest-neighbour graph of a data set by NN-descent, as pynndescent's
/// `NNDescent(data, ...).neighbor_graph` with the euclidean metric (the one used by
/// [`UMAP`](crate::manifold::UMAP) from 4096 samples on). Each point is its own first
/// neighbour, at distance 0; the search is deterministic for a `random_state`, whatever the
/// number of threads.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::neighbors::NNDescent;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..40).map(|i| (i * i % 17) as f64).collect(), (20, 2));
/// let (indices, distances) = NNDescent::new().n_neighbors(4).neighbor_graph(&x)?;
/// assert_eq!(indices[3][0], 3);
/// assert_eq!(distances[3][0], 0.0);
/// assert_eq!(indices[3].len(), 4);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NNDescent {
    n_neighbors: usize,
    n_trees: Option<usize>,
    leaf_size: Option<usize>,
    n_iters: Option<usize>,
    max_candidates: Option<usize>,
    delta: f64,
    random_state: u64,
}

impl Default for NNDescent {
    fn default() -> Self {
        Self::new()
    }
}

impl NNDescent {
    /// pynndescent's defaults: `n_neighbors = 30`, `n_trees = None`
    /// (`max(3, min(12, round(2 log10 n)))`), `leaf_size = None` (`max(60, min(256, 5
    /// n_neighbors))`), `n_iters = None` (`max(5, round(log2 n))`), `max_candidates = None`
    /// (`min(60, n_neighbors)`), `delta = 0.001`; `random_state = 0` (pynndescent's `None`
    /// draws a seed; here the default is a fixed one).
    pub fn new() -> Self {
        NNDescent {
            n_neighbors: 30,
            n_trees: None,
            leaf_size: None,
            n_iters: None,
            max_candidates: None,
            delta: 0.001,
            random_state: 0,
        }
    }

    /// The neighbours of each point, itself included, in `[1, n_samples]`.
    pub fn n_neighbors(mut self, n_neighbors: usize) -> Self {
        self.n_neighbors = n_neighbors;
        self
    }

    /// The trees of the random-projection forest, in `[1, inf)`; `None` for pynndescent's.
    pub fn n_trees(mut self, n_trees: Option<usize>) -> Self {
        self.n_trees = n_trees;
        self
    }

    /// The most points of a leaf of a tree, in `[1, inf)`; `None` for pynndescent's.
    pub fn leaf_size(mut self, leaf_size: Option<usize>) -> Self {
        self.leaf_size = leaf_size;
        self
    }

    /// The most NN-descent rounds; `None` for pynndescent's.
    pub fn n_iters(mut self, n_iters: Option<usize>) -> Self {
        self.n_iters = n_iters;
        self
    }

    /// The most new (and old) candidates sampled per point and round, in `[1, inf)`; `None`
    /// for pynndescent's.
    pub fn max_candidates(mut self, max_candidates: Option<usize>) -> Self {
        self.max_candidates = max_candidates;
        self
    }

    /// The search stops once a round changes at most `delta · n_neighbors · n_samples`
    /// neighbours, in `[0, 1]`.
    pub fn delta(mut self, delta: f64) -> Self {
        self.delta = delta;
        self
    }

    /// The seed of every random draw of the search.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The approximate `n_neighbors` nearest rows of each row of `x`, nearest first (each row
    /// itself first, at distance 0): `(indices, distances)`, one `Vec` per row, as
    /// pynndescent's `neighbor_graph`. The euclidean distances of the neighbours found are
    /// exact.
    pub fn neighbor_graph<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<NeighborGraph> {
        let positive = |v: usize| v >= 1;
        check_param(
            NAME,
            "n_neighbors",
            self.n_neighbors,
            "an int in [1, n_samples]",
            positive,
        )?;
        for (name, v) in [
            ("n_trees", self.n_trees),
            ("leaf_size", self.leaf_size),
            ("max_candidates", self.max_candidates),
        ] {
            check_param(NAME, name, v, "None or an int in [1, inf)", |v| {
                v.is_none_or(positive)
            })?;
        }
        check_param(NAME, "delta", self.delta, "a float in [0, 1]", |v| {
            (0.0..=1.0).contains(&v)
        })?;
        let x = check_x(OP, x)?;
        let (n, k) = (x.rows, self.n_neighbors);
        if k > n {
            return Err(Error::input(
                OP,
                format!(
                    "expected n_neighbors <= n_samples, but n_neighbors = {k}, n_samples = {n}"
                ),
            ));
        }
        let n_f = n as f64;
        let params = NnDescentParams {
            n_trees: self
                .n_trees
                .unwrap_or_else(|| 3.max(12.min((2.0 * n_f.log10()).round() as usize))),
            leaf_size: self.leaf_size.unwrap_or_else(|| default_leaf_size(k)),
            n_iters: self
                .n_iters
                .unwrap_or_else(|| 5.max(n_f.log2().round() as usize)),
            max_candidates: self.max_candidates.unwrap_or(60.min(k)),
            delta: self.delta,
        };
        let (indices, dists) = nn_descent(&x, k, self.random_state, &params);
        Ok((
            indices.chunks(k).map(<[usize]>::to_vec).collect(),
            dists.chunks(k).map(<[f64]>::to_vec).collect(),
        ))
    }
}
