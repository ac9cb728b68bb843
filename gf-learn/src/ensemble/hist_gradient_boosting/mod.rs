//! Histogram-based gradient boosting, as scikit-learn's `HistGradientBoostingRegressor` and
//! `HistGradientBoostingClassifier` (LightGBM's algorithm).
//!
//! Features are binned once into at most 255 quantile bins plus one for NaN; each tree is
//! grown leaf-wise on per-node histograms of gradients and hessians, so a split search costs
//! O(bins) per feature instead of O(samples). NaN is a missing value: each split learns
//! whether it goes left or right. Numerical features only; no sample weights, categorical
//! features or feature subsampling (`max_features`) yet.

mod binning;
mod grower;
mod histogram;
pub(crate) mod loss;
mod predictor;

use gf_core::rng::Xoshiro256;
use gf_core::shape::Dim;
use gf_core::Dtype;

use self::binning::BinMapper;
use self::grower::{Grower, TreeParams};
use self::loss::Loss;
use self::predictor::Tree;
use crate::error::Result;
use crate::traits::{
    Classifier, DecisionFunction, Features, PredictProba, Regressor, Scores, Target,
};
use crate::validation::{
    argmax, check_param, check_x_width_with, check_x_with, check_y_class, check_y_reg, fitted,
    label_vector, vector, Matrix, Missing,
};

/// When to hold out a validation set and stop once its loss stops improving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyStopping {
    /// On when there are more than 10 000 samples (scikit-learn's `'auto'`).
    Auto,
    /// Always on.
    On,
    /// Always off: exactly `max_iter` iterations.
    Off,
}

/// The hyper-parameters both estimators share, with scikit-learn's defaults.
#[derive(Clone, Debug)]
struct Params {
    learning_rate: f64,
    max_iter: usize,
    max_leaf_nodes: Option<usize>,
    max_depth: Option<usize>,
    min_samples_leaf: usize,
    l2_regularization: f64,
    max_bins: usize,
    early_stopping: EarlyStopping,
    validation_fraction: f64,
    n_iter_no_change: usize,
    tol: f64,
    random_state: u64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            learning_rate: 0.1,
            max_iter: 100,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: EarlyStopping::Auto,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            random_state: 0,
        }
    }
}

/// A fitted booster: the baseline and the trees, `n_trees` per iteration.
#[derive(Clone, Debug)]
struct Booster {
    n_features: usize,
    baseline: Vec<f64>,
    trees: Vec<Tree>,
    n_trees: usize,
    bin_thresholds: Vec<Vec<f64>>,
    train_score: Vec<f64>,
    validation_score: Vec<f64>,
}

