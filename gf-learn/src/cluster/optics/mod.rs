//! [`OPTICS`]: ordering points to identify the clustering structure, as scikit-learn's.

mod xi;

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use crate::error::Result;
use crate::traits::{Clusterer, Features};
use crate::validation::{check_param, check_x, Matrix};

const NAME: &str = "OPTICS";

/// A neighbourhood or cluster size: scikit-learn's int-or-fraction `min_samples` and
/// `min_cluster_size`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DensitySize {
    /// This many samples, at least 2.
    Count(usize),
    /// This fraction of the samples, in `(0, 1]`: `max(2, floor(fraction * n_samples))`.
    Fraction(f64),
}

impl DensitySize {
    /// The count for `n` samples, or an `Err` naming `name`.
    fn resolve(self, name: &'static str, n: usize) -> Result<usize> {
        match self {
            DensitySize::Count(k) => {
                check_param(NAME, name, k, "an int in [2, n_samples]", |k| {
                    k >= 2 && k <= n
                })?;
                Ok(k)
            }
            DensitySize::Fraction(f) => {
                check_param(NAME, name, f, "a float in (0, 1]", |f| f > 0.0 && f <= 1.0)?;
                Ok(2.max((f * n as f64) as usize))
            }
        }
    }
}

/// The distance OPTICS measures with: scikit-learn's `minkowski` metric with `p = 2` (its
/// default) or `p = 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpticsMetric {
    /// `p = 2`, the straight-line distance.
    Euclidean,
    /// `p = 1`, the sum of absolute differences.
    Manhattan,
}

impl OpticsMetric {
    /// The distance between `a` and `b`, summed in index order.
    pub(crate) fn distance(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            OpticsMetric::Euclidean => a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f64>()
                .sqrt(),
            OpticsMetric::Manhattan => a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum(),
        }
    }
}

/// How OPTICS turns the reachability plot into clusters: scikit-learn's `cluster_method`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OpticsClusterMethod {
    /// ξ-steep areas (`"xi"`, the default) with this `xi`, in `[0, 1]`.
    Xi(f64),
    /// A DBSCAN cut at this `eps` (`"dbscan"`), in `[0, max_eps]`; `None` cuts at `max_eps`.
    Dbscan(Option<f64>),
}

/// Ordering points to identify the clustering structure, as scikit-learn's `OPTICS`: the
/// samples are visited in the order of their smallest reachability distance from the visited
/// ones (the first minimum in index order among ties, as numpy's `argmin`), where the
/// reachability of `q` from `p` is `max(d(p, q), core_distance(p))` and the core distance
/// of `p` is the distance to its `min_samples`-th nearest sample (itself included). The
/// clusters are then read off the reachability plot with the ξ method or a DBSCAN cut.
/// Distances and reachabilities are rounded to 15 decimals as scikit-learn's.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::OPTICS;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(
///     vec![1.0, 2.0, 2.0, 5.0, 3.0, 6.0, 8.0, 7.0, 8.0, 8.0, 7.0, 3.0],
///     (6, 2),
/// );
/// let mut optics = OPTICS::new().min_samples(2);
/// assert_eq!(optics.fit_predict(&x)?, vec![0, 0, 0, 1, 1, 1]);
/// assert_eq!(optics.ordering_().unwrap(), &[0, 1, 2, 5, 3, 4]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OPTICS {
    min_samples: DensitySize,
    max_eps: f64,
    metric: OpticsMetric,
    cluster_method: OpticsClusterMethod,
    predecessor_correction: bool,
    min_cluster_size: Option<DensitySize>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    labels: Vec<i64>,
    reachability: Vec<f64>,
    ordering: Vec<usize>,
    core_distances: Vec<f64>,
    predecessor: Vec<i64>,
    cluster_hierarchy: Option<Vec<(usize, usize)>>,
}

impl Default for OPTICS {
    fn default() -> Self {
        Self::new()
    }
}

impl OPTICS {
    /// scikit-learn's defaults: `min_samples = 5`, `max_eps = inf`, euclidean, `xi = 0.05`,
    /// `predecessor_correction = true`, `min_cluster_size = None` (= `min_samples`).
    pub fn new() -> Self {
        OPTICS {
            min_samples: DensitySize::Count(5),
            max_eps: f64::INFINITY,
            metric: OpticsMetric::Euclidean,
            cluster_method: OpticsClusterMethod::Xi(0.05),
            predecessor_correction: true,
            min_cluster_size: None,
            state: None,
        }
    }

