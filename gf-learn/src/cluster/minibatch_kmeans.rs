//! [`MiniBatchKMeans`]: scikit-learn's mini-batch k-means, its random draws made with numpy's
//! `RandomState` in scikit-learn's order, so that a seed gives scikit-learn's centres.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::init::{
    choice_index, kmeans_plusplus, kmeans_plusplus_weighted, uniform_cdf, weighted_cdf,
};
use super::kmeans::KMeansInit;
use super::lloyd::{assign, center_distances, inertia, row_norms, squared_distance};
use crate::error::{Error, Result};
use crate::traits::{Clusterer, Features, Target};
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{
    check_param, check_x, check_x_width, fitted, label_vector, sample_weights, Matrix,
};

const NAME: &str = "MiniBatchKMeans";

/// k-means on random mini-batches, as scikit-learn's `MiniBatchKMeans`: each step assigns a
/// batch drawn with replacement to the nearest centres and moves each centre towards the mean
/// of its samples with a per-centre learning rate of one over the samples it has seen; centres
/// that see few samples are moved to random samples of the batch. It stops after `max_iter`
/// passes over the data, when the centres move less than `tol`, or when the smoothed batch
/// inertia has not improved for `max_no_improvement` steps.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::MiniBatchKMeans;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 1.0, 1.5, 2.0, 1.2, 1.1, 8.0, 8.0, 8.5, 7.5, 9.0, 8.2], (6, 2));
/// let mut km = MiniBatchKMeans::new().n_clusters(2).batch_size(6).random_state(0);
/// let labels = km.fit_predict(&x)?;
/// assert_eq!(labels[0], labels[2]);
/// assert_ne!(labels[0], labels[3]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MiniBatchKMeans {
    n_clusters: usize,
    init: KMeansInit,
    max_iter: usize,
    batch_size: usize,
    tol: f64,
    max_no_improvement: Option<usize>,
    init_size: Option<usize>,
    n_init: Option<usize>,
    reassignment_ratio: f64,
    random_state: u32,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    centers: Matrix,
    /// The samples each centre has seen (scikit-learn's `_counts`).
    counts: Vec<f64>,
    labels: Vec<i64>,
    inertia: f64,
    n_iter: Option<usize>,
    n_steps: usize,
    /// `min(batch_size, n_samples)` of the first fit, which paces the reassignments.
    batch: usize,
    since_reassign: usize,
    /// The generator `partial_fit` draws from; `fit` leaves none, so a `partial_fit` after it
    /// starts a fresh one from the seed, as scikit-learn does.
    rng: Option<NumpyRandom>,
}

impl Default for MiniBatchKMeans {
    fn default() -> Self {
        Self::new()
    }
}

/// The sizes scikit-learn derives from the data (`_check_params_vs_input`).
struct Sizes {
    batch: usize,
    init_size: usize,
    n_init: usize,
    tol: f64,
}