impl Params {
    fn validate(&self, name: &'static str) -> Result<()> {
        check_param(
            name,
            "learning_rate",
            self.learning_rate,
            "a float in (0, inf)",
            |v| v > 0.0 && v.is_finite(),
        )?;
        check_param(name, "max_iter", self.max_iter, "an int in [1, inf)", |v| {
            v >= 1
        })?;
        check_param(
            name,
            "max_leaf_nodes",
            self.max_leaf_nodes,
            "None or an int in [2, inf)",
            |v| v.is_none_or(|v| v >= 2),
        )?;
        check_param(
            name,
            "max_depth",
            self.max_depth,
            "None or an int in [1, inf)",
            |v| v.is_none_or(|v| v >= 1),
        )?;
        check_param(
            name,
            "min_samples_leaf",
            self.min_samples_leaf,
            "an int in [1, inf)",
            |v| v >= 1,
        )?;
        check_param(
            name,
            "l2_regularization",
            self.l2_regularization,
            "a float in [0, inf)",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        check_param(name, "max_bins", self.max_bins, "an int in [2, 255]", |v| {
            (2..=255).contains(&v)
        })?;
        check_param(
            name,
            "validation_fraction",
            self.validation_fraction,
            "a float in (0, 1)",
            |v| v > 0.0 && v < 1.0,
        )?;
        check_param(
            name,
            "n_iter_no_change",
            self.n_iter_no_change,
            "an int in [1, inf)",
            |v| v >= 1,
        )?;
        check_param(name, "tol", self.tol, "a float in [0, inf)", |v| {
            v >= 0.0 && v.is_finite()
        })
    }

    /// Boosts `max_iter` iterations (fewer with early stopping) of `loss` on `x`, `y`.
    fn boost(&self, x: &Matrix, y: &[f64], loss: Loss) -> Booster {
        let early = match self.early_stopping {
            EarlyStopping::Auto => x.rows > 10_000,
            EarlyStopping::On => true,
            EarlyStopping::Off => false,
        };
        let (train, val) = if early {
            let mut perm = Xoshiro256::new(self.random_state).permutation(x.rows);
            let n_val = ((x.rows as f64 * self.validation_fraction).ceil() as usize).max(1);
            let train = perm.split_off(n_val);
            (train, perm)
        } else {
            ((0..x.rows).collect(), Vec::new())
        };
        let rows_of = |idx: &[usize]| {
            let mut m = Matrix::zeros(idx.len(), x.cols);
            for (r, &i) in idx.iter().enumerate() {
                m.row_mut(r).copy_from_slice(x.row(i));
            }
            m
        };
        let (xt, xv) = if early {
            (rows_of(&train), rows_of(&val))
        } else {
            (x.clone(), Matrix::zeros(0, x.cols))
        };
        let yt: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let yv: Vec<f64> = val.iter().map(|&i| y[i]).collect();
        let n = xt.rows;
        let k = loss.n_trees();
        let mapper = BinMapper::fit(&xt, self.max_bins);
        let binned = mapper.transform(&xt);
        let n_bins: Vec<usize> = (0..x.cols).map(|j| mapper.n_bins_non_missing(j)).collect();
        let baseline = loss.baseline(&yt);
        let mut raw: Vec<f64> = (0..n).flat_map(|_| baseline.iter().copied()).collect();
        let mut raw_val: Vec<f64> = (0..xv.rows)
            .flat_map(|_| baseline.iter().copied())
            .collect();
        let (mut grad, mut hess) = (vec![0f32; n * k], vec![0f32; n * k]);
        let params = TreeParams {
            max_leaf_nodes: self.max_leaf_nodes,
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            l2: self.l2_regularization,
            shrinkage: self.learning_rate,
        };
        let grower = Grower {
            binned: &binned,
            n_samples: n,
            mapper: &mapper,
            n_bins_non_missing: &n_bins,
            params: &params,
        };
        let mut trees = Vec::with_capacity(self.max_iter * k);
        let (mut train_score, mut validation_score) = (Vec::new(), Vec::new());
        if early {
            train_score.push(-loss.mean_loss(&yt, &raw));
            validation_score.push(-loss.mean_loss(&yv, &raw_val));
        }
        for _ in 0..self.max_iter {
            loss.gradients(&yt, &raw, &mut grad, &mut hess);
            for c in 0..k {
                let (g, h) = (&grad[c * n..(c + 1) * n], &hess[c * n..(c + 1) * n]);
                let tree = grower.grow(g, h, &mut raw, k, c);
                for i in 0..xv.rows {
                    raw_val[i * k + c] += tree.predict_row(xv.row(i));
                }
                trees.push(tree);
            }
            if early {
                train_score.push(-loss.mean_loss(&yt, &raw));
                validation_score.push(-loss.mean_loss(&yv, &raw_val));
                if self.should_stop(&validation_score) {
                    break;
                }
            }
        }
        Booster {
            n_features: x.cols,
            baseline,
            trees,
            n_trees: k,
            bin_thresholds: mapper.thresholds.clone(),
            train_score,
            validation_score,
        }
    }

    /// scikit-learn's `_should_stop`: none of the last `n_iter_no_change` scores beats the
    /// one before them by more than `tol`.
    fn should_stop(&self, scores: &[f64]) -> bool {
        let reference = self.n_iter_no_change + 1;
        if scores.len() < reference {
            return false;
        }
        let threshold = scores[scores.len() - reference] + self.tol;
        !scores[scores.len() - reference + 1..]
            .iter()
            .any(|&s| s > threshold)
    }
}

impl Booster {
    /// The raw scores of `x`, sample-major with `n_trees` per sample.
    fn raw(&self, x: &Matrix) -> Vec<f64> {
        let k = self.n_trees;
        let mut raw: Vec<f64> = (0..x.rows)
            .flat_map(|_| self.baseline.iter().copied())
            .collect();
        for (t, tree) in self.trees.iter().enumerate() {
            for i in 0..x.rows {
                raw[i * k + t % k] += tree.predict_row(x.row(i));
            }
        }
        raw
    }

