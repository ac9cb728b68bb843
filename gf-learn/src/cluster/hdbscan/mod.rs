//! [`HDBSCAN`]: hierarchical density-based clustering, as scikit-learn's.

mod mst;
mod tree;

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::optics::{core_distances, OpticsMetric};
use crate::error::{Error, Result};
use crate::traits::{Clusterer, Features};
use crate::validation::{check_param, check_x_with, Matrix, Missing};

const NAME: &str = "HDBSCAN";

/// How HDBSCAN picks its clusters from the condensed tree: scikit-learn's
/// `cluster_selection_method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterSelection {
    /// Excess of mass (`"eom"`, the default): the most stable clusters.
    Eom,
    /// The leaves of the condensed tree (`"leaf"`).
    Leaf,
}

/// Which cluster centres HDBSCAN keeps: scikit-learn's `store_centers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreCenters {
    /// The probability-weighted mean of each cluster (`"centroid"`).
    Centroid,
    /// The sample of each cluster with the smallest probability-weighted sum of distances
    /// to the others (`"medoid"`).
    Medoid,
    /// Both (`"both"`).
    Both,
}

/// Hierarchical density-based clustering, as scikit-learn's `HDBSCAN` with the euclidean
/// metric: the minimum spanning tree of the mutual reachability distances
/// `max(core(a), core(b), d(a, b) / alpha)` (core distance: to the `min_samples`-th nearest
/// sample, itself included), built by Prim's algorithm as scikit-learn's, becomes a single
/// linkage tree, condensed to the splits leaving at least `min_cluster_size` samples on both
/// sides; the clusters are its most stable nodes (excess of mass) or its leaves. Noise is
/// `-1`; each clustered sample has a membership probability. As scikit-learn's, rows
/// holding an infinity are left out of the clustering and labelled `-2` (probability 0),
/// rows holding a NaN `-3` (probability NaN).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::HDBSCAN;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(
///     vec![0.0, 0.0, 0.1, 0.0, 0.0, 0.1, 0.1, 0.1, 5.0, 5.0, 5.1, 5.0, 5.0, 5.1, 5.1, 5.1, 9.0, 0.0],
///     (9, 2),
/// );
/// let mut hdb = HDBSCAN::new().min_cluster_size(3);
/// assert_eq!(hdb.fit_predict(&x)?, vec![0, 0, 0, 0, 1, 1, 1, 1, 1]);
/// assert_eq!(hdb.probabilities_().unwrap()[0], 1.0);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct HDBSCAN {
    min_cluster_size: usize,
    min_samples: Option<usize>,
    max_cluster_size: Option<usize>,
    alpha: f64,
    cluster_selection_epsilon: f64,
    cluster_selection_method: ClusterSelection,
    allow_single_cluster: bool,
    store_centers: Option<StoreCenters>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    labels: Vec<i64>,
    probabilities: Vec<f64>,
    centroids: Option<Matrix>,
    medoids: Option<Matrix>,
}

impl Default for HDBSCAN {
    fn default() -> Self {
        Self::new()
    }
}

impl HDBSCAN {
    /// scikit-learn's defaults: `min_cluster_size = 5`, `min_samples = None`
    /// (= `min_cluster_size`), `max_cluster_size = None`, `alpha = 1`, excess of mass,
    /// `allow_single_cluster = false`, no stored centres.
    pub fn new() -> Self {
        HDBSCAN {
            min_cluster_size: 5,
            min_samples: None,
            max_cluster_size: None,
            alpha: 1.0,
            cluster_selection_epsilon: 0.0,
            cluster_selection_method: ClusterSelection::Eom,
            allow_single_cluster: false,
            store_centers: None,
            state: None,
        }
    }

    /// The fewest samples of a cluster, in `[2, inf)`.
    pub fn min_cluster_size(mut self, min_cluster_size: usize) -> Self {
        self.min_cluster_size = min_cluster_size;
        self
    }

