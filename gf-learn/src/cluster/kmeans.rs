//! [`KMeans`]: scikit-learn's k-means, its defaults, its stopping rules and its choice among
//! restarts.

use gf_core::rng::Xoshiro256;
use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::elkan::elkan;
use super::init::{kmeans_plusplus, random_samples};
use super::lloyd::{assign, center_distances, inertia, lloyd, row_norms};
use crate::error::{Error, Result};
use crate::traits::{Clusterer, Features, Target};
use crate::validation::{check_param, check_x, check_x_width, fitted, label_vector, Matrix};

const NAME: &str = "KMeans";

/// How [`KMeans`] chooses its first centres (scikit-learn's `init`).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum KMeansInit {
    /// k-means++ with `2 + ln(n_clusters)` greedy local trials per centre (the default).
    #[default]
    KMeansPlusPlus,
    /// `n_clusters` distinct samples drawn at random.
    Random,
    /// These centres, `n_clusters` rows of `n_features` values, row-major. With them k-means is
    /// deterministic, so it runs once whatever `n_init` says.
    Centers(Vec<f64>),
}

/// The k-means iteration (scikit-learn's `algorithm`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KMeansAlgorithm {
    /// Lloyd's: every sample against every centre at each step (the default).
    #[default]
    Lloyd,
    /// Elkan's: the same result, skipping distances the triangle inequality rules out; faster
    /// with well-separated clusters, at the cost of `n_samples * n_clusters` bounds in memory.
    Elkan,
}

/// k-means clustering, as scikit-learn's `KMeans`: minimises the sum of squared distances of
/// the samples to their cluster centre (the inertia), from `n_init` initialisations, keeping
/// the best.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::KMeans;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 1.0, 1.5, 2.0, 1.2, 1.1, 8.0, 8.0, 8.5, 7.5, 9.0, 8.2], (6, 2));
/// let mut km = KMeans::new().n_clusters(2).random_state(0);
/// let labels = km.fit_predict(&x)?;
/// assert_eq!(labels[0], labels[2]);
/// assert_ne!(labels[0], labels[3]);
/// let near = dev.tensor_from_vec(vec![8.1, 8.1], (1, 2));
/// assert_eq!(km.predict(&near)?.to_vec()[0] as i64, labels[3]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct KMeans {
    n_clusters: usize,
    init: KMeansInit,
    n_init: Option<usize>,
    max_iter: usize,
    tol: f64,
    random_state: u64,
    algorithm: KMeansAlgorithm,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    centers: Matrix,
    labels: Vec<i64>,
    inertia: f64,
    n_iter: usize,
}

impl Default for KMeans {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether two labellings are the same partition under renamed clusters (scikit-learn's
/// `_is_same_clustering`).
pub(super) fn same_clustering(a: &[usize], b: &[usize], k: usize) -> bool {
    let mut mapping = vec![usize::MAX; k];
    for (&x, &y) in a.iter().zip(b) {
        if mapping[x] == usize::MAX {
            mapping[x] = y;
        } else if mapping[x] != y {
            return false;
        }
    }
    true
}

impl KMeans {
    /// scikit-learn's defaults: `n_clusters = 8`, k-means++, `n_init = "auto"` (1 run for
    /// k-means++, 10 for random; given centres run once), `max_iter = 300`, `tol = 1e-4`,
    /// Lloyd's algorithm, and `random_state = 0`.
    pub fn new() -> Self {
        KMeans {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            n_init: None,
            max_iter: 300,
            tol: 1e-4,
            random_state: 0,
            algorithm: KMeansAlgorithm::Lloyd,
            state: None,
        }
    }

    /// The number of clusters, in `[1, n_samples]`.
    pub fn n_clusters(mut self, n_clusters: usize) -> Self {
        self.n_clusters = n_clusters;
        self
    }

    /// How the first centres are chosen.
    pub fn init(mut self, init: KMeansInit) -> Self {
        self.init = init;
        self
    }

    /// The number of initialisations to run, the best (lowest inertia) kept; in `[1, inf)`.
    /// Unset, it is scikit-learn's `"auto"`: 1 for k-means++, 10 for random.
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = Some(n_init);
        self
    }

    /// The most iterations of one run, in `[1, inf)`.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Convergence: a run stops when the squared shift of the centres is at most `tol` times
    /// the mean variance of the features; in `[0, inf)`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The seed of the initialisations.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// Lloyd's or Elkan's iteration.
    pub fn algorithm(mut self, algorithm: KMeansAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The cluster centres, `(n_clusters, n_features)` row-major; `None` before `fit`.
    pub fn cluster_centers_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.centers.data.as_slice())
    }

