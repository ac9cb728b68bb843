//! [`StackingClassifier`] and [`StackingRegressor`]: a final estimator fitted on the
//! cross-validated predictions of estimators of any types, as scikit-learn's.
//!
//! The final estimator learns from out-of-fold predictions (each sample's prediction comes from
//! a member fitted without it), so it sees how the members err on unseen data; the members used
//! by `predict` are refitted on all the data.

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use super::member::{check_members, dyn_features, DynClassifier, DynFeatures, DynRegressor};
use crate::error::{Error, Result};
use crate::linear_model::{LogisticRegression, RidgeCV};
use crate::model_selection::{split_rows, Cv, Fold, KFold, StratifiedKFold};
use crate::traits::{
    Classifier, DecisionFunction, Features, PredictProba, Regressor, Scores, Target,
};
use crate::validation::{check_param, check_y_class, check_y_reg, fitted, vector, Matrix};

/// The member output a [`StackingClassifier`] stacks (scikit-learn's `stack_method`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StackMethod {
    /// `PredictProba` when the member has it, else `DecisionFunction`, else `Predict`.
    #[default]
    Auto,
    /// The class probabilities (without the first column for two classes, which the second
    /// determines).
    PredictProba,
    /// The confidence scores.
    DecisionFunction,
    /// The predicted class, as its index in `classes_`.
    Predict,
}

/// The folds of `cv`, made by `make(n_splits)` unless given.
fn folds_of(
    estimator: &'static str,
    cv: &Cv,
    make: impl FnOnce(usize) -> Result<Vec<Fold>>,
) -> Result<Vec<Fold>> {
    match cv {
        Cv::Splits(k) => {
            check_param(estimator, "cv", *k, "an int in [2, inf)", |k| k >= 2)?;
            make(*k)
        }
        Cv::Folds(folds) => Ok(folds.clone()),
    }
}

/// Each sample's row of `width` values from the fold that holds it out: `predict(train, test)`
/// gives the test rows of one fold, row-major. Folds run in parallel.
fn out_of_fold(
    n: usize,
    folds: &[Fold],
    predict: impl Fn(&[usize], &[usize]) -> Result<Matrix> + Sync,
) -> Result<Matrix> {
    let parts = folds
        .par_iter()
        .map(|(train, test)| predict(train, test))
        .collect::<Result<Vec<_>>>()?;
    let width = parts.first().map_or(0, |p| p.cols);
    let mut out = Matrix::zeros(n, width);
    let mut seen = vec![false; n];
    for ((_, test), part) in folds.iter().zip(&parts) {
        for (r, &i) in test.iter().enumerate() {
            out.row_mut(i).copy_from_slice(part.row(r));
            seen[i] = true;
        }
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(Error::input(
            "cross_val_predict",
            format!("the folds are not a partition: sample {i} is in no test fold"),
        ));
    }
    Ok(out)
}

/// The blocks side by side: `[a | b | ...]`.
fn hstack(blocks: &[Matrix]) -> Matrix {
    let rows = blocks[0].rows;
    let cols = blocks.iter().map(|b| b.cols).sum();
    let mut out = Matrix::zeros(rows, cols);
    for i in 0..rows {
        let mut at = 0;
        for b in blocks {
            out.row_mut(i)[at..at + b.cols].copy_from_slice(b.row(i));
            at += b.cols;
        }
    }
    out
}

/// A tensor as a host matrix.
fn host<E: Dtype>(t: &Scores<E>) -> Result<Matrix> {
    let [rows, cols] = t.dims();
    Ok(Matrix {
        rows,
        cols,
        data: t.try_to_vec()?.into_iter().map(Dtype::as_f64).collect(),
    })
}

/// A host matrix as the dyn members' input.
fn features(m: &Matrix) -> Result<DynFeatures> {
    m.to_tensor::<f64>()
}