impl MiniBatchKMeans {
    /// scikit-learn's defaults: `n_clusters = 8`, k-means++, `max_iter = 100`,
    /// `batch_size = 1024`, `tol = 0`, `max_no_improvement = 10`, `init_size = 3 *
    /// batch_size`, `n_init = "auto"` (1 for k-means++ and given centres, 3 for random),
    /// `reassignment_ratio = 0.01`, and `random_state = 0`.
    pub fn new() -> Self {
        MiniBatchKMeans {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            max_iter: 100,
            batch_size: 1024,
            tol: 0.0,
            max_no_improvement: Some(10),
            init_size: None,
            n_init: None,
            reassignment_ratio: 0.01,
            random_state: 0,
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

    /// The most passes over the data, in `[1, inf)`.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The samples per mini-batch, in `[1, inf)` (at most `n_samples` are used).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Stop when the squared shift of the centres in one step is at most `tol` times the mean
    /// variance of the features; `0` (the default) turns the test off. In `[0, inf)`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Stop after this many steps without improvement of the smoothed batch inertia; `None`
    /// turns the test off.
    pub fn max_no_improvement(mut self, max_no_improvement: Option<usize>) -> Self {
        self.max_no_improvement = max_no_improvement;
        self
    }

    /// The samples drawn to initialise the centres, in `[1, inf)`; unset, `3 * batch_size`
    /// (at least `3 * n_clusters`, at most `n_samples`).
    pub fn init_size(mut self, init_size: usize) -> Self {
        self.init_size = Some(init_size);
        self
    }

    /// The initialisations tried, the one with the lowest inertia on a validation draw kept;
    /// in `[1, inf)`. Unset, it is scikit-learn's `"auto"`.
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = Some(n_init);
        self
    }

    /// A centre that has seen fewer than this fraction of the samples of the most seen one is
    /// moved to a random sample; in `[0, inf)`.
    pub fn reassignment_ratio(mut self, reassignment_ratio: f64) -> Self {
        self.reassignment_ratio = reassignment_ratio;
        self
    }

    /// The seed of numpy's `RandomState` that draws the batches and initialisations.
    pub fn random_state(mut self, random_state: u32) -> Self {
        self.random_state = random_state;
        self
    }

    /// The cluster centres, `(n_clusters, n_features)` row-major; `None` before `fit`.
    pub fn cluster_centers_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.centers.data.as_slice())
    }

    /// The inertia of the last data fitted (all of `x` for `fit`, the batch for
    /// `partial_fit`) against the final centres; `None` before `fit`.
    pub fn inertia_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.inertia)
    }

    /// The passes over the data `fit` made, `ceil(n_steps * batch_size / n_samples)`; `None`
    /// before `fit` or after `partial_fit` alone.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().and_then(|s| s.n_iter)
    }

    /// The mini-batch steps made (each `partial_fit` is one); `None` before `fit`.
    pub fn n_steps_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_steps)
    }

    fn sizes(&self, x: &Matrix) -> Result<Sizes> {
        let int = "an int in [1, inf)";
        check_param(NAME, "n_clusters", self.n_clusters, int, |k| k >= 1)?;
        check_param(NAME, "max_iter", self.max_iter, int, |k| k >= 1)?;
        check_param(NAME, "batch_size", self.batch_size, int, |k| k >= 1)?;
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| {
            t >= 0.0 && t.is_finite()
        })?;
        check_param(
            NAME,
            "reassignment_ratio",
            self.reassignment_ratio,
            "a float in [0, inf)",
            |t| t >= 0.0 && t.is_finite(),
        )?;
        if let Some(s) = self.init_size {
            check_param(NAME, "init_size", s, "an int in [1, inf) or None", |s| {
                s >= 1
            })?;
        }
        if let Some(n) = self.n_init {
            check_param(NAME, "n_init", n, "an int in [1, inf) or \"auto\"", |n| {
                n >= 1
            })?;
        }
        let (n, k) = (x.rows, self.n_clusters);
        if n < k {
            return Err(Error::input(
                "MiniBatchKMeans::fit",
                format!("n_samples={n} should be >= n_clusters={k}"),
            ));
        }
        if let KMeansInit::Centers(c) = &self.init {
            if c.len() != k * x.cols || c.iter().any(|v| !v.is_finite()) {
                return Err(Error::parameter(
                    NAME,
                    "init",
                    "finite centres of shape (n_clusters, n_features)",
                    format!(
                        "{} values for n_clusters = {k} and n_features = {}",
                        c.len(),
                        x.cols
                    ),
                ));
            }
        }
        let batch = self.batch_size.min(n);
        let init_size = match self.init_size {
            None if 3 * batch < k => 3 * k,
            None => 3 * batch,
            Some(s) if s < k => 3 * k,
            Some(s) => s,
        }
        .min(n);
        let n_init = match (&self.init, self.n_init) {
            (KMeansInit::Centers(_), _) => 1,
            (_, Some(n)) => n,
            (KMeansInit::Random, None) => 3,
            (KMeansInit::KMeansPlusPlus, None) => 1,
        };
        // scikit-learn's _tolerance: tol relative to the mean variance of the features.
        let tol = if self.tol == 0.0 {
            0.0
        } else {
            let mean = x.column_means();
            let var: f64 = (0..x.cols)
                .map(|j| (0..n).map(|i| (x.at(i, j) - mean[j]).powi(2)).sum::<f64>() / n as f64)
                .sum();
            var / x.cols as f64 * self.tol
        };
        Ok(Sizes {
            batch,
            init_size,
            n_init,
            tol,
        })
    }

    /// Initial centres as scikit-learn's `_init_centroids`: from `init_size` samples drawn
    /// with replacement when that is fewer than `n_samples` (drawn even for given centres).
    fn init_centers(
        &self,
        x: &Matrix,
        norms: &[f64],
        w: Option<&[f64]>,
        init_size: usize,
        rng: &mut NumpyRandom,
    ) -> Matrix {
        let (sub, sub_norms, sub_w);
        let (x, norms, w) = if init_size < x.rows {
            let idx: Vec<usize> = (0..init_size)
                .map(|_| rng.randint(x.rows as u64) as usize)
                .collect();
            sub = rows_of(x, &idx);
            sub_norms = idx.iter().map(|&i| norms[i]).collect::<Vec<_>>();
            sub_w = w.map(|w| idx.iter().map(|&i| w[i]).collect::<Vec<_>>());
            (&sub, sub_norms.as_slice(), sub_w.as_deref())
        } else {
            (x, norms, w)
        };
        match &self.init {
            KMeansInit::KMeansPlusPlus => match w {
                None => kmeans_plusplus(x, norms, self.n_clusters, rng),
                Some(w) => kmeans_plusplus_weighted(x, norms, w, self.n_clusters, rng),
            },
            KMeansInit::Random => {
                let p = match w {
                    None => vec![1.0 / x.rows as f64; x.rows],
                    Some(w) => {
                        let total: f64 = w.iter().sum();
                        w.iter().map(|v| v / total).collect()
                    }
                };
                rows_of(x, &choice_distinct(&p, self.n_clusters, rng))
            }
            KMeansInit::Centers(c) => Matrix {
                rows: self.n_clusters,
                cols: x.cols,
                data: c.clone(),
            },
        }
    }

    /// Finds `n_clusters` clusters in `x` by mini-batch steps.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        let x = check_x("MiniBatchKMeans::fit", x)?;
        self.fit_with(x, None)
    }

    /// [`fit`](Self::fit) with a weight per sample (scikit-learn's `sample_weight`): as
    /// scikit-learn's, the initialisation draws in proportion to the weights, the mini-batches
    /// are drawn with probability proportional to the weights (so their steps use unit
    /// weights), and the validation and final inertias are weighted.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        const OP: &str = "MiniBatchKMeans::fit_weighted";
        let x = check_x(OP, x)?;
        let w = sample_weights(OP, Some(sample_weight), x.rows)?;
        self.fit_with(x, Some(w))
    }

    fn fit_with(&mut self, x: Matrix, w: Option<Vec<f64>>) -> Result<&mut Self> {
        let sizes = self.sizes(&x)?;
        let w = w.as_deref();
        let (n, batch) = (x.rows, sizes.batch);
        let mut rng = NumpyRandom::new(self.random_state);
        let norms = row_norms(&x);
        let valid_idx: Vec<usize> = (0..sizes.init_size)
            .map(|_| rng.randint(n as u64) as usize)
            .collect();
        let valid = rows_of(&x, &valid_idx);
        let valid_w: Option<Vec<f64>> = w.map(|w| valid_idx.iter().map(|&i| w[i]).collect());
        let mut labels = vec![0; valid.rows];
        let mut best: Option<(f64, Matrix)> = None;
        for _ in 0..sizes.n_init {
            let centers = self.init_centers(&x, &norms, w, sizes.init_size, &mut rng);
            assign(&valid, &centers, &mut labels);
            let value = weighted_inertia(&valid, &centers, &labels, valid_w.as_deref());
            if best.as_ref().is_none_or(|(b, _)| value < *b) {
                best = Some((value, centers));
            }
        }
        let mut centers = best.map(|(_, c)| c).unwrap_or_else(|| Matrix::zeros(0, 0));
        let mut counts = vec![0.0; self.n_clusters];
        let mut since_reassign = 0;
        let mut watch = Convergence::default();
        let n_steps = self.max_iter * n / batch;
        // numpy's choice(n, p=sample_weight / sum): the cumulative distribution of p.
        let cdf = match w {
            None => uniform_cdf(n),
            Some(w) => weighted_cdf(w),
        };
        let mut steps = 0;
        for step in 0..n_steps {
            steps = step + 1;
            let idx: Vec<usize> = (0..batch)
                .map(|_| choice_index(&cdf, rng.random_sample()))
                .collect();
            let xb = rows_of(&x, &idx);
            let reassign = reassign_due(&counts, &mut since_reassign, batch, self.n_clusters);
            let old = (sizes.tol > 0.0).then(|| centers.clone());
            let batch_inertia = self.step(&xb, None, &mut centers, &mut counts, &mut rng, reassign);
            let shift = old.map_or(0.0, |o| squared_distance(&o.data, &centers.data));
            if watch.converged(self, step, n, batch, sizes.tol, shift, batch_inertia) {
                break;
            }
        }
        let mut labels = vec![0; n];
        assign(&x, &centers, &mut labels);
        let inertia = weighted_inertia(&x, &centers, &labels, w);
        self.state = Some(Fitted {
            centers,
            counts,
            labels: labels.iter().map(|&l| l as i64).collect(),
            inertia,
            n_iter: Some((steps * batch).div_ceil(n)),
            n_steps: steps,
            batch,
            since_reassign,
            rng: None,
        });
        Ok(self)
    }

    /// One mini-batch step on `x`: initialises the centres from `x` on the first call (as
    /// `fit` would, with one initialisation), then updates them with `x` as the batch.
    pub fn partial_fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.partial_fit_with("MiniBatchKMeans::partial_fit", x, None)
    }

    /// [`partial_fit`](Self::partial_fit) with a weight per sample of the batch
    /// (scikit-learn's `sample_weight`): the weights enter the initialisation, the centre
    /// updates (a centre moves to the weighted running mean; one whose batch members weigh
    /// 0 stays) and the inertia.
    pub fn partial_fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.partial_fit_with(
            "MiniBatchKMeans::partial_fit_weighted",
            x,
            Some(sample_weight),
        )
    }

    fn partial_fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let mut s = match self.state.take() {
            Some(mut s) => {
                let width = s.centers.cols;
                let checked = check_x_width(op, NAME, x, width).and_then(|x| {
                    let w = sample_weight
                        .map(|w| sample_weights(op, Some(w), x.rows))
                        .transpose()?;
                    Ok((x, w))
                });
                let (x, w) = match checked {
                    Ok(xw) => xw,
                    Err(e) => {
                        self.state = Some(s);
                        return Err(e);
                    }
                };
                let mut rng = s
                    .rng
                    .take()
                    .unwrap_or_else(|| NumpyRandom::new(self.random_state));
                self.partial_step(&x, w.as_deref(), &mut s, &mut rng);
                s.rng = Some(rng);
                s
            }
            None => {
                let x = check_x(op, x)?;
                let w = sample_weight
                    .map(|w| sample_weights(op, Some(w), x.rows))
                    .transpose()?;
                let w = w.as_deref();
                let sizes = self.sizes(&x)?;
                let mut rng = NumpyRandom::new(self.random_state);
                let norms = row_norms(&x);
                let centers = self.init_centers(&x, &norms, w, sizes.init_size, &mut rng);
                let mut s = Fitted {
                    centers,
                    counts: vec![0.0; self.n_clusters],
                    labels: Vec::new(),
                    inertia: 0.0,
                    n_iter: None,
                    n_steps: 0,
                    batch: sizes.batch,
                    since_reassign: 0,
                    rng: None,
                };
                self.partial_step(&x, w, &mut s, &mut rng);
                s.rng = Some(rng);
                s
            }
        };
        s.n_steps += 1;
        self.state = Some(s);
        Ok(self)
    }

    fn partial_step(&self, x: &Matrix, w: Option<&[f64]>, s: &mut Fitted, rng: &mut NumpyRandom) {
        let reassign = reassign_due(&s.counts, &mut s.since_reassign, s.batch, self.n_clusters);
        self.step(x, w, &mut s.centers, &mut s.counts, rng, reassign);
        let mut labels = vec![0; x.rows];
        assign(x, &s.centers, &mut labels);
        s.inertia = weighted_inertia(x, &s.centers, &labels, w);
        s.labels = labels.iter().map(|&l| l as i64).collect();
    }

    /// scikit-learn's `_mini_batch_step` (`wb`: the batch's weights, `None` for unit ones):
    /// assigns the batch, moves each centre to the weighted running mean of what it has seen, then, if due, moves the centres that
    /// have seen too little to random samples of the batch. Returns the batch inertia before
    /// the update.
    fn step(
        &self,
        xb: &Matrix,
        wb: Option<&[f64]>,
        centers: &mut Matrix,
        counts: &mut [f64],
        rng: &mut NumpyRandom,
        reassign: bool,
    ) -> f64 {
        let mut labels = vec![0; xb.rows];
        assign(xb, centers, &mut labels);
        let batch_inertia = weighted_inertia(xb, centers, &labels, wb);
        let weight = |i: usize| wb.map_or(1.0, |w| w[i]);
        for (c, count) in counts.iter_mut().enumerate() {
            let members: Vec<usize> = (0..xb.rows).filter(|&i| labels[i] == c).collect();
            let wsum: f64 = members.iter().map(|&i| weight(i)).sum();
            // As scikit-learn's update_center_dense: members weighing nothing leave it.
            if wsum <= 0.0 {
                continue;
            }
            let w = *count;
            let row = centers.row_mut(c);
            row.iter_mut().for_each(|v| *v *= w);
            for &i in &members {
                let wi = weight(i);
                if wb.is_none() {
                    row.iter_mut().zip(xb.row(i)).for_each(|(v, x)| *v += x);
                } else {
                    row.iter_mut()
                        .zip(xb.row(i))
                        .for_each(|(v, x)| *v += x * wi);
                }
            }
            *count += wsum;
            let alpha = 1.0 / *count;
            row.iter_mut().for_each(|v| *v *= alpha);
        }
        if reassign && self.reassignment_ratio > 0.0 {
            let max = counts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut to_reassign: Vec<bool> = counts
                .iter()
                .map(|&c| c < self.reassignment_ratio * max)
                .collect();
            let half = xb.rows / 2;
            if to_reassign.iter().filter(|&&t| t).count() as f64 > 0.5 * xb.rows as f64 {
                // Only the `half` least seen centres move (scikit-learn's argsort; ties here
                // in index order).
                let mut order: Vec<usize> = (0..counts.len()).collect();
                order.sort_by(|&a, &b| counts[a].total_cmp(&counts[b]));
                order[half..].iter().for_each(|&j| to_reassign[j] = false);
            }
            let targets: Vec<usize> = (0..counts.len()).filter(|&j| to_reassign[j]).collect();
            if !targets.is_empty() {
                let picks = rng.permutation(xb.rows);
                for (&j, &i) in targets.iter().zip(&picks) {
                    centers.row_mut(j).copy_from_slice(xb.row(i));
                }
                // Not reset to 0, which would have them reassigned again at once.
                let floor = (0..counts.len())
                    .filter(|&j| !to_reassign[j])
                    .map(|j| counts[j])
                    .fold(f64::INFINITY, f64::min);
                if floor.is_finite() {
                    targets.iter().for_each(|&j| counts[j] = floor);
                }
            }
        }
        batch_inertia
    }

    /// The index of the nearest centre of each row of `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "MiniBatchKMeans::predict";
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
        const OP: &str = "MiniBatchKMeans::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        center_distances(&x, &s.centers).to_tensor()
    }
}

