//! [`GridSearchCV`] and [`RandomizedSearchCV`]: every candidate of a [`ParamGrid`] (or
//! `n_iter` drawn by a [`ParamSampler`]) scored by cross-validation, the best refitted on all
//! the data, as scikit-learn's. Both are one [`SearchCV`] over their source of candidates.

use std::fmt;

use gf_core::shape::Dim;
use gf_core::{Dtype, Unit};
use rayon::prelude::*;

use super::cross_validate::{timed_fit_score, timed_folds, CrossValidation};
use super::{Candidates, Fold, KFold, ParamGrid, ParamSampler, Params, StratifiedKFold};
use crate::error::{Error, Result};
use crate::traits::{
    Classifier, DecisionFunction, Features, PredictProba, Regressor, Scores, Target,
};
use crate::validation::{check_param, fitted, np_sum};

/// How the data are split for each candidate.
#[derive(Clone, Debug, PartialEq)]
pub enum Cv {
    /// `n` folds: [`StratifiedKFold`] for a classifier, [`KFold`] for a regressor, neither
    /// shuffled (scikit-learn's `cv=n`).
    Splits(usize),
    /// These folds, as given.
    Folds(Vec<Fold>),
}

/// The scores of every candidate, as scikit-learn's `cv_results_`; index `i` of each field is
/// candidate `i` of the grid.
#[derive(Clone, Debug)]
pub struct CvResults {
    /// The hyper-parameters of each candidate.
    pub params: Vec<Params>,
    /// The test score of each candidate on each split (`split{k}_test_score`).
    pub split_test_scores: Vec<Vec<f64>>,
    /// The mean test score over the splits.
    pub mean_test_score: Vec<f64>,
    /// The standard deviation of the test scores over the splits (numpy's, `ddof = 0`).
    pub std_test_score: Vec<f64>,
    /// The rank of each candidate by mean test score, 1 the best; ties share the smaller rank.
    pub rank_test_score: Vec<usize>,
    /// The mean over the splits of the seconds each fit took.
    pub mean_fit_time: Vec<f64>,
    /// The standard deviation over the splits of the fit times (numpy's, `ddof = 0`).
    pub std_fit_time: Vec<f64>,
    /// The mean over the splits of the seconds each scoring took.
    pub mean_score_time: Vec<f64>,
    /// The standard deviation over the splits of the score times (numpy's, `ddof = 0`).
    pub std_score_time: Vec<f64>,
}

/// numpy's mean and standard deviation (`ddof = 0`) of `s`.
fn moments(s: &[f64]) -> (f64, f64) {
    let n = s.len() as f64;
    let mean = np_sum(s) / n;
    let dev: Vec<f64> = s.iter().map(|v| (v - mean) * (v - mean)).collect();
    (mean, (np_sum(&dev) / n).sqrt())
}

impl CvResults {
    fn new(params: Vec<Params>, runs: Vec<CrossValidation>) -> Self {
        let of = |field: fn(&CrossValidation) -> &Vec<f64>| -> (Vec<f64>, Vec<f64>) {
            runs.iter().map(|r| moments(field(r))).unzip()
        };
        let (mean_fit_time, std_fit_time) = of(|r| &r.fit_time);
        let (mean_score_time, std_score_time) = of(|r| &r.score_time);
        let split_test_scores: Vec<Vec<f64>> = runs.into_iter().map(|r| r.test_score).collect();
        let moments: Vec<(f64, f64)> = split_test_scores.iter().map(|s| moments(s)).collect();
        let mean_test_score: Vec<f64> = moments.iter().map(|m| m.0).collect();
        // scipy's rankdata(-mean, method="min"), with NaN scores ranked last as scikit-learn
        // ranks them.
        let key = |m: f64| if m.is_nan() { f64::NEG_INFINITY } else { m };
        let rank_test_score = mean_test_score
            .iter()
            .map(|&m| 1 + mean_test_score.iter().filter(|&&o| key(o) > key(m)).count())
            .collect();
        CvResults {
            params,
            split_test_scores,
            std_test_score: moments.iter().map(|m| m.1).collect(),
            mean_test_score,
            rank_test_score,
            mean_fit_time,
            std_fit_time,
            mean_score_time,
            std_score_time,
        }
    }

    /// The first candidate of rank 1 (scikit-learn's `best_index_`).
    fn best_index(&self) -> usize {
        self.rank_test_score
            .iter()
            .position(|&r| r == 1)
            .expect("a non-empty grid has a best candidate")
    }
}

