//! ν-support vector regression, as scikit-learn's `NuSVR`: [`SVR`] with libsvm's ν-SVR tube.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{attribute, delegate, delegate_solver_setters, SVR};
use crate::error::Result;
use crate::traits::{Features, Regressor, Target};

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
    inner: SVR,
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
            inner: SVR::nu_svr(0.5),
        }
    }

    /// ν, in `(0, 1]`: an upper bound on the fraction of samples outside the tube and a lower
    /// bound on the fraction of support vectors; default 0.5.
    pub fn nu(mut self, v: f64) -> Self {
        self.inner.set_nu(v);
        self
    }

    delegate! {
        /// The regularisation `C` (the bound on each dual variable), in `(0, inf)`; default 1.0.
        c(f64);
    }

    delegate_solver_setters!();

    attribute! {
        /// The coefficient `αᵢ − αᵢ*` of each support vector (scikit-learn's `dual_coef_`, one
        /// row); `None` before `fit`.
        dual_coef_ -> Option<&[f64]>;
        /// The constant of the regression function (−ρ); `None` before `fit`.
        intercept_ -> Option<&[f64]>;
        /// The primal weights for the linear kernel; `None` before `fit` or for other kernels.
        coef_ -> Option<Vec<f64>>;
        /// SMO iterations; `None` before `fit`.
        n_iter_ -> Option<usize>;
        /// 0 when SMO met `tol`, 1 when `max_iter` stopped it; `None` before `fit`.
        fit_status_ -> Option<usize>;
    }

    /// [`fit`](Regressor::fit) with each sample's `C` scaled by its weight (scikit-learn's
    /// `fit(X, y, sample_weight)`); samples of weight 0 are left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<E>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        self.inner.fit_weighted(x, y, sample_weight)?;
        Ok(self)
    }
}

impl Regressor for NuSVR {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.inner.fit(x, y)?;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        self.inner.predict(x)
    }
}
