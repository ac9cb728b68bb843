//! [`BaggingClassifier`] and [`BaggingRegressor`]: copies of one estimator of any type, each
//! fitted on a random draw of the samples (and optionally of the features), averaged, as
//! scikit-learn's.
//!
//! The draws come from GhostFlow's seeded generator (xoshiro256**), not numpy's, so the
//! members differ from scikit-learn's for the same `random_state`; the ensembles reach the same
//! accuracy. As in scikit-learn, a member that takes sample weights (trees, SVMs) is fitted on
//! all the rows with each row's draw count as its weight, so `min_samples_leaf` counts distinct
//! samples; the others are fitted on the drawn rows, repeats included.

use gf_core::rng::Xoshiro256;
use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use super::member::{dyn_features, DynClassifier, DynFeatures, DynRegressor};
use crate::error::{Error, Result};
use crate::metrics;
use crate::model_selection::split_rows;
use crate::traits::{Classifier, Features, PredictProba, Regressor, Scores, Target};
use crate::tree::{DecisionTreeClassifier, DecisionTreeRegressor};
use crate::validation::{
    argmax, check_param, check_x_width, check_y_class, check_y_reg, fitted, label_vector, vector,
    Matrix,
};

/// How many of a population to draw: scikit-learn's `max_samples` / `max_features`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Draw {
    /// This many.
    Count(usize),
    /// This fraction of the population, in `(0, 1]`, rounded down (at least 1).
    Fraction(f64),
}

impl Draw {
    /// The count for a population of `n`, or an `Err` naming `name`.
    fn resolve(self, estimator: &'static str, name: &'static str, n: usize) -> Result<usize> {
        match self {
            Draw::Count(k) => check_param(
                estimator,
                name,
                k,
                "an int in [1, n] for a population of n",
                |k| k >= 1 && k <= n,
            )
            .map(|_| k),
            Draw::Fraction(f) => {
                check_param(estimator, name, f, "a float in (0, 1]", |f| {
                    f > 0.0 && f <= 1.0
                })?;
                Ok(((f * n as f64) as usize).max(1))
            }
        }
    }
}

/// The settings shared by both bagging estimators.
#[derive(Clone, Debug)]
struct BaggingParams {
    n_estimators: usize,
    max_samples: Draw,
    max_features: Draw,
    bootstrap: bool,
    bootstrap_features: bool,
    oob_score: bool,
    random_state: u64,
}

impl BaggingParams {
    fn new() -> Self {
        BaggingParams {
            n_estimators: 10,
            max_samples: Draw::Fraction(1.0),
            max_features: Draw::Fraction(1.0),
            bootstrap: true,
            bootstrap_features: false,
            oob_score: false,
            random_state: 0,
        }
    }

    /// Each member's seed, sample indices and feature indices, from `random_state`.
    fn draws(
        &self,
        estimator: &'static str,
        n_samples: usize,
        n_features: usize,
    ) -> Result<Vec<MemberDraw>> {
        super::check_n_estimators(estimator, self.n_estimators)?;
        let k_samples = self
            .max_samples
            .resolve(estimator, "max_samples", n_samples)?;
        let k_features = self
            .max_features
            .resolve(estimator, "max_features", n_features)?;
        if self.oob_score && !self.bootstrap {
            return Err(Error::input(
                estimator,
                "out of bag estimation only available if bootstrap=true",
            ));
        }
        let mut rng = Xoshiro256::new(self.random_state);
        let pick =
            |rng: &mut Xoshiro256, with_replacement: bool, n: usize, k: usize| -> Vec<usize> {
                if with_replacement {
                    (0..k).map(|_| rng.below(n as u64) as usize).collect()
                } else {
                    let mut all = rng.permutation(n);
                    all.truncate(k);
                    all.sort_unstable();
                    all
                }
            };
        Ok((0..self.n_estimators)
            .map(|_| {
                let seed = rng.next_u64() >> 32;
                let features = pick(&mut rng, self.bootstrap_features, n_features, k_features);
                let samples = pick(&mut rng, self.bootstrap, n_samples, k_samples);
                MemberDraw {
                    seed,
                    samples,
                    features,
                }
            })
            .collect())
    }
}

