//! Decision trees, as scikit-learn's `DecisionTreeClassifier` and `DecisionTreeRegressor`:
//! CART with the best splitter, grown depth first (best first under `max_leaf_nodes`), with
//! minimal cost-complexity pruning (`ccp_alpha`).
//!
//! As in scikit-learn, X is stored and compared in `f32`, thresholds are midpoints between
//! consecutive distinct values, and features are visited in a random order seeded by
//! `random_state`, which matters when two splits score the same or under `max_features`: the
//! order is drawn with scikit-learn's generator, so the same seed grows scikit-learn's tree.

mod builder;
mod feature_draw;
mod fitted;
pub(crate) mod numpy_random;

use gf_core::shape::Dim;
use gf_core::Dtype;

use self::builder::Builder;
pub(crate) use self::builder::Rules;
pub(crate) use self::builder::Targets;
pub(crate) use self::feature_draw::splitter_seed;
use self::feature_draw::FeatureDraw;
pub use self::fitted::TreeArrays;
pub(crate) use self::fitted::{mean_importances, Tree};
use self::numpy_random::RandomState;
use crate::error::{Error, Result};
use crate::linear_model::ClassWeight;
use crate::traits::{Classifier, Features, PredictProba, Regressor, Scores, Target};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, check_y_reg, fitted, label_vector,
    sample_weights, vector, Matrix,
};

/// The impurity a classification tree minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClassificationCriterion {
    /// The Gini impurity `1 - Σ p²` (scikit-learn's default).
    #[default]
    Gini,
    /// The Shannon entropy in bits.
    Entropy,
    /// The same as `Entropy` (scikit-learn's `'log_loss'`).
    LogLoss,
}

/// The impurity a regression tree minimises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegressionCriterion {
    /// The variance; leaves predict the mean (scikit-learn's default).
    #[default]
    SquaredError,
    /// The mean absolute deviation from the median; leaves predict the median.
    AbsoluteError,
}

impl ClassificationCriterion {
    /// The criterion as the builder names it.
    pub(crate) fn internal(self) -> Criterion {
        match self {
            ClassificationCriterion::Gini => Criterion::Gini,
            _ => Criterion::Entropy,
        }
    }
}

impl RegressionCriterion {
    /// The criterion as the builder names it.
    pub(crate) fn internal(self) -> Criterion {
        match self {
            RegressionCriterion::SquaredError => Criterion::SquaredError,
            RegressionCriterion::AbsoluteError => Criterion::AbsoluteError,
        }
    }
}

/// The criterion as the builder sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Criterion {
    Gini,
    Entropy,
    SquaredError,
    AbsoluteError,
}

/// How a node's threshold is chosen for each candidate feature (scikit-learn's `splitter`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Splitter {
    /// The best threshold between two consecutive distinct values (the default).
    #[default]
    Best,
    /// One threshold drawn uniformly between the feature's minimum and maximum in the node
    /// (extremely randomised trees).
    Random,
}

/// How many features each split considers (scikit-learn's `max_features`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum MaxFeatures {
    /// Every feature (scikit-learn's `None`, the trees' default).
    #[default]
    All,
    /// `max(1, ⌊√n_features⌋)`.
    Sqrt,
    /// `max(1, ⌊log₂ n_features⌋)`.
    Log2,
    /// This many, in `[1, n_features]`.
    Count(usize),
    /// `max(1, ⌊fraction · n_features⌋)`, the fraction in `(0, 1]`.
    Fraction(f64),
}

