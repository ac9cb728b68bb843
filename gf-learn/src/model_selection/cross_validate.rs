//! scikit-learn's `cross_validate` with its timings: each fold's test score with the time its
//! fit and its scoring took, so a caller can see where cross-validation spends its time.
//!
//! The score is the estimator's own (accuracy for a classifier, R² for a regressor), as
//! [`cross_val_score`](super::cross_val_score); the folds run in parallel, each timed on its
//! own thread.

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use super::{split_rows, Fold};
use crate::error::Result;
use crate::traits::{Classifier, Features, Regressor, Target};
use crate::validation::check_lengths;

/// Fits the estimator `$m` on `$train` and scores it on `$test` (each an `(x, y)` pair), as
/// `Ok((score, fit duration, score duration))`.
macro_rules! timed_fit_score {
    ($m:expr, $train:expr, $test:expr) => {{
        let (m, (xt, yt), (xs, ys)) = ($m, $train, $test);
        let start = std::time::Instant::now();
        m.fit(&xt, &yt)?;
        let fitted = std::time::Instant::now();
        let score = m.score(&xs, &ys)?;
        Ok((score, fitted - start, fitted.elapsed()))
    }};
}
pub(super) use timed_fit_score;

/// What [`cross_validate`] returns, one entry per fold, as scikit-learn's dictionary.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossValidation {
    /// The score on each fold's test part (`test_score`).
    pub test_score: Vec<f64>,
    /// The seconds each fold's `fit` took (`fit_time`).
    pub fit_time: Vec<f64>,
    /// The seconds each fold's scoring took (`score_time`).
    pub score_time: Vec<f64>,
}

/// A fresh copy of `model` fitted on each fold's training part and scored on its test part,
/// with the fit and score timed, as scikit-learn's `cross_validate` with the default scoring.
pub fn cross_validate<M, F, E>(
    model: &M,
    x: &Features<F, E>,
    y: &Target<usize>,
    folds: &[Fold],
) -> Result<CrossValidation>
where
    M: Classifier + Clone + Send + Sync,
    F: Dim + Send + Sync,
    E: Dtype,
{
    timed_folds(x, y, folds, |train, test| {
        timed_fit_score!(&mut model.clone(), train, test)
    })
}

/// [`cross_validate`] for a regressor: R² on each fold's test part.
pub fn cross_validate_regressor<M, F, E>(
    model: &M,
    x: &Features<F, E>,
    y: &Target<E>,
    folds: &[Fold],
) -> Result<CrossValidation>
where
    M: Regressor + Clone + Send + Sync,
    F: Dim + Send + Sync,
    E: Dtype,
{
    timed_folds(x, y, folds, |train, test| {
        timed_fit_score!(&mut model.clone(), train, test)
    })
}

/// Each fold's rows given to `run` in parallel; `run` returns the score and the fit and score
/// durations.
pub(super) fn timed_folds<F, E, T, S>(
    x: &Features<F, E>,
    y: &Target<T>,
    folds: &[Fold],
    run: S,
) -> Result<CrossValidation>
where
    F: Dim + Send + Sync,
    E: Dtype,
    T: gf_core::Unit,
    S: Fn(
            (Features<F, E>, Target<T>),
            (Features<F, E>, Target<T>),
        ) -> Result<(f64, std::time::Duration, std::time::Duration)>
        + Sync,
{
    check_lengths("cross_validate", x.dims()[0], y.dims()[0])?;
    let per_fold: Vec<_> = folds
        .par_iter()
        .map(|(train, test)| {
            let rows = |ix: &[usize]| -> Result<_> { Ok((split_rows(x, ix)?, split_rows(y, ix)?)) };
            run(rows(train)?, rows(test)?)
        })
        .collect::<Result<_>>()?;
    Ok(CrossValidation {
        test_score: per_fold.iter().map(|f| f.0).collect(),
        fit_time: per_fold.iter().map(|f| f.1.as_secs_f64()).collect(),
        score_time: per_fold.iter().map(|f| f.2.as_secs_f64()).collect(),
    })
}