/// What one member is fitted on.
#[derive(Clone, Debug)]
struct MemberDraw {
    seed: u64,
    samples: Vec<usize>,
    features: Vec<usize>,
}

impl MemberDraw {
    /// The columns `features` of `x`.
    fn columns(&self, x: &DynFeatures) -> Result<DynFeatures> {
        let [n, d] = x.dims();
        let data = x.try_to_vec()?;
        let m = Matrix {
            rows: n,
            cols: self.features.len(),
            data: (0..n)
                .flat_map(|i| self.features.iter().map(move |&j| (i, j)))
                .map(|(i, j)| data[i * d + j])
                .collect(),
        };
        m.to_tensor()
    }

    /// How many times each of the `n` samples was drawn, as sample weights.
    fn counts(&self, n: usize) -> Result<Target<f64>> {
        let mut counts = vec![0.0; n];
        self.samples.iter().for_each(|&i| counts[i] += 1.0);
        vector(&counts)
    }

    /// Whether sample `i` is out of this member's bag.
    fn out_of_bag(&self, n: usize) -> Vec<bool> {
        let mut out = vec![true; n];
        self.samples.iter().for_each(|&i| out[i] = false);
        out
    }
}

/// The setters shared by both bagging estimators.
macro_rules! bagging_setters {
    () => {
        /// The number of members, in `[1, inf)`; default 10.
        pub fn n_estimators(mut self, n: usize) -> Self {
            self.params.n_estimators = n;
            self
        }

        /// The samples each member is fitted on; default all (`Fraction(1.0)`).
        pub fn max_samples(mut self, draw: Draw) -> Self {
            self.params.max_samples = draw;
            self
        }

        /// The features each member sees; default all (`Fraction(1.0)`).
        pub fn max_features(mut self, draw: Draw) -> Self {
            self.params.max_features = draw;
            self
        }

        /// Whether samples are drawn with replacement; default `true`.
        pub fn bootstrap(mut self, bootstrap: bool) -> Self {
            self.params.bootstrap = bootstrap;
            self
        }

        /// Whether features are drawn with replacement; default `false`.
        pub fn bootstrap_features(mut self, bootstrap_features: bool) -> Self {
            self.params.bootstrap_features = bootstrap_features;
            self
        }

        /// Whether to score each sample with the members that did not see it (needs
        /// `bootstrap`); default `false`.
        pub fn oob_score(mut self, oob_score: bool) -> Self {
            self.params.oob_score = oob_score;
            self
        }

        /// The seed of the draws and of each member's own `random_state`; default 0.
        pub fn random_state(mut self, random_state: u64) -> Self {
            self.params.random_state = random_state;
            self
        }

        /// The out-of-bag score (accuracy, or R² for a regressor); `None` before `fit` or
        /// without `oob_score`.
        pub fn oob_score_(&self) -> Option<f64> {
            self.state.as_ref().and_then(|s| s.oob_score)
        }

        /// The sample indices each member was fitted on; `None` before `fit`.
        pub fn estimators_samples_(&self) -> Option<Vec<&[usize]>> {
            self.state
                .as_ref()
                .map(|s| s.draws.iter().map(|d| d.samples.as_slice()).collect())
        }

        /// The feature indices each member sees; `None` before `fit`.
        pub fn estimators_features_(&self) -> Option<Vec<&[usize]>> {
            self.state
                .as_ref()
                .map(|s| s.draws.iter().map(|d| d.features.as_slice()).collect())
        }
    };
}