    /// The neighbourhood of the core distance, itself included, in `[1, n_samples]`;
    /// `None` is `min_cluster_size`.
    pub fn min_samples(mut self, min_samples: Option<usize>) -> Self {
        self.min_samples = min_samples;
        self
    }

    /// The most samples an excess-of-mass cluster may hold, in `[1, inf)`; `None` is no
    /// limit.
    pub fn max_cluster_size(mut self, max_cluster_size: Option<usize>) -> Self {
        self.max_cluster_size = max_cluster_size;
        self
    }

    /// The divisor of the distances in the mutual reachability, in `(0, inf)`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// scikit-learn's `cluster_selection_epsilon`, in `[0, inf)`: a selected cluster born
    /// at a distance below it is replaced by its ancestor that exists at that distance, so
    /// clusters closer than `epsilon` merge (both selection methods); 0 (the default) is off.
    pub fn cluster_selection_epsilon(mut self, epsilon: f64) -> Self {
        self.cluster_selection_epsilon = epsilon;
        self
    }

    /// Excess of mass or leaves.
    pub fn cluster_selection_method(mut self, method: ClusterSelection) -> Self {
        self.cluster_selection_method = method;
        self
    }

    /// Whether the root of the condensed tree may be the one cluster.
    pub fn allow_single_cluster(mut self, allow_single_cluster: bool) -> Self {
        self.allow_single_cluster = allow_single_cluster;
        self
    }

    /// Which centres [`fit`](Self::fit) keeps; `None` keeps none.
    pub fn store_centers(mut self, store_centers: Option<StoreCenters>) -> Self {
        self.store_centers = store_centers;
        self
    }

