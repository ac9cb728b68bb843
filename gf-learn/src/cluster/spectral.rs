//! [`SpectralClustering`], as scikit-learn's `sklearn.cluster.SpectralClustering`: the samples
//! embedded by the eigenvectors of the normalised Laplacian of an affinity graph (the first
//! kept), then labelled by k-means, by scikit-learn's `discretize` or by `cluster_qr`.
//!
//! The embedding is [`crate::manifold`]'s. k-means and `discretize` draw from numpy's
//! `RandomState`, seeded with `random_state` and advanced as scikit-learn advances it (its
//! ARPACK start vector first), so for a seed they make scikit-learn's draws.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::init::kmeans_plusplus;
use super::kmeans::same_clustering;
use super::lloyd::{lloyd, row_norms};
use crate::error::{Error, Result};
use crate::linalg::svd;
use crate::manifold::{affinity_matrix, embed_graph, SpectralAffinity};
use crate::traits::{Clusterer, Features};
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{check_param, check_x, dot, Matrix};

const NAME: &str = "SpectralClustering";
const OP: &str = "SpectralClustering::fit";

/// How [`SpectralClustering`] labels the embedded samples (scikit-learn's `assign_labels`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssignLabels {
    /// k-means on the embedding, the best of `n_init` k-means++ starts (the default).
    #[default]
    KMeans,
    /// Yu and Shi's discretisation: the nearest discrete partition by alternating rotations.
    Discretize,
    /// Damle, Minden and Ying's column-pivoted QR; deterministic, no iterations.
    ClusterQr,
}

/// Spectral clustering, as scikit-learn's `SpectralClustering`: clusters the samples in the
/// low-dimensional embedding given by the normalised graph Laplacian of their affinity, which
/// finds non-convex clusters (rings, moons) k-means alone cannot.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::SpectralClustering;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(
///     vec![0.0, 0.0, 0.1, 0.0, 0.0, 0.2, 5.0, 5.0, 5.1, 5.0, 5.0, 5.2],
///     (6, 2),
/// );
/// let labels = SpectralClustering::new().n_clusters(2).fit_predict(&x)?;
/// assert_eq!(labels[0], labels[2]);
/// assert_ne!(labels[0], labels[3]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SpectralClustering {
    n_clusters: usize,
    n_components: Option<usize>,
    affinity: SpectralAffinity,
    gamma: f64,
    n_neighbors: usize,
    assign_labels: AssignLabels,
    n_init: usize,
    eigen_tol: Option<f64>,
    random_state: u64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    labels: Vec<i64>,
    affinity: Matrix,
}

impl Default for SpectralClustering {
    fn default() -> Self {
        Self::new()
    }
}

impl SpectralClustering {
    /// scikit-learn's defaults: `n_clusters = 8`, the RBF affinity with `gamma = 1`,
    /// `n_neighbors = 10` for the nearest-neighbour affinity, `n_components = n_clusters`,
    /// k-means labels with `n_init = 10`, `eigen_tol = "auto"`, and `random_state = 0`.
    pub fn new() -> Self {
        SpectralClustering {
            n_clusters: 8,
            n_components: None,
            affinity: SpectralAffinity::Rbf,
            gamma: 1.0,
            n_neighbors: 10,
            assign_labels: AssignLabels::KMeans,
            n_init: 10,
            eigen_tol: None,
            random_state: 0,
            state: None,
        }
    }

    /// The number of clusters, in `[1, n_samples]`.
    pub fn n_clusters(mut self, n_clusters: usize) -> Self {
        self.n_clusters = n_clusters;
        self
    }

    /// The dimension of the spectral embedding, in `[1, n_samples]`; unset, `n_clusters`.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// How the affinity graph is built.
    pub fn affinity(mut self, affinity: SpectralAffinity) -> Self {
        self.affinity = affinity;
        self
    }