/// Bagging of a classifier, as scikit-learn's `BaggingClassifier`: `n_estimators` copies of
/// `estimator` (a decision tree by default), each with its own `random_state`, fitted in
/// parallel on bootstrap draws of the samples; the prediction is the class of highest mean
/// probability (members without `predict_proba` contribute their vote as a probability of 1).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::BaggingClassifier;
/// use gf_learn::neighbors::KNeighborsClassifier;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..60).map(|i| (i / 2) as f64 + 0.3 * (i % 2) as f64).collect(), (30, 2));
/// let y = dev.tensor_from_vec((0..30).map(|i| usize::from(i >= 15)).collect(), (30,));
/// let mut bag = BaggingClassifier::new(KNeighborsClassifier::new().n_neighbors(3)).oob_score(true);
/// assert!(bag.fit(&x, &y)?.score(&x, &y)? > 0.9);
/// assert!(bag.oob_score_().unwrap() > 0.8);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone)]
pub struct BaggingClassifier {
    estimator: Box<dyn DynClassifier>,
    params: BaggingParams,
    state: Option<ClassifierBag>,
}

#[derive(Clone)]
struct ClassifierBag {
    classes: Vec<usize>,
    n_features: usize,
    draws: Vec<MemberDraw>,
    members: Vec<Box<dyn DynClassifier>>,
    oob_score: Option<f64>,
    oob_decision: Option<Vec<f64>>,
}

impl std::fmt::Debug for BaggingClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaggingClassifier")
            .field("estimator", &self.estimator.name())
            .field("params", &self.params)
            .finish()
    }
}

impl Default for BaggingClassifier {
    fn default() -> Self {
        Self::new(DecisionTreeClassifier::new())
    }
}

impl BaggingClassifier {
    /// Bagging of `estimator`, with scikit-learn's defaults otherwise (`Default` bags
    /// decision trees, scikit-learn's default estimator).
    pub fn new(estimator: impl DynClassifier + 'static) -> Self {
        BaggingClassifier {
            estimator: Box::new(estimator),
            params: BaggingParams::new(),
            state: None,
        }
    }

    bagging_setters!();

    /// The fitted members, in order; `None` before `fit`.
    pub fn estimators_(&self) -> Option<&[Box<dyn DynClassifier>]> {
        self.state.as_ref().map(|s| s.members.as_slice())
    }

    /// Each training sample's mean out-of-bag class probabilities, `(n, n_classes)` row-major
    /// (NaN for a sample no member left out); `None` before `fit` or without `oob_score`.
    pub fn oob_decision_function_(&self) -> Option<&[f64]> {
        self.state.as_ref().and_then(|s| s.oob_decision.as_deref())
    }