/// Stacks classifiers of any types under a final classifier, as scikit-learn's
/// `StackingClassifier`. Defaults as scikit-learn's: the final estimator is
/// `LogisticRegression::new()`, `cv = 5` (stratified, not shuffled), `stack_method = Auto`,
/// no passthrough.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::StackingClassifier;
/// use gf_learn::naive_bayes::GaussianNB;
/// use gf_learn::neighbors::KNeighborsClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..40).map(|i| (i / 2) as f64 + 0.1 * (i % 3) as f64).collect(), (20, 2));
/// let y = dev.tensor_from_vec((0..20).map(|i| usize::from(i >= 10)).collect(), (20,));
/// let mut stack = StackingClassifier::new()
///     .estimator("nb", GaussianNB::new())
///     .estimator("knn", KNeighborsClassifier::new().n_neighbors(3))
///     .cv(4);
/// assert_eq!(stack.fit(&x, &y)?.score(&x, &y)?, 1.0);
/// // Two probability columns less their redundant first ones: one feature per member.
/// assert_eq!(stack.transform(&x)?.dims(), [20, 2]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone)]
pub struct StackingClassifier {
    estimators: Vec<(String, Box<dyn DynClassifier>)>,
    final_estimator: Box<dyn DynClassifier>,
    cv: Cv,
    stack_method: StackMethod,
    passthrough: bool,
    state: Option<ClassifierStack>,
}

#[derive(Clone)]
struct ClassifierStack {
    classes: Vec<usize>,
    estimators: Vec<Box<dyn DynClassifier>>,
    stack_method: Vec<StackMethod>,
    final_estimator: Box<dyn DynClassifier>,
}

impl std::fmt::Debug for StackingClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .estimators
            .iter()
            .map(|(n, m)| format!("{n}: {}", m.name()))
            .collect();
        f.debug_struct("StackingClassifier")
            .field("estimators", &names)
            .field("final_estimator", &self.final_estimator.name())
            .field("cv", &self.cv)
            .field("stack_method", &self.stack_method)
            .field("passthrough", &self.passthrough)
            .finish()
    }
}

impl Default for StackingClassifier {
    fn default() -> Self {
        Self::new()
    }
}

impl StackingClassifier {
    /// No member yet, scikit-learn's defaults otherwise.
    pub fn new() -> Self {
        StackingClassifier {
            estimators: Vec::new(),
            final_estimator: Box::new(LogisticRegression::new()),
            cv: Cv::Splits(5),
            stack_method: StackMethod::Auto,
            passthrough: false,
            state: None,
        }
    }

    /// Adds a member under a unique `name`.
    pub fn estimator(mut self, name: &str, estimator: impl DynClassifier + 'static) -> Self {
        self.estimators
            .push((name.to_string(), Box::new(estimator)));
        self
    }

    /// The classifier fitted on the stacked predictions.
    pub fn final_estimator(mut self, estimator: impl DynClassifier + 'static) -> Self {
        self.final_estimator = Box::new(estimator);
        self
    }

    /// The number of folds of the out-of-fold predictions, in `[2, n_samples]`.
    pub fn cv(mut self, n_splits: usize) -> Self {
        self.cv = Cv::Splits(n_splits);
        self
    }

    /// These folds instead (they must partition the samples).
    pub fn folds(mut self, folds: Vec<Fold>) -> Self {
        self.cv = Cv::Folds(folds);
        self
    }

    /// Which member output to stack.
    pub fn stack_method(mut self, method: StackMethod) -> Self {
        self.stack_method = method;
        self
    }

    /// Whether the final estimator also sees the original features, after the predictions.
    pub fn passthrough(mut self, passthrough: bool) -> Self {
        self.passthrough = passthrough;
        self
    }

    /// The members refitted on all the data, in order; `None` before `fit`.
    pub fn estimators_(&self) -> Option<&[Box<dyn DynClassifier>]> {
        self.state.as_ref().map(|s| s.estimators.as_slice())
    }

    /// The final estimator as fitted; `None` before `fit`.
    pub fn final_estimator_(&self) -> Option<&dyn DynClassifier> {
        self.state.as_ref().map(|s| s.final_estimator.as_ref())
    }

    /// The method each member's output came from (`Auto` resolved); `None` before `fit`.
    pub fn stack_method_(&self) -> Option<&[StackMethod]> {
        self.state.as_ref().map(|s| s.stack_method.as_slice())
    }