impl MaxFeatures {
    /// The number of features for `n_features`, or an `Err` naming the parameter.
    pub(crate) fn resolve(self, estimator: &'static str, n_features: usize) -> Result<usize> {
        let n = n_features as f64;
        match self {
            MaxFeatures::All => Ok(n_features),
            MaxFeatures::Sqrt => Ok((n.sqrt() as usize).max(1)),
            MaxFeatures::Log2 => Ok((n.log2() as usize).max(1)),
            MaxFeatures::Count(c) if (1..=n_features).contains(&c) => Ok(c),
            MaxFeatures::Fraction(f) if f > 0.0 && f <= 1.0 => Ok(((f * n) as usize).max(1)),
            other => Err(Error::parameter(
                estimator,
                "max_features",
                "'sqrt', 'log2', None, an int in [1, n_features] or a float in (0, 1]",
                other,
            )),
        }
    }
}

/// The hyper-parameters both trees (and the forests) share, with the trees' defaults.
#[derive(Clone, Debug)]
pub(crate) struct Params {
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) min_weight_fraction_leaf: f64,
    pub(crate) max_features: MaxFeatures,
    pub(crate) splitter: Splitter,
    pub(crate) random_state: u64,
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) min_impurity_decrease: f64,
    pub(crate) ccp_alpha: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            min_weight_fraction_leaf: 0.0,
            max_features: MaxFeatures::All,
            splitter: Splitter::Best,
            random_state: 0,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            ccp_alpha: 0.0,
        }
    }
}

/// X as `f32` (scikit-learn's trees store X so), column-major.
pub(crate) fn f32_columns(x: &Matrix) -> Vec<f32> {
    let mut columns = vec![0f32; x.rows * x.cols];
    for i in 0..x.rows {
        for (j, &v) in x.row(i).iter().enumerate() {
            columns[j * x.rows + i] = v as f32;
        }
    }
    columns
}

/// What one tree is grown from: X as [`f32_columns`], the targets and a weight per sample
/// (samples of weight 0 are left out, as scikit-learn's bootstrap needs).
pub(crate) struct TrainingSet<'a> {
    pub(crate) columns: &'a [f32],
    pub(crate) n_samples: usize,
    pub(crate) n_features: usize,
    pub(crate) targets: Targets<'a>,
    pub(crate) weights: &'a [f64],
}