    /// The sum over `members` of each one's class probabilities on its columns of `x`, placed
    /// under all the classes (scikit-learn's `_parallel_predict_proba`).
    fn summed_proba(state: &ClassifierBag, members: &[usize], x: &DynFeatures) -> Result<Matrix> {
        let n = x.dims()[0];
        let k = state.classes.len();
        let parts = members
            .par_iter()
            .map(|&m| {
                let member = &state.members[m];
                let xm = state.draws[m].columns(x)?;
                let own = member.classes_dyn().unwrap_or_default();
                let cols: Vec<usize> = own
                    .iter()
                    .map(|c| {
                        state
                            .classes
                            .binary_search(c)
                            .expect("a member's classes are among all")
                    })
                    .collect();
                let mut out = Matrix::zeros(n, k);
                if member.has_predict_proba() {
                    let p = member.predict_proba_dyn(&xm)?.try_to_vec()?;
                    for i in 0..n {
                        for (j, &c) in cols.iter().enumerate() {
                            out.row_mut(i)[c] += p[i * own.len() + j];
                        }
                    }
                } else {
                    let pred = member.predict_dyn(&xm)?.try_to_vec()?;
                    for (i, l) in pred.iter().enumerate() {
                        out.row_mut(i)
                            [state.classes.binary_search(l).expect("a predicted class")] += 1.0;
                    }
                }
                Ok(out)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut total = Matrix::zeros(n, k);
        for p in &parts {
            total
                .data
                .iter_mut()
                .zip(&p.data)
                .for_each(|(t, v)| *t += v);
        }
        Ok(total)
    }

    /// The mean probabilities of all members on `x`.
    fn mean_proba<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<(&ClassifierBag, Matrix)> {
        let state = fitted(&self.state, "BaggingClassifier", op)?;
        let x = check_x_width(op, "BaggingClassifier", x, state.n_features)?.to_tensor::<f64>()?;
        let all: Vec<usize> = (0..state.members.len()).collect();
        let mut p = Self::summed_proba(state, &all, &x)?;
        let m = state.members.len() as f64;
        p.data.iter_mut().for_each(|v| *v /= m);
        Ok((state, p))
    }
}

impl Classifier for BaggingClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const NAME: &str = "BaggingClassifier";
        let x = dyn_features("BaggingClassifier::fit", x)?;
        let [n, d] = x.dims();
        let labels = check_y_class("BaggingClassifier::fit", y, n, 1)?;
        let draws = self.params.draws(NAME, n, d)?;
        let members = draws
            .par_iter()
            .map(|draw| {
                let mut m = self.estimator.clone();
                m.set_random_state(draw.seed);
                if m.supports_sample_weight() {
                    m.fit_weighted_dyn(&draw.columns(&x)?, y, &draw.counts(n)?)?;
                } else {
                    let xm = draw.columns(&split_rows(&x, &draw.samples)?)?;
                    m.fit_dyn(&xm, &split_rows(y, &draw.samples)?)?;
                }
                Ok(m)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut state = ClassifierBag {
            classes: labels.classes,
            n_features: d,
            draws,
            members,
            oob_score: None,
            oob_decision: None,
        };
        if self.params.oob_score {
            // Each sample scored by the members whose bag left it out.
            let k = state.classes.len();
            let mut sums = Matrix::zeros(n, k);
            for (m, draw) in state.draws.iter().enumerate() {
                let out = draw.out_of_bag(n);
                let rows: Vec<usize> = (0..n).filter(|&i| out[i]).collect();
                if rows.is_empty() {
                    continue;
                }
                let p = Self::summed_proba(&state, &[m], &split_rows(&x, &rows)?)?;
                for (r, &i) in rows.iter().enumerate() {
                    sums.row_mut(i)
                        .iter_mut()
                        .zip(p.row(r))
                        .for_each(|(s, v)| *s += v);
                }
            }
            let mut hits = 0;
            let mut decision = vec![f64::NAN; n * k];
            for i in 0..n {
                let total: f64 = sums.row(i).iter().sum();
                if total > 0.0 {
                    sums.row(i)
                        .iter()
                        .enumerate()
                        .for_each(|(c, v)| decision[i * k + c] = v / total);
                }
                hits += usize::from(argmax(sums.row(i)) == labels.codes[i]);
            }
            state.oob_score = Some(hits as f64 / n as f64);
            state.oob_decision = Some(decision);
        }
        self.state = Some(state);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let (state, p) = self.mean_proba("BaggingClassifier::predict", x)?;
        label_vector(
            p.data
                .chunks(state.classes.len())
                .map(|r| state.classes[argmax(r)])
                .collect(),
        )
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

impl PredictProba for BaggingClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.mean_proba("BaggingClassifier::predict_proba", x)?
            .1
            .to_tensor()
    }
}

/// Bagging of a regressor, as scikit-learn's `BaggingRegressor`: the mean prediction of
/// `n_estimators` copies of `estimator` (a decision tree by default) fitted on bootstrap draws.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::BaggingRegressor;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..40).map(|i| i as f64).collect(), (40, 1));
/// let y = dev.tensor_from_vec((0..40).map(|i| (i as f64 / 6.0).sin()).collect(), (40,));
/// let mut bag = BaggingRegressor::default().n_estimators(20);
/// assert!(bag.fit(&x, &y)?.score(&x, &y)? > 0.9);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone)]
pub struct BaggingRegressor {
    estimator: Box<dyn DynRegressor>,
    params: BaggingParams,
    state: Option<RegressorBag>,
}

#[derive(Clone)]
struct RegressorBag {
    n_features: usize,
    draws: Vec<MemberDraw>,
    members: Vec<Box<dyn DynRegressor>>,
    oob_score: Option<f64>,
    oob_prediction: Option<Vec<f64>>,
}

impl std::fmt::Debug for BaggingRegressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BaggingRegressor")
            .field("estimator", &self.estimator.name())
            .field("params", &self.params)
            .finish()
    }
}

