//! [`SpectralEmbedding`] and [`spectral_embedding`]: Laplacian eigenmaps, as scikit-learn's
//! `sklearn.manifold.SpectralEmbedding` and `spectral_embedding`.
//!
//! An affinity graph (k-nearest-neighbour connectivity, an RBF kernel, or one given) becomes
//! the symmetric normalised Laplacian `I - D^-1/2 A D^-1/2`; the eigenvectors of its smallest
//! eigenvalues, divided by `sqrt(degree)` and sign-flipped so that each one's largest absolute
//! entry is positive, are the embedding. [`SpectralClustering`](crate::cluster::SpectralClustering)
//! clusters the same embedding. The graph is held dense (`n × n`) and the eigenvectors come
//! from a dense symmetric eigensolver behind [`smallest_eigenvectors`], so a sparse solver can
//! replace it in one place.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};
use crate::linalg::symmetric_eigh;
use crate::neighbors::brute::euclidean_kneighbors;
use crate::traits::Features;
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{check_param, check_x, dot, fitted, Matrix};

const NAME: &str = "SpectralEmbedding";

/// How the affinity graph of the samples is built (scikit-learn's `affinity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpectralAffinity {
    /// The k-nearest-neighbour connectivity (each sample its own neighbour), symmetrised as
    /// `0.5 (A + Aᵀ)`.
    NearestNeighbors,
    /// The RBF kernel `exp(-gamma |x - y|²)`.
    Rbf,
    /// The input is already the affinity: a square, symmetric, non-negative `n × n` matrix.
    Precomputed,
}

/// The affinity matrix of `x`, dense `n × n`, as scikit-learn builds it for `affinity`.
pub(crate) fn affinity_matrix(
    op: &'static str,
    estimator: &'static str,
    affinity: SpectralAffinity,
    x: Matrix,
    gamma: f64,
    n_neighbors: usize,
) -> Result<Matrix> {
    let n = x.rows;
    match affinity {
        SpectralAffinity::Precomputed => {
            check_precomputed(op, &x)?;
            Ok(x)
        }
        SpectralAffinity::Rbf => {
            // rbf_kernel: exp(-gamma * euclidean_distances(X, X)²), the distances in the
            // expanded form |x|² - 2 x·y + |y|² clipped at 0, the diagonal exactly 0.
            let norms: Vec<f64> = (0..n).map(|i| dot(x.row(i), x.row(i))).collect();
            let mut k = Matrix::zeros(n, n);
            for i in 0..n {
                for j in 0..n {
                    let d2 = if i == j {
                        0.0
                    } else {
                        (-2.0 * dot(x.row(i), x.row(j)) + norms[i] + norms[j]).max(0.0)
                    };
                    k.data[i * n + j] = (-gamma * d2).exp();
                }
            }
            Ok(k)
        }
        SpectralAffinity::NearestNeighbors => {
            if n_neighbors > n {
                return Err(Error::InvalidParameter {
                    estimator,
                    name: "n_neighbors",
                    allowed: "an int in [1, n_samples]",
                    got: format!("{n_neighbors}, with n_samples = {n}"),
                });
            }
            // kneighbors_graph(X, n_neighbors, include_self=True): 1 for each of the
            // n_neighbors nearest (the sample itself among them), then 0.5 (A + Aᵀ).
            let near = euclidean_kneighbors(&x, &x, n_neighbors);
            let mut a = Matrix::zeros(n, n);
            for (i, row) in near.iter().enumerate() {
                for &(_, j) in row {
                    a.data[i * n + j] += 0.5;
                    a.data[j * n + i] += 0.5;
                }
            }
            Ok(a)
        }
    }
}

