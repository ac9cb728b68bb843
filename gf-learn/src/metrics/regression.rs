//! Regression metrics: mean squared / absolute error, R², explained variance.

use gf_core::Dtype;

use crate::error::{Error, Result};
use crate::traits::Target;
use crate::validation::check_lengths;

/// Both targets widened to `f64`, of equal, non-zero length.
fn pair<E: Dtype>(
    op: &'static str,
    y_true: &Target<E>,
    y_pred: &Target<E>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let widen = |y: &Target<E>| -> Result<Vec<f64>> {
        Ok(y.try_to_vec()?.into_iter().map(Dtype::as_f64).collect())
    };
    let (t, p) = (widen(y_true)?, widen(y_pred)?);
    check_lengths(op, t.len(), p.len())?;
    if t.is_empty() {
        return Err(Error::input(op, "y_true and y_pred are empty"));
    }
    Ok((t, p))
}

fn mean(v: impl Iterator<Item = f64>, n: usize) -> f64 {
    v.sum::<f64>() / n as f64
}

/// The mean of the squared errors.
pub fn mean_squared_error<E: Dtype>(y_true: &Target<E>, y_pred: &Target<E>) -> Result<f64> {
    let (t, p) = pair("mean_squared_error", y_true, y_pred)?;
    Ok(mean(
        t.iter().zip(&p).map(|(a, b)| (a - b).powi(2)),
        t.len(),
    ))
}

/// The square root of [`mean_squared_error`].
pub fn root_mean_squared_error<E: Dtype>(y_true: &Target<E>, y_pred: &Target<E>) -> Result<f64> {
    Ok(mean_squared_error(y_true, y_pred)?.sqrt())
}

/// The mean of the absolute errors.
pub fn mean_absolute_error<E: Dtype>(y_true: &Target<E>, y_pred: &Target<E>) -> Result<f64> {
    let (t, p) = pair("mean_absolute_error", y_true, y_pred)?;
    Ok(mean(t.iter().zip(&p).map(|(a, b)| (a - b).abs()), t.len()))
}

/// `1 - num / den`, with scikit-learn's `force_finite=True`: a zero denominator (constant
/// target) gives 1 for a zero numerator (a perfect prediction) and 0 otherwise.
fn one_minus_ratio(num: f64, den: f64) -> f64 {
    if den != 0.0 {
        1.0 - num / den
    } else if num == 0.0 {
        1.0
    } else {
        0.0
    }
}

/// The coefficient of determination `1 - SS_res / SS_tot`.
pub fn r2_score<E: Dtype>(y_true: &Target<E>, y_pred: &Target<E>) -> Result<f64> {
    let (t, p) = pair("r2_score", y_true, y_pred)?;
    let m = mean(t.iter().copied(), t.len());
    let num: f64 = t.iter().zip(&p).map(|(a, b)| (a - b).powi(2)).sum();
    let den: f64 = t.iter().map(|a| (a - m).powi(2)).sum();
    Ok(one_minus_ratio(num, den))
}

/// The explained variance `1 - Var(y_true - y_pred) / Var(y_true)`.
pub fn explained_variance_score<E: Dtype>(y_true: &Target<E>, y_pred: &Target<E>) -> Result<f64> {
    let (t, p) = pair("explained_variance_score", y_true, y_pred)?;
    let n = t.len();
    let diff: Vec<f64> = t.iter().zip(&p).map(|(a, b)| a - b).collect();
    let md = mean(diff.iter().copied(), n);
    let num = mean(diff.iter().map(|d| (d - md).powi(2)), n);
    let mt = mean(t.iter().copied(), n);
    let den = mean(t.iter().map(|a| (a - mt).powi(2)), n);
    Ok(one_minus_ratio(num, den))
}
