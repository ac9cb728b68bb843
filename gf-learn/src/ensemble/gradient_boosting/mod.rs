//! Classic gradient boosting, as scikit-learn's `GradientBoostingRegressor` and
//! `GradientBoostingClassifier` (Friedman's gradient boosting machine): exact-split regression
//! trees (default depth 3) fitted stage by stage to the negative gradient of the loss, each
//! leaf reset by a line search (a Newton step for the log loss), shrunk by `learning_rate`.
//! With `subsample < 1` it is stochastic gradient boosting, with out-of-bag scores.
//!
//! The same `random_state` draws scikit-learn's subsamples, tree seeds and early-stopping
//! validation split, so results match scikit-learn's for the same seed. Sample weights
//! (`fit_weighted`) flow into the initial estimate, the trees and the line searches as in
//! scikit-learn; `staged_*` give the predictions after each stage; `warm_start` adds stages
//! to a fitted model; `init` is the default prior or zero (not an arbitrary estimator).

mod booster;
mod loss;
mod split;

pub use self::booster::BoostingInit;

use gf_core::shape::Dim;
use gf_core::Dtype;

use self::booster::{BoostParams, Booster};
use self::loss::Loss;
use crate::error::{Error, Result};
use crate::traits::{
    Classifier, DecisionFunction, Features, PredictProba, Regressor, Scores, Target,
};
use crate::tree::{tree_setters, MaxFeatures, Params, TreeArrays};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, check_y_reg, fitted, label_vector,
    sample_weights, vector, Matrix,
};

const REG: &str = "GradientBoostingRegressor";
const CLF: &str = "GradientBoostingClassifier";

/// The loss a [`GradientBoostingRegressor`] minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum RegressionLoss {
    /// The squared error; leaves keep the mean of the residuals (scikit-learn's default).
    #[default]
    SquaredError,
    /// The absolute error; leaves take the median of the residuals.
    AbsoluteError,
    /// Huber's loss, quadratic within the `alpha` quantile of the absolute errors.
    Huber,
    /// The pinball loss of the `alpha` quantile: the model predicts that quantile.
    Quantile,
}

/// The loss a [`GradientBoostingClassifier`] minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClassificationLoss {
    /// The log loss (binomial, or multinomial with one tree per class and stage); the
    /// default.
    #[default]
    LogLoss,
    /// The exponential loss of AdaBoost, for two classes only.
    Exponential,
}

