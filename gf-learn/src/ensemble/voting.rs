//! [`VotingClassifier`] and [`VotingRegressor`]: estimators of any types fitted on the same
//! data, their predictions combined by (weighted) majority, mean probability or mean value, as
//! scikit-learn's.

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use super::member::{check_members, dyn_features, DynClassifier, DynFeatures, DynRegressor};
use crate::error::{Error, Result};
use crate::traits::{Classifier, Features, PredictProba, Regressor, Scores, Target};
use crate::validation::{argmax, check_y_class, check_y_reg, fitted, label_vector, vector, Matrix};

/// How a [`VotingClassifier`] combines its members (scikit-learn's `voting`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Voting {
    /// The class most members predict (weighted); ties go to the smaller class. The default.
    #[default]
    Hard,
    /// The class of highest mean (weighted) probability; every member needs `predict_proba`.
    Soft,
}

/// The named members and weights shared by both voting estimators.
#[derive(Clone)]
struct Members<M> {
    estimators: Vec<(String, M)>,
    weights: Option<Vec<f64>>,
}

impl<M> Members<M> {
    /// `Err` unless there are uniquely named members and the weights (if any) are one finite
    /// non-negative value per member.
    fn check(&self, estimator: &'static str) -> Result<()> {
        check_members(estimator, &self.estimators)?;
        if let Some(w) = &self.weights {
            if w.len() != self.estimators.len() {
                return Err(Error::input(
                    estimator,
                    format!(
                        "number of 'estimators' and 'weights' should be equal; got {} estimators and {} weights",
                        self.estimators.len(),
                        w.len()
                    ),
                ));
            }
            if let Some(bad) = w.iter().find(|v| !v.is_finite() || **v < 0.0) {
                return Err(Error::parameter(
                    estimator,
                    "weights",
                    "finite non-negative floats",
                    bad,
                ));
            }
        }
        Ok(())
    }

    /// `values[i][j]` averaged over the members `i` with their weights, in numpy's order
    /// (`np.average` along the first axis: a running sum, then one division).
    fn average(&self, values: &[Vec<f64>]) -> Vec<f64> {
        let mut out = vec![0.0; values[0].len()];
        match &self.weights {
            None => {
                for v in values {
                    out.iter_mut().zip(v).for_each(|(o, x)| *o += x);
                }
                let n = values.len() as f64;
                out.iter_mut().for_each(|o| *o /= n);
            }
            Some(w) => {
                for (v, wi) in values.iter().zip(w) {
                    out.iter_mut().zip(v).for_each(|(o, x)| *o += x * wi);
                }
                let total: f64 = w.iter().sum();
                out.iter_mut().for_each(|o| *o /= total);
            }
        }
        out
    }
}

/// Combines classifiers of any types by voting, as scikit-learn's `VotingClassifier`: each
/// member is fitted (in parallel) on all the data; `Hard` voting predicts the class with the
/// largest sum of member weights among the members' predictions, `Soft` the class of largest
/// weighted mean probability.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::{Voting, VotingClassifier};
/// use gf_learn::linear_model::LogisticRegression;
/// use gf_learn::naive_bayes::GaussianNB;
/// use gf_learn::prelude::*;
/// use gf_learn::tree::DecisionTreeClassifier;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 0.1, 0.2, 0.0, 3.0, 3.1, 3.2, 2.9], (4, 2));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 1], (4,));
/// let mut vote = VotingClassifier::new()
///     .estimator("lr", LogisticRegression::new())
///     .estimator("nb", GaussianNB::new())
///     .estimator("tree", DecisionTreeClassifier::new())
///     .voting(Voting::Soft);
/// assert_eq!(vote.fit(&x, &y)?.predict(&x)?.to_vec(), vec![0, 0, 1, 1]);
/// assert_eq!(vote.predict_proba(&x)?.dims(), [4, 2]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone)]
pub struct VotingClassifier {
    members: Members<Box<dyn DynClassifier>>,
    voting: Voting,
    state: Option<ClassifierFit>,
}

#[derive(Clone)]
struct ClassifierFit {
    classes: Vec<usize>,
    estimators: Vec<Box<dyn DynClassifier>>,
}

impl std::fmt::Debug for VotingClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .members
            .estimators
            .iter()
            .map(|(n, m)| format!("{n}: {}", m.name()))
            .collect();
        f.debug_struct("VotingClassifier")
            .field("estimators", &names)
            .field("voting", &self.voting)
            .field("weights", &self.members.weights)
            .finish()
    }
}

impl Default for VotingClassifier {
    fn default() -> Self {
        Self::new()
    }
}

impl VotingClassifier {
    /// No member yet; `voting = Hard`, no weights (scikit-learn's defaults).
    pub fn new() -> Self {
        VotingClassifier {
            members: Members {
                estimators: Vec::new(),
                weights: None,
            },
            voting: Voting::Hard,
            state: None,
        }
    }

