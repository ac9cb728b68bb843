//! The losses of classic gradient boosting, as scikit-learn's `_gb.py` uses its `_loss`
//! module: the initial raw prediction (the `init_` estimator through the link), the negative
//! gradient the trees are fitted to, the line search that resets each leaf's value
//! (`_update_terminal_regions`) and the loss reported in `train_score_`.
//!
//! Every average is weighted by the sample weights as numpy's `np.average` takes it
//! (`sum(v * w) / sum(w)`, both summed pairwise); with unit weights that is the plain mean to
//! the bit, so unweighted fits are unchanged.

use crate::ensemble::hist_gradient_boosting::loss::{expit, softmax};
use crate::preprocessing::scale::percentile_sorted;
use crate::validation::np_sum;

/// The loss a booster minimises, with the state it carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Loss {
    /// Half the squared error (`loss='squared_error'`).
    SquaredError,
    /// The absolute error (`loss='absolute_error'`).
    AbsoluteError,
    /// Huber's loss; `delta` is the `alpha` quantile of the absolute errors, reset at every
    /// stage.
    Huber { alpha: f64, delta: f64 },
    /// The pinball loss of the `alpha` quantile (`loss='quantile'`).
    Quantile(f64),
    /// Binary log loss on one raw score.
    Binomial,
    /// Multiclass log loss on one raw score per class.
    Multinomial(usize),
    /// AdaBoost's exponential loss, binary only.
    Exponential,
}

impl Loss {
    /// The number of trees (raw scores) per stage.
    pub(crate) fn n_trees(self) -> usize {
        match self {
            Loss::Multinomial(k) => k,
            _ => 1,
        }
    }

    /// The factor scikit-learn keeps `train_score_` in for backward compatibility (the
    /// squared error and the deviance, not their halves).
    fn factor(self) -> f64 {
        match self {
            Loss::SquaredError | Loss::Binomial => 2.0,
            _ => 1.0,
        }
    }

    /// The initial raw scores: the prediction of scikit-learn's default `init_` (the mean,
    /// the median, the `alpha` percentile, or the class priors) through the link, fitted
    /// with `sample_weight` when one was passed (then the percentiles are weighted inverted-CDF
    /// ones, as `DummyRegressor` takes them, rather than numpy's linear ones).
    pub(crate) fn init_raw(self, y: &[f64], sample_weight: Option<&[f64]>) -> Vec<f64> {
        let percentile = |q: f64| match sample_weight {
            Some(w) => weighted_percentile(y, w, q),
            None => {
                let mut sorted = y.to_vec();
                sorted.sort_by(f64::total_cmp);
                percentile_sorted(&sorted, q)
            }
        };
        let ones;
        let w = match sample_weight {
            Some(w) => w,
            None => {
                ones = vec![1.0; y.len()];
                &ones
            }
        };
        // `np.bincount(codes, weights)` summed in sample order, then normalised.
        let n_classes = self.n_trees().max(2);
        let mut class_weight = vec![0.0; n_classes];
        if matches!(
            self,
            Loss::Binomial | Loss::Exponential | Loss::Multinomial(_)
        ) {
            for (&c, &w) in y.iter().zip(w) {
                class_weight[c as usize] += w;
            }
        }
        let class_total: f64 = class_weight.iter().sum();
        let prior =
            |k: usize| (class_weight[k] / class_total).clamp(f64::EPSILON, 1.0 - f64::EPSILON);
        match self {
            Loss::SquaredError => vec![average(y, w)],
            Loss::AbsoluteError | Loss::Huber { .. } => vec![percentile(50.0)],
            Loss::Quantile(alpha) => vec![percentile(alpha * 100.0)],
            Loss::Binomial => vec![logit(prior(1))],
            Loss::Exponential => vec![0.5 * logit(prior(1))],
            Loss::Multinomial(k) => {
                let mut logs: Vec<f64> = (0..k).map(|c| prior(c).ln()).collect();
                let mean = logs.iter().sum::<f64>() / k as f64;
                logs.iter_mut().for_each(|l| *l -= mean);
                logs
            }
        }
    }

    /// Huber's `delta` for this stage: the weighted `alpha` quantile (inverted CDF) of the
    /// absolute errors of every sample, as scikit-learn's `set_huber_delta`.
    pub(crate) fn set_delta(&mut self, y: &[f64], raw: &[f64], sample_weight: &[f64]) {
        if let Loss::Huber { alpha, delta } = self {
            let errors: Vec<f64> = y.iter().zip(raw).map(|(y, r)| (y - r).abs()).collect();
            *delta = weighted_percentile(&errors, sample_weight, 100.0 * *alpha);
        }
    }