    /// `Auto` resolved for `member`, or an `Err` when it lacks the method asked for.
    fn resolve(&self, name: &str, member: &dyn DynClassifier) -> Result<StackMethod> {
        let method = match self.stack_method {
            StackMethod::Auto if member.has_predict_proba() => StackMethod::PredictProba,
            StackMethod::Auto if member.has_decision_function() => StackMethod::DecisionFunction,
            StackMethod::Auto => StackMethod::Predict,
            m => m,
        };
        let available = match method {
            StackMethod::PredictProba => member.has_predict_proba(),
            StackMethod::DecisionFunction => member.has_decision_function(),
            _ => true,
        };
        if available {
            Ok(method)
        } else {
            Err(Error::input(
                "StackingClassifier",
                format!(
                    "underlying estimator {name} ({}) does not implement the method {method:?}",
                    member.name()
                ),
            ))
        }
    }

    /// The stacked output of one fitted member on `x`, as scikit-learn's
    /// `_concatenate_predictions` lays it out for the classes `classes`.
    fn member_output(
        member: &dyn DynClassifier,
        method: StackMethod,
        x: &DynFeatures,
        classes: &[usize],
    ) -> Result<Matrix> {
        let k = classes.len();
        let out = match method {
            StackMethod::PredictProba => {
                let p = host(&member.predict_proba_dyn(x)?)?;
                let p = in_all_classes(member, p, classes, 0.0)?;
                if k == 2 {
                    Matrix {
                        rows: p.rows,
                        cols: 1,
                        data: (0..p.rows).map(|i| p.at(i, 1)).collect(),
                    }
                } else {
                    p
                }
            }
            StackMethod::DecisionFunction => {
                let d = host(&member.decision_function_dyn(x)?)?;
                if d.cols == 1 && member.classes_dyn().map_or(0, <[usize]>::len) != k {
                    return Err(Error::input(
                        "cross_val_predict",
                        format!("only 2 classes in training fold, but {k} in overall dataset; this is not supported for decision_function with imbalanced folds"),
                    ));
                }
                if d.cols == 1 {
                    d
                } else {
                    in_all_classes(member, d, classes, f64::MIN)?
                }
            }
            StackMethod::Predict | StackMethod::Auto => {
                let pred = member.predict_dyn(x)?.try_to_vec()?;
                Matrix {
                    rows: pred.len(),
                    cols: 1,
                    data: pred
                        .iter()
                        .map(|l| classes.binary_search(l).map_or(f64::NAN, |c| c as f64))
                        .collect(),
                }
            }
        };
        Ok(out)
    }

    /// The stacked outputs of the fitted members on `x` (plus `x` itself with passthrough).
    fn stacked(&self, state: &ClassifierStack, x: &DynFeatures) -> Result<Matrix> {
        let mut blocks = state
            .estimators
            .iter()
            .zip(&state.stack_method)
            .map(|(m, &method)| Self::member_output(m.as_ref(), method, x, &state.classes))
            .collect::<Result<Vec<_>>>()?;
        if self.passthrough {
            blocks.push(host(x)?);
        }
        Ok(hstack(&blocks))
    }

    /// The stacked outputs of the members for `x`: the features the final estimator sees
    /// (scikit-learn's `transform`).
    pub fn transform<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let state = fitted(&self.state, "StackingClassifier", "transform")?;
        self.stacked(state, &dyn_features("StackingClassifier::transform", x)?)?
            .to_tensor()
    }

    /// The fitted state and the stacked features of `x`, for the final estimator.
    fn final_input<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<(&ClassifierStack, DynFeatures)> {
        let state = fitted(&self.state, "StackingClassifier", op)?;
        let meta = self.stacked(state, &dyn_features(op, x)?)?;
        Ok((state, features(&meta)?))
    }
}

/// A fold member's score columns placed under their classes among all `classes`, `fill`
/// where the fold lacked a class (scikit-learn's `_enforce_prediction_order`).
fn in_all_classes(
    member: &dyn DynClassifier,
    scores: Matrix,
    classes: &[usize],
    fill: f64,
) -> Result<Matrix> {
    let own = member.classes_dyn().unwrap_or_default();
    if own.len() == classes.len() {
        return Ok(scores);
    }
    let mut out = Matrix {
        rows: scores.rows,
        cols: classes.len(),
        data: vec![fill; scores.rows * classes.len()],
    };
    for (j, c) in own.iter().enumerate() {
        let to = classes
            .binary_search(c)
            .expect("a fold's classes are among all classes");
        for i in 0..scores.rows {
            out.row_mut(i)[to] = scores.at(i, j);
        }
    }
    Ok(out)
}

