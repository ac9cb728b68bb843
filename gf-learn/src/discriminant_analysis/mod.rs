//! Discriminant analysis, as scikit-learn's `sklearn.discriminant_analysis`: Gaussian class
//! densities with Bayes' rule. [`LinearDiscriminantAnalysis`] shares one covariance between the
//! classes (a linear boundary, and a supervised reduction to at most `n_classes - 1`
//! dimensions); [`QuadraticDiscriminantAnalysis`] fits one per class.

mod covariance;
mod lda;
mod lda_solvers;
mod qda;

pub use covariance::Shrinkage;
pub use lda::{LdaSolver, LinearDiscriminantAnalysis};
pub use qda::QuadraticDiscriminantAnalysis;

use crate::error::{Error, Result};
use crate::validation::{Labels, Matrix};

/// The rows of `x` of each class, in sample order (scikit-learn's `X[y == group]`).
fn class_rows(x: &Matrix, labels: &Labels) -> Vec<Matrix> {
    let mut groups: Vec<Matrix> = labels
        .counts()
        .iter()
        .map(|_| Matrix::zeros(0, x.cols))
        .collect();
    for (i, &c) in labels.codes.iter().enumerate() {
        groups[c].data.extend_from_slice(x.row(i));
        groups[c].rows += 1;
    }
    groups
}

/// The class priors: `priors` checked (non-negative, one per class) and renormalised when they
/// do not sum to 1 within 1e-5, as scikit-learn does (with a warning there); the class
/// frequencies when `None`.
fn class_priors(
    op: &'static str,
    priors: Option<&[f64]>,
    labels: &Labels,
    n_samples: usize,
) -> Result<Vec<f64>> {
    let Some(priors) = priors else {
        return Ok(labels
            .counts()
            .iter()
            .map(|&c| c as f64 / n_samples as f64)
            .collect());
    };
    if priors.len() != labels.classes.len() {
        return Err(Error::input(
            op,
            format!(
                "priors has {} entries, but y has {} classes",
                priors.len(),
                labels.classes.len()
            ),
        ));
    }
    if let Some(p) = priors.iter().find(|p| !(p.is_finite() && **p >= 0.0)) {
        return Err(Error::input(
            op,
            format!("priors must be finite and non-negative, got {p}"),
        ));
    }
    let total: f64 = priors.iter().sum();
    // Every prior is finite and non-negative here, so the sum is 0 only if all are.
    if total == 0.0 {
        return Err(Error::input(op, "priors must not all be zero"));
    }
    if (total - 1.0).abs() > 1e-5 {
        Ok(priors.iter().map(|p| p / total).collect())
    } else {
        Ok(priors.to_vec())
    }
}

/// Each row of `scores` turned into probabilities by the softmax (scikit-learn's
/// `extmath.softmax`: the row maximum subtracted first).
fn softmax_rows(scores: &mut Matrix) {
    for i in 0..scores.rows {
        let row = scores.row_mut(i);
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.iter_mut().for_each(|v| *v = (*v - max).exp());
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    }
}

/// The two-class scores `s` as the probabilities `[1 - expit(s), expit(s)]`.
fn expit_columns(scores: &[f64]) -> Matrix {
    let mut out = Matrix::zeros(scores.len(), 2);
    for (i, &s) in scores.iter().enumerate() {
        let p = 1.0 / (1.0 + (-s).exp());
        out.data[2 * i] = 1.0 - p;
        out.data[2 * i + 1] = p;
    }
    out
}