    /// The samples in a neighbourhood (itself included) for its centre to be a core sample:
    /// an int in `[2, n_samples]`.
    pub fn min_samples(self, min_samples: usize) -> Self {
        self.min_samples_size(DensitySize::Count(min_samples))
    }

    /// `min_samples` as a count or a fraction of the samples.
    pub fn min_samples_size(mut self, min_samples: DensitySize) -> Self {
        self.min_samples = min_samples;
        self
    }

    /// The largest distance at which two samples are neighbours, in `[0, inf]`.
    pub fn max_eps(mut self, max_eps: f64) -> Self {
        self.max_eps = max_eps;
        self
    }

    /// The distance.
    pub fn metric(mut self, metric: OpticsMetric) -> Self {
        self.metric = metric;
        self
    }

    /// The extraction of the clusters.
    pub fn cluster_method(mut self, cluster_method: OpticsClusterMethod) -> Self {
        self.cluster_method = cluster_method;
        self
    }

    /// `cluster_method = "xi"` with this `xi`, in `[0, 1]`.
    pub fn xi(self, xi: f64) -> Self {
        self.cluster_method(OpticsClusterMethod::Xi(xi))
    }

    /// `cluster_method = "dbscan"` cutting at `eps`, in `[0, max_eps]`.
    pub fn eps(self, eps: f64) -> Self {
        self.cluster_method(OpticsClusterMethod::Dbscan(Some(eps)))
    }

    /// Whether ξ clusters are corrected by the predecessors of their points.
    pub fn predecessor_correction(mut self, predecessor_correction: bool) -> Self {
        self.predecessor_correction = predecessor_correction;
        self
    }

    /// The smallest ξ cluster; `None` is `min_samples`.
    pub fn min_cluster_size(mut self, min_cluster_size: Option<DensitySize>) -> Self {
        self.min_cluster_size = min_cluster_size;
        self
    }

    /// The reachability distance of each sample (index order; `inf` for the first visited
    /// and for the unreachable); `None` before `fit`.
    pub fn reachability_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.reachability.as_slice())
    }

    /// The samples in the order visited; `None` before `fit`.
    pub fn ordering_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.ordering.as_slice())
    }

    /// The distance of each sample to its `min_samples`-th nearest sample (`inf` above
    /// `max_eps`); `None` before `fit`.
    pub fn core_distances_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.core_distances.as_slice())
    }

    /// The sample each sample was reached from (`-1` for none); `None` before `fit`.
    pub fn predecessor_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.predecessor.as_slice())
    }

    /// The ξ clusters as inclusive `(start, end)` positions in [`ordering_`](Self::ordering_),
    /// in scikit-learn's order; `None` before `fit` and with the DBSCAN extraction.
    pub fn cluster_hierarchy_(&self) -> Option<&[(usize, usize)]> {
        self.state
            .as_ref()
            .and_then(|s| s.cluster_hierarchy.as_deref())
    }

    /// Orders the samples of `x` and extracts the clusters.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        check_param(NAME, "max_eps", self.max_eps, "a float in [0, inf]", |e| {
            e >= 0.0
        })?;
        match self.cluster_method {
            OpticsClusterMethod::Xi(xi) => check_param(NAME, "xi", xi, "a float in [0, 1]", |x| {
                (0.0..=1.0).contains(&x)
            })?,
            OpticsClusterMethod::Dbscan(Some(eps)) => {
                check_param(NAME, "eps", eps, "a float in [0, max_eps]", |e| {
                    e >= 0.0 && e <= self.max_eps
                })?
            }
            OpticsClusterMethod::Dbscan(None) => {}
        }
        let x = check_x("OPTICS::fit", x)?;
        let n = x.rows;
        let min_samples = self.min_samples.resolve("min_samples", n)?;
        let (ordering, core_distances, reachability, predecessor) =
            optics_graph(&x, min_samples, self.max_eps, self.metric);
        let (labels, cluster_hierarchy) = match self.cluster_method {
            OpticsClusterMethod::Xi(xi) => {
                let min_cluster_size = match self.min_cluster_size {
                    None => min_samples,
                    Some(size) => size.resolve("min_cluster_size", n)?,
                };
                let plot: Vec<f64> = ordering.iter().map(|&i| reachability[i]).collect();
                let pred: Vec<i64> = ordering.iter().map(|&i| predecessor[i]).collect();
                let clusters = xi::xi_cluster(
                    &plot,
                    &pred,
                    &ordering,
                    xi,
                    min_samples,
                    min_cluster_size,
                    self.predecessor_correction,
                );
                (xi::extract_xi_labels(&ordering, &clusters), Some(clusters))
            }
            OpticsClusterMethod::Dbscan(eps) => {
                let eps = eps.unwrap_or(self.max_eps);
                let labels = dbscan_cut(&reachability, &core_distances, &ordering, eps);
                (labels, None)
            }
        };
        self.state = Some(Fitted {
            labels,
            reachability,
            ordering,
            core_distances,
            predecessor,
            cluster_hierarchy,
        });
        Ok(self)
    }
}