    /// Adds a member under a unique `name`.
    pub fn estimator(mut self, name: &str, estimator: impl DynClassifier + 'static) -> Self {
        self.members
            .estimators
            .push((name.to_string(), Box::new(estimator)));
        self
    }

    /// Hard or soft voting.
    pub fn voting(mut self, voting: Voting) -> Self {
        self.voting = voting;
        self
    }

    /// One non-negative weight per member, in the order they were added; `None` weighs them
    /// equally.
    pub fn weights(mut self, weights: Option<Vec<f64>>) -> Self {
        self.members.weights = weights;
        self
    }

    /// The fitted members, in order; `None` before `fit`.
    pub fn estimators_(&self) -> Option<&[Box<dyn DynClassifier>]> {
        self.state.as_ref().map(|s| s.estimators.as_slice())
    }

    /// The fitted member called `name`; `None` before `fit` or for an unknown name.
    pub fn named_estimator_(&self, name: &str) -> Option<&dyn DynClassifier> {
        let state = self.state.as_ref()?;
        let i = self
            .members
            .estimators
            .iter()
            .position(|(n, _)| n == name)?;
        Some(state.estimators[i].as_ref())
    }

    /// The weighted mean probability of each class, row-major `(n, n_classes)`.
    fn mean_proba(&self, state: &ClassifierFit, x: &DynFeatures) -> Result<Vec<f64>> {
        let probas = state
            .estimators
            .iter()
            .map(|m| Ok(m.predict_proba_dyn(x)?.to_vec()))
            .collect::<Result<Vec<_>>>()?;
        Ok(self.members.average(&probas))
    }

    /// Each member's prediction for `x` as a class index, `[member][sample]`.
    fn member_votes(&self, state: &ClassifierFit, x: &DynFeatures) -> Result<Vec<Vec<usize>>> {
        state
            .estimators
            .iter()
            .map(|m| {
                let pred = m.predict_dyn(x)?.to_vec();
                Ok(pred
                    .iter()
                    .map(|l| {
                        state
                            .classes
                            .binary_search(l)
                            .expect("a member predicts a class it was fitted on")
                    })
                    .collect())
            })
            .collect()
    }

    /// The members' outputs as features, as scikit-learn's `transform` with
    /// `flatten_transform`: each member's probabilities side by side for soft voting
    /// (`(n, n_members * n_classes)`), each member's predicted label for hard voting
    /// (`(n, n_members)`).
    pub fn transform<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let state = fitted(&self.state, "VotingClassifier", "transform")?;
        let x = dyn_features("VotingClassifier::transform", x)?;
        let n = x.dims()[0];
        let columns: Vec<(usize, Vec<f64>)> = match self.voting {
            Voting::Soft => state
                .estimators
                .iter()
                .map(|m| Ok((state.classes.len(), m.predict_proba_dyn(&x)?.to_vec())))
                .collect::<Result<_>>()?,
            Voting::Hard => state
                .estimators
                .iter()
                .map(|m| {
                    let pred = m.predict_dyn(&x)?.to_vec();
                    Ok((1, pred.iter().map(|&l| l as f64).collect()))
                })
                .collect::<Result<_>>()?,
        };
        let width: usize = columns.iter().map(|c| c.0).sum();
        let mut out = Matrix::zeros(n, width);
        let mut at = 0;
        for (w, values) in &columns {
            for i in 0..n {
                out.row_mut(i)[at..at + w].copy_from_slice(&values[i * w..(i + 1) * w]);
            }
            at += w;
        }
        out.to_tensor()
    }
}

impl Classifier for VotingClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const NAME: &str = "VotingClassifier";
        self.members.check(NAME)?;
        if self.voting == Voting::Soft {
            if let Some((name, m)) = self
                .members
                .estimators
                .iter()
                .find(|(_, m)| !m.has_predict_proba())
            {
                return Err(Error::input(
                    NAME,
                    format!(
                        "voting=soft needs predict_proba, which member '{name}' ({}) does not have",
                        m.name()
                    ),
                ));
            }
        }
        let xf = dyn_features("VotingClassifier::fit", x)?;
        let labels = check_y_class("VotingClassifier::fit", y, xf.dims()[0], 1)?;
        let estimators = self
            .members
            .estimators
            .par_iter()
            .map(|(_, m)| {
                let mut m = m.clone();
                m.fit_dyn(&xf, y)?;
                Ok(m)
            })
            .collect::<Result<Vec<_>>>()?;
        self.state = Some(ClassifierFit {
            classes: labels.classes,
            estimators,
        });
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let state = fitted(&self.state, "VotingClassifier", "predict")?;
        let x = dyn_features("VotingClassifier::predict", x)?;
        let n = x.dims()[0];
        let k = state.classes.len();
        let winners: Vec<usize> = match self.voting {
            Voting::Soft => self.mean_proba(state, &x)?.chunks(k).map(argmax).collect(),
            Voting::Hard => {
                let votes = self.member_votes(state, &x)?;
                (0..n)
                    .map(|i| {
                        let mut tally = vec![0.0; k];
                        for (m, v) in votes.iter().enumerate() {
                            tally[v[i]] += self.members.weights.as_ref().map_or(1.0, |w| w[m]);
                        }
                        argmax(&tally)
                    })
                    .collect()
            }
        };
        label_vector(winners.iter().map(|&c| state.classes[c]).collect())
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

