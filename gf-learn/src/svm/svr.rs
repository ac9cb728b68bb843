//! ε-support vector regression, as scikit-learn's `SVR`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::kernel::{Kernel, KernelFn};
use super::model::RegModel;
use super::train::{train_svr, Tube};
use super::{c_setter, rows, solver_setters, SolverParams};
use crate::error::{Error, Result};
use crate::traits::{Features, Regressor, Target};
use crate::validation::{
    check_param, check_x, check_x_width, check_y_reg, fitted, sample_weights, vector,
};

const NAME: &str = "SVR";

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
    epsilon: f64,
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
            epsilon: 0.1,
            state: None,
        }
    }

    c_setter!();
    solver_setters!();

    /// The half-width of the tube in which errors cost nothing, in `[0, inf)`; default 0.1.
    pub fn epsilon(mut self, v: f64) -> Self {
        self.epsilon = v;
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
        if s.kernel.kind != Kernel::Linear {
            return None;
        }
        let mut w = vec![0.0; s.n_features];
        for (v, c) in s.model.coef.iter().enumerate() {
            for (wf, x) in w.iter_mut().zip(s.model.sv.row(v)) {
                *wf += c * x;
            }
        }
        Some(w)
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
        self.fit_with("SVR::fit", x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "SVR::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.n_features)?;
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
        self.fit_with("SVR::fit_weighted", x, y, Some(sample_weight))
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let settings = self.params.settings(NAME, &x)?;
        check_param(
            NAME,
            "epsilon",
            self.epsilon,
            "a float in [0.0, inf)",
            |e| e >= 0.0 && e.is_finite(),
        )?;
        let y = check_y_reg(op, y, x.rows)?;
        let weights = sample_weights(op, sample_weight, x.rows)?;
        if !weights.iter().any(|&w| w > 0.0) {
            return Err(Error::input(op, "every sample_weight is 0"));
        }
        let model = train_svr(
            &rows(&x),
            &y,
            &weights,
            self.params.c,
            Tube::Epsilon(self.epsilon),
            &settings,
        );
        if model.coef.iter().any(|v| !v.is_finite()) || !model.rho.is_finite() {
            return Err(Error::input(
                op,
                "the dual coefficients or intercept are not finite; the input may hold large values and need scaling",
            ));
        }
        self.state = Some(Fitted {
            kernel: settings.kernel,
            intercept: [-model.rho],
            model,
            n_features: x.cols,
        });
        Ok(self)
    }
}
