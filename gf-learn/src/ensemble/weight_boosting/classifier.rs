//! `AdaBoostClassifier`: SAMME, each misclassified sample's weight growing by the tree's vote
//! `learning_rate · (ln((1 − err) / err) + ln(K − 1))`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{adaboost_params, boost, Ensemble, Round};
use crate::ensemble::check_n_estimators;
use crate::ensemble::hist_gradient_boosting::loss::softmax;
use crate::error::{Error, Result};
use crate::traits::{Classifier, DecisionFunction, Features, PredictProba, Scores, Target};
use crate::tree::numpy_random::RandomState;
use crate::tree::{
    f32_columns, splitter_seed, tree_setters, Criterion, MaxFeatures, Params, Targets, TrainingSet,
};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, fitted, label_vector, np_sum,
    Matrix,
};

const NAME: &str = "AdaBoostClassifier";

/// AdaBoost (SAMME) over decision trees (scikit-learn's `AdaBoostClassifier`).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::AdaBoostClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Vec<f64> = (0..60).map(|i| f64::from(i % 30)).collect();
/// let y: Vec<usize> = (0..30).map(|i| usize::from(i % 15 >= 5)).collect();
/// let (x, y) = (dev.tensor_from_vec(x, (30, 2)), dev.tensor_from_vec(y, (30,)));
/// let mut ada = AdaBoostClassifier::new().n_estimators(20);
/// assert_eq!(ada.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AdaBoostClassifier {
    params: Params,
    n_estimators: usize,
    learning_rate: f64,
    state: Option<Ensemble>,
    classes: Vec<usize>,
}

impl Default for AdaBoostClassifier {
    fn default() -> Self {
        AdaBoostClassifier {
            params: Params {
                max_depth: Some(1),
                max_features: MaxFeatures::All,
                ..Params::default()
            },
            n_estimators: 50,
            learning_rate: 1.0,
            state: None,
            classes: Vec::new(),
        }
    }
}

impl AdaBoostClassifier {
    /// scikit-learn's defaults: `n_estimators=50`, `learning_rate=1.0`, and stumps
    /// (`DecisionTreeClassifier(max_depth=1)`) as the estimator; the tree setters configure
    /// that estimator.
    pub fn new() -> Self {
        Self::default()
    }

    adaboost_params!();

    /// The predicted classes after each tree (scikit-learn's `staged_predict`): the votes of
    /// the first `t` trees, normalised by their total, for `t = 1, 2, ...`.
    pub fn staged_predict<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Vec<Target<usize>>> {
        let staged = self.staged_scores("AdaBoostClassifier::staged_predict", x)?;
        staged.iter().map(|s| self.labels(s)).collect()
    }

    /// The accuracy on `x` against `y` after each tree (scikit-learn's `staged_score`).
    pub fn staged_score<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<Vec<f64>> {
        self.staged_predict(x)?
            .iter()
            .map(|p| crate::metrics::accuracy_score(y, p))
            .collect()
    }

    /// The class each row of normalised votes picks (for two classes, the second where its
    /// margin is positive).
    fn labels(&self, s: &Matrix) -> Result<Target<usize>> {
        let codes = (0..s.rows).map(|i| {
            let r = s.row(i);
            if r.len() == 2 {
                usize::from(r[1] - r[0] > 0.0)
            } else {
                argmax(r)
            }
        });
        label_vector(codes.map(|c| self.classes[c]).collect())
    }

    /// The vote-weighted class scores of every row (`n_classes` per row), summed over the
    /// trees and divided by the total vote, as scikit-learn's multi-class
    /// `decision_function`.
    fn scores(&self, op: &'static str, x: &Features<impl Dim, impl Dtype>) -> Result<Matrix> {
        let s = fitted(&self.state, NAME, op)?;
        let x = check_x_width(op, NAME, x, s.n_features)?;
        self.votes(s, &x, s.trees.len())
            .ok_or_else(|| Error::input(op, "the ensemble holds no tree"))
    }

    /// The votes of the first `1, 2, ..., n_trees` trees, each normalised by its total.
    fn staged_scores(
        &self,
        op: &'static str,
        x: &Features<impl Dim, impl Dtype>,
    ) -> Result<Vec<Matrix>> {
        let s = fitted(&self.state, NAME, op)?;
        let x = check_x_width(op, NAME, x, s.n_features)?;
        Ok((1..=s.trees.len())
            .filter_map(|t| self.votes(s, &x, t))
            .collect())
    }