impl Params {
    /// Validates the hyper-parameters for `n_features` features; `Err` names the first bad
    /// one.
    pub(crate) fn rules(
        &self,
        name: &'static str,
        criterion: Criterion,
        n_features: usize,
    ) -> Result<Rules> {
        check_param(
            name,
            "max_depth",
            self.max_depth,
            "None or an int in [1, inf)",
            |v| v.is_none_or(|v| v >= 1),
        )?;
        check_param(
            name,
            "min_samples_split",
            self.min_samples_split,
            "an int in [2, inf)",
            |v| v >= 2,
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
            "min_weight_fraction_leaf",
            self.min_weight_fraction_leaf,
            "a float in [0, 0.5]",
            |v| (0.0..=0.5).contains(&v),
        )?;
        check_param(
            name,
            "max_leaf_nodes",
            self.max_leaf_nodes,
            "None or an int in [2, inf)",
            |v| v.is_none_or(|v| v >= 2),
        )?;
        check_param(
            name,
            "min_impurity_decrease",
            self.min_impurity_decrease,
            "a float in [0, inf)",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        check_param(
            name,
            "ccp_alpha",
            self.ccp_alpha,
            "a float in [0, inf)",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        Ok(Rules {
            criterion,
            splitter: self.splitter,
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split.max(2 * self.min_samples_leaf),
            min_samples_leaf: self.min_samples_leaf,
            min_weight_fraction_leaf: self.min_weight_fraction_leaf,
            max_features: self.max_features.resolve(name, n_features)?,
            max_leaf_nodes: self.max_leaf_nodes,
            min_impurity_decrease: self.min_impurity_decrease,
        })
    }

    /// Grows (and prunes) one tree on `data` from its [`splitter_seed`].
    pub(crate) fn grow(&self, rules: &Rules, data: &TrainingSet, splitter_seed: u32) -> Tree {
        let builder = Builder {
            columns: data.columns,
            n_samples: data.n_samples,
            n_features: data.n_features,
            targets: data.targets,
            weights: data.weights,
            total_weight: data.weights.iter().sum(),
            rules,
        };
        let mut tree = builder.build(&mut FeatureDraw::new(data.n_features, splitter_seed));
        tree.prune(self.ccp_alpha);
        tree
    }

    /// Validates the hyper-parameters and grows one tree on `x`.
    fn fit(
        &self,
        name: &'static str,
        criterion: Criterion,
        x: &Matrix,
        targets: Targets,
        weights: &[f64],
    ) -> Result<Tree> {
        let rules = self.rules(name, criterion, x.cols)?;
        let columns = f32_columns(x);
        let data = TrainingSet {
            columns: &columns,
            n_samples: x.rows,
            n_features: x.cols,
            targets,
            weights,
        };
        // numpy takes seeds below 2^32: the low 32 bits of a larger one are used.
        let seed = splitter_seed(&mut RandomState::new(self.random_state as u32));
        Ok(self.grow(&rules, &data, seed))
    }
}

/// The builder methods of the hyper-parameters in [`Params`], for the trees and the forests
/// (`self.params`).
macro_rules! tree_setters {
    () => {
        /// The deepest a leaf may be (`None`: until leaves are pure or too small), at least 1;
        /// default `None`.
        pub fn max_depth(mut self, v: Option<usize>) -> Self {
            self.params.max_depth = v;
            self
        }
        /// The fewest samples a node needs to be split, in `[2, inf)`; default 2.
        pub fn min_samples_split(mut self, v: usize) -> Self {
            self.params.min_samples_split = v;
            self
        }
        /// The fewest samples each leaf must keep, in `[1, inf)`; default 1.
        pub fn min_samples_leaf(mut self, v: usize) -> Self {
            self.params.min_samples_leaf = v;
            self
        }
        /// The least fraction of the total sample weight (of the sample weights, class
        /// weights and bootstrap counts together) each leaf must keep, in `[0, 0.5]`;
        /// default 0.
        pub fn min_weight_fraction_leaf(mut self, v: f64) -> Self {
            self.params.min_weight_fraction_leaf = v;
            self
        }
        /// How many features each split considers.
        pub fn max_features(mut self, v: MaxFeatures) -> Self {
            self.params.max_features = v;
            self
        }
        /// The seed of every random draw, drawn as scikit-learn draws it for the same
        /// `random_state` (below 2^32); default 0.
        pub fn random_state(mut self, v: u64) -> Self {
            self.params.random_state = v;
            self
        }
        /// The most leaves (`None`: no limit), at least 2; when set, trees grow best first.
        /// Default `None`.
        pub fn max_leaf_nodes(mut self, v: Option<usize>) -> Self {
            self.params.max_leaf_nodes = v;
            self
        }
        /// The least weighted impurity decrease a split must bring, in `[0, inf)`; default 0.
        pub fn min_impurity_decrease(mut self, v: f64) -> Self {
            self.params.min_impurity_decrease = v;
            self
        }
        /// The complexity parameter of minimal cost-complexity pruning, in `[0, inf)`;
        /// default 0 (no pruning).
        pub fn ccp_alpha(mut self, v: f64) -> Self {
            self.params.ccp_alpha = v;
            self
        }
    };
}
pub(crate) use tree_setters;

/// Builder methods and fitted attributes written once for both trees.
macro_rules! tree_params {
    ($name:expr) => {
        tree_setters!();
        /// How thresholds are chosen; default [`Splitter::Best`].
        pub fn splitter(mut self, v: Splitter) -> Self {
            self.params.splitter = v;
            self
        }
        /// The impurity decrease brought by each feature, normalised to sum to 1 (all zeros
        /// for a single leaf); `None` before `fit`.
        pub fn feature_importances_(&self) -> Option<Vec<f64>> {
            self.tree.as_ref().map(Tree::feature_importances)
        }
        /// The depth of the tree (a single leaf has depth 0); `None` before `fit`.
        pub fn get_depth(&self) -> Option<usize> {
            self.tree.as_ref().map(Tree::depth)
        }
        /// The number of leaves; `None` before `fit`.
        pub fn get_n_leaves(&self) -> Option<usize> {
            self.tree.as_ref().map(Tree::n_leaves)
        }
        /// The number of nodes, splits and leaves (scikit-learn's `tree_.node_count`);
        /// `None` before `fit`.
        pub fn node_count(&self) -> Option<usize> {
            self.tree.as_ref().map(|t| t.nodes.len())
        }
        /// The fitted nodes as scikit-learn's `tree_` arrays; `None` before `fit`.
        pub fn tree_(&self) -> Option<TreeArrays> {
            self.tree.as_ref().map(Tree::arrays)
        }
        /// The number of features seen by `fit`; `None` before `fit`.
        pub fn n_features_in_(&self) -> Option<usize> {
            self.tree.as_ref().map(|t| t.n_features)
        }
        /// The index of the leaf each row of `x` reaches (scikit-learn's `apply`).
        pub fn apply<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Vec<usize>> {
            const OP: &str = concat!($name, "::apply");
            let (tree, x) = self.input(OP, x)?;
            Ok((0..x.rows).map(|i| tree.leaf_of(x.row(i))).collect())
        }
        fn input<F: Dim, E: Dtype>(
            &self,
            op: &'static str,
            x: &Features<F, E>,
        ) -> Result<(&Tree, Matrix)> {
            let tree = fitted(&self.tree, $name, op)?;
            Ok((tree, check_x_width(op, $name, x, tree.n_features)?))
        }
    };
}

const CLF: &str = "DecisionTreeClassifier";
const REG: &str = "DecisionTreeRegressor";

/// A classification tree, as scikit-learn's `DecisionTreeClassifier`. Leaves predict the
/// (class-weighted) class frequencies of their training samples.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::prelude::*;
/// use gf_learn::tree::DecisionTreeClassifier;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0], (4, 2));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 1], (4,));
/// let mut tree = DecisionTreeClassifier::new();
/// assert_eq!(tree.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// assert_eq!((tree.get_depth(), tree.get_n_leaves()), (Some(1), Some(2)));
/// assert_eq!(tree.feature_importances_(), Some(vec![1.0, 0.0]));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct DecisionTreeClassifier {
    params: Params,
    criterion: ClassificationCriterion,
    class_weight: ClassWeight,
    tree: Option<Tree>,
    classes: Vec<usize>,
}

impl DecisionTreeClassifier {
    /// scikit-learn's defaults: `criterion='gini'`, `max_depth=None`, `min_samples_split=2`,
    /// `min_samples_leaf=1`, `max_features=None`, `max_leaf_nodes=None`,
    /// `min_impurity_decrease=0`, `class_weight=None`, `ccp_alpha=0`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The impurity to minimise; default [`ClassificationCriterion::Gini`].
    pub fn criterion(mut self, v: ClassificationCriterion) -> Self {
        self.criterion = v;
        self
    }

