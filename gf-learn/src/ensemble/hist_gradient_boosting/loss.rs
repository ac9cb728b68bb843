//! The losses: baseline prediction and per-sample gradients and hessians, as scikit-learn's
//! `HalfSquaredError`, `HalfBinomialLoss` and `HalfMultinomialLoss`. Gradients and hessians
//! are stored in `f32` as scikit-learn does (`G_H_DTYPE`), halving the memory traffic of
//! histogram building; sums are accumulated in `f64`.

/// Which loss a booster minimises.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Loss {
    /// Half the squared error; hessians are all 1.
    SquaredError,
    /// Binary log loss on one raw score per sample.
    Binomial,
    /// Multiclass log loss on one raw score per class (softmax).
    Multinomial(usize),
}

impl Loss {
    /// The number of trees (raw scores) per boosting iteration.
    pub(crate) fn n_trees(self) -> usize {
        match self {
            Loss::Multinomial(k) => k,
            _ => 1,
        }
    }

    /// The constant raw prediction that minimises the loss (`fit_intercept_only`).
    pub(crate) fn baseline(self, y: &[f64]) -> Vec<f64> {
        let n = y.len() as f64;
        match self {
            Loss::SquaredError => vec![crate::validation::np_sum(y) / n],
            Loss::Binomial => {
                let p = (y.iter().sum::<f64>() / n).clamp(f64::EPSILON, 1.0 - f64::EPSILON);
                vec![(p / (1.0 - p)).ln()]
            }
            Loss::Multinomial(k) => {
                let mut logs: Vec<f64> = (0..k)
                    .map(|c| {
                        let p = y.iter().filter(|&&v| v as usize == c).count() as f64 / n;
                        p.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln()
                    })
                    .collect();
                let mean = logs.iter().sum::<f64>() / k as f64;
                logs.iter_mut().for_each(|l| *l -= mean);
                logs
            }
        }
    }

    /// Fills `grad` and `hess` (class-major, `n_trees * n` each) from the raw scores `raw`
    /// (sample-major, `n * n_trees`).
    pub(crate) fn gradients(self, y: &[f64], raw: &[f64], grad: &mut [f32], hess: &mut [f32]) {
        let n = y.len();
        match self {
            Loss::SquaredError => {
                for i in 0..n {
                    grad[i] = (raw[i] - y[i]) as f32;
                    hess[i] = 1.0;
                }
            }
            Loss::Binomial => {
                for i in 0..n {
                    let (g, h) = binomial_grad_hess(y[i], raw[i]);
                    grad[i] = g as f32;
                    hess[i] = h as f32;
                }
            }
            Loss::Multinomial(k) => {
                let mut p = vec![0.0; k];
                for i in 0..n {
                    softmax(&raw[i * k..(i + 1) * k], &mut p);
                    for (c, &pc) in p.iter().enumerate() {
                        let target = if y[i] as usize == c { 1.0 } else { 0.0 };
                        grad[c * n + i] = (pc - target) as f32;
                        hess[c * n + i] = (pc * (1.0 - pc)) as f32;
                    }
                }
            }
        }
    }

    /// The mean loss of the raw scores (the half losses, as scikit-learn's `train_score_`
    /// with `scoring='loss'` reports them, negated there).
    pub(crate) fn mean_loss(self, y: &[f64], raw: &[f64]) -> f64 {
        let n = y.len();
        let total: f64 = match self {
            Loss::SquaredError => (0..n).map(|i| 0.5 * (raw[i] - y[i]).powi(2)).sum(),
            Loss::Binomial => (0..n)
                .map(|i| {
                    let r = raw[i];
                    let log1pexp = if r > 0.0 {
                        r + (-r).exp().ln_1p()
                    } else {
                        r.exp().ln_1p()
                    };
                    log1pexp - y[i] * r
                })
                .sum(),
            Loss::Multinomial(k) => (0..n)
                .map(|i| {
                    let row = &raw[i * k..(i + 1) * k];
                    let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let lse = m + row.iter().map(|r| (r - m).exp()).sum::<f64>().ln();
                    lse - row[y[i] as usize]
                })
                .sum(),
        };
        total / n as f64
    }
}

/// scikit-learn's `cgrad_hess_half_binomial`, branch for branch, stable for large negative raw
/// scores.
fn binomial_grad_hess(y: f64, raw: f64) -> (f64, f64) {
    if raw > 0.0 {
        let e = (-raw).exp();
        (((1.0 - y) - y * e) / (1.0 + e), e / ((1.0 + e) * (1.0 + e)))
    } else if raw > -37.0 {
        let e = raw.exp();
        (((1.0 - y) * e - y) / (1.0 + e), e / ((1.0 + e) * (1.0 + e)))
    } else {
        let e = raw.exp();
        (e - y, e)
    }
}

/// The softmax of `raw` into `out`, shifted by the maximum for stability.
pub(crate) fn softmax(raw: &[f64], out: &mut [f64]) {
    let m = raw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, r) in out.iter_mut().zip(raw) {
        *o = (r - m).exp();
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
}

/// The logistic sigmoid.
pub(crate) fn expit(raw: f64) -> f64 {
    if raw >= 0.0 {
        1.0 / (1.0 + (-raw).exp())
    } else {
        let e = raw.exp();
        e / (1.0 + e)
    }
}
