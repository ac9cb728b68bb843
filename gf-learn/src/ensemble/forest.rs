//! Random forests, as scikit-learn's `RandomForestClassifier` and `RandomForestRegressor`:
//! decision trees grown on bootstrap samples with a random subset of features at each split,
//! averaged. Trees are grown in parallel (rayon); each has its own seed, so the result does
//! not depend on the number of threads.
//!
//! The seeds, bootstrap samples and feature orders are drawn as scikit-learn draws them (numpy's
//! MT19937 and the splitter's generator), so `random_state = s` grows scikit-learn's forest for
//! `random_state=s`.

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::linear_model::ClassWeight;
use crate::metrics;
use crate::traits::{Classifier, Features, PredictProba, Regressor, Scores, Target};
use crate::tree::numpy_random::RandomState;
use crate::tree::{
    f32_columns, tree_setters, ClassificationCriterion, Criterion, MaxFeatures, Params,
    RegressionCriterion, Targets, TrainingSet, Tree,
};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, check_y_reg, fitted, label_vector,
    vector, Matrix,
};

/// The settings that make a forest out of trees.
#[derive(Clone, Debug)]
struct ForestParams {
    n_estimators: usize,
    bootstrap: bool,
    oob_score: bool,
    max_samples: Option<usize>,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_estimators: 100,
            bootstrap: true,
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
        let split: Vec<Vec<f64>> = self
            .trees
            .iter()
            .filter(|t| t.nodes.len() > 1)
            .map(Tree::feature_importances)
            .collect();
        let mut mean = vec![0.0; self.n_features];
        if split.is_empty() {
            return mean;
        }
        for imp in &split {
            mean.iter_mut().zip(imp).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= split.len() as f64);
        let total: f64 = mean.iter().sum();
        mean.iter_mut().for_each(|m| *m /= total);
        mean
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
        check_param(
            name,
            "n_estimators",
            self.n_estimators,
            "an int in [1, inf)",
            |v| v >= 1,
        )?;
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
                tree_params.grow(&rules, &data, u64::from(seed))
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
        /// Whether each tree sees a bootstrap sample (else all samples); default true.
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

const CLF: &str = "RandomForestClassifier";
const REG: &str = "RandomForestRegressor";

/// A random forest of classification trees, as scikit-learn's `RandomForestClassifier`: the
/// class probabilities are the mean of the trees'.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::RandomForestClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..80).map(f64::from).collect();
/// let y: Vec<usize> = (0..40).map(|i| usize::from(i >= 20)).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (40, 2)), dev.tensor_from_vec(y, (40,)));
/// let mut forest = RandomForestClassifier::new().n_estimators(10).oob_score(true);
/// assert_eq!(forest.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// assert!(forest.oob_score_().unwrap() > 0.9);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RandomForestClassifier {
    params: Params,
    forest: ForestParams,
    criterion: ClassificationCriterion,
    class_weight: ClassWeight,
    state: Option<Forest>,
    classes: Vec<usize>,
}

impl Default for RandomForestClassifier {
    fn default() -> Self {
        RandomForestClassifier {
            params: Params {
                max_features: MaxFeatures::Sqrt,
                ..Params::default()
            },
            forest: ForestParams::default(),
            criterion: ClassificationCriterion::Gini,
            class_weight: ClassWeight::None,
            state: None,
            classes: Vec::new(),
        }
    }
}

impl RandomForestClassifier {
    /// scikit-learn's defaults: `n_estimators=100`, `criterion='gini'`,
    /// `max_features='sqrt'`, `bootstrap=True`, `oob_score=False`, `max_samples=None`, and
    /// the trees' defaults otherwise.
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

    forest_params!("RandomForestClassifier");
}

impl Classifier for RandomForestClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "RandomForestClassifier::fit";
        let x = check_x(OP, x)?;
        let labels = check_y_class(OP, y, x.rows, 1)?;
        let class_w = self.class_weight.weights(CLF, &labels)?;
        let weights: Vec<f64> = labels.codes.iter().map(|&c| class_w[c]).collect();
        let criterion = self.criterion.internal();
        let k = labels.classes.len();
        let targets = Targets::Classes {
            codes: &labels.codes,
            k,
        };
        let mut forest = self
            .forest
            .fit(CLF, &self.params, criterion, &x, targets, &weights, k)?;
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
        const OP: &str = "RandomForestClassifier::predict";
        let (s, x) = self.input(OP, x)?;
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

impl PredictProba for RandomForestClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "RandomForestClassifier::predict_proba";
        let (s, x) = self.input(OP, x)?;
        s.mean_value(&x, self.classes.len()).to_tensor()
    }
}

/// A random forest of regression trees, as scikit-learn's `RandomForestRegressor`: the
/// prediction is the mean of the trees'.
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
#[derive(Clone, Debug, Default)]
pub struct RandomForestRegressor {
    params: Params,
    forest: ForestParams,
    criterion: RegressionCriterion,
    state: Option<Forest>,
}

impl RandomForestRegressor {
    /// scikit-learn's defaults: `n_estimators=100`, `criterion='squared_error'`,
    /// `max_features=1.0` (every feature), `bootstrap=True`, `oob_score=False`, and the trees'
    /// defaults otherwise.
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

    forest_params!("RandomForestRegressor");
}

impl Regressor for RandomForestRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "RandomForestRegressor::fit";
        let x = check_x(OP, x)?;
        let y = check_y_reg(OP, y, x.rows)?;
        let criterion = self.criterion.internal();
        let weights = vec![1.0; x.rows];
        let mut forest = self.forest.fit(
            REG,
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
        const OP: &str = "RandomForestRegressor::predict";
        let (s, x) = self.input(OP, x)?;
        vector(&s.mean_value(&x, 1).data)
    }
}