    fn n_iter(&self) -> usize {
        self.trees.len() / self.n_trees
    }
}

/// Builder methods for the shared hyper-parameters, written once for both estimators.
macro_rules! shared_params {
    () => {
        /// The shrinkage of every leaf value, in `(0, inf)`; default 0.1.
        pub fn learning_rate(mut self, v: f64) -> Self {
            self.params.learning_rate = v;
            self
        }
        /// The number of boosting iterations, in `[1, inf)`; default 100.
        pub fn max_iter(mut self, v: usize) -> Self {
            self.params.max_iter = v;
            self
        }
        /// The most leaves per tree (`None`: no limit), at least 2; default 31.
        pub fn max_leaf_nodes(mut self, v: Option<usize>) -> Self {
            self.params.max_leaf_nodes = v;
            self
        }
        /// The deepest a leaf may be (`None`: no limit), at least 1; default `None`.
        pub fn max_depth(mut self, v: Option<usize>) -> Self {
            self.params.max_depth = v;
            self
        }
        /// The fewest training samples per leaf, in `[1, inf)`; default 20.
        pub fn min_samples_leaf(mut self, v: usize) -> Self {
            self.params.min_samples_leaf = v;
            self
        }
        /// The L2 penalty on leaf values, in `[0, inf)`; default 0.
        pub fn l2_regularization(mut self, v: f64) -> Self {
            self.params.l2_regularization = v;
            self
        }
        /// The most bins per feature for non-missing values, in `[2, 255]`; default 255.
        pub fn max_bins(mut self, v: usize) -> Self {
            self.params.max_bins = v;
            self
        }
        /// Whether to stop early on a held-out validation loss; default
        /// [`EarlyStopping::Auto`].
        pub fn early_stopping(mut self, v: EarlyStopping) -> Self {
            self.params.early_stopping = v;
            self
        }
        /// The share of samples held out for early stopping, in `(0, 1)`; default 0.1.
        pub fn validation_fraction(mut self, v: f64) -> Self {
            self.params.validation_fraction = v;
            self
        }
        /// Iterations without improvement before early stopping, in `[1, inf)`; default 10.
        pub fn n_iter_no_change(mut self, v: usize) -> Self {
            self.params.n_iter_no_change = v;
            self
        }
        /// The least improvement of the validation score that counts, in `[0, inf)`;
        /// default 1e-7.
        pub fn tol(mut self, v: f64) -> Self {
            self.params.tol = v;
            self
        }
        /// The seed of the validation split; default 0.
        pub fn random_state(mut self, v: u64) -> Self {
            self.params.random_state = v;
            self
        }
        /// The number of boosting iterations run (fewer than `max_iter` after early
        /// stopping); `None` before `fit`.
        pub fn n_iter_(&self) -> Option<usize> {
            self.state.as_ref().map(|s| s.n_iter())
        }
        /// Trees built per iteration: 1, or the number of classes for multiclass log loss;
        /// `None` before `fit`.
        pub fn n_trees_per_iteration_(&self) -> Option<usize> {
            self.state.as_ref().map(|s| s.n_trees)
        }
        /// The negated training loss before the first and after each iteration, when early
        /// stopping is on (empty otherwise); `None` before `fit`.
        pub fn train_score_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| s.train_score.as_slice())
        }
        /// The negated validation loss, as [`train_score_`](Self::train_score_); `None`
        /// before `fit`.
        pub fn validation_score_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| s.validation_score.as_slice())
        }
        /// The bin edges learned for each feature (values `<= edge` fall below it), as
        /// scikit-learn's `_bin_mapper.bin_thresholds_`; `None` before `fit`.
        pub fn bin_thresholds_(&self) -> Option<&[Vec<f64>]> {
            self.state.as_ref().map(|s| s.bin_thresholds.as_slice())
        }
        /// The number of leaves of each tree, in fitting order; `None` before `fit`.
        pub fn n_leaves_(&self) -> Option<Vec<usize>> {
            self.state
                .as_ref()
                .map(|s| s.trees.iter().map(Tree::n_leaves).collect())
        }
    };
}

const REG: &str = "HistGradientBoostingRegressor";
const CLF: &str = "HistGradientBoostingClassifier";

/// Gradient boosting of histogram trees for regression with the squared error, as
/// scikit-learn's `HistGradientBoostingRegressor`. NaN in X is a missing value.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::HistGradientBoostingRegressor;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..200).map(|i| i as f64 / 20.0).collect();
/// let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (200, 1)), dev.tensor_from_vec(y, (200,)));
/// let mut hgb = HistGradientBoostingRegressor::new();
/// assert!(hgb.fit(&x, &y)?.score(&x, &y)? > 0.95);
/// assert_eq!(hgb.n_iter_(), Some(100));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct HistGradientBoostingRegressor {
    params: Params,
    state: Option<Booster>,
}