    /// The RBF kernel's coefficient, in `[0, inf)`.
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = gamma;
        self
    }

    /// The neighbours of each sample (itself included) in the nearest-neighbour graph, in
    /// `[1, n_samples]`.
    pub fn n_neighbors(mut self, n_neighbors: usize) -> Self {
        self.n_neighbors = n_neighbors;
        self
    }

    /// How the embedded samples are labelled.
    pub fn assign_labels(mut self, assign_labels: AssignLabels) -> Self {
        self.assign_labels = assign_labels;
        self
    }

    /// The k-means restarts, in `[1, inf)`, the lowest inertia kept.
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// The eigensolver's tolerance, in `[0, inf)`. Accepted for scikit-learn's API; the dense
    /// solver computes the eigenvectors to full precision whatever it says.
    pub fn eigen_tol(mut self, eigen_tol: f64) -> Self {
        self.eigen_tol = Some(eigen_tol);
        self
    }

    /// The seed of the random draws (k-means starts, discretize's first rotation).
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The affinity matrix the clusters were found on, `(n_samples, n_samples)` row-major;
    /// `None` before `fit`.
    pub fn affinity_matrix_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.affinity.data.as_slice())
    }

    fn check_params(&self) -> Result<()> {
        let at_least_one = |k: usize| k >= 1;
        check_param(
            NAME,
            "n_clusters",
            self.n_clusters,
            "an int in [1, inf)",
            at_least_one,
        )?;
        if let Some(k) = self.n_components {
            check_param(NAME, "n_components", k, "an int in [1, inf)", at_least_one)?;
        }
        check_param(NAME, "gamma", self.gamma, "a float in [0, inf)", |g| {
            (0.0..f64::INFINITY).contains(&g)
        })?;
        check_param(
            NAME,
            "n_neighbors",
            self.n_neighbors,
            "an int in [1, inf)",
            at_least_one,
        )?;
        check_param(
            NAME,
            "n_init",
            self.n_init,
            "an int in [1, inf)",
            at_least_one,
        )?;
        if let Some(t) = self.eigen_tol {
            check_param(
                NAME,
                "eigen_tol",
                t,
                "a float in [0, inf) or \"auto\"",
                |t| (0.0..f64::INFINITY).contains(&t),
            )?;
        }
        check_param(
            NAME,
            "random_state",
            self.random_state,
            "an int in [0, 2**32 - 1]",
            |v| v <= u64::from(u32::MAX),
        )
    }

    /// Builds the affinity of `x` (or takes `x` as it, when precomputed), embeds it and labels
    /// the embedded samples.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.check_params()?;
        let x = check_x(OP, x)?;
        let n = x.rows;
        if n < 2 {
            return Err(Error::input(
                OP,
                format!("found {n} sample(s), while a minimum of 2 is required"),
            ));
        }
        if self.n_clusters > n {
            return Err(Error::InvalidParameter {
                estimator: NAME,
                name: "n_clusters",
                allowed: "an int in [1, n_samples]",
                got: format!("{}, with n_samples = {n}", self.n_clusters),
            });
        }
        let affinity = affinity_matrix(OP, NAME, self.affinity, x, self.gamma, self.n_neighbors)?;
        let mut rng = NumpyRandom::new(self.random_state as u32);
        let n_components = self.n_components.unwrap_or(self.n_clusters);
        let maps = embed_graph(OP, &affinity, n_components, true, false, &mut rng)?;
        let labels = match self.assign_labels {
            AssignLabels::KMeans => kmeans_labels(&maps, self.n_clusters, self.n_init, &mut rng),
            AssignLabels::Discretize => discretize(&maps, &mut rng)?,
            AssignLabels::ClusterQr => cluster_qr(&maps)?,
        };
        self.state = Some(Fitted {
            labels: labels.into_iter().map(|l| l as i64).collect(),
            affinity,
        });
        Ok(self)
    }
}

impl Clusterer for SpectralClustering {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        SpectralClustering::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}

