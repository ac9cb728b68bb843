//! `AdaBoostRegressor`: AdaBoost.R2. Each tree is fitted to a weighted bootstrap of the
//! samples; its errors, scaled by the largest and shaped by the loss, give its weighted error
//! `err` and vote `learning_rate · ln(1 / β)` with `β = err / (1 − err)`, and shrink the weights
//! of the samples it got right. The ensemble predicts the vote-weighted median of the trees.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{adaboost_params, boost, Ensemble, Round};
use crate::ensemble::check_n_estimators;
use crate::error::Result;
use crate::traits::{Features, Regressor, Target};
use crate::tree::numpy_random::RandomState;
use crate::tree::{
    f32_columns, splitter_seed, tree_setters, Criterion, MaxFeatures, Params, Targets, TrainingSet,
    Tree,
};
use crate::validation::{
    check_param, check_x, check_x_width, check_y_reg, fitted, np_sum, vector, Matrix,
};

const NAME: &str = "AdaBoostRegressor";

/// How a tree's scaled absolute errors `e` in `[0, 1]` are shaped before weighting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AdaBoostLoss {
    /// `e` itself (scikit-learn's default).
    #[default]
    Linear,
    /// `e²`.
    Square,
    /// `1 − exp(−e)`.
    Exponential,
}

/// AdaBoost.R2 over regression trees (scikit-learn's `AdaBoostRegressor`).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::AdaBoostRegressor;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..100).map(|i| i as f64 / 10.0).collect();
/// let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (100, 1)), dev.tensor_from_vec(y, (100,)));
/// let mut ada = AdaBoostRegressor::new().n_estimators(20);
/// assert!(ada.fit(&x, &y)?.score(&x, &y)? > 0.9); // scikit-learn: 0.9197
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AdaBoostRegressor {
    params: Params,
    n_estimators: usize,
    learning_rate: f64,
    loss: AdaBoostLoss,
    state: Option<Ensemble>,
}

impl Default for AdaBoostRegressor {
    fn default() -> Self {
        AdaBoostRegressor {
            params: Params {
                max_depth: Some(3),
                max_features: MaxFeatures::All,
                ..Params::default()
            },
            n_estimators: 50,
            learning_rate: 1.0,
            loss: AdaBoostLoss::Linear,
            state: None,
        }
    }
}

impl AdaBoostRegressor {
    /// scikit-learn's defaults: `n_estimators=50`, `learning_rate=1.0`, `loss='linear'`, and
    /// `DecisionTreeRegressor(max_depth=3)` as the estimator; the tree setters configure that
    /// estimator.
    pub fn new() -> Self {
        Self::default()
    }

    /// How errors are shaped; default [`AdaBoostLoss::Linear`].
    pub fn loss(mut self, v: AdaBoostLoss) -> Self {
        self.loss = v;
        self
    }

    adaboost_params!();

    /// The prediction after each tree (scikit-learn's `staged_predict`): the vote-weighted
    /// median of the first `t` trees, for `t = 1, 2, ...`.
    pub fn staged_predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Vec<Target<E>>> {
        const OP: &str = "AdaBoostRegressor::staged_predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.n_features)?;
        let values: Vec<Vec<f64>> = (0..x.rows)
            .map(|i| s.trees.iter().map(|t| t.predict_row(x.row(i))[0]).collect())
            .collect();
        (1..=s.trees.len())
            .map(|t| {
                let pred: Vec<f64> = values
                    .iter()
                    .map(|v| weighted_median(&v[..t], &s.weights[..t]))
                    .collect();
                vector(&pred)
            })
            .collect()
    }

    /// R² on `x` against `y` after each tree (scikit-learn's `staged_score`).
    pub fn staged_score<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
        y: &Target<E>,
    ) -> Result<Vec<f64>> {
        self.staged_predict(x)?
            .iter()
            .map(|p| crate::metrics::r2_score(y, p))
            .collect()
    }
}

