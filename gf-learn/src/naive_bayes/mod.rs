//! Naive Bayes classifiers: [`GaussianNB`] for real features, [`MultinomialNB`] for counts,
//! [`BernoulliNB`] for binary features. The discrete two also learn incrementally with
//! `partial_fit`.
//!
//! Each computes a joint log-likelihood per class, `log P(c) + log P(x | c)`, and turns it into
//! probabilities with a log-sum-exp, as scikit-learn does.

mod discrete;
mod gaussian;

pub use discrete::{BernoulliNB, MultinomialNB};
pub use gaussian::GaussianNB;

use crate::validation::{argmax, Matrix};

/// Probabilities from joint log-likelihoods, row by row: `exp(jll - logsumexp(jll))`.
pub(crate) fn proba_from_jll(jll: &Matrix) -> Matrix {
    let mut out = jll.clone();
    for i in 0..out.rows {
        let row = out.row_mut(i);
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        row.iter_mut().for_each(|v| *v = (*v - lse).exp());
    }
    out
}

/// The class of the largest joint log-likelihood of each row.
pub(crate) fn labels_from_jll(jll: &Matrix, classes: &[usize]) -> Vec<usize> {
    (0..jll.rows).map(|i| classes[argmax(jll.row(i))]).collect()
}