/// Builder methods and fitted attributes of both estimators.
macro_rules! boosting_params {
    ($name:expr) => {
        tree_setters!();

        /// The number of boosting stages, in `[1, inf)`; default 100.
        pub fn n_estimators(mut self, v: usize) -> Self {
            self.boost.n_estimators = v;
            self
        }

        /// How much of each tree is added, in `[0, inf)`; default 0.1.
        pub fn learning_rate(mut self, v: f64) -> Self {
            self.boost.learning_rate = v;
            self
        }

        /// The share of samples each stage's trees are fitted on, in `(0, 1]`; below 1 the
        /// rest score the stage out of bag. Default 1.0.
        pub fn subsample(mut self, v: f64) -> Self {
            self.boost.subsample = v;
            self
        }

        /// Stop early when the loss on a held-out `validation_fraction` of the training data
        /// has not improved by `tol` in `n_iter_no_change` stages (`Some(n)`, `n >= 1`);
        /// default `None`, no early stopping.
        pub fn n_iter_no_change(mut self, v: Option<usize>) -> Self {
            self.boost.n_iter_no_change = v;
            self
        }

        /// The share of the training data held out for early stopping, in `(0, 1)`; used only
        /// with `n_iter_no_change`. Default 0.1.
        pub fn validation_fraction(mut self, v: f64) -> Self {
            self.boost.validation_fraction = v;
            self
        }

        /// The least improvement of the validation loss that counts, in `[0, inf)`; default
        /// 1e-4.
        pub fn tol(mut self, v: f64) -> Self {
            self.boost.tol = v;
            self
        }

        /// Whether `fit` keeps the stages already fitted and adds stages up to
        /// `n_estimators` (which may not be fewer than those); default false.
        pub fn warm_start(mut self, v: bool) -> Self {
            self.boost.warm_start = v;
            self
        }

        /// Where the raw scores start; default [`BoostingInit::Prior`].
        pub fn init(mut self, v: BoostingInit) -> Self {
            self.boost.init = v;
            self
        }

        /// The loss on the training samples (in-bag ones with `subsample < 1`) after each
        /// stage; the squared error and the binomial deviance are reported whole, as
        /// scikit-learn does. `None` before `fit`.
        pub fn train_score_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| s.train_score.as_slice())
        }

        /// The loss on each stage's out-of-bag samples, with `subsample < 1`.
        pub fn oob_scores_(&self) -> Option<&[f64]> {
            Some(self.state.as_ref()?.oob.as_ref()?.scores.as_slice())
        }

        /// How much each stage lowered the out-of-bag loss, with `subsample < 1`.
        pub fn oob_improvement_(&self) -> Option<&[f64]> {
            Some(self.state.as_ref()?.oob.as_ref()?.improvement.as_slice())
        }

        /// The last out-of-bag loss, with `subsample < 1`.
        pub fn oob_score_(&self) -> Option<f64> {
            self.oob_scores_()?.last().copied()
        }

        /// The trees' impurity decreases, averaged and normalised to sum to 1; `None`
        /// before `fit`.
        pub fn feature_importances_(&self) -> Option<Vec<f64>> {
            self.state.as_ref().map(Booster::feature_importances)
        }

        /// The number of stages fitted (fewer than `n_estimators` after early stopping);
        /// `None` before `fit`.
        pub fn n_estimators_(&self) -> Option<usize> {
            self.state.as_ref().map(|s| s.stages.len())
        }

        /// The trees of every stage (one per raw score) as scikit-learn's `tree_` arrays,
        /// their leaf values the line-searched ones; `None` before `fit`.
        pub fn estimators_(&self) -> Option<Vec<Vec<TreeArrays>>> {
            let s = self.state.as_ref()?;
            Some(
                s.stages
                    .iter()
                    .map(|stage| stage.iter().map(|t| t.arrays()).collect())
                    .collect(),
            )
        }

        /// The number of features seen by `fit`; `None` before `fit`.
        pub fn n_features_in_(&self) -> Option<usize> {
            self.state.as_ref().map(|s| s.n_features)
        }

        /// The initial raw score of each tree slot (the `init_` estimator's prediction
        /// through the link); `None` before `fit`.
        pub fn init_raw_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| s.init.as_slice())
        }

        fn input<F: Dim, E: Dtype>(
            &self,
            op: &'static str,
            x: &Features<F, E>,
        ) -> Result<(&Booster, Matrix)> {
            let s = fitted(&self.state, $name, op)?;
            Ok((s, check_x_width(op, $name, x, s.n_features)?))
        }
    };
}

/// The tree settings scikit-learn's boosters start from: depth 3, every feature.
fn booster_tree_params() -> Params {
    Params {
        max_depth: Some(3),
        max_features: MaxFeatures::All,
        ..Params::default()
    }
}

/// Gradient boosting for regression (scikit-learn's `GradientBoostingRegressor`).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::GradientBoostingRegressor;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..100).map(|i| i as f64 / 10.0).collect();
/// let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (100, 1)), dev.tensor_from_vec(y, (100,)));
/// let mut gb = GradientBoostingRegressor::new();
/// assert!(gb.fit(&x, &y)?.score(&x, &y)? > 0.99);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GradientBoostingRegressor {
    params: Params,
    boost: BoostParams,
    loss: RegressionLoss,
    alpha: f64,
    state: Option<Booster>,
}

impl Default for GradientBoostingRegressor {
    fn default() -> Self {
        GradientBoostingRegressor {
            params: booster_tree_params(),
            boost: BoostParams::default(),
            loss: RegressionLoss::SquaredError,
            alpha: 0.9,
            state: None,
        }
    }
}

impl GradientBoostingRegressor {
    /// scikit-learn's defaults: `loss='squared_error'`, `learning_rate=0.1`,
    /// `n_estimators=100`, `subsample=1.0`, `max_depth=3`, `alpha=0.9`, and the trees'
    /// defaults otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    /// The loss; default [`RegressionLoss::SquaredError`].
    pub fn loss(mut self, v: RegressionLoss) -> Self {
        self.loss = v;
        self
    }