/// `n` indices drawn with replacement with probabilities `p`, as numpy's legacy
/// `RandomState.choice(n, n, p=p)`: the uniform draws looked up in the normalised running sum.
fn weighted_bootstrap(p: &[f64], rng: &mut RandomState) -> Vec<usize> {
    let mut cdf = Vec::with_capacity(p.len());
    let mut acc = 0.0;
    for &v in p {
        acc += v;
        cdf.push(acc);
    }
    let last = acc;
    cdf.iter_mut().for_each(|c| *c /= last);
    (0..p.len())
        .map(|_| {
            let u = rng.random_sample();
            cdf.partition_point(|&c| c <= u).min(p.len() - 1)
        })
        .collect()
}

/// The vote-weighted median of the trees' predictions `values` (scikit-learn's
/// `_get_median_predict`): the smallest prediction whose running vote reaches half the total.
fn weighted_median(values: &[f64], votes: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut cdf = Vec::with_capacity(order.len());
    let mut acc = 0.0;
    for &i in &order {
        acc += votes[i];
        cdf.push(acc);
    }
    let half = 0.5 * acc;
    let at = cdf.iter().position(|&c| c >= half).unwrap_or(0);
    values[order[at]]
}

impl Regressor for AdaBoostRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "AdaBoostRegressor::fit";
        self.check_params(NAME)?;
        let x = check_x(OP, x)?;
        let y = check_y_reg(OP, y, x.rows)?;
        let rules = self.params.rules(NAME, Criterion::SquaredError, x.cols)?;
        let mut rng = RandomState::new(self.params.random_state as u32);
        let n = x.rows;
        let ones = vec![1.0; n];
        let ensemble = boost(
            n,
            self.n_estimators,
            x.cols,
            &mut rng,
            |rng, sample_weight, last, n_fitted| {
                let seed = rng.randint(i32::MAX as u64);
                let picked = weighted_bootstrap(sample_weight, rng);
                let mut sample = Matrix::zeros(n, x.cols);
                for (r, &i) in picked.iter().enumerate() {
                    sample.row_mut(r).copy_from_slice(x.row(i));
                }
                let columns = f32_columns(&sample);
                let targets: Vec<f64> = picked.iter().map(|&i| y[i]).collect();
                let data = TrainingSet {
                    columns: &columns,
                    n_samples: n,
                    n_features: x.cols,
                    targets: Targets::Values(&targets),
                    weights: &ones,
                };
                let tree: Tree =
                    self.params
                        .grow(&rules, &data, splitter_seed(&mut RandomState::new(seed)));
                let mut errors: Vec<f64> = (0..n)
                    .map(|i| (tree.predict_row(x.row(i))[0] - y[i]).abs())
                    .collect();
                let max = errors.iter().copied().fold(0.0, f64::max);
                if max != 0.0 {
                    errors.iter_mut().for_each(|e| *e /= max);
                }
                match self.loss {
                    AdaBoostLoss::Linear => {}
                    AdaBoostLoss::Square => errors.iter_mut().for_each(|e| *e *= *e),
                    AdaBoostLoss::Exponential => {
                        errors.iter_mut().for_each(|e| *e = 1.0 - (-*e).exp())
                    }
                }
                let weighted: Vec<f64> = errors
                    .iter()
                    .zip(sample_weight.iter())
                    .map(|(e, w)| w * e)
                    .collect();
                let error = np_sum(&weighted);
                if error <= 0.0 {
                    return Ok(Round::Perfect(tree));
                }
                if error >= 0.5 {
                    return Ok(Round::Stop((n_fitted == 0).then_some(tree)));
                }
                let beta = error / (1.0 - error);
                let vote = self.learning_rate * (1.0 / beta).ln();
                if !last {
                    for (w, e) in sample_weight.iter_mut().zip(&errors) {
                        *w *= beta.powf((1.0 - e) * self.learning_rate);
                    }
                }
                Ok(Round::Fitted { tree, vote, error })
            },
        )?;
        self.state = Some(ensemble);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "AdaBoostRegressor::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.n_features)?;
        let pred: Vec<f64> = (0..x.rows)
            .map(|i| {
                let values: Vec<f64> = s.trees.iter().map(|t| t.predict_row(x.row(i))[0]).collect();
                weighted_median(&values, &s.weights)
            })
            .collect();
        vector(&pred)
    }
}