/// The rows `idx` of `x`, in that order.
pub(super) fn rows_of(x: &Matrix, idx: &[usize]) -> Matrix {
    let mut out = Matrix::zeros(idx.len(), x.cols);
    for (r, &i) in idx.iter().enumerate() {
        out.row_mut(r).copy_from_slice(x.row(i));
    }
    out
}

/// The sum of the squared distances of the samples to their centres, each times its weight
/// (`None`: unit weights, summed as [`inertia`]).
fn weighted_inertia(x: &Matrix, centers: &Matrix, labels: &[usize], w: Option<&[f64]>) -> f64 {
    match w {
        None => inertia(x, centers, labels),
        Some(w) => (0..x.rows)
            .map(|i| squared_distance(x.row(i), centers.row(labels[i])) * w[i])
            .sum(),
    }
}

/// numpy's legacy `choice(n, size, replace=False, p)`: rounds of uniform draws
/// searched in the cumulative distribution of the indices not yet found, each round keeping
/// its distinct new indices in the order they were first drawn.
fn choice_distinct(p: &[f64], size: usize, rng: &mut NumpyRandom) -> Vec<usize> {
    let n = p.len();
    let mut p = p.to_vec();
    let mut found: Vec<usize> = Vec::with_capacity(size);
    while found.len() < size {
        let draws: Vec<f64> = (0..size - found.len())
            .map(|_| rng.random_sample())
            .collect();
        found.iter().for_each(|&i| p[i] = 0.0);
        let mut run = 0.0;
        let mut cdf: Vec<f64> = p
            .iter()
            .map(|v| {
                run += v;
                run
            })
            .collect();
        let last = cdf[n - 1];
        cdf.iter_mut().for_each(|c| *c /= last);
        let mut fresh: Vec<usize> = Vec::new();
        for u in draws {
            let i = choice_index(&cdf, u);
            if !fresh.contains(&i) {
                fresh.push(i);
            }
        }
        found.extend(fresh);
    }
    found
}

