//! K-fold cross-validation: [`KFold`], [`StratifiedKFold`] and [`cross_val_score`].
//!
//! Without shuffling, both splitters give scikit-learn's folds exactly (the first
//! `n % n_splits` folds one sample larger; stratified folds by scikit-learn's allocation of
//! each class over the folds). With `shuffle`, the permutation comes from GhostFlow's seeded
//! generator (xoshiro256**), not numpy's, so the folds differ from scikit-learn's but repeat
//! for a seed.

use gf_core::rng::Xoshiro256;
use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use super::split_rows;
use crate::error::{Error, Result};
use crate::traits::{Classifier, Features, Regressor, Target};
use crate::validation::check_lengths;

/// One fold: the training indices and the test indices, each sorted.
pub type Fold = (Vec<usize>, Vec<usize>);

/// `Err` unless `2 <= n_splits <= n_samples`.
fn check_splits(estimator: &'static str, n_splits: usize, n_samples: usize) -> Result<()> {
    if n_splits < 2 {
        return Err(Error::parameter(
            estimator,
            "n_splits",
            "an int in [2, inf)",
            n_splits,
        ));
    }
    if n_splits > n_samples {
        return Err(Error::input(
            estimator,
            format!("cannot have number of splits n_splits={n_splits} greater than the number of samples: n_samples={n_samples}"),
        ));
    }
    Ok(())
}

/// The folds whose test parts are the samples with each fold number in `test_fold`.
fn folds_from_assignment(test_fold: &[usize], n_splits: usize) -> Vec<Fold> {
    (0..n_splits)
        .map(|k| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..test_fold.len()).partition(|&i| test_fold[i] == k);
            (train, test)
        })
        .collect()
}

/// Splits samples into `n_splits` consecutive folds, as scikit-learn's `KFold`; each fold is
/// the test part once. Defaults: `n_splits = 5`, no shuffle, `random_state = 0`.
///
/// ```
/// use gf_learn::model_selection::KFold;
///
/// let folds = KFold::new().n_splits(3).split(7).unwrap();
/// let tests: Vec<_> = folds.iter().map(|(_, test)| test.clone()).collect();
/// assert_eq!(tests, vec![vec![0, 1, 2], vec![3, 4], vec![5, 6]]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct KFold {
    n_splits: usize,
    shuffle: bool,
    random_state: u64,
}

impl Default for KFold {
    fn default() -> Self {
        Self::new()
    }
}

impl KFold {
    /// scikit-learn's defaults: `n_splits = 5`, `shuffle = false`.
    pub fn new() -> Self {
        KFold {
            n_splits: 5,
            shuffle: false,
            random_state: 0,
        }
    }

    /// The number of folds, at least 2.
    pub fn n_splits(mut self, n_splits: usize) -> Self {
        self.n_splits = n_splits;
        self
    }

    /// Whether to shuffle the samples before cutting them into folds.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The seed of the shuffle.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The folds of `n_samples` samples.
    pub fn split(&self, n_samples: usize) -> Result<Vec<Fold>> {
        check_splits("KFold", self.n_splits, n_samples)?;
        let order = if self.shuffle {
            Xoshiro256::new(self.random_state).permutation(n_samples)
        } else {
            (0..n_samples).collect()
        };
        let (base, extra) = (n_samples / self.n_splits, n_samples % self.n_splits);
        let mut test_fold = vec![0; n_samples];
        let mut start = 0;
        for k in 0..self.n_splits {
            let size = base + usize::from(k < extra);
            for &i in &order[start..start + size] {
                test_fold[i] = k;
            }
            start += size;
        }
        Ok(folds_from_assignment(&test_fold, self.n_splits))
    }
}

/// K-fold splits that keep each class's share in every fold, as scikit-learn's
/// `StratifiedKFold`. Defaults: `n_splits = 5`, no shuffle, `random_state = 0`.
#[derive(Clone, Copy, Debug)]
pub struct StratifiedKFold {
    inner: KFold,
}

impl Default for StratifiedKFold {
    fn default() -> Self {
        Self::new()
    }
}

impl StratifiedKFold {
    /// scikit-learn's defaults: `n_splits = 5`, `shuffle = false`.
    pub fn new() -> Self {
        StratifiedKFold {
            inner: KFold::new(),
        }
    }

    /// The number of folds, at least 2.
    pub fn n_splits(self, n_splits: usize) -> Self {
        StratifiedKFold {
            inner: self.inner.n_splits(n_splits),
        }
    }

    /// Whether to shuffle each class's fold assignment.
    pub fn shuffle(self, shuffle: bool) -> Self {
        StratifiedKFold {
            inner: self.inner.shuffle(shuffle),
        }
    }