    /// The weight of each class in the impurities; default [`ClassWeight::None`].
    pub fn class_weight(mut self, v: ClassWeight) -> Self {
        self.class_weight = v;
        self
    }

    tree_params!("DecisionTreeClassifier");

    fn proba(tree: &Tree, x: &Matrix, k: usize) -> Matrix {
        let mut out = Matrix::zeros(x.rows, k);
        for i in 0..x.rows {
            out.row_mut(i).copy_from_slice(tree.predict_row(x.row(i)));
        }
        out
    }
}

impl DecisionTreeClassifier {
    /// [`fit`](Classifier::fit) with a weight per sample (scikit-learn's `sample_weight`), on
    /// top of `class_weight`; a sample of weight 0 is left out. Bagging fits its trees so.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.fit_with(
            "DecisionTreeClassifier::fit_weighted",
            x,
            y,
            Some(sample_weight),
        )
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let labels = check_y_class(op, y, x.rows, 1)?;
        let class_w = self.class_weight.weights(CLF, &labels)?;
        let sw = positive_weights(op, sample_weight, x.rows)?;
        let weights: Vec<f64> = labels
            .codes
            .iter()
            .zip(&sw)
            .map(|(&c, w)| class_w[c] * w)
            .collect();
        let criterion = self.criterion.internal();
        let targets = Targets::Classes {
            codes: &labels.codes,
            k: labels.classes.len(),
        };
        self.tree = Some(self.params.fit(CLF, criterion, &x, targets, &weights)?);
        self.classes = labels.classes;
        Ok(self)
    }
}