impl HistGradientBoostingRegressor {
    /// scikit-learn's defaults (`loss='squared_error'`, `learning_rate=0.1`, `max_iter=100`,
    /// `max_leaf_nodes=31`, `min_samples_leaf=20`, `max_bins=255`, `early_stopping='auto'`).
    pub fn new() -> Self {
        Self::default()
    }

    shared_params!();
}

impl Regressor for HistGradientBoostingRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "HistGradientBoostingRegressor::fit";
        self.params.validate(REG)?;
        let x = check_x_with(OP, x, Missing::Allow)?;
        let y = check_y_reg(OP, y, x.rows)?;
        self.state = Some(self.params.boost(&x, &y, Loss::SquaredError));
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "HistGradientBoostingRegressor::predict";
        let s = fitted(&self.state, REG, OP)?;
        let x = check_x_width_with(OP, REG, x, s.n_features, Missing::Allow)?;
        vector(&s.raw(&x))
    }
}

/// Gradient boosting of histogram trees for classification with the log loss (one tree per
/// iteration for two classes, one per class and iteration for more), as scikit-learn's
/// `HistGradientBoostingClassifier`. NaN in X is a missing value.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::HistGradientBoostingClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..100).map(|i| i as f64).collect();
/// let y: Vec<usize> = (0..100).map(|i| usize::from(i >= 50)).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (100, 1)), dev.tensor_from_vec(y, (100,)));
/// let mut hgb = HistGradientBoostingClassifier::new();
/// assert_eq!(hgb.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// assert_eq!(hgb.classes_(), Some(&[0, 1][..]));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct HistGradientBoostingClassifier {
    params: Params,
    state: Option<Booster>,
    classes: Vec<usize>,
}

impl HistGradientBoostingClassifier {
    /// scikit-learn's defaults (`loss='log_loss'`, otherwise as
    /// [`HistGradientBoostingRegressor::new`]).
    pub fn new() -> Self {
        Self::default()
    }

    shared_params!();

    fn proba(&self, op: &'static str, x: &Matrix) -> Result<Matrix> {
        let s = fitted(&self.state, CLF, op)?;
        let raw = s.raw(x);
        let k = self.classes.len();
        let mut out = Matrix::zeros(x.rows, k);
        for i in 0..x.rows {
            if s.n_trees == 1 {
                let p = loss::expit(raw[i]);
                out.row_mut(i).copy_from_slice(&[1.0 - p, p]);
            } else {
                loss::softmax(&raw[i * k..(i + 1) * k], out.row_mut(i));
            }
        }
        Ok(out)
    }

    fn input<F: Dim, E: Dtype>(&self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        let s = fitted(&self.state, CLF, op)?;
        check_x_width_with(op, CLF, x, s.n_features, Missing::Allow)
    }
}

impl Classifier for HistGradientBoostingClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "HistGradientBoostingClassifier::fit";
        self.params.validate(CLF)?;
        let x = check_x_with(OP, x, Missing::Allow)?;
        let labels = check_y_class(OP, y, x.rows, 2)?;
        let k = labels.classes.len();
        let loss = if k == 2 {
            Loss::Binomial
        } else {
            Loss::Multinomial(k)
        };
        let codes: Vec<f64> = labels.codes.iter().map(|&c| c as f64).collect();
        self.state = Some(self.params.boost(&x, &codes, loss));
        self.classes = labels.classes;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "HistGradientBoostingClassifier::predict";
        let x = self.input(OP, x)?;
        let p = self.proba(OP, &x)?;
        label_vector(
            (0..p.rows)
                .map(|i| self.classes[argmax(p.row(i))])
                .collect(),
        )
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|_| self.classes.as_slice())
    }
}

impl PredictProba for HistGradientBoostingClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "HistGradientBoostingClassifier::predict_proba";
        let x = self.input(OP, x)?;
        self.proba(OP, &x)?.to_tensor()
    }
}

impl DecisionFunction for HistGradientBoostingClassifier {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "HistGradientBoostingClassifier::decision_function";
        let x = self.input(OP, x)?;
        let s = fitted(&self.state, CLF, OP)?;
        let raw = s.raw(&x);
        Matrix {
            rows: x.rows,
            cols: s.n_trees,
            data: raw,
        }
        .to_tensor()
    }
}
