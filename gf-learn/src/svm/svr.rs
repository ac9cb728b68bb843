//! ε-support vector regression, as scikit-learn's `SVR`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::kernel::{Kernel, KernelFn};
use super::model::RegModel;
use super::train::{train_svr, Tube};
use super::{c_setter, check_nu, kernel_input, rows, solver_setters, SolverParams};
use crate::error::{Error, Result};
use crate::traits::{Features, Regressor, Target};
use crate::validation::{
    check_param, check_x, check_x_width, check_y_reg, fitted, sample_weights, vector,
};

/// ε-support vector regression (scikit-learn's `SVR`): a kernel regression that ignores
/// errors below `epsilon` and pays `C` per unit beyond, solved by libsvm's SMO.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::prelude::*;
/// use gf_learn::svm::{Kernel, SVR};
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0f64, 1.0, 2.0, 3.0, 4.0], (5, 1));
/// let y = dev.tensor_from_vec(vec![0.0f64, 2.0, 4.0, 6.0, 8.0], (5,));
/// let mut svr = SVR::new().kernel(Kernel::Linear).c(10.0).epsilon(0.01);
/// let pred = svr.fit(&x, &y)?.predict(&x)?.to_vec();
/// assert!((pred[2] - 4.0).abs() < 0.05);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SVR {
    params: SolverParams,
    /// ε for `SVR`, ν for `NuSVR`, which wraps this type.
    tube: Tube,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    kernel: KernelFn,
    model: RegModel,
    n_features: usize,
    intercept: [f64; 1],
}

impl Default for SVR {
    fn default() -> Self {
        Self::new()
    }
}

impl SVR {
    /// scikit-learn's defaults: `C = 1`, `epsilon = 0.1`, RBF kernel with `gamma = 'scale'`,
    /// `tol = 1e-3`, shrinking.
    pub fn new() -> Self {
        SVR {
            params: SolverParams::default(),
            tube: Tube::Epsilon(0.1),
            state: None,
        }
    }

    /// `NuSVR`'s regressor: ν-SVR with scikit-learn's defaults.
    pub(crate) fn nu_svr(nu: f64) -> Self {
        SVR {
            tube: Tube::Nu(nu),
            ..Self::new()
        }
    }

    /// Sets `NuSVR`'s ν.
    pub(crate) fn set_nu(&mut self, nu: f64) {
        self.tube = Tube::Nu(nu);
    }

    /// The estimator's name in messages.
    fn name(&self) -> &'static str {
        self.op("SVR", "NuSVR")
    }

    /// `svr` or, for `NuSVR`, `nu`: the name of an operation in messages.
    fn op(&self, svr: &'static str, nu: &'static str) -> &'static str {
        match self.tube {
            Tube::Epsilon(_) => svr,
            Tube::Nu(_) => nu,
        }
    }

    c_setter!();
    solver_setters!();

    /// The half-width of the tube in which errors cost nothing, in `[0, inf)`; default 0.1.
    pub fn epsilon(mut self, v: f64) -> Self {
        self.tube = Tube::Epsilon(v);
        self
    }

    /// The coefficient `αᵢ − αᵢ*` of each support vector (scikit-learn's `dual_coef_`, one
    /// row); `None` before `fit`.
    pub fn dual_coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.model.coef.as_slice())
    }

    /// The constant of the regression function (−ρ); `None` before `fit`.
    pub fn intercept_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.intercept.as_slice())
    }

    /// The primal weights for the linear kernel; `None` before `fit` or for other kernels.
    pub fn coef_(&self) -> Option<Vec<f64>> {
        let s = self.state.as_ref()?;
        (s.kernel.kind == Kernel::Linear).then(|| s.model.primal(s.n_features))
    }

    /// SMO iterations; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.model.n_iter)
    }

    /// 0 when SMO met `tol`, 1 when `max_iter` stopped it; `None` before `fit`.
    pub fn fit_status_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| usize::from(s.model.timed_out))
    }
}

impl Regressor for SVR {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.fit_with(self.op("SVR::fit", "NuSVR::fit"), x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        let op = self.op("SVR::predict", "NuSVR::predict");
        let s = fitted(&self.state, self.name(), op)?;
        let x = check_x_width(op, self.name(), x, s.n_features)?;
        let x = kernel_input(op, s.kernel.kind, x, Some(s.n_features))?;
        vector(&s.model.predict(&s.kernel, &x))
    }
}

impl SVR {
    /// [`fit`](Regressor::fit) with each sample's `C` scaled by its weight (scikit-learn's
    /// `fit(X, y, sample_weight)`); samples of weight 0 are left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        let op = self.op("SVR::fit_weighted", "NuSVR::fit_weighted");
        self.fit_with(op, x, y, Some(sample_weight))
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let n_features = x.cols;
        let settings = self.params.settings(self.name(), &x)?;
        let x = kernel_input(op, self.params.kernel, x, None)?;
        match self.tube {
            Tube::Epsilon(e) => {
                check_param(self.name(), "epsilon", e, "a float in [0.0, inf)", |e| {
                    e >= 0.0 && e.is_finite()
                })?
            }
            Tube::Nu(nu) => check_nu(self.name(), nu)?,
        }
        let y = check_y_reg(op, y, x.rows)?;
        let weights = sample_weights(op, sample_weight, x.rows)?;
        if !weights.iter().any(|&w| w > 0.0) {
            return Err(Error::input(op, "every sample_weight is 0"));
        }
        let model = train_svr(&rows(&x), &y, &weights, self.params.c, self.tube, &settings);
        model.check_finite(op)?;
        self.state = Some(Fitted {
            kernel: settings.kernel,
            intercept: [-model.rho],
            model,
            n_features,
        });
        Ok(self)
    }
}
