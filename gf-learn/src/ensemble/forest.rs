//! Forests of trees, as scikit-learn's `RandomForestClassifier` / `Regressor` (best splits
//! on bootstrap samples) and `ExtraTreesClassifier` / `Regressor` (random thresholds on all
//! samples): a random subset of features at each split, the trees' predictions averaged. The
//! two kinds share one implementation, [`ForestClassifier`] and [`ForestRegressor`], told apart
//! by a [`ForestKind`]. Trees are grown in parallel (rayon); each has its own seed, so the
//! result does not depend on the number of threads.
//!
//! The seeds, bootstrap samples and feature orders are drawn as scikit-learn draws them (numpy's
//! MT19937 and the splitter's generator), so `random_state = s` grows scikit-learn's forest for
//! `random_state=s`.

use std::marker::PhantomData;

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use crate::ensemble::check_n_estimators;
use crate::error::{Error, Result};
use crate::linear_model::ClassWeight;
use crate::metrics;
use crate::traits::{Classifier, Features, PredictProba, Regressor, Scores, Target};
use crate::tree::numpy_random::RandomState;
use crate::tree::{
    f32_columns, mean_importances, splitter_seed, tree_setters, ClassificationCriterion, Criterion,
    MaxFeatures, Params, RegressionCriterion, Splitter, Targets, TrainingSet, Tree,
};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, check_y_reg, fitted, label_vector,
    vector, Matrix,
};