    /// The quantile of the Huber and quantile losses, in `(0, 1)`; default 0.9.
    pub fn alpha(mut self, v: f64) -> Self {
        self.alpha = v;
        self
    }

    boosting_params!(REG);
}

impl GradientBoostingRegressor {
    /// [`fit`](Regressor::fit) with a weight per sample (scikit-learn's `sample_weight`:
    /// finite, non-negative, one per row), weighting the initial estimate, the trees and
    /// the leaf values.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.fit_with(
            "GradientBoostingRegressor::fit_weighted",
            x,
            y,
            Some(sample_weight),
        )
    }

    /// The prediction after each stage (scikit-learn's `staged_predict`), one vector per
    /// stage.
    pub fn staged_predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Vec<Target<E>>> {
        let (s, x) = self.input("GradientBoostingRegressor::staged_predict", x)?;
        s.staged_raw(&x).iter().map(|r| vector(r)).collect()
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let y = check_y_reg(op, y, x.rows)?;
        let w = sample_weight
            .map(|w| sample_weights(op, Some(w), x.rows))
            .transpose()?;
        let loss = match self.loss {
            RegressionLoss::SquaredError => Loss::SquaredError,
            RegressionLoss::AbsoluteError => Loss::AbsoluteError,
            robust => {
                check_param(REG, "alpha", self.alpha, "a float in (0, 1)", |v| {
                    v > 0.0 && v < 1.0
                })?;
                if robust == RegressionLoss::Huber {
                    Loss::Huber {
                        alpha: self.alpha,
                        delta: 0.0,
                    }
                } else {
                    Loss::Quantile(self.alpha)
                }
            }
        };
        let previous = self.state.as_ref();
        let w = w.as_deref();
        let fitted = self
            .boost
            .fit(REG, op, &self.params, loss, &x, &y, w, 0, previous)?;
        self.state = Some(fitted);
        Ok(self)
    }
}

impl Regressor for GradientBoostingRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.fit_with("GradientBoostingRegressor::fit", x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        let (s, x) = self.input("GradientBoostingRegressor::predict", x)?;
        vector(&s.raw(&x))
    }
}

/// Gradient boosting for classification (scikit-learn's `GradientBoostingClassifier`): one
/// tree per stage for two classes, one per class and stage for more.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::GradientBoostingClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..100).map(f64::from).collect();
/// let y: Vec<usize> = (0..50).map(|i| usize::from(i >= 25)).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (50, 2)), dev.tensor_from_vec(y, (50,)));
/// let mut gb = GradientBoostingClassifier::new().n_estimators(20);
/// assert_eq!(gb.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GradientBoostingClassifier {
    params: Params,
    boost: BoostParams,
    loss: ClassificationLoss,
    state: Option<Booster>,
    classes: Vec<usize>,
}

impl Default for GradientBoostingClassifier {
    fn default() -> Self {
        GradientBoostingClassifier {
            params: booster_tree_params(),
            boost: BoostParams::default(),
            loss: ClassificationLoss::LogLoss,
            state: None,
            classes: Vec::new(),
        }
    }
}

impl GradientBoostingClassifier {
    /// scikit-learn's defaults: `loss='log_loss'`, otherwise as
    /// [`GradientBoostingRegressor::new`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The loss; default [`ClassificationLoss::LogLoss`].
    pub fn loss(mut self, v: ClassificationLoss) -> Self {
        self.loss = v;
        self
    }

    boosting_params!(CLF);

    /// The class probabilities of the rows of `x`.
    fn proba(&self, op: &'static str, x: &Features<impl Dim, impl Dtype>) -> Result<Matrix> {
        let (s, x) = self.input(op, x)?;
        Ok(Matrix {
            rows: x.rows,
            cols: self.classes.len(),
            data: s.loss.probabilities(&s.raw(&x)),
        })
    }
}