impl Classifier for DecisionTreeClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        self.fit_with("DecisionTreeClassifier::fit", x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "DecisionTreeClassifier::predict";
        let (tree, x) = self.input(OP, x)?;
        label_vector(
            (0..x.rows)
                .map(|i| self.classes[argmax(tree.predict_row(x.row(i)))])
                .collect(),
        )
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.tree.as_ref().map(|_| self.classes.as_slice())
    }
}

impl PredictProba for DecisionTreeClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "DecisionTreeClassifier::predict_proba";
        let (tree, x) = self.input(OP, x)?;
        Self::proba(tree, &x, self.classes.len()).to_tensor()
    }
}

/// A regression tree, as scikit-learn's `DecisionTreeRegressor`. Leaves predict the mean
/// (squared error) or the median (absolute error) of their training targets.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::prelude::*;
/// use gf_learn::tree::DecisionTreeRegressor;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 2.0, 3.0, 4.0], (4, 1));
/// let y = dev.tensor_from_vec(vec![1.0, 1.0, 5.0, 5.0], (4,));
/// let mut tree = DecisionTreeRegressor::new().max_depth(Some(1));
/// assert_eq!(tree.fit(&x, &y)?.predict(&x)?.to_vec(), vec![1.0, 1.0, 5.0, 5.0]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct DecisionTreeRegressor {
    params: Params,
    criterion: RegressionCriterion,
    tree: Option<Tree>,
}

impl DecisionTreeRegressor {
    /// scikit-learn's defaults: `criterion='squared_error'`, otherwise as
    /// [`DecisionTreeClassifier::new`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The impurity to minimise; default [`RegressionCriterion::SquaredError`].
    pub fn criterion(mut self, v: RegressionCriterion) -> Self {
        self.criterion = v;
        self
    }

    tree_params!("DecisionTreeRegressor");
}

impl DecisionTreeRegressor {
    /// [`fit`](Regressor::fit) with a weight per sample (scikit-learn's `sample_weight`); a
    /// sample of weight 0 is left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.fit_with(
            "DecisionTreeRegressor::fit_weighted",
            x,
            y,
            Some(sample_weight),
        )
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
        let criterion = self.criterion.internal();
        let weights = positive_weights(op, sample_weight, x.rows)?;
        let targets = Targets::Values(&y);
        self.tree = Some(self.params.fit(REG, criterion, &x, targets, &weights)?);
        Ok(self)
    }
}

/// The sample weights (all 1 when `None`), or an `Err` unless they are finite, non-negative
/// and not all 0.
fn positive_weights<E: Dtype>(
    op: &'static str,
    sample_weight: Option<&Target<E>>,
    n: usize,
) -> Result<Vec<f64>> {
    let w = sample_weights(op, sample_weight, n)?;
    if w.iter().all(|&v| v == 0.0) {
        return Err(Error::input(op, "sample_weight is 0 for every sample"));
    }
    Ok(w)
}

impl Regressor for DecisionTreeRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.fit_with("DecisionTreeRegressor::fit", x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "DecisionTreeRegressor::predict";
        let (tree, x) = self.input(OP, x)?;
        let pred: Vec<f64> = (0..x.rows).map(|i| tree.predict_row(x.row(i))[0]).collect();
        vector(&pred)
    }
}