/// scikit-learn's `k_means(maps, k, random_state=rng, n_init=n_init)` with its defaults
/// (k-means++, Lloyd, `max_iter = 300`, `tol = 1e-4` of the mean feature variance), on the
/// shared numpy stream.
fn kmeans_labels(maps: &Matrix, k: usize, n_init: usize, rng: &mut NumpyRandom) -> Vec<usize> {
    let mean = maps.column_means();
    let variance = (0..maps.cols)
        .map(|j| {
            (0..maps.rows)
                .map(|i| (maps.at(i, j) - mean[j]).powi(2))
                .sum::<f64>()
                / maps.rows as f64
        })
        .sum::<f64>()
        / maps.cols as f64;
    let tol = variance * 1e-4;
    let xc = maps.centered(&mean);
    let norms = row_norms(&xc);
    let mut best = lloyd(&xc, kmeans_plusplus(&xc, &norms, k, rng), 300, tol);
    for _ in 1..n_init {
        let next = lloyd(&xc, kmeans_plusplus(&xc, &norms, k, rng), 300, tol);
        if next.inertia < best.inertia && !same_clustering(&next.labels, &best.labels, k) {
            best = next;
        }
    }
    best.labels
}

/// The index of the first largest value (numpy's `argmax`).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// scikit-learn's `cluster_qr`: the samples picked by a column-pivoted QR of `vectorsᵀ` span
/// the clusters; each sample goes to the largest entry of its row rotated onto them.
fn cluster_qr(vectors: &Matrix) -> Result<Vec<usize>> {
    let (n, k) = (vectors.rows, vectors.cols);
    // The pivots of LAPACK's geqp3 on vectorsᵀ: repeatedly the sample (column) whose residual
    // is longest, its direction then projected out of every residual.
    let mut residual = vectors.clone();
    let mut norms: Vec<f64> = (0..n)
        .map(|i| dot(residual.row(i), residual.row(i)))
        .collect();
    let mut taken = vec![false; n];
    let mut piv = Vec::with_capacity(k);
    for _ in 0..k.min(n) {
        let mut p = usize::MAX;
        for i in 0..n {
            if !taken[i] && (p == usize::MAX || norms[i] > norms[p]) {
                p = i;
            }
        }
        taken[p] = true;
        piv.push(p);
        let len = norms[p].sqrt();
        if len == 0.0 {
            continue;
        }
        let q: Vec<f64> = residual.row(p).iter().map(|v| v / len).collect();
        for i in 0..n {
            if taken[i] {
                continue;
            }
            let c = dot(&q, residual.row(i));
            residual
                .row_mut(i)
                .iter_mut()
                .zip(&q)
                .for_each(|(r, qv)| *r -= c * qv);
            norms[i] = dot(residual.row(i), residual.row(i));
        }
    }
    // ut, _, v = svd(vectors[piv].T): the rotation ut @ v is U Vᵀ of that k × k matrix.
    let mut m = Matrix::zeros(k, piv.len());
    for (c, &p) in piv.iter().enumerate() {
        for r in 0..k {
            m.data[r * piv.len() + c] = vectors.at(p, r);
        }
    }
    let (u, _, v) = svd(OP, &m)?;
    let mut rot = Matrix::zeros(k, k);
    for i in 0..k {
        for j in 0..k {
            rot.data[i * k + j] = (0..u.cols).map(|c| u.at(i, c) * v.at(j, c)).sum();
        }
    }
    Ok((0..n)
        .map(|i| {
            let row: Vec<f64> = (0..k)
                .map(|j| {
                    (0..k)
                        .map(|c| vectors.at(i, c) * rot.at(c, j))
                        .sum::<f64>()
                        .abs()
                })
                .collect();
            argmax(&row)
        })
        .collect())
}