    /// The votes of the first `n_trees` trees on each row, divided by their total
    /// (scikit-learn's SAMME `decision_function`); `None` for no trees.
    fn votes(&self, s: &Ensemble, x: &Matrix, n_trees: usize) -> Option<Matrix> {
        if n_trees == 0 {
            return None;
        }
        let k = self.classes.len();
        let total: f64 = s.weights[..n_trees].iter().sum();
        let mut out = Matrix::zeros(x.rows, k);
        for i in 0..x.rows {
            let row = out.row_mut(i);
            for (tree, &w) in s.trees.iter().zip(&s.weights).take(n_trees) {
                let vote = argmax(tree.predict_row(x.row(i)));
                for (c, r) in row.iter_mut().enumerate() {
                    *r += if c == vote { w } else { -w / (k - 1) as f64 };
                }
            }
            row.iter_mut().for_each(|r| *r /= total);
        }
        Some(out)
    }
}

impl Classifier for AdaBoostClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "AdaBoostClassifier::fit";
        self.check_params(NAME)?;
        let x = check_x(OP, x)?;
        let labels = check_y_class(OP, y, x.rows, 2)?;
        let k = labels.classes.len();
        let rules = self.params.rules(NAME, Criterion::Gini, x.cols)?;
        let columns = f32_columns(&x);
        let mut rng = RandomState::new(self.params.random_state as u32);
        let n = x.rows;
        let ensemble =
            boost(
                n,
                self.n_estimators,
                x.cols,
                &mut rng,
                |rng, sample_weight, last, n_fitted| {
                    let seed = rng.randint(i32::MAX as u64);
                    let data = TrainingSet {
                        columns: &columns,
                        n_samples: n,
                        n_features: x.cols,
                        targets: Targets::Classes {
                            codes: &labels.codes,
                            k,
                        },
                        weights: sample_weight,
                    };
                    let tree =
                        self.params
                            .grow(&rules, &data, splitter_seed(&mut RandomState::new(seed)));
                    let incorrect: Vec<bool> = (0..n)
                        .map(|i| argmax(tree.predict_row(x.row(i))) != labels.codes[i])
                        .collect();
                    let wrong: Vec<f64> = incorrect
                        .iter()
                        .zip(sample_weight.iter())
                        .map(|(&bad, w)| if bad { *w } else { 0.0 })
                        .collect();
                    let error = np_sum(&wrong) / np_sum(sample_weight);
                    if error <= 0.0 {
                        return Ok(Round::Perfect(tree));
                    }
                    if error >= 1.0 - 1.0 / k as f64 {
                        if n_fitted == 0 {
                            return Err(Error::input(
                        OP,
                        format!("the first tree is no better than chance (weighted error {error})"),
                    ));
                        }
                        return Ok(Round::Stop(None));
                    }
                    let vote =
                        self.learning_rate * (((1.0 - error) / error).ln() + (k as f64 - 1.0).ln());
                    if !last {
                        for (w, &bad) in sample_weight.iter_mut().zip(&incorrect) {
                            *w = (w.ln() + if bad { vote } else { 0.0 }).exp();
                        }
                    }
                    Ok(Round::Fitted { tree, vote, error })
                },
            )?;
        self.state = Some(ensemble);
        self.classes = labels.classes;
        Ok(self)
    }

    /// The class with the largest score (for two classes, the second where its score is
    /// positive), as scikit-learn decides.
    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let s = self.scores("AdaBoostClassifier::predict", x)?;
        self.labels(&s)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|_| self.classes.as_slice())
    }
}

impl PredictProba for AdaBoostClassifier {
    /// The softmax of the scores over `K − 1` (SAMME's class probabilities; for two classes,
    /// of `(−d, d) / 2` with `d` the binary decision).
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let mut s = self.scores("AdaBoostClassifier::predict_proba", x)?;
        let k = s.cols;
        for i in 0..s.rows {
            let r = s.row_mut(i);
            let scaled: Vec<f64> = if k == 2 {
                let d = r[1] - r[0];
                vec![-d / 2.0, d / 2.0]
            } else {
                r.iter().map(|v| v / (k - 1) as f64).collect()
            };
            softmax(&scaled, r);
        }
        s.to_tensor()
    }
}

impl DecisionFunction for AdaBoostClassifier {
    /// The class scores; for two classes one column, the second class's score minus the
    /// first's.
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let s = self.scores("AdaBoostClassifier::decision_function", x)?;
        if s.cols == 2 {
            let d: Vec<f64> = (0..s.rows).map(|i| s.row(i)[1] - s.row(i)[0]).collect();
            return Matrix {
                rows: s.rows,
                cols: 1,
                data: d,
            }
            .to_tensor();
        }
        s.to_tensor()
    }
}