/// scikit-learn's `_random_reassign`: due when a centre has seen nothing, or every
/// `10 * n_clusters` samples.
fn reassign_due(counts: &[f64], since: &mut usize, batch: usize, k: usize) -> bool {
    *since += batch;
    if counts.contains(&0.0) || *since >= 10 * k {
        *since = 0;
        true
    } else {
        false
    }
}

/// The early stopping of scikit-learn's `_mini_batch_convergence`: an exponentially weighted
/// average of the batch inertia per sample, and the steps since its last improvement.
#[derive(Default)]
struct Convergence {
    ewa: Option<f64>,
    ewa_min: Option<f64>,
    no_improvement: usize,
}

impl Convergence {
    #[allow(clippy::too_many_arguments)]
    fn converged(
        &mut self,
        km: &MiniBatchKMeans,
        step: usize,
        n: usize,
        batch: usize,
        tol: f64,
        shift: f64,
        batch_inertia: f64,
    ) -> bool {
        let batch_inertia = batch_inertia / batch as f64;
        // The first step's inertia is that of the initialisation.
        if step == 0 {
            return false;
        }
        let ewa = match self.ewa {
            None => batch_inertia,
            Some(e) => {
                let alpha = (batch as f64 * 2.0 / (n as f64 + 1.0)).min(1.0);
                e * (1.0 - alpha) + batch_inertia * alpha
            }
        };
        self.ewa = Some(ewa);
        if tol > 0.0 && shift <= tol {
            return true;
        }
        if self.ewa_min.is_none_or(|m| ewa < m) {
            self.no_improvement = 0;
            self.ewa_min = Some(ewa);
        } else {
            self.no_improvement += 1;
        }
        km.max_no_improvement
            .is_some_and(|m| self.no_improvement >= m)
    }
}

impl Clusterer for MiniBatchKMeans {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        MiniBatchKMeans::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