    /// The seed of the shuffle.
    pub fn random_state(self, random_state: u64) -> Self {
        StratifiedKFold {
            inner: self.inner.random_state(random_state),
        }
    }

    /// The folds of the samples with labels `y`. `Err` when every class has fewer members
    /// than `n_splits`.
    pub fn split(&self, y: &[usize]) -> Result<Vec<Fold>> {
        let n_splits = self.inner.n_splits;
        check_splits("StratifiedKFold", n_splits, y.len())?;
        // Classes numbered in order of first appearance, as scikit-learn encodes them.
        let mut first_seen: Vec<usize> = Vec::new();
        let encoded: Vec<usize> = y
            .iter()
            .map(|label| match first_seen.iter().position(|l| l == label) {
                Some(k) => k,
                None => {
                    first_seen.push(*label);
                    first_seen.len() - 1
                }
            })
            .collect();
        let n_classes = first_seen.len();
        let mut counts = vec![0; n_classes];
        encoded.iter().for_each(|&c| counts[c] += 1);
        if counts.iter().all(|&c| n_splits > c) {
            return Err(Error::input(
                "StratifiedKFold",
                format!("n_splits={n_splits} cannot be greater than the number of members in each class"),
            ));
        }
        // scikit-learn's allocation: deal the samples, sorted by class, round-robin to the
        // folds, and count how many of each class each fold got.
        let mut sorted = encoded.clone();
        sorted.sort_unstable();
        let mut allocation = vec![vec![0usize; n_splits]; n_classes];
        for (i, &c) in sorted.iter().enumerate() {
            allocation[c][i % n_splits] += 1;
        }
        let mut rng = Xoshiro256::new(self.inner.random_state);
        let mut test_fold = vec![0; y.len()];
        for (c, per_fold) in allocation.iter().enumerate() {
            let mut folds: Vec<usize> = per_fold
                .iter()
                .enumerate()
                .flat_map(|(k, &n)| std::iter::repeat_n(k, n))
                .collect();
            if self.inner.shuffle {
                rng.shuffle(&mut folds);
            }
            let members = (0..y.len()).filter(|&i| encoded[i] == c);
            for (i, k) in members.zip(folds) {
                test_fold[i] = k;
            }
        }
        Ok(folds_from_assignment(&test_fold, n_splits))
    }
}

/// The score of a fresh copy of `model` fitted on each fold's training part and scored on its
/// test part, as scikit-learn's `cross_val_score`; folds run in parallel. `score` is the
/// model's own (accuracy for a classifier).
pub fn cross_val_score<M, F, E>(
    model: &M,
    x: &Features<F, E>,
    y: &Target<usize>,
    folds: &[Fold],
) -> Result<Vec<f64>>
where
    M: Classifier + Clone + Send + Sync,
    F: Dim + Send + Sync,
    E: Dtype,
{
    score_folds(x, y, folds, |(xt, yt), (xs, ys)| {
        let mut m = model.clone();
        m.fit(&xt, &yt)?;
        m.score(&xs, &ys)
    })
}

/// [`cross_val_score`] for a regressor: R² on each fold's test part.
pub fn cross_val_score_regressor<M, F, E>(
    model: &M,
    x: &Features<F, E>,
    y: &Target<E>,
    folds: &[Fold],
) -> Result<Vec<f64>>
where
    M: Regressor + Clone + Send + Sync,
    F: Dim + Send + Sync,
    E: Dtype,
{
    score_folds(x, y, folds, |(xt, yt), (xs, ys)| {
        let mut m = model.clone();
        m.fit(&xt, &yt)?;
        m.score(&xs, &ys)
    })
}

/// The shared loop of the `cross_val_score` forms: each fold's training and test rows of `x` and
/// `y`, given to `fit_score` in parallel.
pub(super) fn score_folds<F, E, T, S>(
    x: &Features<F, E>,
    y: &Target<T>,
    folds: &[Fold],
    fit_score: S,
) -> Result<Vec<f64>>
where
    F: Dim + Send + Sync,
    E: Dtype,
    T: gf_core::Unit,
    S: Fn((Features<F, E>, Target<T>), (Features<F, E>, Target<T>)) -> Result<f64> + Sync,
{
    check_lengths("cross_val_score", x.dims()[0], y.dims()[0])?;
    folds
        .par_iter()
        .map(|(train, test)| {
            let rows = |ix: &[usize]| -> Result<_> { Ok((split_rows(x, ix)?, split_rows(y, ix)?)) };
            fit_score(rows(train)?, rows(test)?)
        })
        .collect()
}
