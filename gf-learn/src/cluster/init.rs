//! The initial centres of k-means: k-means++ with scikit-learn's greedy local trials, or
//! samples drawn at random.

use gf_core::rng::Xoshiro256;

use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{dot, Matrix};

/// The random draws of k-means++: the index of the first centre among `n` samples, and
/// uniform values in `[0, 1)` for the candidates.
pub(crate) trait SeedDraws {
    /// The first centre, uniformly among `n` samples.
    fn first(&mut self, n: usize) -> usize;
    /// A uniform value in `[0, 1)`.
    fn uniform(&mut self) -> f64;
}

impl SeedDraws for Xoshiro256 {
    fn first(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    fn uniform(&mut self) -> f64 {
        self.next_f64()
    }
}

/// numpy's draws, so that k-means++ picks what scikit-learn's `_kmeans_plusplus` picks: the
/// first centre by `choice(n, p=ones / n)`.
impl SeedDraws for NumpyRandom {
    fn first(&mut self, n: usize) -> usize {
        choice_index(&uniform_cdf(n), self.random_sample())
    }

    fn uniform(&mut self) -> f64 {
        self.random_sample()
    }
}

/// The cumulative distribution numpy's `choice(n, p=w / w.sum())` searches for unit weights:
/// the running sum of `1 / n`, divided by its last value.
pub(crate) fn uniform_cdf(n: usize) -> Vec<f64> {
    let p = 1.0 / n as f64;
    let mut run = 0.0;
    let mut cdf: Vec<f64> = (0..n)
        .map(|_| {
            run += p;
            run
        })
        .collect();
    let last = cdf[n - 1];
    cdf.iter_mut().for_each(|c| *c /= last);
    cdf
}

/// The index `choice` draws for the uniform value `u`: `searchsorted(cdf, u, side="right")`.
pub(crate) fn choice_index(cdf: &[f64], u: f64) -> usize {
    cdf.partition_point(|&c| c <= u).min(cdf.len() - 1)
}

/// The squared distance of every row of `x` to `c`, in scikit-learn's expanded form
/// `|c|² - 2 c·x + |x|²` (clipped at 0), given the rows' squared norms.
fn distances_to(x: &Matrix, norms: &[f64], c: &[f64]) -> Vec<f64> {
    let cc = dot(c, c);
    (0..x.rows)
        .map(|i| ((-2.0 * dot(c, x.row(i)) + cc) + norms[i]).max(0.0))
        .collect()
}

/// The first index whose running sum of `weights` reaches `value` (numpy's `searchsorted` on
/// the cumulative sum), at most the last index.
fn search_cumulative(cumulative: &[f64], value: f64) -> usize {
    cumulative
        .partition_point(|&c| c < value)
        .min(cumulative.len() - 1)
}

/// k-means++ (scikit-learn's `_kmeans_plusplus`): the first centre uniformly at random, then
/// each next one the best of `2 + ln(k)` candidates drawn with probability proportional to
/// the squared distance to the nearest centre so far, "best" meaning the lowest total squared
/// distance once it is added.
pub(crate) fn kmeans_plusplus<R: SeedDraws>(
    x: &Matrix,
    norms: &[f64],
    k: usize,
    rng: &mut R,
) -> Matrix {
    plusplus(x, norms, None, k, rng)
}

/// [`kmeans_plusplus`] with sample weights, as scikit-learn's: the first centre drawn with
/// probability proportional to the weights (numpy's `choice(n, p=w / w.sum())`), the
/// candidates in proportion to weight times squared distance, and the potentials weighted.
pub(crate) fn kmeans_plusplus_weighted<R: SeedDraws>(
    x: &Matrix,
    norms: &[f64],
    weights: &[f64],
    k: usize,
    rng: &mut R,
) -> Matrix {
    plusplus(x, norms, Some(weights), k, rng)
}

/// numpy's cumulative distribution for `choice(n, p=w / w.sum())`.
pub(crate) fn weighted_cdf(w: &[f64]) -> Vec<f64> {
    let total: f64 = w.iter().sum();
    let mut run = 0.0;
    let mut cdf: Vec<f64> = w
        .iter()
        .map(|v| {
            run += v / total;
            run
        })
        .collect();
    let last = cdf.last().copied().unwrap_or(1.0);
    cdf.iter_mut().for_each(|c| *c /= last);
    cdf
}

/// The sum of `d` (times `w` where given; unit weights sum as before, bit for bit).
fn weighted_sum(d: &[f64], w: Option<&[f64]>) -> f64 {
    match w {
        None => d.iter().sum(),
        Some(w) => d.iter().zip(w).map(|(d, w)| d * w).sum(),
    }
}

fn plusplus<R: SeedDraws>(
    x: &Matrix,
    norms: &[f64],
    w: Option<&[f64]>,
    k: usize,
    rng: &mut R,
) -> Matrix {
    let n_local_trials = 2 + (k as f64).ln() as usize;
    let mut centers = Matrix::zeros(k, x.cols);
    let first = match w {
        None => rng.first(x.rows),
        Some(w) => choice_index(&weighted_cdf(w), rng.uniform()),
    };
    centers.row_mut(0).copy_from_slice(x.row(first));
    let mut closest = distances_to(x, norms, x.row(first));
    let mut potential: f64 = weighted_sum(&closest, w);
    for c in 1..k {
        let mut cumulative = Vec::with_capacity(x.rows);
        let mut run = 0.0;
        for (i, d) in closest.iter().enumerate() {
            run += w.map_or(*d, |w| w[i] * d);
            cumulative.push(run);
        }
        let trial = |rng: &mut R| {
            let candidate = search_cumulative(&cumulative, rng.uniform() * potential);
            let mut dist = distances_to(x, norms, x.row(candidate));
            dist.iter_mut()
                .zip(&closest)
                .for_each(|(d, c)| *d = d.min(*c));
            (weighted_sum(&dist, w), candidate, dist)
        };
        // The first of equally good candidates wins, as numpy's argmin.
        let mut best = trial(rng);
        for _ in 1..n_local_trials {
            let next = trial(rng);
            if next.0 < best.0 {
                best = next;
            }
        }
        let (pot, candidate, dist) = best;
        centers.row_mut(c).copy_from_slice(x.row(candidate));
        potential = pot;
        closest = dist;
    }
    centers
}

/// `k` distinct samples chosen uniformly at random (scikit-learn's `init="random"`).
pub(crate) fn random_samples(x: &Matrix, k: usize, rng: &mut Xoshiro256) -> Matrix {
    let mut centers = Matrix::zeros(k, x.cols);
    for (c, i) in rng.permutation(x.rows).into_iter().take(k).enumerate() {
        centers.row_mut(c).copy_from_slice(x.row(i));
    }
    centers
}