impl Classifier for StackingClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const NAME: &str = "StackingClassifier";
        check_members(NAME, &self.estimators)?;
        let x = dyn_features("StackingClassifier::fit", x)?;
        let n = x.dims()[0];
        let labels = check_y_class("StackingClassifier::fit", y, n, 2)?;
        let stack_method = self
            .estimators
            .iter()
            .map(|(name, m)| self.resolve(name, m.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let y_host = y.try_to_vec()?;
        let folds = folds_of(NAME, &self.cv, |k| {
            StratifiedKFold::new().n_splits(k).split(&y_host)
        })?;
        let classes = labels.classes;
        // Each member refitted on all the data, and its out-of-fold outputs.
        let fitted_and_stacked = self
            .estimators
            .par_iter()
            .zip(&stack_method)
            .map(|((_, m), &method)| {
                let mut all = m.clone();
                all.fit_dyn(&x, y)?;
                let oof = out_of_fold(n, &folds, |train, test| {
                    let mut member = m.clone();
                    member.fit_dyn(&split_rows(&x, train)?, &split_rows(y, train)?)?;
                    Self::member_output(member.as_ref(), method, &split_rows(&x, test)?, &classes)
                })?;
                Ok((all, oof))
            })
            .collect::<Result<Vec<_>>>()?;
        let (estimators, mut blocks): (Vec<_>, Vec<_>) = fitted_and_stacked.into_iter().unzip();
        if self.passthrough {
            blocks.push(host(&x)?);
        }
        let mut final_estimator = self.final_estimator.clone();
        final_estimator.fit_dyn(&features(&hstack(&blocks))?, y)?;
        self.state = Some(ClassifierStack {
            classes,
            estimators,
            stack_method,
            final_estimator,
        });
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let (state, meta) = self.final_input("StackingClassifier::predict", x)?;
        state.final_estimator.predict_dyn(&meta)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

/// The final estimator's probabilities (an `Err` if it has none).
impl PredictProba for StackingClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let (state, meta) = self.final_input("StackingClassifier::predict_proba", x)?;
        host(&state.final_estimator.predict_proba_dyn(&meta)?)?.to_tensor()
    }
}

/// The final estimator's confidence scores (an `Err` if it has none).
impl DecisionFunction for StackingClassifier {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let (state, meta) = self.final_input("StackingClassifier::decision_function", x)?;
        host(&state.final_estimator.decision_function_dyn(&meta)?)?.to_tensor()
    }
}

/// Stacks regressors of any types under a final regressor, as scikit-learn's
/// `StackingRegressor`. Defaults as scikit-learn's: the final estimator is `RidgeCV::new()`
/// (leave-one-out over alphas 0.1, 1, 10), `cv = 5` unshuffled folds, no passthrough.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::StackingRegressor;
/// use gf_learn::linear_model::{LinearRegression, Ridge};
/// use gf_learn::neighbors::KNeighborsRegressor;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..20).map(|i| i as f64).collect(), (20, 1));
/// let y = dev.tensor_from_vec((0..20).map(|i| 2.0 * i as f64).collect(), (20,));
/// let mut stack = StackingRegressor::new()
///     .final_estimator(LinearRegression::new())
///     .estimator("ridge", Ridge::new())
///     .estimator("knn", KNeighborsRegressor::new().n_neighbors(2));
/// assert!(stack.fit(&x, &y)?.score(&x, &y)? > 0.99);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone)]
pub struct StackingRegressor {
    estimators: Vec<(String, Box<dyn DynRegressor>)>,
    final_estimator: Box<dyn DynRegressor>,
    cv: Cv,
    passthrough: bool,
    state: Option<RegressorStack>,
}

#[derive(Clone)]
struct RegressorStack {
    estimators: Vec<Box<dyn DynRegressor>>,
    final_estimator: Box<dyn DynRegressor>,
}

impl std::fmt::Debug for StackingRegressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .estimators
            .iter()
            .map(|(n, m)| format!("{n}: {}", m.name()))
            .collect();
        f.debug_struct("StackingRegressor")
            .field("estimators", &names)
            .field("final_estimator", &self.final_estimator.name())
            .field("cv", &self.cv)
            .field("passthrough", &self.passthrough)
            .finish()
    }
}

impl Default for StackingRegressor {
    fn default() -> Self {
        Self::new()
    }
}

