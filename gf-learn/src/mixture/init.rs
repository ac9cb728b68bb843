//! The starting point of EM: the initial responsibilities of each `init_params` choice, and
//! the checks of user-given `weights_init`, `means_init` and `precisions_init` (scikit-learn's
//! `_initialize_parameters`, `_check_weights`, `_check_means`, `_check_precisions`).

use gf_core::rng::Xoshiro256;

use super::covariance::{cholesky_lower, CovarianceType};
use crate::cluster::KMeans;
use crate::error::{Error, Result};
use crate::validation::{np_sum, Matrix};

const OP: &str = "GaussianMixture::fit";

/// How [`GaussianMixture`](super::GaussianMixture) chooses its initial responsibilities
/// (scikit-learn's `init_params`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InitParams {
    /// Each sample belongs wholly to its cluster of a k-means run (`"kmeans"`, the default).
    #[default]
    KMeans,
    /// Each component starts from one sample chosen by k-means++ seeding (`"k-means++"`).
    KMeansPlusPlus,
    /// Responsibilities drawn uniformly at random, normalised per sample (`"random"`).
    Random,
    /// Each component starts from one distinct sample drawn at random
    /// (`"random_from_data"`).
    RandomFromData,
}

/// The initial responsibilities (`n` x `k`) of the samples `x` for `init`.
pub(crate) fn initial_resp(
    x: &Matrix,
    k: usize,
    init: InitParams,
    rng: &mut Xoshiro256,
) -> Result<Matrix> {
    let n = x.rows;
    let mut resp = Matrix::zeros(n, k);
    match init {
        InitParams::KMeans => {
            let mut km = KMeans::new()
                .n_clusters(k)
                .n_init(1)
                .random_state(rng.next_u64());
            let labels = crate::Clusterer::fit_predict(&mut km, &x.to_tensor::<f64>()?)?;
            for (i, &l) in labels.iter().enumerate() {
                resp.data[i * k + l as usize] = 1.0;
            }
        }
        InitParams::KMeansPlusPlus => {
            for (c, i) in kmeans_plusplus_indices(x, k, rng).into_iter().enumerate() {
                resp.data[i * k + c] = 1.0;
            }
        }
        InitParams::Random => {
            for i in 0..n {
                let row = resp.row_mut(i);
                row.iter_mut().for_each(|r| *r = rng.next_f64());
                let s = np_sum(row);
                row.iter_mut().for_each(|r| *r /= s);
            }
        }
        InitParams::RandomFromData => {
            for (c, i) in rng.permutation(n).into_iter().take(k).enumerate() {
                resp.data[i * k + c] = 1.0;
            }
        }
    }
    Ok(resp)
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum()
}

/// The indices of `k` samples chosen by k-means++ (scikit-learn's `kmeans_plusplus`): the first
/// uniformly, each next one the best of `2 + ln(k)` candidates drawn with probability
/// proportional to the squared distance to the nearest chosen sample, "best" meaning the lowest
/// total squared distance once it is added.
fn kmeans_plusplus_indices(x: &Matrix, k: usize, rng: &mut Xoshiro256) -> Vec<usize> {
    let n_local_trials = 2 + (k as f64).ln() as usize;
    let first = rng.below(x.rows as u64) as usize;
    let mut chosen = vec![first];
    let mut closest: Vec<f64> = (0..x.rows)
        .map(|i| squared_distance(x.row(i), x.row(first)))
        .collect();
    while chosen.len() < k {
        let mut cumulative = Vec::with_capacity(x.rows);
        let mut run = 0.0;
        for d in &closest {
            run += d;
            cumulative.push(run);
        }
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..n_local_trials {
            let target = rng.next_f64() * run;
            let candidate = cumulative.partition_point(|&c| c < target).min(x.rows - 1);
            let dist: Vec<f64> = (0..x.rows)
                .map(|i| squared_distance(x.row(i), x.row(candidate)).min(closest[i]))
                .collect();
            let potential: f64 = dist.iter().sum();
            if best.as_ref().is_none_or(|b| potential < b.0) {
                best = Some((potential, candidate, dist));
            }
        }
        let (_, candidate, dist) = best.expect("at least two local trials");
        chosen.push(candidate);
        closest = dist;
    }
    chosen
}

fn shape_error(name: &str, want: &[usize], got: usize) -> Error {
    Error::input(
        OP,
        format!(
            "the parameter '{name}' should have the shape of {want:?} ({} values, row-major), but got {got} values",
            want.iter().product::<usize>()
        ),
    )
}

/// `Err` unless `weights` are `k` values in `[0, 1]` summing to 1 within 1e-8.
pub(crate) fn check_weights(weights: &[f64], k: usize) -> Result<()> {
    if weights.len() != k {
        return Err(shape_error("weights_init", &[k], weights.len()));
    }
    let (min, max) = weights
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &w| {
            (lo.min(w), hi.max(w))
        });
    if weights.iter().any(|w| !(0.0..=1.0).contains(w)) {
        return Err(Error::input(
            OP,
            format!(
                "the parameter 'weights_init' should be in the range [0, 1], but got max value {max:.5}, min value {min:.5}"
            ),
        ));
    }
    let sum = np_sum(weights);
    if (1.0 - sum).abs() > 1e-8 {
        return Err(Error::input(
            OP,
            format!(
                "the parameter 'weights_init' should be normalized, but got sum(weights) = {sum:.5}"
            ),
        ));
    }
    Ok(())
}

/// `Err` unless `means` are `k` x `d` finite values.
pub(crate) fn check_means(means: &[f64], k: usize, d: usize) -> Result<()> {
    if means.len() != k * d {
        return Err(shape_error("means_init", &[k, d], means.len()));
    }
    if means.iter().any(|m| !m.is_finite()) {
        return Err(Error::input(
            OP,
            "the parameter 'means_init' contains NaN or infinity",
        ));
    }
    Ok(())
}

/// `Err` unless `precisions` have the shape of `kind` and are positive (definite): symmetric
/// (numpy's `isclose`) with a Cholesky factor for `Full` and `Tied`, positive values for
/// `Diag` and `Spherical`.
pub(crate) fn check_precisions(
    precisions: &[f64],
    kind: CovarianceType,
    k: usize,
    d: usize,
) -> Result<()> {
    let shape = kind.shape(k, d);
    if precisions.len() != shape.iter().product::<usize>() {
        return Err(shape_error("precisions_init", &shape, precisions.len()));
    }
    let ok = match kind {
        CovarianceType::Full | CovarianceType::Tied => precisions.chunks(d * d).all(|p| {
            let symmetric = (0..d).all(|i| {
                (0..d).all(|j| {
                    let (a, b) = (p[i * d + j], p[j * d + i]);
                    (a - b).abs() <= 1e-8 + 1e-5 * b.abs()
                })
            });
            symmetric && cholesky_lower(p, d).is_some()
        }),
        CovarianceType::Diag | CovarianceType::Spherical => {
            precisions.iter().all(|&p| p > 0.0 && p.is_finite())
        }
    };
    if ok {
        Ok(())
    } else {
        let what = match kind {
            CovarianceType::Full | CovarianceType::Tied => "symmetric, positive-definite",
            CovarianceType::Diag | CovarianceType::Spherical => "positive",
        };
        Err(Error::input(
            OP,
            format!(
                "the parameter 'precisions_init' ('{}' precision) should be {what}",
                kind.name()
            ),
        ))
    }
}
