//! [`MeanShift`]: scikit-learn's mean-shift clustering with a flat kernel, and its helpers
//! [`estimate_bandwidth`] and [`get_bin_seeds`].

use std::cmp::Ordering;
use std::collections::HashMap;

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};
use rayon::prelude::*;

use super::lloyd::{assign, squared_distance};
use super::minibatch_kmeans::rows_of;
use crate::error::{Error, Result};
use crate::kdtree::KdTree;
use crate::traits::{Clusterer, Features, Target};
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{
    check_param, check_x, check_x_width, fitted, label_vector, np_sum, Matrix,
};

const NAME: &str = "MeanShift";

/// Mean-shift clustering, as scikit-learn's `MeanShift`: from each seed, a mean moves to the
/// average of the samples within `bandwidth` of it until it moves less than a thousandth of
/// the bandwidth; the means reached are ranked by the samples around them, and a mean within
/// `bandwidth` of a better one is dropped. Each sample is labelled with its nearest centre
/// (or `-1` beyond `bandwidth` of all of them when `cluster_all` is off).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::MeanShift;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 1.0, 2.0, 1.0, 1.0, 0.0, 4.0, 7.0, 3.0, 5.0, 3.0, 6.0], (6, 2));
/// let mut ms = MeanShift::new().bandwidth(2.0);
/// assert_eq!(ms.fit_predict(&x)?, vec![1, 1, 1, 0, 0, 0]);
/// assert_eq!(ms.cluster_centers_().unwrap().len(), 4);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MeanShift {
    bandwidth: Option<f64>,
    seeds: Option<Vec<f64>>,
    bin_seeding: bool,
    min_bin_freq: usize,
    cluster_all: bool,
    max_iter: usize,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    centers: Matrix,
    labels: Vec<i64>,
    n_iter: usize,
}

impl Default for MeanShift {
    fn default() -> Self {
        Self::new()
    }
}

/// The bandwidth scikit-learn's `estimate_bandwidth` finds: the mean over the samples of the
/// distance to their `quantile * n_samples`-th nearest sample (itself the first), on a random
/// subsample of `n_samples` rows (numpy's `RandomState(random_state).permutation`) when given.
/// `quantile` is in `[0, 1]`; `0.3` is scikit-learn's default.
pub fn estimate_bandwidth<F: Dim, E: Dtype>(
    x: &Features<F, E>,
    quantile: f64,
    n_samples: Option<usize>,
    random_state: u32,
) -> Result<f64> {
    let x = check_x("estimate_bandwidth", x)?;
    check_param(
        "estimate_bandwidth",
        "quantile",
        quantile,
        "a float in [0, 1]",
        |q| (0.0..=1.0).contains(&q),
    )?;
    if let Some(n) = n_samples {
        check_param(
            "estimate_bandwidth",
            "n_samples",
            n,
            "an int in [1, inf) or None",
            |n| n >= 1,
        )?;
    }
    Ok(bandwidth_of(&x, quantile, n_samples, random_state))
}

fn bandwidth_of(x: &Matrix, quantile: f64, n_samples: Option<usize>, random_state: u32) -> f64 {
    let sub;
    let x = match n_samples {
        Some(n) => {
            let perm = NumpyRandom::new(random_state).permutation(x.rows);
            sub = rows_of(x, &perm[..n.min(x.rows)]);
            &sub
        }
        None => x,
    };
    let n = x.rows;
    let k = ((n as f64 * quantile) as usize).clamp(1, n);
    let kth: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut d: Vec<f64> = (0..n)
                .map(|j| squared_distance(x.row(i), x.row(j)).sqrt())
                .collect();
            *d.select_nth_unstable_by(k - 1, f64::total_cmp).1
        })
        .collect();
    // Summed per batch of 500 queries, as scikit-learn does.
    kth.chunks(500).fold(0.0, |acc, c| acc + np_sum(c)) / n as f64
}

/// The seeds of scikit-learn's `get_bin_seeds`: the samples rounded (half to even) to a grid
/// of spacing `bin_size`, each grid point holding at least `min_bin_freq` samples, in the order
/// first met; `x` itself when `bin_size` is 0 or no two samples share a point.
pub fn get_bin_seeds<F: Dim, E: Dtype>(
    x: &Features<F, E>,
    bin_size: f64,
    min_bin_freq: usize,
) -> Result<Tensor<(usize, usize), E, Cpu>> {
    let x = check_x("get_bin_seeds", x)?;
    check_param(
        "get_bin_seeds",
        "bin_size",
        bin_size,
        "a float in [0, inf)",
        |b| b >= 0.0 && b.is_finite(),
    )?;
    bin_seeds(&x, bin_size, min_bin_freq).to_tensor()
}