impl StackingRegressor {
    /// No member yet; scikit-learn's defaults.
    pub fn new() -> Self {
        StackingRegressor {
            estimators: Vec::new(),
            final_estimator: Box::new(RidgeCV::new()),
            cv: Cv::Splits(5),
            passthrough: false,
            state: None,
        }
    }

    /// Adds a member under a unique `name`.
    pub fn estimator(mut self, name: &str, estimator: impl DynRegressor + 'static) -> Self {
        self.estimators
            .push((name.to_string(), Box::new(estimator)));
        self
    }

    /// The regressor fitted on the stacked predictions.
    pub fn final_estimator(mut self, estimator: impl DynRegressor + 'static) -> Self {
        self.final_estimator = Box::new(estimator);
        self
    }

    /// The number of folds of the out-of-fold predictions, in `[2, n_samples]`.
    pub fn cv(mut self, n_splits: usize) -> Self {
        self.cv = Cv::Splits(n_splits);
        self
    }

    /// These folds instead (they must partition the samples).
    pub fn folds(mut self, folds: Vec<Fold>) -> Self {
        self.cv = Cv::Folds(folds);
        self
    }

    /// Whether the final estimator also sees the original features, after the predictions.
    pub fn passthrough(mut self, passthrough: bool) -> Self {
        self.passthrough = passthrough;
        self
    }

    /// The members refitted on all the data, in order; `None` before `fit`.
    pub fn estimators_(&self) -> Option<&[Box<dyn DynRegressor>]> {
        self.state.as_ref().map(|s| s.estimators.as_slice())
    }

    /// The final estimator as fitted; `None` before `fit`.
    pub fn final_estimator_(&self) -> Option<&dyn DynRegressor> {
        self.state.as_ref().map(|s| s.final_estimator.as_ref())
    }

    /// Each member's predictions as a column (plus `x` with passthrough).
    fn stacked(&self, state: &RegressorStack, x: &DynFeatures) -> Result<Matrix> {
        let mut blocks = state
            .estimators
            .iter()
            .map(|m| column(&m.predict_dyn(x)?))
            .collect::<Result<Vec<_>>>()?;
        if self.passthrough {
            blocks.push(host(x)?);
        }
        Ok(hstack(&blocks))
    }

    /// The features the final estimator sees (scikit-learn's `transform`).
    pub fn transform<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let state = fitted(&self.state, "StackingRegressor", "transform")?;
        self.stacked(state, &dyn_features("StackingRegressor::transform", x)?)?
            .to_tensor()
    }
}

/// Predictions as a one-column matrix.
fn column(pred: &Target<f64>) -> Result<Matrix> {
    let data = pred.try_to_vec()?;
    Ok(Matrix {
        rows: data.len(),
        cols: 1,
        data,
    })
}

impl Regressor for StackingRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const NAME: &str = "StackingRegressor";
        check_members(NAME, &self.estimators)?;
        let x = dyn_features("StackingRegressor::fit", x)?;
        let n = x.dims()[0];
        let y = vector::<f64>(&check_y_reg("StackingRegressor::fit", y, n)?)?;
        let folds = folds_of(NAME, &self.cv, |k| KFold::new().n_splits(k).split(n))?;
        let fitted_and_stacked = self
            .estimators
            .par_iter()
            .map(|(_, m)| {
                let mut all = m.clone();
                all.fit_dyn(&x, &y)?;
                let oof = out_of_fold(n, &folds, |train, test| {
                    let mut member = m.clone();
                    member.fit_dyn(&split_rows(&x, train)?, &split_rows(&y, train)?)?;
                    column(&member.predict_dyn(&split_rows(&x, test)?)?)
                })?;
                Ok((all, oof))
            })
            .collect::<Result<Vec<_>>>()?;
        let (estimators, mut blocks): (Vec<_>, Vec<_>) = fitted_and_stacked.into_iter().unzip();
        if self.passthrough {
            blocks.push(host(&x)?);
        }
        let mut final_estimator = self.final_estimator.clone();
        final_estimator.fit_dyn(&features(&hstack(&blocks))?, &y)?;
        self.state = Some(RegressorStack {
            estimators,
            final_estimator,
        });
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        let state = fitted(&self.state, "StackingRegressor", "predict")?;
        let meta = self.stacked(state, &dyn_features("StackingRegressor::predict", x)?)?;
        let pred = state.final_estimator.predict_dyn(&features(&meta)?)?;
        vector(&pred.try_to_vec()?)
    }
}