    /// The strength of each sample's membership of its cluster, in `[0, 1]` (0 for noise);
    /// `None` before `fit`.
    pub fn probabilities_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.probabilities.as_slice())
    }

    /// The centroid of each cluster, `(n_clusters, n_features)` row-major; `None` before
    /// `fit` or when not stored.
    pub fn centroids_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.centroids.as_ref())
            .map(|m| m.data.as_slice())
    }

    /// The medoid of each cluster, `(n_clusters, n_features)` row-major; `None` before `fit`
    /// or when not stored.
    pub fn medoids_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.medoids.as_ref())
            .map(|m| m.data.as_slice())
    }

    /// Finds the clusters of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        check_param(
            NAME,
            "min_cluster_size",
            self.min_cluster_size,
            "an int in [2, inf)",
            |m| m >= 2,
        )?;
        check_param(NAME, "alpha", self.alpha, "a float in (0, inf)", |a| {
            a > 0.0 && a.is_finite()
        })?;
        check_param(
            NAME,
            "cluster_selection_epsilon",
            self.cluster_selection_epsilon,
            "a float in [0, inf)",
            |e| e >= 0.0 && e.is_finite(),
        )?;
        if let Some(m) = self.max_cluster_size {
            check_param(
                NAME,
                "max_cluster_size",
                m,
                "an int in [1, inf) or None",
                |m| m >= 1,
            )?;
        }
        // scikit-learn 1.9.1 (`HDBSCAN.fit`, non-precomputed path) validates X with
        // `ensure_all_finite=False`, clusters only the rows whose sum is finite, and gives
        // the others `_OUTLIER_ENCODING`'s labels: -2 with probability 0 where the row sum
        // is infinite, -3 with probability NaN where it is NaN (a NaN, or +inf with -inf).
        let raw = check_x_with("HDBSCAN::fit", x, Missing::AllowAll)?;
        let sums: Vec<f64> = (0..raw.rows).map(|i| raw.row(i).iter().sum()).collect();
        let finite: Vec<usize> = (0..raw.rows).filter(|&i| sums[i].is_finite()).collect();
        let x = if finite.len() == raw.rows {
            raw
        } else {
            let mut m = Matrix::zeros(finite.len(), raw.cols);
            for (k, &i) in finite.iter().enumerate() {
                m.row_mut(k).copy_from_slice(raw.row(i));
            }
            m
        };
        let n = x.rows;
        if n == 0 {
            return Err(Error::input(
                "HDBSCAN::fit",
                "found no row without NaN or infinity, while HDBSCAN requires more than one",
            ));
        }
        if n == 1 {
            return Err(Error::input(
                "HDBSCAN::fit",
                "n_samples=1 while HDBSCAN requires more than one sample",
            ));
        }
        let min_samples = self.min_samples.unwrap_or(self.min_cluster_size);
        check_param(
            NAME,
            "min_samples",
            min_samples,
            "an int in [1, n_samples]",
            |m| m >= 1 && m <= n,
        )?;
        let core = core_distances(&x, min_samples, OpticsMetric::Euclidean);
        let merges = mst::single_linkage(mst::prim_mst(&x, &core, self.alpha));
        let condensed = tree::condense_tree(&merges, self.min_cluster_size);
        let (labels, probabilities) = tree::get_clusters(
            &condensed,
            n,
            tree::Selection {
                leaf: self.cluster_selection_method == ClusterSelection::Leaf,
                allow_single_cluster: self.allow_single_cluster,
                max_cluster_size: self.max_cluster_size,
                epsilon: self.cluster_selection_epsilon,
            },
        );
        // The centres come from the finite rows (scikit-learn 1.9.1 indexes the reduced X
        // with the full-length labels there and fails).
        let (centroids, medoids) = match self.store_centers {
            None => (None, None),
            Some(which) => {
                let (c, m) = centers(&x, &labels, &probabilities);
                match which {
                    StoreCenters::Centroid => (Some(c), None),
                    StoreCenters::Medoid => (None, Some(m)),
                    StoreCenters::Both => (Some(c), Some(m)),
                }
            }
        };
        let (labels, probabilities) = if finite.len() == sums.len() {
            (labels, probabilities)
        } else {
            let mut all_labels: Vec<i64> = sums
                .iter()
                .map(|s| if s.is_nan() { -3 } else { -2 })
                .collect();
            let mut all_probabilities: Vec<f64> = sums
                .iter()
                .map(|s| if s.is_nan() { f64::NAN } else { 0.0 })
                .collect();
            for (k, &i) in finite.iter().enumerate() {
                all_labels[i] = labels[k];
                all_probabilities[i] = probabilities[k];
            }
            (all_labels, all_probabilities)
        };
        self.state = Some(Fitted {
            labels,
            probabilities,
            centroids,
            medoids,
        });
        Ok(self)
    }
}

/// The probability-weighted centroids and medoids of the clusters (scikit-learn's
/// `_weighted_cluster_center`).
fn centers(x: &Matrix, labels: &[i64], probabilities: &[f64]) -> (Matrix, Matrix) {
    let k = labels.iter().copied().max().map_or(0, |m| (m + 1) as usize);
    let mut centroids = Matrix::zeros(k, x.cols);
    let mut medoids = Matrix::zeros(k, x.cols);
    for c in 0..k {
        let members: Vec<usize> = (0..x.rows).filter(|&i| labels[i] == c as i64).collect();
        let weights: Vec<f64> = members.iter().map(|&i| probabilities[i]).collect();
        let total = crate::validation::np_sum(&weights);
        let row = centroids.row_mut(c);
        for (&i, &w) in members.iter().zip(&weights) {
            for (r, v) in row.iter_mut().zip(x.row(i)) {
                *r += v * w;
            }
        }
        row.iter_mut().for_each(|r| *r /= total);
        let mut best = (f64::INFINITY, 0);
        for &i in &members {
            let cost: f64 = members
                .iter()
                .zip(&weights)
                .map(|(&j, &w)| OpticsMetric::Euclidean.distance(x.row(i), x.row(j)) * w)
                .sum();
            if cost < best.0 {
                best = (cost, i);
            }
        }
        medoids.row_mut(c).copy_from_slice(x.row(best.1));
    }
    (centroids, medoids)
}

impl Clusterer for HDBSCAN {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        HDBSCAN::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