/// scikit-learn's `discretize` (Yu and Shi, 2003): rows normalised onto the unit sphere, a
/// first rotation from a random sample and the samples most orthogonal to it, then
/// alternately the nearest discrete partition and the rotation (an SVD) that best maps onto
/// it, until the normalised-cut value stops changing (or 20 iterations).
fn discretize(maps: &Matrix, rng: &mut NumpyRandom) -> Result<Vec<usize>> {
    let (n, k) = (maps.rows, maps.cols);
    let mut v = maps.clone();
    let norm_ones = (n as f64).sqrt();
    for c in 0..k {
        let len = (0..n).map(|i| v.at(i, c).powi(2)).sum::<f64>().sqrt();
        for i in 0..n {
            v.data[i * k + c] = v.data[i * k + c] / len * norm_ones;
        }
        let first = v.at(0, c);
        if first != 0.0 {
            let s = first.signum();
            for i in 0..n {
                v.data[i * k + c] *= -s;
            }
        }
    }
    for i in 0..n {
        let len = dot(v.row(i), v.row(i)).sqrt();
        v.row_mut(i).iter_mut().for_each(|x| *x /= len);
    }
    // scikit-learn retries from a new random start when numpy's SVD fails; faer's SVD of a
    // k × k matrix does not fail on finite input, so one start is drawn.
    let mut rotation = Matrix::zeros(k, k);
    let start = rng.randint(n as u64) as usize;
    for r in 0..k {
        rotation.data[r * k] = v.at(start, r);
    }
    let mut c = vec![0.0; n];
    for j in 1..k {
        for (i, ci) in c.iter_mut().enumerate() {
            *ci += (0..k)
                .map(|r| v.at(i, r) * rotation.at(r, j - 1))
                .sum::<f64>()
                .abs();
        }
        let mut pick = 0;
        for (i, &ci) in c.iter().enumerate() {
            if ci < c[pick] {
                pick = i;
            }
        }
        for r in 0..k {
            rotation.data[r * k + j] = v.at(pick, r);
        }
    }
    let mut last = 0.0;
    let mut n_iter = 0;
    loop {
        n_iter += 1;
        let labels: Vec<usize> = (0..n)
            .map(|i| {
                let t: Vec<f64> = (0..k)
                    .map(|j| (0..k).map(|r| v.at(i, r) * rotation.at(r, j)).sum())
                    .collect();
                argmax(&t)
            })
            .collect();
        // t_svd = discreteᵀ @ vectors: row l sums the samples labelled l.
        let mut t = Matrix::zeros(k, k);
        for (i, &l) in labels.iter().enumerate() {
            for r in 0..k {
                t.data[l * k + r] += v.at(i, r);
            }
        }
        let (u, s, w) = svd(OP, &t)?;
        let ncut = 2.0 * (n as f64 - s.iter().sum::<f64>());
        if (ncut - last).abs() < f64::EPSILON || n_iter > 20 {
            return Ok(labels);
        }
        last = ncut;
        // rotation = Vhᵀ Uᵀ = W Uᵀ.
        for i in 0..k {
            for j in 0..k {
                rotation.data[i * k + j] = (0..s.len()).map(|c| w.at(i, c) * u.at(j, c)).sum();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_groups() -> Matrix {
        // An indicator-like embedding: rows 0-2 along one axis, rows 3-5 along the other.
        Matrix {
            rows: 6,
            cols: 2,
            data: vec![1.0, 0.1, 0.9, 0.0, 1.1, 0.05, 0.0, 1.0, 0.1, 0.9, 0.05, 1.2],
        }
    }

    #[test]
    fn cluster_qr_splits_an_indicator_embedding() {
        let l = cluster_qr(&two_groups()).unwrap();
        assert_eq!(l[0], l[1]);
        assert_eq!(l[1], l[2]);
        assert_ne!(l[0], l[3]);
        assert_eq!(l[3], l[5]);
    }

    #[test]
    fn discretize_splits_an_indicator_embedding() {
        let l = discretize(&two_groups(), &mut NumpyRandom::new(0)).unwrap();
        assert_eq!(l[0], l[2]);
        assert_ne!(l[0], l[4]);
        assert_eq!(l[3], l[5]);
    }
}