/// What sets a kind of forest apart: its names, splitter and bootstrap default.
pub trait ForestKind: Clone + std::fmt::Debug + Default + Send + Sync {
    /// The classifier's scikit-learn name.
    const CLASSIFIER: &'static str;
    /// The regressor's scikit-learn name.
    const REGRESSOR: &'static str;
    /// `"<classifier>::fit"`, `"::predict"` and `"::predict_proba"`, for error messages.
    const CLASSIFIER_OPS: [&'static str; 3];
    /// `"<regressor>::fit"` and `"::predict"`.
    const REGRESSOR_OPS: [&'static str; 2];
    /// How the trees choose thresholds.
    const SPLITTER: Splitter;
    /// Whether trees see bootstrap samples by default.
    const BOOTSTRAP: bool;
}

macro_rules! forest_kind {
    ($(#[$doc:meta])* $kind:ident, $clf:literal, $reg:literal, $splitter:expr, $bootstrap:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $kind;

        impl ForestKind for $kind {
            const CLASSIFIER: &'static str = $clf;
            const REGRESSOR: &'static str = $reg;
            const CLASSIFIER_OPS: [&'static str; 3] = [
                concat!($clf, "::fit"),
                concat!($clf, "::predict"),
                concat!($clf, "::predict_proba"),
            ];
            const REGRESSOR_OPS: [&'static str; 2] =
                [concat!($reg, "::fit"), concat!($reg, "::predict")];
            const SPLITTER: Splitter = $splitter;
            const BOOTSTRAP: bool = $bootstrap;
        }
    };
}

forest_kind!(
    /// Breiman's random forest: best splits on bootstrap samples.
    RandomTrees,
    "RandomForestClassifier",
    "RandomForestRegressor",
    Splitter::Best,
    true
);
forest_kind!(
    /// Extremely randomised trees: random thresholds on all samples.
    ExtraTrees,
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    Splitter::Random,
    false
);

/// A random forest classifier (scikit-learn's `RandomForestClassifier`).
pub type RandomForestClassifier = ForestClassifier<RandomTrees>;
/// A random forest regressor (scikit-learn's `RandomForestRegressor`).
pub type RandomForestRegressor = ForestRegressor<RandomTrees>;
/// An extra-trees classifier (scikit-learn's `ExtraTreesClassifier`).
pub type ExtraTreesClassifier = ForestClassifier<ExtraTrees>;
/// An extra-trees regressor (scikit-learn's `ExtraTreesRegressor`).
pub type ExtraTreesRegressor = ForestRegressor<ExtraTrees>;

/// The settings that make a forest out of trees.
#[derive(Clone, Debug)]
struct ForestParams {
    n_estimators: usize,
    bootstrap: bool,
    oob_score: bool,
    max_samples: Option<usize>,
}

impl ForestParams {
    fn new(bootstrap: bool) -> Self {
        ForestParams {
            n_estimators: 100,
            bootstrap,
            oob_score: false,
            max_samples: None,
        }
    }
}

/// A fitted forest.
#[derive(Clone, Debug)]
struct Forest {
    trees: Vec<Tree>,
    n_features: usize,
    /// The out-of-bag score and per-sample predictions, when asked for.
    oob: Option<(f64, Matrix)>,
}

impl Forest {
    /// The mean of the trees' leaf values for each row of `x` (class probabilities or the
    /// prediction), summed in tree order as scikit-learn does.
    fn mean_value(&self, x: &Matrix, width: usize) -> Matrix {
        let rows: Vec<Vec<f64>> = (0..x.rows)
            .into_par_iter()
            .map(|i| {
                let mut acc = vec![0.0; width];
                for t in &self.trees {
                    acc.iter_mut()
                        .zip(t.predict_row(x.row(i)))
                        .for_each(|(a, v)| *a += v);
                }
                acc.iter_mut().for_each(|a| *a /= self.trees.len() as f64);
                acc
            })
            .collect();
        Matrix {
            rows: x.rows,
            cols: width,
            data: rows.concat(),
        }
    }

    /// The trees' importances averaged over the trees with a split, normalised to sum to 1.
    fn feature_importances(&self) -> Vec<f64> {
        mean_importances(&self.trees, self.n_features, Tree::feature_importances)
    }
}

/// The bootstrap counts of one tree: `n_draws` samples drawn with replacement, as
/// scikit-learn's `_generate_sample_indices`.
fn bootstrap_counts(seed: u32, n_samples: usize, n_draws: usize) -> Vec<f64> {
    let mut rs = RandomState::new(seed);
    let mut counts = vec![0.0; n_samples];
    for _ in 0..n_draws {
        counts[rs.randint(n_samples as u64) as usize] += 1.0;
    }
    counts
}

impl ForestParams {
    /// Grows the forest on `x`, with `weights` (class weights, or 1) per sample; `value_width`
    /// is the length of a leaf value (classes, or 1), for the out-of-bag predictions.
    #[allow(clippy::too_many_arguments)]
    fn fit(
        &self,
        name: &'static str,
        tree_params: &Params,
        criterion: Criterion,
        x: &Matrix,
        targets: Targets,
        weights: &[f64],
        value_width: usize,
    ) -> Result<Forest> {
        check_n_estimators(name, self.n_estimators)?;
        check_param(
            name,
            "max_samples",
            self.max_samples,
            "None or an int in [1, n_samples]",
            |v| v.is_none_or(|v| (1..=x.rows).contains(&v)),
        )?;
        if self.oob_score && !self.bootstrap {
            return Err(Error::parameter(
                name,
                "oob_score",
                "false unless bootstrap is true (out-of-bag samples need a bootstrap)",
                true,
            ));
        }
        let rules = tree_params.rules(name, criterion, x.cols)?;
        let columns = f32_columns(x);
        let mut rs = RandomState::new(tree_params.random_state as u32);
        let seeds: Vec<u32> = (0..self.n_estimators)
            .map(|_| rs.randint(i32::MAX as u64))
            .collect();
        let n_draws = self.max_samples.unwrap_or(x.rows);
        let sample_weights = |seed: u32| -> Vec<f64> {
            if !self.bootstrap {
                return weights.to_vec();
            }
            let counts = bootstrap_counts(seed, x.rows, n_draws);
            counts.iter().zip(weights).map(|(c, w)| c * w).collect()
        };
        let trees: Vec<Tree> = seeds
            .par_iter()
            .map(|&seed| {
                let w = sample_weights(seed);
                let data = TrainingSet {
                    columns: &columns,
                    n_samples: x.rows,
                    n_features: x.cols,
                    targets,
                    weights: &w,
                };
                tree_params.grow(&rules, &data, splitter_seed(&mut RandomState::new(seed)))
            })
            .collect();
        let mut forest = Forest {
            trees,
            n_features: x.cols,
            oob: None,
        };
        if self.oob_score {
            let pred = self.oob_predictions(&forest, &seeds, x, n_draws, value_width);
            forest.oob = Some((0.0, pred));
        }
        Ok(forest)
    }

    /// Each sample's mean prediction by the trees whose bootstrap left it out (0 for a sample
    /// every tree saw), as scikit-learn's `_compute_oob_predictions`.
    fn oob_predictions(
        &self,
        forest: &Forest,
        seeds: &[u32],
        x: &Matrix,
        n_draws: usize,
        width: usize,
    ) -> Matrix {
        let mut pred = Matrix::zeros(x.rows, width);
        let mut n_pred = vec![0usize; x.rows];
        for (tree, &seed) in forest.trees.iter().zip(seeds) {
            let counts = bootstrap_counts(seed, x.rows, n_draws);
            for i in (0..x.rows).filter(|&i| counts[i] == 0.0) {
                let value = tree.predict_row(x.row(i));
                pred.row_mut(i)
                    .iter_mut()
                    .zip(value)
                    .for_each(|(p, v)| *p += v);
                n_pred[i] += 1;
            }
        }
        for (i, &n) in n_pred.iter().enumerate() {
            let n = n.max(1) as f64;
            pred.row_mut(i).iter_mut().for_each(|p| *p /= n);
        }
        pred
    }
}

/// Builder methods and fitted attributes written once for both forests.
macro_rules! forest_params {
    ($name:expr) => {
        tree_setters!();
        /// The number of trees, in `[1, inf)`; default 100.
        pub fn n_estimators(mut self, v: usize) -> Self {
            self.forest.n_estimators = v;
            self
        }
        /// Whether each tree sees a bootstrap sample (else all samples); default true for
        /// random forests, false for extra trees.
        pub fn bootstrap(mut self, v: bool) -> Self {
            self.forest.bootstrap = v;
            self
        }
        /// Whether to score the forest on the samples each tree's bootstrap left out;
        /// default false.
        pub fn oob_score(mut self, v: bool) -> Self {
            self.forest.oob_score = v;
            self
        }
        /// The bootstrap sample size (`None`: the number of samples), in `[1, n_samples]`.
        pub fn max_samples(mut self, v: Option<usize>) -> Self {
            self.forest.max_samples = v;
            self
        }
        /// The out-of-bag score (accuracy, or R²), when `oob_score` is on; `None` otherwise
        /// and before `fit`.
        pub fn oob_score_(&self) -> Option<f64> {
            self.state
                .as_ref()
                .and_then(|s| s.oob.as_ref())
                .map(|o| o.0)
        }
        /// The trees' impurity-based importances, averaged and normalised to sum to 1;
        /// `None` before `fit`.
        pub fn feature_importances_(&self) -> Option<Vec<f64>> {
            self.state.as_ref().map(Forest::feature_importances)
        }
        /// The number of features seen by `fit`; `None` before `fit`.
        pub fn n_features_in_(&self) -> Option<usize> {
            self.state.as_ref().map(|s| s.n_features)
        }
        /// The depth of each tree, in fitting order; `None` before `fit`.
        pub fn tree_depths(&self) -> Option<Vec<usize>> {
            self.state
                .as_ref()
                .map(|s| s.trees.iter().map(Tree::depth).collect())
        }
        fn input<F: Dim, E: Dtype>(
            &self,
            op: &'static str,
            x: &Features<F, E>,
        ) -> Result<(&Forest, Matrix)> {
            let s = fitted(&self.state, $name, op)?;
            Ok((s, check_x_width(op, $name, x, s.n_features)?))
        }
    };
}

/// A forest of classification trees (random forest or extra trees, as `K` says): the class
/// probabilities are the mean of the trees'.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::{ExtraTreesClassifier, RandomForestClassifier};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..80).map(f64::from).collect();
/// let y: Vec<usize> = (0..40).map(|i| usize::from(i >= 20)).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (40, 2)), dev.tensor_from_vec(y, (40,)));
/// let mut forest = RandomForestClassifier::new().n_estimators(10).oob_score(true);
/// assert_eq!(forest.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// assert!(forest.oob_score_().unwrap() > 0.9);
/// let mut extra = ExtraTreesClassifier::new().n_estimators(10);
/// assert_eq!(extra.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ForestClassifier<K: ForestKind> {
    params: Params,
    forest: ForestParams,
    criterion: ClassificationCriterion,
    class_weight: ClassWeight,
    state: Option<Forest>,
    classes: Vec<usize>,
    kind: PhantomData<K>,
}

impl<K: ForestKind> Default for ForestClassifier<K> {
    fn default() -> Self {
        ForestClassifier {
            params: Params {
                max_features: MaxFeatures::Sqrt,
                splitter: K::SPLITTER,
                ..Params::default()
            },
            forest: ForestParams::new(K::BOOTSTRAP),
            criterion: ClassificationCriterion::Gini,
            class_weight: ClassWeight::None,
            state: None,
            classes: Vec::new(),
            kind: PhantomData,
        }
    }
}

impl<K: ForestKind> ForestClassifier<K> {
    /// scikit-learn's defaults: `n_estimators=100`, `criterion='gini'`,
    /// `max_features='sqrt'`, `bootstrap=True` for random forests and `False` for extra
    /// trees, `oob_score=False`, `max_samples=None`, and the trees' defaults otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    /// The impurity each tree minimises; default [`ClassificationCriterion::Gini`].
    pub fn criterion(mut self, v: ClassificationCriterion) -> Self {
        self.criterion = v;
        self
    }

    /// The weight of each class (multiplying the bootstrap counts); default
    /// [`ClassWeight::None`].
    pub fn class_weight(mut self, v: ClassWeight) -> Self {
        self.class_weight = v;
        self
    }

    /// Each training sample's class probabilities from the trees that did not see it, when
    /// `oob_score` is on (scikit-learn's `oob_decision_function_`, rows of zeros for samples
    /// every tree saw); `None` otherwise.
    pub fn oob_decision_function_(&self) -> Option<Vec<f64>> {
        let oob = self.state.as_ref()?.oob.as_ref()?;
        Some(oob.1.data.clone())
    }

    forest_params!(K::CLASSIFIER);
}

impl<K: ForestKind> Classifier for ForestClassifier<K> {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        let op = K::CLASSIFIER_OPS[0];
        let x = check_x(op, x)?;
        let labels = check_y_class(op, y, x.rows, 1)?;
        let class_w = self.class_weight.weights(K::CLASSIFIER, &labels)?;
        let weights: Vec<f64> = labels.codes.iter().map(|&c| class_w[c]).collect();
        let criterion = self.criterion.internal();
        let k = labels.classes.len();
        let targets = Targets::Classes {
            codes: &labels.codes,
            k,
        };
        let mut forest = self.forest.fit(
            K::CLASSIFIER,
            &self.params,
            criterion,
            &x,
            targets,
            &weights,
            k,
        )?;
        if let Some((score, pred)) = forest.oob.as_mut() {
            let hits = (0..x.rows)
                .filter(|&i| argmax(pred.row(i)) == labels.codes[i])
                .count();
            *score = hits as f64 / x.rows as f64;
        }
        self.state = Some(forest);
        self.classes = labels.classes;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let (s, x) = self.input(K::CLASSIFIER_OPS[1], x)?;
        let p = s.mean_value(&x, self.classes.len());
        label_vector(
            (0..x.rows)
                .map(|i| self.classes[argmax(p.row(i))])
                .collect(),
        )
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|_| self.classes.as_slice())
    }
}

impl<K: ForestKind> PredictProba for ForestClassifier<K> {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let (s, x) = self.input(K::CLASSIFIER_OPS[2], x)?;
        s.mean_value(&x, self.classes.len()).to_tensor()
    }
}

