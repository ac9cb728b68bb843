//! ν-support vector regression, as scikit-learn's `NuSVR`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::kernel::{Kernel, KernelFn};
use super::model::RegModel;
use super::train::{train_svr, Tube};
use super::{c_setter, check_nu, rows, solver_setters, SolverParams};
use crate::error::{Error, Result};
use crate::traits::{Features, Regressor, Target};
use crate::validation::{check_x, check_x_width, check_y_reg, fitted, sample_weights, vector};

const NAME: &str = "NuSVR";

/// ν-support vector regression (scikit-learn's `NuSVR`): [`SVR`](super::SVR)'s kernel
/// regression with the tube's width fitted so that at most a fraction `nu` of the samples lie
/// outside it, solved by libsvm's `Solver_NU`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::prelude::*;
/// use gf_learn::svm::{Kernel, NuSVR};
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0f64, 1.0, 2.0, 3.0, 4.0], (5, 1));
/// let y = dev.tensor_from_vec(vec![0.0f64, 2.0, 4.0, 6.0, 8.0], (5,));
/// let mut svr = NuSVR::new().kernel(Kernel::Linear).c(10.0);
/// let pred = svr.fit(&x, &y)?.predict(&x)?.to_vec();
/// assert!((pred[2] - 4.0).abs() < 0.05);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NuSVR {
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
}

impl Default for NuSVR {
    fn default() -> Self {
        Self::new()
    }
}

impl NuSVR {
    /// scikit-learn's defaults: `nu = 0.5`, `C = 1`, RBF kernel with `gamma = 'scale'`,
    /// `tol = 1e-3`, shrinking.
    pub fn new() -> Self {
        NuSVR {
            params: SolverParams::default(),
            nu: 0.5,
            state: None,
        }
    }

    c_setter!();
    solver_setters!();

    /// ν, in `(0, 1]`: an upper bound on the fraction of samples outside the tube and a lower
    /// bound on the fraction of support vectors; default 0.5.
    pub fn nu(mut self, v: f64) -> Self {
        self.nu = v;
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

    /// [`fit`](Regressor::fit) with each sample's `C` scaled by its weight (scikit-learn's
    /// `fit(X, y, sample_weight)`); samples of weight 0 are left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.fit_with("NuSVR::fit_weighted", x, y, Some(sample_weight))
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
        check_nu(NAME, self.nu)?;
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
            Tube::Nu(self.nu),
            &settings,
        );
        model.check_finite(op)?;
        self.state = Some(Fitted {
            kernel: settings.kernel,
            intercept: [-model.rho],
            model,
            n_features: x.cols,
        });
        Ok(self)
    }
}

impl Regressor for NuSVR {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.fit_with("NuSVR::fit", x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "NuSVR::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.n_features)?;
        vector(&s.model.predict(&s.kernel, &x))
    }
}
