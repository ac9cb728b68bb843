//! The steps of EM for a Gaussian mixture (scikit-learn's `_e_step` and `_m_step`), the
//! log-sum-exp they rest on, and draws from a fitted mixture.

use gf_core::rng::Xoshiro256;

use super::covariance::{
    covariance_factors, estimate_parameters, log_gaussian_prob, precision_cholesky, CovarianceType,
    Gaussians,
};
use crate::error::Result;
use crate::validation::{np_sum, Matrix};

const FIT: &str = "GaussianMixture::fit";

/// `log(sum(exp(v)))` as scikit-learn's `_logsumexp`: the largest values taken out exactly,
/// the rest through `log1p`.
pub(crate) fn logsumexp(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let m = v.iter().filter(|&&a| a == max).count() as f64;
    let shift = if max.is_finite() { max } else { 0.0 };
    let exp: Vec<f64> = v
        .iter()
        .map(|&a| if a == max { 0.0 } else { (a - shift).exp() })
        .collect();
    let s = np_sum(&exp);
    let s = if s == 0.0 { s } else { s / m };
    s.ln_1p() + m.ln() + max
}

/// `log p(x_i | c) + log w_c` for each sample and component.
pub(crate) fn weighted_log_prob(x: &Matrix, g: &Gaussians) -> Matrix {
    let mut out = log_gaussian_prob(x, g);
    let log_w: Vec<f64> = g.weights.iter().map(|w| w.ln()).collect();
    for i in 0..out.rows {
        out.row_mut(i)
            .iter_mut()
            .zip(&log_w)
            .for_each(|(v, lw)| *v += lw);
    }
    out
}

/// The E-step: each sample's log-likelihood and its log-responsibilities.
pub(crate) fn log_prob_resp(x: &Matrix, g: &Gaussians) -> (Vec<f64>, Matrix) {
    let mut resp = weighted_log_prob(x, g);
    let mut norm = Vec::with_capacity(x.rows);
    for i in 0..resp.rows {
        let row = resp.row_mut(i);
        let lse = logsumexp(row);
        row.iter_mut().for_each(|v| *v -= lse);
        norm.push(lse);
    }
    (norm, resp)
}

/// The M-step: the parameters given the log-responsibilities `log_resp` of the samples `x`.
pub(crate) fn m_step(
    x: &Matrix,
    log_resp: &Matrix,
    reg_covar: f64,
    kind: CovarianceType,
) -> Result<Gaussians> {
    let resp = Matrix {
        rows: log_resp.rows,
        cols: log_resp.cols,
        data: log_resp.data.iter().map(|v| v.exp()).collect(),
    };
    let (nk, means, covariances) = estimate_parameters(x, &resp, reg_covar, kind);
    let total = np_sum(&nk);
    let precisions_cholesky = precision_cholesky(FIT, &covariances, kind, x.cols)?;
    Ok(Gaussians {
        kind,
        weights: nk.iter().map(|n| n / total).collect(),
        means,
        covariances,
        precisions_cholesky,
    })
}

/// `n_samples` draws from the mixture `g`, grouped by component: the samples (row-major) and
/// the component of each; `None` if a covariance has no Cholesky factor. The counts per
/// component are multinomial by the weights; a sample is its mean plus the covariance's
/// Cholesky factor times standard normal draws.
pub(crate) fn draw(
    g: &Gaussians,
    n_samples: usize,
    rng: &mut Xoshiro256,
) -> Option<(Vec<f64>, Vec<usize>)> {
    let (k, d) = (g.means.rows, g.means.cols);
    let total = np_sum(&g.weights);
    let mut counts = vec![0usize; k];
    for _ in 0..n_samples {
        let mut u = rng.next_f64() * total;
        let mut c = 0;
        while c + 1 < k && u >= g.weights[c] {
            u -= g.weights[c];
            c += 1;
        }
        counts[c] += 1;
    }
    let factors = match g.kind {
        CovarianceType::Full | CovarianceType::Tied => {
            Some(covariance_factors(&g.covariances, g.kind, k, d)?)
        }
        CovarianceType::Diag | CovarianceType::Spherical => None,
    };
    let mut data = Vec::with_capacity(n_samples * d);
    let mut labels = Vec::with_capacity(n_samples);
    let mut z = vec![0.0; d];
    for (c, &count) in counts.iter().enumerate() {
        let mean = g.means.row(c);
        for _ in 0..count {
            z.iter_mut().for_each(|v| *v = rng.next_normal());
            for j in 0..d {
                let offset = match (&factors, g.kind) {
                    (Some(l), _) => (0..=j).map(|p| l[c][j * d + p] * z[p]).sum(),
                    (None, CovarianceType::Diag) => z[j] * g.covariances[c * d + j].sqrt(),
                    (None, _) => z[j] * g.covariances[c].sqrt(),
                };
                data.push(mean[j] + offset);
            }
            labels.push(c);
        }
    }
    Some((data, labels))
}