/// Soft voting's mean probabilities; an `Err` for hard voting, as scikit-learn's.
impl PredictProba for VotingClassifier {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let state = fitted(&self.state, "VotingClassifier", "predict_proba")?;
        if self.voting == Voting::Hard {
            return Err(Error::input(
                "VotingClassifier::predict_proba",
                "predict_proba is not available when voting='hard'",
            ));
        }
        let x = dyn_features("VotingClassifier::predict_proba", x)?;
        let n = x.dims()[0];
        Matrix {
            rows: n,
            cols: state.classes.len(),
            data: self.mean_proba(state, &x)?,
        }
        .to_tensor()
    }
}

/// Combines regressors of any types by the (weighted) mean of their predictions, as
/// scikit-learn's `VotingRegressor`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::ensemble::VotingRegressor;
/// use gf_learn::linear_model::{LinearRegression, Ridge};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 1.0, 2.0, 3.0], (4, 1));
/// let y = dev.tensor_from_vec(vec![0.0f64, 2.0, 4.0, 6.0], (4,));
/// let mut vote = VotingRegressor::new()
///     .estimator("ols", LinearRegression::new())
///     .estimator("ridge", Ridge::new().alpha(1e-9));
/// let pred = vote.fit(&x, &y)?.predict(&x)?.to_vec();
/// assert!((pred[3] - 6.0).abs() < 1e-6);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone)]
pub struct VotingRegressor {
    members: Members<Box<dyn DynRegressor>>,
    state: Option<Vec<Box<dyn DynRegressor>>>,
}

impl std::fmt::Debug for VotingRegressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .members
            .estimators
            .iter()
            .map(|(n, m)| format!("{n}: {}", m.name()))
            .collect();
        f.debug_struct("VotingRegressor")
            .field("estimators", &names)
            .field("weights", &self.members.weights)
            .finish()
    }
}

impl Default for VotingRegressor {
    fn default() -> Self {
        Self::new()
    }
}

impl VotingRegressor {
    /// No member yet, no weights.
    pub fn new() -> Self {
        VotingRegressor {
            members: Members {
                estimators: Vec::new(),
                weights: None,
            },
            state: None,
        }
    }

    /// Adds a member under a unique `name`.
    pub fn estimator(mut self, name: &str, estimator: impl DynRegressor + 'static) -> Self {
        self.members
            .estimators
            .push((name.to_string(), Box::new(estimator)));
        self
    }

    /// One non-negative weight per member, in the order they were added; `None` weighs them
    /// equally.
    pub fn weights(mut self, weights: Option<Vec<f64>>) -> Self {
        self.members.weights = weights;
        self
    }

    /// The fitted members, in order; `None` before `fit`.
    pub fn estimators_(&self) -> Option<&[Box<dyn DynRegressor>]> {
        self.state.as_deref()
    }

    /// Each member's predictions as a column, `(n, n_members)` (scikit-learn's `transform`).
    pub fn transform<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let preds = self.member_predictions("transform", x)?;
        let n = preds[0].len();
        let mut out = Matrix::zeros(n, preds.len());
        for (j, p) in preds.iter().enumerate() {
            for (i, v) in p.iter().enumerate() {
                out.row_mut(i)[j] = *v;
            }
        }
        out.to_tensor()
    }

    /// Each fitted member's predictions for `x`, `[member][sample]`.
    fn member_predictions<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<Vec<Vec<f64>>> {
        let state = fitted(&self.state, "VotingRegressor", op)?;
        let x = dyn_features("VotingRegressor::predict", x)?;
        state
            .iter()
            .map(|m| Ok(m.predict_dyn(&x)?.to_vec()))
            .collect()
    }
}

impl Regressor for VotingRegressor {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.members.check("VotingRegressor")?;
        let xf = dyn_features("VotingRegressor::fit", x)?;
        let yf = vector::<f64>(&check_y_reg("VotingRegressor::fit", y, xf.dims()[0])?)?;
        let estimators = self
            .members
            .estimators
            .par_iter()
            .map(|(_, m)| {
                let mut m = m.clone();
                m.fit_dyn(&xf, &yf)?;
                Ok(m)
            })
            .collect::<Result<Vec<_>>>()?;
        self.state = Some(estimators);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        let preds = self.member_predictions("predict", x)?;
        vector(&self.members.average(&preds))
    }
}