    /// The negative gradient of every tree's raw score for every sample, one column per
    /// tree (`raw` is sample-major, `n * n_trees`); the softmax is taken once per sample.
    pub(crate) fn neg_gradients(self, y: &[f64], raw: &[f64]) -> Vec<Vec<f64>> {
        let (n, width) = (y.len(), self.n_trees());
        let mut out = vec![vec![0.0; n]; width];
        let mut p = vec![0.0; width];
        for i in 0..n {
            let (y, r) = (y[i], raw[i * width]);
            let g = &mut out[0][i];
            match self {
                Loss::Multinomial(_) => {
                    softmax(&raw[i * width..(i + 1) * width], &mut p);
                    for (k, column) in out.iter_mut().enumerate() {
                        column[i] = f64::from(u8::from(y as usize == k)) - p[k];
                    }
                }
                Loss::SquaredError => *g = y - r,
                Loss::AbsoluteError => *g = if r > y { -1.0 } else { 1.0 },
                Loss::Huber { delta, .. } => {
                    let res = r - y;
                    *g = if res.abs() <= delta {
                        -res
                    } else if res >= 0.0 {
                        -delta
                    } else {
                        delta
                    };
                }
                Loss::Quantile(q) => *g = if y >= r { q } else { q - 1.0 },
                Loss::Binomial => *g = -binomial_gradient(y, r),
                Loss::Exponential => *g = y / r.exp() - (1.0 - y) * r.exp(),
            }
        }
        out
    }

    /// The line-search value of a leaf holding the in-bag samples `rows` (ascending) for
    /// tree `k`: a Newton step for the classification losses, a weighted percentile of
    /// the residuals for the robust ones; `None` for the squared error, whose tree value (the
    /// weighted mean of the negative gradient) is already optimal.
    pub(crate) fn leaf_value(
        self,
        rows: &[usize],
        k: usize,
        y: &[f64],
        neg_gradient: &[f64],
        raw: &[f64],
        sample_weight: &[f64],
    ) -> Option<f64> {
        let w: Vec<f64> = rows.iter().map(|&i| sample_weight[i]).collect();
        let mean = |v: &[f64]| average(v, &w);
        let width = self.n_trees();
        let residuals =
            || -> Vec<f64> { rows.iter().map(|&i| y[i] - raw[i * width + k]).collect() };
        let g: Vec<f64> = rows.iter().map(|&i| neg_gradient[i]).collect();
        match self {
            Loss::SquaredError => None,
            Loss::AbsoluteError => Some(weighted_percentile(&residuals(), &w, 50.0)),
            Loss::Quantile(alpha) => Some(weighted_percentile(&residuals(), &w, 100.0 * alpha)),
            Loss::Huber { delta, .. } => {
                let diff = residuals();
                let median = weighted_percentile(&diff, &w, 50.0);
                let terms: Vec<f64> = diff
                    .iter()
                    .map(|d| {
                        let d = d - median;
                        let sign = if d > 0.0 {
                            1.0
                        } else if d < 0.0 {
                            -1.0
                        } else {
                            0.0
                        };
                        sign * delta.min(d.abs())
                    })
                    .collect();
                Some(median + mean(&terms))
            }
            Loss::Binomial | Loss::Multinomial(_) => {
                let hessian: Vec<f64> = rows
                    .iter()
                    .zip(&g)
                    .map(|(&i, g)| {
                        let target = match self {
                            Loss::Multinomial(_) => f64::from(u8::from(y[i] as usize == k)),
                            _ => y[i],
                        };
                        let prob = target - g;
                        prob * (1.0 - prob)
                    })
                    .collect();
                let mut numerator = mean(&g);
                if let Loss::Multinomial(classes) = self {
                    numerator *= (classes - 1) as f64 / classes as f64;
                }
                Some(safe_divide(numerator, mean(&hessian)))
            }
            Loss::Exponential => {
                let hessian: Vec<f64> = rows
                    .iter()
                    .zip(&g)
                    .map(|(&i, &g)| if y[i] == 0.0 { -g } else { g })
                    .collect();
                Some(safe_divide(mean(&g), mean(&hessian)))
            }
        }
    }

    /// The weighted mean loss over `rows`, times [`Loss::factor`], as `train_score_`,
    /// `oob_scores_` and the early-stopping validation loss hold it.
    pub(crate) fn score(
        self,
        y: &[f64],
        raw: &[f64],
        rows: &[usize],
        sample_weight: &[f64],
    ) -> f64 {
        let width = self.n_trees();
        let losses: Vec<f64> = rows
            .iter()
            .map(|&i| {
                let (y, r) = (y[i], raw[i * width]);
                match self {
                    Loss::SquaredError => 0.5 * (y - r) * (y - r),
                    Loss::AbsoluteError => (y - r).abs(),
                    Loss::Huber { delta, .. } => {
                        let e = (y - r).abs();
                        if e <= delta {
                            0.5 * e * e
                        } else {
                            delta * (e - 0.5 * delta)
                        }
                    }
                    Loss::Quantile(q) => {
                        if y >= r {
                            q * (y - r)
                        } else {
                            (1.0 - q) * (r - y)
                        }
                    }
                    Loss::Binomial => log1pexp(r) - y * r,
                    Loss::Exponential => y / r.exp() + (1.0 - y) * r.exp(),
                    Loss::Multinomial(_) => {
                        let row = &raw[i * width..(i + 1) * width];
                        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let sum: f64 = row.iter().map(|v| (v - m).exp()).sum();
                        m + sum.ln() - row[y as usize]
                    }
                }
            })
            .collect();
        let w: Vec<f64> = rows.iter().map(|&i| sample_weight[i]).collect();
        self.factor() * average(&losses, &w)
    }