/// A forest of regression trees (random forest or extra trees, as `K` says): the prediction
/// is the mean of the trees'.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::RandomForestRegressor;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..100).map(|i| i as f64 / 10.0).collect();
/// let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (100, 1)), dev.tensor_from_vec(y, (100,)));
/// let mut forest = RandomForestRegressor::new().n_estimators(20);
/// assert!(forest.fit(&x, &y)?.score(&x, &y)? > 0.95);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ForestRegressor<K: ForestKind> {
    params: Params,
    forest: ForestParams,
    criterion: RegressionCriterion,
    state: Option<Forest>,
    kind: PhantomData<K>,
}

impl<K: ForestKind> Default for ForestRegressor<K> {
    fn default() -> Self {
        ForestRegressor {
            params: Params {
                splitter: K::SPLITTER,
                ..Params::default()
            },
            forest: ForestParams::new(K::BOOTSTRAP),
            criterion: RegressionCriterion::SquaredError,
            state: None,
            kind: PhantomData,
        }
    }
}

impl<K: ForestKind> ForestRegressor<K> {
    /// scikit-learn's defaults: `n_estimators=100`, `criterion='squared_error'`,
    /// `max_features=1.0` (every feature), `bootstrap` as for [`ForestClassifier::new`],
    /// `oob_score=False`, and the trees' defaults otherwise.
    pub fn new() -> Self {
        Self::default()
    }