/// numpy's `np.around(v, 15)`: scale by `1e15`, round half to even, scale back.
pub(crate) fn around15(v: f64) -> f64 {
    (v * 1e15).round_ties_even() / 1e15
}

/// The distance of each sample to its `k`-th nearest sample, itself (at distance 0) first.
pub(crate) fn core_distances(x: &Matrix, k: usize, metric: OpticsMetric) -> Vec<f64> {
    (0..x.rows)
        .into_par_iter()
        .map(|i| {
            let mut d: Vec<f64> = (0..x.rows)
                .map(|j| metric.distance(x.row(i), x.row(j)))
                .collect();
            let (_, kth, _) = d.select_nth_unstable_by(k - 1, f64::total_cmp);
            *kth
        })
        .collect()
}

/// scikit-learn's `compute_optics_graph`: the ordering, core distances, reachabilities and
/// predecessors.
fn optics_graph(
    x: &Matrix,
    min_samples: usize,
    max_eps: f64,
    metric: OpticsMetric,
) -> (Vec<usize>, Vec<f64>, Vec<f64>, Vec<i64>) {
    let n = x.rows;
    let core: Vec<f64> = core_distances(x, min_samples, metric)
        .into_iter()
        .map(|c| around15(if c > max_eps { f64::INFINITY } else { c }))
        .collect();
    let mut reachability = vec![f64::INFINITY; n];
    let mut predecessor = vec![-1i64; n];
    let mut processed = vec![false; n];
    let mut ordering = Vec::with_capacity(n);
    for _ in 0..n {
        // The first unprocessed sample of smallest reachability, as np.argmin.
        let mut point = usize::MAX;
        for i in (0..n).filter(|&i| !processed[i]) {
            if point == usize::MAX || reachability[i] < reachability[point] {
                point = i;
            }
        }
        processed[point] = true;
        ordering.push(point);
        if core[point] == f64::INFINITY {
            continue;
        }
        let p = x.row(point);
        for q in (0..n).filter(|&q| !processed[q]) {
            let d = metric.distance(p, x.row(q));
            if d > max_eps {
                continue;
            }
            let r = around15(d.max(core[point]));
            if r < reachability[q] {
                reachability[q] = r;
                predecessor[q] = point as i64;
            }
        }
    }
    (ordering, core, reachability, predecessor)
}

/// scikit-learn's `cluster_optics_dbscan`: a new cluster starts at each sample of the
/// ordering that is not reachable within `eps` but is a core sample at `eps`; samples that
/// are neither are noise.
fn dbscan_cut(reachability: &[f64], core: &[f64], ordering: &[usize], eps: f64) -> Vec<i64> {
    let mut labels = vec![0i64; reachability.len()];
    let mut count = 0i64;
    for &i in ordering {
        if reachability[i] > eps && core[i] <= eps {
            count += 1;
        }
        labels[i] = count - 1;
    }
    for (i, l) in labels.iter_mut().enumerate() {
        if reachability[i] > eps && core[i] > eps {
            *l = -1;
        }
    }
    labels
}

impl Clusterer for OPTICS {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        OPTICS::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