    /// Class probabilities (`n_classes` per sample) from the raw scores, through the inverse
    /// link: the sigmoid (of twice the score for the exponential loss) or the softmax.
    pub(crate) fn probabilities(self, raw: &[f64]) -> Vec<f64> {
        match self {
            Loss::Multinomial(k) => {
                let mut out = vec![0.0; raw.len()];
                for (r, o) in raw.chunks_exact(k).zip(out.chunks_exact_mut(k)) {
                    softmax(r, o);
                }
                out
            }
            _ => {
                let scale = if self == Loss::Exponential { 2.0 } else { 1.0 };
                raw.iter()
                    .flat_map(|&r| {
                        let p = expit(scale * r);
                        [1.0 - p, p]
                    })
                    .collect()
            }
        }
    }
}

/// `log(p / (1 - p))`, as scipy's `logit`.
fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// scikit-learn's `cgradient_half_binomial`: `expit(raw) - y`, stable for large negative
/// raw scores.
fn binomial_gradient(y: f64, raw: f64) -> f64 {
    if raw > -37.0 {
        let e = (-raw).exp();
        ((1.0 - y) - y * e) / (1.0 + e)
    } else {
        raw.exp() - y
    }
}

/// `log(1 + exp(x))` by scikit-learn's piecewise `log1pexp`.
fn log1pexp(x: f64) -> f64 {
    if x <= -37.0 {
        x.exp()
    } else if x <= -2.0 {
        x.exp().ln_1p()
    } else if x <= 18.0 {
        (1.0 + x.exp()).ln()
    } else if x <= 33.3 {
        x + (-x).exp()
    } else {
        x
    }
}

/// `numerator / denominator`, or 0 where the denominator (a hessian) is all but zero, as
/// scikit-learn's `_safe_divide`.
fn safe_divide(numerator: f64, denominator: f64) -> f64 {
    if denominator.abs() < 1e-150 {
        0.0
    } else {
        numerator / denominator
    }
}

/// `np.average(values, weights=weights)`: `sum(v * w) / sum(w)`, both summed pairwise.
pub(crate) fn average(values: &[f64], weights: &[f64]) -> f64 {
    let products: Vec<f64> = values.iter().zip(weights).map(|(v, w)| v * w).collect();
    np_sum(&products) / np_sum(weights)
}

/// The `q`-th percentile of `values` weighted by `weights`, by the inverted CDF (the smallest
/// value whose cumulative weight reaches `q / 100` of the total), as scikit-learn's
/// `_weighted_percentile`: weights summed in sorted order, a target of 0 nudged up so leading
/// zero weights are skipped.
pub(crate) fn weighted_percentile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut cdf = Vec::with_capacity(order.len());
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        cdf.push(acc);
    }
    let mut target = q / 100.0 * acc;
    if target == 0.0 {
        target = f64::from_bits(1);
    }
    // numpy's `searchsorted` (left): the first cumulative weight reaching the target.
    let index = cdf.partition_point(|&c| c < target).min(order.len() - 1);
    values[order[index]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverted_cdf_takes_the_data_point_the_share_reaches() {
        // scikit-learn: _weighted_percentile([4, 1, 3, 2], ones, q) for q = 50, 60, 100, 0.
        let (v, ones) = ([4.0, 1.0, 3.0, 2.0], [1.0; 4]);
        assert_eq!(weighted_percentile(&v, &ones, 50.0), 2.0);
        assert_eq!(weighted_percentile(&v, &ones, 60.0), 3.0);
        assert_eq!(weighted_percentile(&v, &ones, 100.0), 4.0);
        assert_eq!(weighted_percentile(&v, &ones, 0.0), 1.0);
        // _weighted_percentile([4, 1, 3, 2], [1, 0, 0, 3], q) for q = 0, 30.
        let w = [1.0, 0.0, 0.0, 3.0];
        assert_eq!(weighted_percentile(&v, &w, 0.0), 2.0);
        assert_eq!(weighted_percentile(&v, &w, 30.0), 2.0);
        assert_eq!(weighted_percentile(&v, &w, 80.0), 4.0);
    }

    #[test]
    fn newton_step_of_a_pure_leaf_is_zero() {
        // Probabilities of exactly 0 or 1 leave no curvature: the step is 0, not NaN.
        let y = [1.0, 1.0];
        let g = [0.0, 0.0];
        let v = Loss::Binomial.leaf_value(&[0, 1], 0, &y, &g, &[800.0, 800.0], &[1.0, 1.0]);
        assert_eq!(v, Some(0.0));
    }
}
