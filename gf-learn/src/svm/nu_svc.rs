//! ν-support vector classification, as scikit-learn's `NuSVC`: [`SVC`]'s one-vs-one machinery
//! with libsvm's ν-SVC in each pair.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::svc::{DecisionShape, SVC};
use super::{attribute, delegate, delegate_solver_setters};
use crate::error::Result;
use crate::linear_model::ClassWeight;
use crate::traits::{Classifier, DecisionFunction, Features, PredictProba, Scores, Target};

/// ν-support vector classification (scikit-learn's `NuSVC`): as [`SVC`], one binary SVM per
/// pair of classes, but each bounds the fraction of margin errors by `nu` (and of support
/// vectors from below) instead of paying `C` per error. Solved by libsvm's `Solver_NU` and
/// rescaled to the equivalent C-SVC, so the fitted attributes read as [`SVC`]'s.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::prelude::*;
/// use gf_learn::svm::{Kernel, NuSVC};
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 0.0, 0.3, 0.1, 2.0, 2.0, 2.2, 1.9], (4, 2));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 1], (4,));
/// let mut svc = NuSVC::new().nu(0.5).kernel(Kernel::Linear);
/// assert_eq!(svc.fit(&x, &y)?.predict(&x)?.to_vec(), vec![0, 0, 1, 1]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NuSVC {
    inner: SVC,
}

impl Default for NuSVC {
    fn default() -> Self {
        Self::new()
    }
}

impl NuSVC {
    /// scikit-learn's defaults: `nu = 0.5`, RBF kernel with `gamma = 'scale'`, `tol = 1e-3`,
    /// shrinking, no probabilities, `decision_function_shape = 'ovr'`; `random_state = 0`.
    pub fn new() -> Self {
        NuSVC {
            inner: SVC::nu_svc(0.5),
        }
    }

    /// ν, in `(0, 1]`: an upper bound on the fraction of margin errors and a lower bound on
    /// the fraction of support vectors; default 0.5. A ν too large for the class sizes
    /// (`ν·(n₁ + n₂)/2 > min(n₁, n₂)` for a pair) is an `Err` at `fit`.
    pub fn nu(mut self, v: f64) -> Self {
        self.inner.set_nu(v);
        self
    }

    delegate! {
        /// Whether `fit` also fits Platt's sigmoids so that `predict_proba` works; default
        /// `false`.
        probability(bool);
        /// Per-class weights, validated as [`SVC`]'s. libsvm's ν-SVC ignores them (its bounds
        /// are the sample weights alone), and so does scikit-learn's `NuSVC`; default
        /// [`ClassWeight::None`].
        class_weight(ClassWeight);
        /// The columns of `decision_function` for three or more classes; default
        /// [`DecisionShape::Ovr`].
        decision_function_shape(DecisionShape);
        /// Whether `predict` takes the arg-max of the `ovr` decision function; default `false`.
        break_ties(bool);
        /// The seed of the probability fit's shuffles (below 2^32); default 0.
        random_state(u64);
    }

    delegate_solver_setters!();

    attribute! {
        /// How many support vectors each class has; `None` before `fit`.
        n_support_ -> Option<&[usize]>;
        /// The dual coefficients, laid out as [`SVC::dual_coef_`]; `None` before `fit`.
        dual_coef_ -> Option<&[f64]>;
        /// The constant of each one-vs-one decision function; `None` before `fit`.
        intercept_ -> Option<&[f64]>;
        /// The primal weights for the linear kernel, as [`SVC::coef_`]; `None` before `fit` or
        /// for other kernels.
        coef_ -> Option<Vec<f64>>;
        /// SMO iterations of each one-vs-one problem; `None` before `fit`.
        n_iter_ -> Option<&[usize]>;
        /// 0 when every problem met `tol`, 1 when `max_iter` stopped one; `None` before `fit`.
        fit_status_ -> Option<usize>;
        /// Platt's `A` per class pair; `None` before `fit` or without `probability`.
        prob_a_ -> Option<&[f64]>;
        /// Platt's `B` per class pair; `None` before `fit` or without `probability`.
        prob_b_ -> Option<&[f64]>;
    }

    /// Whether `probability` is set.
    pub(crate) fn probability_enabled(&self) -> bool {
        self.inner.probability_enabled()
    }

    /// [`fit`](Classifier::fit) with each sample's bound scaled by its weight (scikit-learn's
    /// `fit(X, y, sample_weight)`); samples of weight 0 are left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.inner.fit_weighted(x, y, sample_weight)?;
        Ok(self)
    }
}

impl Classifier for NuSVC {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        self.inner.fit(x, y)?;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        self.inner.predict(x)
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.inner.classes_()
    }
}

impl DecisionFunction for NuSVC {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.inner.decision_function(x)
    }
}

impl PredictProba for NuSVC {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        self.inner.predict_proba(x)
    }
}