/// Exhaustive search over a grid of hyper-parameters (a [`SearchCV`] over a [`ParamGrid`]):
/// each candidate is built by `build` from its [`Params`], fitted and scored (with the estimator's own `score`: accuracy for a
/// classifier, R² for a regressor) on every fold, candidates and folds in parallel; the
/// candidate with the best mean score is refitted on all the data and serves `predict`.
/// Defaults as scikit-learn's: `cv = 5`, `refit = true`.
///
/// A candidate that fails to build or fit makes `fit` an `Err` naming it (scikit-learn's
/// `error_score="raise"`), rather than a NaN score.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::Ridge;
/// use gf_learn::model_selection::{GridSearchCV, ParamGrid};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..40).map(|i| ((i * 7) % 11) as f64).collect(), (20, 2));
/// let y = dev.tensor_from_vec((0..20).map(|i| (i % 5) as f64).collect(), (20,));
/// let grid = ParamGrid::new().param("alpha", [0.01, 1.0, 100.0]);
/// let mut search = GridSearchCV::new(grid, |p| Ok(Ridge::new().alpha(p.get("alpha")?))).cv(4);
/// search.fit(&x, &y)?;
/// let results = search.cv_results_().unwrap();
/// assert_eq!(results.mean_test_score.len(), 3);
/// assert_eq!(search.best_params_().unwrap().to_string(), format!("{}", results.params[search.best_index_().unwrap()]));
/// let _ = search.predict(&x)?;
/// # Ok::<(), gf_learn::Error>(())
/// ```
pub type GridSearchCV<M, B> = SearchCV<ParamGrid, M, B>;

/// Search over `n_iter` random candidates (a [`SearchCV`] over a [`ParamSampler`]), as
/// scikit-learn's `RandomizedSearchCV`; the same scoring, results and refit as
/// [`GridSearchCV`].
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::Ridge;
/// use gf_learn::model_selection::{Distribution, ParamSampler, RandomizedSearchCV};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec((0..40).map(|i| ((i * 7) % 11) as f64).collect(), (20, 2));
/// let y = dev.tensor_from_vec((0..20).map(|i| (i % 5) as f64).collect(), (20,));
/// let sampler = ParamSampler::new(5).distribution("alpha", Distribution::LogUniform { low: 1e-3, high: 1e3 });
/// let mut search = RandomizedSearchCV::new(sampler, |p| Ok(Ridge::new().alpha(p.get("alpha")?))).cv(4);
/// search.fit(&x, &y)?;
/// assert_eq!(search.cv_results_().unwrap().params.len(), 5);
/// # Ok::<(), gf_learn::Error>(())
/// ```
pub type RandomizedSearchCV<M, B> = SearchCV<ParamSampler, M, B>;

/// A cross-validated search over the candidates of `C`: [`GridSearchCV`] or
/// [`RandomizedSearchCV`].
#[derive(Clone)]
pub struct SearchCV<C, M, B> {
    candidates: C,
    build: B,
    cv: Cv,
    refit: bool,
    state: Option<Fitted<M>>,
}

#[derive(Clone, Debug)]
struct Fitted<M> {
    results: CvResults,
    best_index: usize,
    best_estimator: Option<M>,
}

impl<C: Candidates, M, B> fmt::Debug for SearchCV<C, M, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(C::SEARCH)
            .field("candidates", &self.candidates)
            .field("cv", &self.cv)
            .field("refit", &self.refit)
            .field("fitted", &self.state.is_some())
            .finish()
    }
}

impl<C: Candidates, M, B: Fn(&Params) -> Result<M> + Sync> SearchCV<C, M, B> {
    /// A search over `candidates` (a [`ParamGrid`] or a [`ParamSampler`]),
    /// building each with `build`.
    pub fn new(candidates: C, build: B) -> Self {
        SearchCV {
            candidates,
            build,
            cv: Cv::Splits(5),
            refit: true,
            state: None,
        }
    }

    /// The number of folds, in `[2, n_samples]` (stratified for a classifier).
    pub fn cv(mut self, n_splits: usize) -> Self {
        self.cv = Cv::Splits(n_splits);
        self
    }

    /// Scores on these folds instead (from [`KFold`], [`StratifiedKFold`] or by hand).
    pub fn folds(mut self, folds: Vec<Fold>) -> Self {
        self.cv = Cv::Folds(folds);
        self
    }

    /// Whether to fit the best candidate on all the data once the search is done (without it,
    /// only the scores are kept and `predict` is an `Err`).
    pub fn refit(mut self, refit: bool) -> Self {
        self.refit = refit;
        self
    }

    /// The scores of every candidate; `None` before `fit`.
    pub fn cv_results_(&self) -> Option<&CvResults> {
        self.state.as_ref().map(|s| &s.results)
    }