impl Default for BaggingRegressor {
    fn default() -> Self {
        Self::new(DecisionTreeRegressor::new())
    }
}

impl BaggingRegressor {
    /// Bagging of `estimator`, with scikit-learn's defaults otherwise.
    pub fn new(estimator: impl DynRegressor + 'static) -> Self {
        BaggingRegressor {
            estimator: Box::new(estimator),
            params: BaggingParams::new(),
            state: None,
        }
    }

    bagging_setters!();

    /// The fitted members, in order; `None` before `fit`.
    pub fn estimators_(&self) -> Option<&[Box<dyn DynRegressor>]> {
        self.state.as_ref().map(|s| s.members.as_slice())
    }

    /// Each training sample's mean out-of-bag prediction (0 for a sample no member left out,
    /// as scikit-learn's); `None` before `fit` or without `oob_score`.
    pub fn oob_prediction_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.oob_prediction.as_deref())
    }
}

impl Regressor for BaggingRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const NAME: &str = "BaggingRegressor";
        let x = dyn_features("BaggingRegressor::fit", x)?;
        let [n, d] = x.dims();
        let yv = check_y_reg("BaggingRegressor::fit", y, n)?;
        let y = vector::<f64>(&yv)?;
        let draws = self.params.draws(NAME, n, d)?;
        let members = draws
            .par_iter()
            .map(|draw| {
                let mut m = self.estimator.clone();
                m.set_random_state(draw.seed);
                if m.supports_sample_weight() {
                    m.fit_weighted_dyn(&draw.columns(&x)?, &y, &draw.counts(n)?)?;
                } else {
                    let xm = draw.columns(&split_rows(&x, &draw.samples)?)?;
                    m.fit_dyn(&xm, &split_rows(&y, &draw.samples)?)?;
                }
                Ok(m)
            })
            .collect::<Result<Vec<_>>>()?;
        let mut state = RegressorBag {
            n_features: d,
            draws,
            members,
            oob_score: None,
            oob_prediction: None,
        };
        if self.params.oob_score {
            let (mut sums, mut counts) = (vec![0.0; n], vec![0usize; n]);
            for (member, draw) in state.members.iter().zip(&state.draws) {
                let out = draw.out_of_bag(n);
                let rows: Vec<usize> = (0..n).filter(|&i| out[i]).collect();
                if rows.is_empty() {
                    continue;
                }
                let pred = member
                    .predict_dyn(&draw.columns(&split_rows(&x, &rows)?)?)?
                    .try_to_vec()?;
                for (r, &i) in rows.iter().enumerate() {
                    sums[i] += pred[r];
                    counts[i] += 1;
                }
            }
            // scikit-learn counts a sample no member left out as predicted 0.
            let prediction: Vec<f64> = sums
                .iter()
                .zip(&counts)
                .map(|(s, &c)| s / c.max(1) as f64)
                .collect();
            state.oob_score = Some(metrics::r2_score(&y, &vector::<f64>(&prediction)?)?);
            state.oob_prediction = Some(prediction);
        }
        self.state = Some(state);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "BaggingRegressor::predict";
        let state = fitted(&self.state, "BaggingRegressor", OP)?;
        let x = check_x_width(OP, "BaggingRegressor", x, state.n_features)?.to_tensor::<f64>()?;
        let preds = state
            .members
            .par_iter()
            .zip(&state.draws)
            .map(|(m, draw)| Ok(m.predict_dyn(&draw.columns(&x)?)?.try_to_vec()?))
            .collect::<Result<Vec<_>>>()?;
        let n = x.dims()[0];
        let mut mean = vec![0.0; n];
        for p in &preds {
            mean.iter_mut().zip(p).for_each(|(s, v)| *s += v);
        }
        let m = preds.len() as f64;
        mean.iter_mut().for_each(|s| *s /= m);
        vector(&mean)
    }
}