    /// The sum of squared distances of the training samples to their centre; `None` before
    /// `fit`.
    pub fn inertia_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.inertia)
    }

    /// The iterations of the best run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    fn validate(&self, n_samples: usize, n_features: usize) -> Result<()> {
        check_param(
            NAME,
            "n_clusters",
            self.n_clusters,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        check_param(NAME, "max_iter", self.max_iter, "an int in [1, inf)", |k| {
            k >= 1
        })?;
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| {
            t >= 0.0 && t.is_finite()
        })?;
        if let Some(n_init) = self.n_init {
            check_param(
                NAME,
                "n_init",
                n_init,
                "an int in [1, inf) or \"auto\"",
                |n| n >= 1,
            )?;
        }
        if n_samples < self.n_clusters {
            return Err(Error::input(
                "KMeans::fit",
                format!(
                    "n_samples={n_samples} should be >= n_clusters={}",
                    self.n_clusters
                ),
            ));
        }
        if let KMeansInit::Centers(c) = &self.init {
            if c.len() != self.n_clusters * n_features || c.iter().any(|v| !v.is_finite()) {
                return Err(Error::parameter(
                    NAME,
                    "init",
                    "finite centres of shape (n_clusters, n_features)",
                    format!(
                        "{} values for n_clusters = {} and n_features = {n_features}",
                        c.len(),
                        self.n_clusters
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Finds `n_clusters` clusters in `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        let x = check_x("KMeans::fit", x)?;
        self.validate(x.rows, x.cols)?;
        // scikit-learn's _tolerance: tol relative to the mean variance of the features.
        let mean = x.column_means();
        let variance: f64 = (0..x.cols)
            .map(|j| {
                (0..x.rows)
                    .map(|i| (x.at(i, j) - mean[j]).powi(2))
                    .sum::<f64>()
                    / x.rows as f64
            })
            .sum::<f64>()
            / x.cols as f64;
        let tol = variance * self.tol;
        // Centring first, as scikit-learn does, makes the expanded distances more precise.
        let xc = x.centered(&mean);
        let norms = row_norms(&xc);
        let n_init = match (&self.init, self.n_init) {
            (KMeansInit::Centers(_), _) => 1,
            (_, Some(n)) => n,
            (KMeansInit::KMeansPlusPlus, None) => 1,
            (KMeansInit::Random, None) => 10,
        };
        let algorithm = if self.n_clusters == 1 {
            KMeansAlgorithm::Lloyd
        } else {
            self.algorithm
        };
        let mut rng = Xoshiro256::new(self.random_state);
        let run_once = |rng: &mut Xoshiro256| {
            let start = match &self.init {
                KMeansInit::KMeansPlusPlus => kmeans_plusplus(&xc, &norms, self.n_clusters, rng),
                KMeansInit::Random => random_samples(&xc, self.n_clusters, rng),
                KMeansInit::Centers(c) => Matrix {
                    rows: self.n_clusters,
                    cols: x.cols,
                    data: c.clone(),
                }
                .centered(&mean),
            };
            match algorithm {
                KMeansAlgorithm::Lloyd => lloyd(&xc, start, self.max_iter, tol),
                KMeansAlgorithm::Elkan => elkan(&xc, start, self.max_iter, tol),
            }
        };
        let mut run = run_once(&mut rng);
        for _ in 1..n_init {
            let next = run_once(&mut rng);
            // A lower inertia wins unless it is the same partition (scikit-learn's rule).
            if next.inertia < run.inertia
                && !same_clustering(&next.labels, &run.labels, self.n_clusters)
            {
                run = next;
            }
        }
        for j in 0..run.centers.rows {
            run.centers
                .row_mut(j)
                .iter_mut()
                .zip(&mean)
                .for_each(|(c, m)| *c += m);
        }
        self.state = Some(Fitted {
            labels: run.labels.iter().map(|&l| l as i64).collect(),
            centers: run.centers,
            inertia: run.inertia,
            n_iter: run.n_iter,
        });
        Ok(self)
    }

    /// The index of the nearest centre of each row of `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "KMeans::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        let mut labels = vec![0; x.rows];
        assign(&x, &s.centers, &mut labels);
        label_vector(labels)
    }

    /// The euclidean distance of each row of `x` to each centre, `(n_samples, n_clusters)`.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "KMeans::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        center_distances(&x, &s.centers).to_tensor()
    }

    /// Minus the inertia of `x` against the fitted centres (higher is better, as scikit-learn's
    /// `score`).
    pub fn score<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        const OP: &str = "KMeans::score";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        let mut labels = vec![0; x.rows];
        assign(&x, &s.centers, &mut labels);
        Ok(-inertia(&x, &s.centers, &labels))
    }
}

impl Clusterer for KMeans {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        KMeans::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