    /// The impurity each tree minimises; default [`RegressionCriterion::SquaredError`].
    pub fn criterion(mut self, v: RegressionCriterion) -> Self {
        self.criterion = v;
        self
    }

    /// Each training sample's prediction by the trees that did not see it, when `oob_score`
    /// is on (scikit-learn's `oob_prediction_`); `None` otherwise.
    pub fn oob_prediction_(&self) -> Option<Vec<f64>> {
        let oob = self.state.as_ref()?.oob.as_ref()?;
        Some(oob.1.data.clone())
    }

    forest_params!(K::REGRESSOR);
}

impl<K: ForestKind> Regressor for ForestRegressor<K> {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        let op = K::REGRESSOR_OPS[0];
        let x = check_x(op, x)?;
        let y = check_y_reg(op, y, x.rows)?;
        let criterion = self.criterion.internal();
        let weights = vec![1.0; x.rows];
        let mut forest = self.forest.fit(
            K::REGRESSOR,
            &self.params,
            criterion,
            &x,
            Targets::Values(&y),
            &weights,
            1,
        )?;
        if let Some((score, pred)) = forest.oob.as_mut() {
            *score = metrics::r2_score(&vector::<f64>(&y)?, &vector::<f64>(&pred.data)?)?;
        }
        self.state = Some(forest);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        let (s, x) = self.input(K::REGRESSOR_OPS[1], x)?;
        vector(&s.mean_value(&x, 1).data)
    }
}
