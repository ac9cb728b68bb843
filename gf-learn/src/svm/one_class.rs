//! Schölkopf's one-class SVM, as scikit-learn's `OneClassSVM`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::kernel::KernelFn;
use super::model::RegModel;
use super::train::train_one_class;
use super::{check_nu, kernel_input, rows, solver_setters, SolverParams};
use crate::error::Result;
use crate::traits::Features;
use crate::validation::{check_x, check_x_width, fitted, sample_weights, vector, Matrix};

const NAME: &str = "OneClassSVM";

/// Unsupervised outlier detection (scikit-learn's `OneClassSVM`): the kernel function
/// `f(x) = Σ αᵢ K(xᵢ, x) − ρ` that separates the training samples from the origin with at most
/// a fraction `nu` of them outside, solved by libsvm's SMO. `predict` gives `+1` inside
/// (`f(x) > 0`) and `−1` outside.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::svm::{Gamma, OneClassSVM};
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 0.0, 0.1, 0.1, -0.1, 0.1, 0.1, -0.1], (4, 2));
/// let mut oc = OneClassSVM::new().gamma(Gamma::Value(1.0)).nu(0.5);
/// oc.fit(&x)?;
/// let far = dev.tensor_from_vec(vec![5.0, 5.0], (1, 2));
/// assert_eq!(oc.predict(&far)?.to_vec(), vec![-1.0]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OneClassSVM {
    params: SolverParams,
    nu: f64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    kernel: KernelFn,
    model: RegModel,
    n_features: usize,
    intercept: [f64; 1],
    offset: [f64; 1],
}

impl Default for OneClassSVM {
    fn default() -> Self {
        Self::new()
    }
}

impl OneClassSVM {
    /// scikit-learn's defaults: `nu = 0.5`, RBF kernel with `gamma = 'scale'`, `tol = 1e-3`,
    /// shrinking.
    pub fn new() -> Self {
        OneClassSVM {
            params: SolverParams::default(),
            nu: 0.5,
            state: None,
        }
    }

    solver_setters!();

    /// ν, in `(0, 1]`: an upper bound on the fraction of training samples outside and a lower
    /// bound on the fraction of support vectors; default 0.5.
    pub fn nu(mut self, v: f64) -> Self {
        self.nu = v;
        self
    }

    /// The coefficient `αᵢ` of each support vector (scikit-learn's `dual_coef_`, one row);
    /// `None` before `fit`.
    pub fn dual_coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.model.coef.as_slice())
    }

    /// The constant of the decision function, `−ρ`; `None` before `fit`.
    pub fn intercept_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.intercept.as_slice())
    }

    /// `ρ`, so that `decision_function = score_samples − offset_`; `None` before `fit`.
    pub fn offset_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.offset.as_slice())
    }

    /// SMO iterations; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.model.n_iter)
    }

    /// 0 when SMO met `tol`, 1 when `max_iter` stopped it; `None` before `fit`.
    pub fn fit_status_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| usize::from(s.model.timed_out))
    }

    /// Fits to the samples `x` (rows).
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.fit_with("OneClassSVM::fit", x, None)
    }

    /// [`fit`](Self::fit) with each sample's bound scaled by its weight (scikit-learn's
    /// `fit(X, sample_weight=...)`); samples of weight 0 are left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        sample_weight: &crate::traits::Target<E>,
    ) -> Result<&mut Self> {
        self.fit_with("OneClassSVM::fit_weighted", x, Some(sample_weight))
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        sample_weight: Option<&crate::traits::Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let n_features = x.cols;
        let settings = self.params.settings(NAME, &x)?;
        let x = kernel_input(op, self.params.kernel, x, None)?;
        check_nu(NAME, self.nu)?;
        let weights = sample_weights(op, sample_weight, x.rows)?;
        if !weights.iter().any(|&w| w > 0.0) {
            return Err(crate::error::Error::input(op, "every sample_weight is 0"));
        }
        let model = train_one_class(&rows(&x), &weights, self.nu, &settings);
        model.check_finite(op)?;
        self.state = Some(Fitted {
            kernel: settings.kernel,
            intercept: [-model.rho],
            offset: [model.rho],
            model,
            n_features,
        });
        Ok(self)
    }

    fn values<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<(Vec<f64>, f64)> {
        let s = fitted(&self.state, NAME, op)?;
        let x: Matrix = check_x_width(op, NAME, x, s.n_features)?;
        let x = kernel_input(op, s.kernel.kind, x, Some(s.n_features))?;
        Ok((s.model.predict(&s.kernel, &x), s.model.rho))
    }

    /// The signed distance `f(x) = Σ αᵢ K(xᵢ, x) − ρ` of each row: positive inside.
    pub fn decision_function<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<crate::traits::Target<E>> {
        let (f, _) = self.values("OneClassSVM::decision_function", x)?;
        vector(&f)
    }

    /// The raw score `Σ αᵢ K(xᵢ, x)` of each row (`decision_function + offset_`).
    pub fn score_samples<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<crate::traits::Target<E>> {
        let (f, rho) = self.values("OneClassSVM::score_samples", x)?;
        vector(&f.iter().map(|v| v + rho).collect::<Vec<_>>())
    }

    /// `+1` for each row inside (`f(x) > 0`), `−1` outside, as libsvm's one-class predict
    /// (as values of the input's element type).
    pub fn predict<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<crate::traits::Target<E>> {
        let (f, _) = self.values("OneClassSVM::predict", x)?;
        vector(
            &f.iter()
                .map(|&v| if v > 0.0 { 1.0 } else { -1.0 })
                .collect::<Vec<_>>(),
        )
    }
}