fn bin_seeds(x: &Matrix, bin_size: f64, min_bin_freq: usize) -> Matrix {
    if bin_size == 0.0 {
        return x.clone();
    }
    let mut order: Vec<Vec<f64>> = Vec::new();
    let mut freq: HashMap<Vec<u64>, usize> = HashMap::new();
    for i in 0..x.rows {
        let point: Vec<f64> = x
            .row(i)
            .iter()
            .map(|v| (v / bin_size).round_ties_even())
            .collect();
        // Python's tuples hold -0.0 and 0.0 as the same key.
        let key: Vec<u64> = point.iter().map(|v| (v + 0.0).to_bits()).collect();
        let count = freq.entry(key).or_insert(0);
        if *count == 0 {
            order.push(point);
        }
        *count += 1;
    }
    let kept: Vec<&Vec<f64>> = order
        .iter()
        .filter(|p| {
            freq[&p.iter().map(|v| (v + 0.0).to_bits()).collect::<Vec<_>>()] >= min_bin_freq
        })
        .collect();
    if kept.len() == x.rows {
        return x.clone();
    }
    let mut out = Matrix::zeros(kept.len(), x.cols);
    for (r, p) in kept.iter().enumerate() {
        // scikit-learn stores the grid points as float32 before scaling them back.
        out.row_mut(r)
            .iter_mut()
            .zip(p.iter())
            .for_each(|(o, &v)| *o = f64::from(v as f32) * bin_size);
    }
    out
}

/// The mean reached from one seed, the samples around it, and the iterations it took
/// (scikit-learn's `_mean_shift_single_seed`).
fn shift_seed(
    seed: &[f64],
    x: &Matrix,
    tree: &KdTree,
    bandwidth: f64,
    max_iter: usize,
) -> (Vec<f64>, usize, usize) {
    let stop = 1e-3 * bandwidth;
    let mut mean = seed.to_vec();
    let mut iterations = 0;
    loop {
        let within = tree.within(&mean, bandwidth);
        if within.is_empty() {
            return (mean, 0, iterations);
        }
        let mut next = vec![0.0; x.cols];
        for &i in &within {
            next.iter_mut().zip(x.row(i)).for_each(|(m, v)| *m += v);
        }
        let count = within.len() as f64;
        next.iter_mut().for_each(|m| *m /= count);
        let moved = squared_distance(&next, &mean).sqrt();
        mean = next;
        if moved <= stop || iterations == max_iter {
            return (mean, within.len(), iterations);
        }
        iterations += 1;
    }
}

impl MeanShift {
    /// scikit-learn's defaults: the bandwidth estimated (`estimate_bandwidth` with quantile
    /// 0.3), every sample a seed, `min_bin_freq = 1`, `cluster_all = true`, `max_iter = 300`.
    pub fn new() -> Self {
        MeanShift {
            bandwidth: None,
            seeds: None,
            bin_seeding: false,
            min_bin_freq: 1,
            cluster_all: true,
            max_iter: 300,
            state: None,
        }
    }

    /// The radius of the flat kernel, in `(0, inf)`.
    pub fn bandwidth(mut self, bandwidth: f64) -> Self {
        self.bandwidth = Some(bandwidth);
        self
    }

    /// The starting points, rows of `n_features` values, row-major; unset, the samples (or
    /// the bin seeds with `bin_seeding`).
    pub fn seeds(mut self, seeds: Vec<f64>) -> Self {
        self.seeds = Some(seeds);
        self
    }

    /// Start from the grid points of [`get_bin_seeds`] with the bandwidth as spacing.
    pub fn bin_seeding(mut self, bin_seeding: bool) -> Self {
        self.bin_seeding = bin_seeding;
        self
    }

    /// The samples a grid point needs to be a seed with `bin_seeding`, in `[1, inf)`.
    pub fn min_bin_freq(mut self, min_bin_freq: usize) -> Self {
        self.min_bin_freq = min_bin_freq;
        self
    }

    /// Label every sample with its nearest centre; off, samples farther than the bandwidth
    /// from every centre are labelled `-1`.
    pub fn cluster_all(mut self, cluster_all: bool) -> Self {
        self.cluster_all = cluster_all;
        self
    }