impl GradientBoostingClassifier {
    /// [`fit`](Classifier::fit) with a weight per sample (scikit-learn's `sample_weight`:
    /// finite, non-negative, one per row, leaving at least two classes with weight),
    /// weighting the class priors, the trees and the leaf values.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.fit_with(
            "GradientBoostingClassifier::fit_weighted",
            x,
            y,
            Some(sample_weight),
        )
    }

    /// The raw scores after each stage (scikit-learn's `staged_decision_function`), laid out
    /// as [`decision_function`](DecisionFunction::decision_function)'s.
    pub fn staged_decision_function<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Vec<Scores<E>>> {
        let (s, x) = self.input("GradientBoostingClassifier::staged_decision_function", x)?;
        s.staged_raw(&x)
            .into_iter()
            .map(|data| {
                Matrix {
                    rows: x.rows,
                    cols: s.init.len(),
                    data,
                }
                .to_tensor()
            })
            .collect()
    }

    /// The class probabilities after each stage (scikit-learn's `staged_predict_proba`).
    pub fn staged_predict_proba<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Vec<Scores<E>>> {
        let (s, x) = self.input("GradientBoostingClassifier::staged_predict_proba", x)?;
        s.staged_raw(&x)
            .iter()
            .map(|raw| {
                Matrix {
                    rows: x.rows,
                    cols: self.classes.len(),
                    data: s.loss.probabilities(raw),
                }
                .to_tensor()
            })
            .collect()
    }

    /// The predicted classes after each stage (scikit-learn's `staged_predict`).
    pub fn staged_predict<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Vec<Target<usize>>> {
        let (s, x) = self.input("GradientBoostingClassifier::staged_predict", x)?;
        s.staged_raw(&x)
            .iter()
            .map(|raw| self.labels(s, raw))
            .collect()
    }

    /// The class of the largest raw score (for two classes, the second where its score is
    /// at least 0), as scikit-learn decides.
    fn labels(&self, s: &Booster, raw: &[f64]) -> Result<Target<usize>> {
        let codes: Vec<usize> = if s.init.len() == 1 {
            raw.iter().map(|&r| usize::from(r >= 0.0)).collect()
        } else {
            raw.chunks_exact(s.init.len()).map(argmax).collect()
        };
        label_vector(codes.into_iter().map(|c| self.classes[c]).collect())
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let labels = check_y_class(op, y, x.rows, 2)?;
        let w = sample_weight
            .map(|w| sample_weights(op, Some(w), x.rows))
            .transpose()?;
        let k = labels.classes.len();
        let loss = match (self.loss, k) {
            (ClassificationLoss::LogLoss, 2) => Loss::Binomial,
            (ClassificationLoss::LogLoss, _) => Loss::Multinomial(k),
            (ClassificationLoss::Exponential, 2) => Loss::Exponential,
            (ClassificationLoss::Exponential, _) => {
                return Err(Error::parameter(
                    CLF,
                    "loss",
                    "'log_loss' for more than two classes ('exponential' is binary only)",
                    "'exponential'",
                ))
            }
        };
        let codes: Vec<f64> = labels.codes.iter().map(|&c| c as f64).collect();
        let previous = self
            .state
            .as_ref()
            .filter(|_| self.classes == labels.classes);
        if self.boost.warm_start && self.state.is_some() && previous.is_none() {
            return Err(Error::input(
                op,
                "warm_start continues a fit on the same classes only",
            ));
        }
        let w = w.as_deref();
        let fitted = self
            .boost
            .fit(CLF, op, &self.params, loss, &x, &codes, w, k, previous)?;
        self.state = Some(fitted);
        self.classes = labels.classes;
        Ok(self)
    }
}

impl Classifier for GradientBoostingClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        self.fit_with("GradientBoostingClassifier::fit", x, y, None)
    }

    /// The class of the largest raw score (for two classes, the second where its score is
    /// at least 0), as scikit-learn decides.
    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let (s, x) = self.input("GradientBoostingClassifier::predict", x)?;
        self.labels(s, &s.raw(&x))
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|_| self.classes.as_slice())
    }
}

impl PredictProba for GradientBoostingClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.proba("GradientBoostingClassifier::predict_proba", x)?
            .to_tensor()
    }
}

impl DecisionFunction for GradientBoostingClassifier {
    /// The raw scores: one column for two classes (the log-odds of the second, halved for
    /// the exponential loss), one per class for more.
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let (s, x) = self.input("GradientBoostingClassifier::decision_function", x)?;
        Matrix {
            rows: x.rows,
            cols: s.init.len(),
            data: s.raw(&x),
        }
        .to_tensor()
    }
}