/// `Err` unless `a` is a square, symmetric (to 1e-10, scikit-learn's `check_symmetric`),
/// non-negative affinity.
pub(crate) fn check_precomputed(op: &'static str, a: &Matrix) -> Result<()> {
    let n = a.rows;
    if a.cols != n {
        return Err(Error::input(
            op,
            format!(
                "a precomputed affinity must be square; got {} x {}",
                a.rows, a.cols
            ),
        ));
    }
    for i in 0..n {
        for j in 0..n {
            let v = a.data[i * n + j];
            if v < 0.0 {
                return Err(Error::input(
                    op,
                    format!("a precomputed affinity must be non-negative; got {v} at ({i}, {j})"),
                ));
            }
            if j > i && (v - a.data[j * n + i]).abs() > 1e-10 {
                return Err(Error::input(
                    op,
                    format!(
                        "a precomputed affinity must be symmetric; ({i}, {j}) is {v} but \
                         ({j}, {i}) is {}",
                        a.data[j * n + i]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The eigenvectors of the `k` smallest eigenvalues of the symmetric `m`, smallest first, each
/// as a vector of length `n`. The one place the eigensolver is chosen (dense `syevd` today).
fn smallest_eigenvectors(op: &'static str, m: &Matrix, k: usize) -> Result<Vec<Vec<f64>>> {
    let (_, vectors) = symmetric_eigh(op, &m.to_faer())?;
    Ok((0..k)
        .map(|c| (0..m.rows).map(|r| vectors[(r, c)]).collect())
        .collect())
}

/// scikit-learn's `_spectral_embedding` of the dense `adjacency` (checked symmetric): the
/// eigenvectors of the `n_components` smallest eigenvalues of its Laplacian (normalised when
/// `norm_laplacian`, then divided by `sqrt(degree)`), sign-flipped, the first dropped when
/// `drop_first` (one more is computed then). `rng` advances as scikit-learn's ARPACK start
/// vector draws it (`uniform(-1, 1, n)`), so later draws (k-means seeding, discretize's
/// rotations) follow scikit-learn's stream. Returns `n × n_components`, row-major.
pub(crate) fn embed_graph(
    op: &'static str,
    adjacency: &Matrix,
    n_components: usize,
    norm_laplacian: bool,
    drop_first: bool,
    rng: &mut NumpyRandom,
) -> Result<Matrix> {
    let n = adjacency.rows;
    let k = n_components + usize::from(drop_first);
    if k > n {
        return Err(Error::input(
            op,
            format!(
                "n_components = {n_components}{} needs at least {k} samples; got {n}",
                if drop_first { " (+1, dropped)" } else { "" }
            ),
        ));
    }
    // scipy.sparse.csgraph.laplacian ignores self-loops: the degree excludes the diagonal.
    let degree: Vec<f64> = (0..n)
        .map(|j| {
            (0..n)
                .filter(|&i| i != j)
                .map(|i| adjacency.data[i * n + j])
                .sum()
        })
        .collect();
    let dd: Vec<f64> = if norm_laplacian {
        // An isolated node keeps a unit scale (and a 0 diagonal, set to 1 below anyway).
        degree
            .iter()
            .map(|&w| if w == 0.0 { 1.0 } else { w.sqrt() })
            .collect()
    } else {
        degree.clone()
    };
    let mut lap = Matrix::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            lap.data[i * n + j] = if i == j {
                // _set_diag(laplacian, 1, norm_laplacian): the normalised diagonal is 1.
                if norm_laplacian {
                    1.0
                } else {
                    degree[i]
                }
            } else if norm_laplacian {
                -adjacency.data[i * n + j] / dd[j] / dd[i]
            } else {
                -adjacency.data[i * n + j]
            };
        }
    }
    // _init_arpack_v0: the start vector scikit-learn draws before eigsh.
    for _ in 0..n {
        rng.random_sample();
    }
    let mut vectors = smallest_eigenvectors(op, &lap, k)?;
    for v in &mut vectors {
        if norm_laplacian {
            v.iter_mut().zip(&dd).for_each(|(x, d)| *x /= d);
        }
        sign_flip(v);
    }
    let kept = &vectors[usize::from(drop_first)..];
    let mut out = Matrix::zeros(n, n_components);
    for (c, v) in kept.iter().enumerate() {
        for (r, &x) in v.iter().enumerate() {
            out.data[r * n_components + c] = x;
        }
    }
    Ok(out)
}

/// `_deterministic_vector_sign_flip`: the sign that makes the first largest absolute entry
/// positive (numpy's `sign`, so an all-zero vector stays zero).
fn sign_flip(v: &mut [f64]) {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if x.abs() > v[best].abs() {
            best = i;
        }
    }
    let s = v.get(best).copied().unwrap_or(0.0);
    let sign = if s > 0.0 {
        1.0
    } else if s < 0.0 {
        -1.0
    } else {
        0.0
    };
    v.iter_mut().for_each(|x| *x *= sign);
}

/// scikit-learn's `spectral_embedding`: the `n_components` Laplacian eigenmaps of the dense,
/// square, symmetric, non-negative `adjacency`. `norm_laplacian` uses the symmetric normalised
/// Laplacian (scikit-learn's default `true`); `drop_first` drops the first (constant for a
/// connected graph) eigenvector (default `true`). `random_state` seeds the same draws as
/// scikit-learn's (which the dense solver does not otherwise need).
pub fn spectral_embedding<F: Dim, E: Dtype>(
    adjacency: &Features<F, E>,
    n_components: usize,
    norm_laplacian: bool,
    drop_first: bool,
    random_state: u64,
) -> Result<Tensor<(usize, usize), E, Cpu>> {
    const OP: &str = "spectral_embedding";
    check_param(
        "spectral_embedding",
        "n_components",
        n_components,
        "an int in [1, inf)",
        |k| k >= 1,
    )?;
    let a = check_x(OP, adjacency)?;
    check_precomputed(OP, &a)?;
    let mut rng = NumpyRandom::new(random_state as u32);
    embed_graph(OP, &a, n_components, norm_laplacian, drop_first, &mut rng)?.to_tensor()
}

/// Laplacian eigenmaps, as scikit-learn's `SpectralEmbedding`: a non-linear embedding by the
/// eigenvectors of the normalised graph Laplacian of an affinity graph of the samples.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::{SpectralAffinity, SpectralEmbedding};
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(
///     vec![0.0, 0.0, 0.1, 0.0, 0.0, 0.2, 5.0, 5.0, 5.1, 5.0, 5.0, 5.2],
///     (6, 2),
/// );
/// let mut se = SpectralEmbedding::new()
///     .n_components(1)
///     .affinity(SpectralAffinity::Rbf)
///     .gamma(0.1);
/// let y: Vec<f64> = se.fit_transform(&x)?.to_vec();
/// assert!((y[0] - y[1]).abs() < (y[0] - y[3]).abs());
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SpectralEmbedding {
    n_components: usize,
    affinity: SpectralAffinity,
    gamma: Option<f64>,
    n_neighbors: Option<usize>,
    random_state: u64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    embedding: Matrix,
    affinity: Matrix,
}

impl Default for SpectralEmbedding {
    fn default() -> Self {
        Self::new()
    }
}

impl SpectralEmbedding {
    /// scikit-learn's defaults: `n_components = 2`, nearest-neighbour affinity with
    /// `n_neighbors = max(n_samples / 10, 1)`, `gamma = 1 / n_features` for the RBF affinity,
    /// `random_state = 0`.
    pub fn new() -> Self {
        SpectralEmbedding {
            n_components: 2,
            affinity: SpectralAffinity::NearestNeighbors,
            gamma: None,
            n_neighbors: None,
            random_state: 0,
            state: None,
        }
    }

    /// The dimension of the embedding, in `[1, n_samples - 1]`.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// How the affinity graph is built.
    pub fn affinity(mut self, affinity: SpectralAffinity) -> Self {
        self.affinity = affinity;
        self
    }

    /// The RBF kernel's coefficient, in `[0, inf)`; unset, `1 / n_features`.
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = Some(gamma);
        self
    }

    /// The neighbours of each sample (itself included) in the nearest-neighbour graph, in
    /// `[1, n_samples]`; unset, `max(n_samples / 10, 1)`.
    pub fn n_neighbors(mut self, n_neighbors: usize) -> Self {
        self.n_neighbors = Some(n_neighbors);
        self
    }

    /// The seed of scikit-learn's random draws (its ARPACK start vector).
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The embedding of the training samples, `(n_samples, n_components)` row-major; `None`
    /// before `fit`.
    pub fn embedding_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.embedding.data.as_slice())
    }

    /// The affinity matrix the embedding was computed from, `(n_samples, n_samples)`
    /// row-major; `None` before `fit`.
    pub fn affinity_matrix_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.affinity.data.as_slice())
    }

    fn check_params(&self) -> Result<()> {
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        if let Some(g) = self.gamma {
            check_param(NAME, "gamma", g, "a float in [0, inf)", |g| {
                (0.0..f64::INFINITY).contains(&g)
            })?;
        }
        if let Some(k) = self.n_neighbors {
            check_param(NAME, "n_neighbors", k, "an int in [1, inf)", |k| k >= 1)?;
        }
        check_param(
            NAME,
            "random_state",
            self.random_state,
            "an int in [0, 2**32 - 1]",
            |v| v <= u64::from(u32::MAX),
        )
    }

    /// Builds the affinity graph of `x` (or takes `x` as it, when precomputed) and embeds it.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "SpectralEmbedding::fit";
        self.check_params()?;
        let x = check_x(OP, x)?;
        if x.rows < 2 {
            return Err(Error::input(
                OP,
                format!(
                    "found {} sample(s), while a minimum of 2 is required",
                    x.rows
                ),
            ));
        }
        let gamma = self.gamma.unwrap_or(1.0 / x.cols as f64);
        let n_neighbors = self.n_neighbors.unwrap_or((x.rows / 10).max(1));
        let affinity = affinity_matrix(OP, NAME, self.affinity, x, gamma, n_neighbors)?;
        let mut rng = NumpyRandom::new(self.random_state as u32);
        let embedding = embed_graph(OP, &affinity, self.n_components, true, true, &mut rng)?;
        self.state = Some(Fitted {
            embedding,
            affinity,
        });
        Ok(self)
    }

    /// [`fit`](Self::fit), then the embedding as a tensor.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?;
        fitted(&self.state, NAME, "SpectralEmbedding::fit_transform")?
            .embedding
            .to_tensor()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_flip_makes_the_largest_entry_positive() {
        let mut v = vec![0.5, -2.0, 2.0];
        sign_flip(&mut v);
        assert_eq!(v, [-0.5, 2.0, -2.0]);
    }

    #[test]
    fn two_components_split_a_two_block_graph() {
        // Two triangles joined by one weak edge: the Fiedler vector separates them.
        let mut a = Matrix::zeros(6, 6);
        let mut edge = |i: usize, j: usize, w: f64| {
            a.data[i * 6 + j] = w;
            a.data[j * 6 + i] = w;
        };
        for (i, j) in [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)] {
            edge(i, j, 1.0);
        }
        edge(2, 3, 0.01);
        let mut rng = NumpyRandom::new(0);
        let e = embed_graph("test", &a, 1, true, true, &mut rng).unwrap();
        assert!(e.data[0] * e.data[5] < 0.0);
        assert!(e.data[0] * e.data[1] > 0.0);
    }
}