    /// The index of the best candidate in [`cv_results_`](Self::cv_results_); `None` before
    /// `fit`.
    pub fn best_index_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.best_index)
    }

    /// The hyper-parameters of the best candidate; `None` before `fit`.
    pub fn best_params_(&self) -> Option<&Params> {
        self.state.as_ref().map(|s| &s.results.params[s.best_index])
    }

    /// The mean cross-validated score of the best candidate; `None` before `fit`.
    pub fn best_score_(&self) -> Option<f64> {
        self.state
            .as_ref()
            .map(|s| s.results.mean_test_score[s.best_index])
    }

    /// The best candidate fitted on all the data; `None` before `fit` or with `refit = false`.
    pub fn best_estimator_(&self) -> Option<&M> {
        self.state.as_ref().and_then(|s| s.best_estimator.as_ref())
    }

    /// The refitted best estimator, or an `Err` saying why there is none.
    fn best(&self, op: &'static str) -> Result<&M> {
        let state = fitted(&self.state, C::SEARCH, op)?;
        state.best_estimator.as_ref().ok_or_else(|| {
            Error::input(
                op,
                "refit=false: the search kept no fitted estimator to predict with",
            )
        })
    }

    /// Scores every candidate on `folds` with `fit_score` (which returns the score and the fit and
    /// score durations), then refits the best with `refit`.
    fn search<F, E, T>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<T>,
        folds: Vec<Fold>,
        fit_score: impl Fn(
                &mut M,
                (Features<F, E>, Target<T>),
                (Features<F, E>, Target<T>),
            ) -> Result<(f64, std::time::Duration, std::time::Duration)>
            + Sync,
        refit: impl FnOnce(&mut M) -> Result<()>,
    ) -> Result<&mut Self>
    where
        F: Dim + Send + Sync,
        E: Dtype,
        T: Unit,
    {
        if folds.is_empty() {
            return Err(Error::input(C::SEARCH, "the cross-validation gave no fold"));
        }
        let params = self.candidates.candidates()?;
        let scores = params
            .par_iter()
            .map(|p| {
                let run = || {
                    timed_folds(x, y, &folds, |train, test| {
                        fit_score(&mut (self.build)(p)?, train, test)
                    })
                };
                run().map_err(|e| Error::input(C::SEARCH, format!("candidate {p}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let results = CvResults::new(params, scores);
        let best_index = results.best_index();
        let best_estimator = if self.refit {
            let mut best = (self.build)(&results.params[best_index])?;
            refit(&mut best)?;
            Some(best)
        } else {
            None
        };
        self.state = Some(Fitted {
            results,
            best_index,
            best_estimator,
        });
        Ok(self)
    }

    /// The folds for `n` samples, or an `Err` naming `cv`.
    fn folds_for(&self, make: impl FnOnce(usize) -> Result<Vec<Fold>>) -> Result<Vec<Fold>> {
        match &self.cv {
            Cv::Splits(k) => {
                check_param(C::SEARCH, "cv", *k, "an int in [2, inf)", |k| k >= 2)?;
                make(*k)
            }
            Cv::Folds(folds) => Ok(folds.clone()),
        }
    }
}

impl<C, M, B> Classifier for SearchCV<C, M, B>
where
    C: Candidates,
    M: Classifier + Send,
    B: Fn(&Params) -> Result<M> + Sync,
{
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        let labels = y.to_vec();
        let folds = self.folds_for(|k| StratifiedKFold::new().n_splits(k).split(&labels))?;
        self.search(
            x,
            y,
            folds,
            |m, train, test| timed_fit_score!(m, train, test),
            |m| m.fit(x, y).map(|_| ()),
        )
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        self.best("predict")?.predict(x)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.best_estimator_().and_then(|m| m.classes_())
    }
}

impl<C, M, B> PredictProba for SearchCV<C, M, B>
where
    C: Candidates,
    M: PredictProba + Send,
    B: Fn(&Params) -> Result<M> + Sync,
{
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.best("predict_proba")?.predict_proba(x)
    }
}

impl<C, M, B> DecisionFunction for SearchCV<C, M, B>
where
    C: Candidates,
    M: DecisionFunction + Send,
    B: Fn(&Params) -> Result<M> + Sync,
{
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.best("decision_function")?.decision_function(x)
    }
}

impl<C, M, B> Regressor for SearchCV<C, M, B>
where
    C: Candidates,
    M: Regressor + Send,
    B: Fn(&Params) -> Result<M> + Sync,
{
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        let n = x.dims()[0];
        let folds = self.folds_for(|k| KFold::new().n_splits(k).split(n))?;
        self.search(
            x,
            y,
            folds,
            |m, train, test| timed_fit_score!(m, train, test),
            |m| m.fit(x, y).map(|_| ()),
        )
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        self.best("predict")?.predict(x)
    }
}
