//! The numerics of [`LatentDirichletAllocation`](super::LatentDirichletAllocation): scikit-learn's
//! ψ, the Dirichlet expectations, the variational bound and the perplexity.

use super::Fitted;
use crate::validation::Matrix;

/// ψ as scikit-learn's LDA computes it (`_online_lda_fast.psi`): the recurrence up to `x >= 6`
/// then the series truncated after its `x⁻⁶` term (about 1e-9 from the exact ψ at small
/// arguments), and `-γ - 1/x` below 1e-6. LDA uses it so that its fits match
/// scikit-learn's to rounding.
pub(super) fn lda_psi(mut x: f64) -> f64 {
    const EULER: f64 = 0.577_215_664_901_532_9;
    if x <= 1e-6 {
        return -EULER - 1.0 / x;
    }
    let mut result = 0.0;
    while x < 6.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let r = 1.0 / x;
    result += x.ln() - 0.5 * r;
    let r = r * r;
    result - r * ((1.0 / 12.0) - r * ((1.0 / 120.0) - r * (1.0 / 252.0)))
}

/// `psi(row) - psi(sum(row))` for each row (scikit-learn's `_dirichlet_expectation_2d`).
pub(super) fn dirichlet_expectation(m: &Matrix) -> Matrix {
    let mut out = m.clone();
    for i in 0..m.rows {
        let total = lda_psi(m.row(i).iter().sum());
        out.row_mut(i)
            .iter_mut()
            .for_each(|v| *v = lda_psi(*v) - total);
    }
    out
}

/// `exp` of every entry.
pub(super) fn exp_of(m: &Matrix) -> Matrix {
    let mut out = m.clone();
    out.data.iter_mut().for_each(|v| *v = v.exp());
    out
}

/// scikit-learn's `gen_batches(n, size)`.
pub(super) fn batches(n: usize, size: usize) -> Vec<(usize, usize)> {
    (0..n)
        .step_by(size)
        .map(|a| (a, (a + size).min(n)))
        .collect()
}

/// Rows `a..b` of `x`.
pub(super) fn rows(x: &Matrix, a: usize, b: usize) -> Matrix {
    Matrix {
        rows: b - a,
        cols: x.cols,
        data: x.data[a * x.cols..b * x.cols].to_vec(),
    }
}

/// scikit-learn's `_approx_bound`.
pub(super) fn approx_bound(
    s: &Fitted,
    x: &Matrix,
    gamma: &Matrix,
    sub: bool,
    total_samples: f64,
) -> f64 {
    let lgamma = libm::lgamma;
    let k = s.components.rows;
    let d = s.components.cols;
    let dd = dirichlet_expectation(gamma);
    let dc = dirichlet_expectation(&s.components);
    let loglik = |prior: f64, distr: &Matrix, dir: &Matrix, size: usize| -> f64 {
        let mut score: f64 = distr
            .data
            .iter()
            .zip(&dir.data)
            .map(|(v, e)| (prior - v) * e)
            .sum();
        score += distr
            .data
            .iter()
            .map(|v| lgamma(*v) - lgamma(prior))
            .sum::<f64>();
        score += (0..distr.rows)
            .map(|i| lgamma(prior * size as f64) - lgamma(distr.row(i).iter().sum()))
            .sum::<f64>();
        score
    };
    let mut score = 0.0;
    for i in 0..x.rows {
        for j in 0..x.cols {
            let c = x.at(i, j);
            if c == 0.0 {
                continue;
            }
            let temp: Vec<f64> = (0..k).map(|t| dd.at(i, t) + dc.at(t, j)).collect();
            let m = temp.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + temp.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            score += c * lse;
        }
    }
    score += loglik(s.doc_topic_prior, gamma, &dd, k);
    if sub {
        score *= total_samples / x.rows as f64;
    }
    score + loglik(s.topic_word_prior, &s.components, &dc, d)
}

/// scikit-learn's `_perplexity_precomp_distr`.
pub(super) fn perplexity(
    s: &Fitted,
    x: &Matrix,
    gamma: &Matrix,
    sub: bool,
    total_samples: f64,
) -> f64 {
    let bound = approx_bound(s, x, gamma, sub, total_samples);
    let mut words: f64 = x.data.iter().sum();
    if sub {
        words *= total_samples / x.rows as f64;
    }
    (-bound / words).exp()
}

#[cfg(test)]
mod tests {
    use super::lda_psi;

    #[test]
    fn lda_psi_matches_scipy_digamma_to_1e_8() {
        let cases = [
            (0.1, -10.423754940411076),
            (0.5, -1.9635100260214235),
            (1.0, -0.5772156649015329),
            (2.5, 0.7031566406452432),
            (7.3, 1.917820335637986),
            (150.0, 5.007298257075679),
        ];
        for (x, want) in cases {
            let got = lda_psi(x);
            assert!(
                (got - want).abs() < 1e-8,
                "lda_psi({x}): {got}, scipy {want}"
            );
        }
        // Below 1e-6 scikit-learn's psi is -euler - 1/x.
        assert_eq!(lda_psi(1e-7), -0.577_215_664_901_532_9 - 1e7);
    }
}
