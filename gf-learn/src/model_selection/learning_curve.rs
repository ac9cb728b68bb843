//! [`learning_curve`]: training and test scores as the training set grows, as scikit-learn's.

use gf_core::shape::Dim;
use gf_core::{Dtype, Unit};
use rayon::prelude::*;

use super::{split_rows, Fold};
use crate::error::{Error, Result};
use crate::traits::{Classifier, Features, Regressor, Target};
use crate::validation::check_lengths;

/// How many training samples a point of the curve uses: scikit-learn's `train_sizes` entries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrainSize {
    /// This share of the largest training part, in `(0, 1]`, rounded down (at least 1).
    Fraction(f64),
    /// This many samples, in `[1, the smallest training part]`.
    Count(usize),
}

/// The scores at each training size: `train_scores[t][k]` and `test_scores[t][k]` are size `t`
/// on fold `k` (scikit-learn's arrays of shape `(n_ticks, n_folds)`).
#[derive(Clone, Debug, PartialEq)]
pub struct LearningCurve {
    /// The distinct training sizes, increasing (scikit-learn's `train_sizes_abs`).
    pub train_sizes: Vec<usize>,
    /// The score on the samples fitted.
    pub train_scores: Vec<Vec<f64>>,
    /// The score on the fold's test part.
    pub test_scores: Vec<Vec<f64>>,
}

/// scikit-learn's `_translate_train_sizes`: the counts, sorted and distinct.
fn absolute_sizes(sizes: &[TrainSize], n_max: usize) -> Result<Vec<usize>> {
    const OP: &str = "learning_curve";
    if sizes.is_empty() {
        return Err(Error::input(OP, "train_sizes needs at least one size"));
    }
    let mut out = sizes
        .iter()
        .map(|s| match *s {
            TrainSize::Fraction(f) if f > 0.0 && f <= 1.0 => {
                Ok(((f * n_max as f64) as usize).clamp(1, n_max))
            }
            TrainSize::Count(c) if c >= 1 && c <= n_max => Ok(c),
            bad => Err(Error::input(
                OP,
                format!("train size {bad:?} is outside (0, 1] as a fraction or [1, {n_max}] as a count of the {n_max} training samples"),
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The shared loop: for each fold (in parallel) and size, fit on the first `size` training
/// indices and score on them and on the test part.
fn curve<F, E, T, S>(
    x: &Features<F, E>,
    y: &Target<T>,
    sizes: &[TrainSize],
    folds: &[Fold],
    fit_score: S,
) -> Result<LearningCurve>
where
    F: Dim,
    E: Dtype,
    T: Unit,
    S: Fn(&(Features<F, E>, Target<T>), &(Features<F, E>, Target<T>)) -> Result<(f64, f64)> + Sync,
{
    check_lengths("learning_curve", x.dims()[0], y.dims()[0])?;
    let Some(n_max) = folds.first().map(|f| f.0.len()) else {
        return Err(Error::input(
            "learning_curve",
            "the cross-validation gave no fold",
        ));
    };
    let train_sizes = absolute_sizes(sizes, n_max)?;
    let rows = |ix: &[usize]| -> Result<_> { Ok((split_rows(x, ix)?, split_rows(y, ix)?)) };
    let per_fold = folds
        .par_iter()
        .map(|(train, test)| {
            let test = rows(test)?;
            train_sizes
                .iter()
                .map(|&n| {
                    if n > train.len() {
                        return Err(Error::input(
                            "learning_curve",
                            format!(
                                "train size {n} exceeds a fold's {} training samples",
                                train.len()
                            ),
                        ));
                    }
                    fit_score(&rows(&train[..n])?, &test)
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let pick = |which: fn(&(f64, f64)) -> f64| -> Vec<Vec<f64>> {
        (0..train_sizes.len())
            .map(|t| per_fold.iter().map(|f| which(&f[t])).collect())
            .collect()
    };
    Ok(LearningCurve {
        train_scores: pick(|s| s.0),
        test_scores: pick(|s| s.1),
        train_sizes,
    })
}

/// The learning curve of a classifier, as scikit-learn's `learning_curve` (without shuffling):
/// for each fold of `folds` and each of `sizes`, a fresh copy of `model` fitted on the first
/// samples of the fold's training part, scored (accuracy) on them and on the test part.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::model_selection::{learning_curve, StratifiedKFold, TrainSize};
/// use gf_learn::naive_bayes::GaussianNB;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..40).map(|i| (i % 20) as f64 + 0.1 * (i / 20) as f64).collect(), (40, 1));
/// let y = dev.tensor_from_vec((0..40).map(|i| usize::from(i % 20 >= 10)).collect(), (40,));
/// let folds = StratifiedKFold::new().n_splits(4).split(&y.to_vec())?;
/// let sizes = [TrainSize::Fraction(0.5), TrainSize::Fraction(1.0)];
/// let curve = learning_curve(&GaussianNB::new(), &x, &y, &sizes, &folds)?;
/// assert_eq!(curve.train_sizes, vec![15, 30]);
/// assert_eq!(curve.test_scores[1].len(), 4);
/// # Ok::<(), gf_learn::Error>(())
/// ```
pub fn learning_curve<M, F, E>(
    model: &M,
    x: &Features<F, E>,
    y: &Target<usize>,
    sizes: &[TrainSize],
    folds: &[Fold],
) -> Result<LearningCurve>
where
    M: Classifier + Clone + Send + Sync,
    F: Dim,
    E: Dtype,
{
    curve(x, y, sizes, folds, |(xt, yt), (xs, ys)| {
        let mut m = model.clone();
        m.fit(xt, yt)?;
        Ok((m.score(xt, yt)?, m.score(xs, ys)?))
    })
}

/// [`learning_curve`] for a regressor: R² on the samples fitted and on the test part.
pub fn learning_curve_regressor<M, F, E>(
    model: &M,
    x: &Features<F, E>,
    y: &Target<E>,
    sizes: &[TrainSize],
    folds: &[Fold],
) -> Result<LearningCurve>
where
    M: Regressor + Clone + Send + Sync,
    F: Dim,
    E: Dtype,
{
    curve(x, y, sizes, folds, |(xt, yt), (xs, ys)| {
        let mut m = model.clone();
        m.fit(xt, yt)?;
        Ok((m.score(xt, yt)?, m.score(xs, ys)?))
    })
}