    /// The most iterations from one seed, in `[0, inf)`.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The cluster centres, `(n_clusters, n_features)` row-major, the most populated first;
    /// `None` before `fit`.
    pub fn cluster_centers_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.centers.data.as_slice())
    }

    /// The most iterations any seed took; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// Finds the modes of the density of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "MeanShift::fit";
        let x = check_x(OP, x)?;
        if let Some(b) = self.bandwidth {
            check_param(NAME, "bandwidth", b, "a float in (0, inf) or None", |b| {
                b > 0.0 && b.is_finite()
            })?;
        }
        check_param(
            NAME,
            "min_bin_freq",
            self.min_bin_freq,
            "an int in [1, inf)",
            |m| m >= 1,
        )?;
        let bandwidth = match self.bandwidth {
            Some(b) => b,
            None => {
                let b = bandwidth_of(&x, 0.3, None, 0);
                if b <= 0.0 {
                    return Err(Error::parameter(
                        NAME,
                        "bandwidth",
                        "a float in (0, inf); the estimate from the data is 0, so set it",
                        b,
                    ));
                }
                b
            }
        };
        let seeds = match &self.seeds {
            Some(s) => {
                if s.is_empty() || s.len() % x.cols != 0 || s.iter().any(|v| !v.is_finite()) {
                    return Err(Error::parameter(
                        NAME,
                        "seeds",
                        "finite rows of n_features values",
                        format!("{} values for n_features = {}", s.len(), x.cols),
                    ));
                }
                Matrix {
                    rows: s.len() / x.cols,
                    cols: x.cols,
                    data: s.clone(),
                }
            }
            None if self.bin_seeding => bin_seeds(&x, bandwidth, self.min_bin_freq),
            None => x.clone(),
        };
        let tree = KdTree::new(&x);
        let results: Vec<(Vec<f64>, usize, usize)> = (0..seeds.rows)
            .into_par_iter()
            .map(|i| shift_seed(seeds.row(i), &x, &tree, bandwidth, self.max_iter))
            .collect();
        let n_iter = results.iter().map(|r| r.2).max().unwrap_or(0);
        // scikit-learn's dict from mean to intensity: a repeated mean keeps its first place
        // and its last count.
        let mut position: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut modes: Vec<(Vec<f64>, usize)> = Vec::new();
        for (mean, count, _) in results.into_iter().filter(|r| r.1 > 0) {
            let key: Vec<u64> = mean.iter().map(|v| (v + 0.0).to_bits()).collect();
            match position.get(&key) {
                Some(&p) => modes[p].1 = count,
                None => {
                    position.insert(key, modes.len());
                    modes.push((mean, count));
                }
            }
        }
        if modes.is_empty() {
            return Err(Error::input(
                OP,
                format!("no point was within bandwidth={bandwidth} of any seed; try a different seeding strategy or a larger bandwidth"),
            ));
        }
        modes.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| {
                b.0.iter()
                    .zip(&a.0)
                    .map(|(u, v)| u.total_cmp(v))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
            })
        });
        let mut sorted = Matrix::zeros(modes.len(), x.cols);
        for (r, (m, _)) in modes.iter().enumerate() {
            sorted.row_mut(r).copy_from_slice(m);
        }
        let mut unique = vec![true; sorted.rows];
        let centre_tree = KdTree::new(&sorted);
        for i in 0..sorted.rows {
            if unique[i] {
                centre_tree
                    .within(sorted.row(i), bandwidth)
                    .into_iter()
                    .for_each(|j| unique[j] = false);
                unique[i] = true;
            }
        }
        let keep: Vec<usize> = (0..sorted.rows).filter(|&i| unique[i]).collect();
        let centers = rows_of(&sorted, &keep);
        let labels = (0..x.rows)
            .map(|i| {
                let (mut best, mut label) = (f64::INFINITY, 0);
                for j in 0..centers.rows {
                    let d = squared_distance(x.row(i), centers.row(j));
                    if d < best {
                        (best, label) = (d, j);
                    }
                }
                if self.cluster_all || best.sqrt() <= bandwidth {
                    label as i64
                } else {
                    -1
                }
            })
            .collect();
        self.state = Some(Fitted {
            centers,
            labels,
            n_iter,
        });
        Ok(self)
    }

    /// The index of the nearest centre of each row of `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "MeanShift::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        let mut labels = vec![0; x.rows];
        assign(&x, &s.centers, &mut labels);
        label_vector(labels)
    }
}

impl Clusterer for MeanShift {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        MeanShift::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
