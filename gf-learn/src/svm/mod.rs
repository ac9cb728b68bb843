//! Support vector machines as scikit-learn's `SVC`, `NuSVC`, `SVR`, `NuSVR` and
//! `OneClassSVM`, on a port of libsvm's solvers.
//!
//! [`SVC`] is C-support vector classification, one-vs-one over the class pairs, and [`NuSVC`]
//! its ν form. [`SVR`] is ε-support vector regression and [`NuSVR`] its ν form.
//! [`OneClassSVM`] is Schölkopf's novelty detector. Both use libsvm's SMO with second-order working-set selection,
//! shrinking and an LRU kernel cache of `cache_size` MB. The kernels are linear, poly, RBF and
//! sigmoid, or precomputed (a Gram matrix in place of X, as scikit-learn's
//! `kernel="precomputed"`). `SVC::probability` fits Platt's sigmoids by libsvm's internal 5-fold
//! cross-validation and couples them pairwise, as scikit-learn's `probability=True` does.
//!
//! The solver takes libsvm's steps in libsvm's order, with the kernel cache in `f32` as
//! libsvm's `Qfloat`, so a fit matches scikit-learn's to the rounding of the kernel values:
//! the same support vectors, and dual coefficients and intercepts to about 1e-9 (see
//! `tests/svm.rs`). Kernel columns are computed on all threads; the solver itself is
//! sequential, as libsvm's.

// The solver and the model follow libsvm's index arithmetic loop by loop, which keeps them
// checkable against it; iterator rewrites would hide that.
#![allow(clippy::needless_range_loop)]

mod cache;
mod kernel;
mod model;
mod nu_svc;
mod nu_svr;
mod one_class;
mod probability;
mod solver;
mod svc;
mod svr;
mod train;

pub use kernel::{Gamma, Kernel};
pub use nu_svc::NuSVC;
pub use nu_svr::NuSVR;
pub use one_class::OneClassSVM;
pub use svc::{DecisionShape, SVC};
pub use svr::SVR;

use crate::error::Result;
use crate::validation::{check_param, Matrix};
use kernel::KernelFn;
use train::Settings;

/// The hyper-parameters `SVC` and `SVR` share: the kernel and the solver's.
#[derive(Clone, Debug)]
struct SolverParams {
    c: f64,
    kernel: Kernel,
    degree: usize,
    gamma: Gamma,
    coef0: f64,
    tol: f64,
    shrinking: bool,
    cache_size: f64,
    max_iter: Option<usize>,
}

impl Default for SolverParams {
    fn default() -> Self {
        SolverParams {
            c: 1.0,
            kernel: Kernel::Rbf,
            degree: 3,
            gamma: Gamma::Scale,
            coef0: 0.0,
            tol: 1e-3,
            shrinking: true,
            cache_size: 200.0,
            max_iter: None,
        }
    }
}

impl SolverParams {
    /// Validates the parameters and fixes γ for the training matrix `x`.
    fn settings(&self, estimator: &'static str, x: &Matrix) -> Result<Settings> {
        check_param(estimator, "C", self.c, "a float in (0.0, inf)", |c| {
            c > 0.0 && c.is_finite()
        })?;
        check_param(
            estimator,
            "degree",
            self.degree,
            "an int in [0, 2^31)",
            |d| d < 1 << 31,
        )?;
        if let Gamma::Value(g) = self.gamma {
            check_param(estimator, "gamma", g, "a float in [0.0, inf)", |g| {
                g >= 0.0 && g.is_finite()
            })?;
        }
        check_param(
            estimator,
            "coef0",
            self.coef0,
            "a finite float",
            f64::is_finite,
        )?;
        check_param(estimator, "tol", self.tol, "a float in (0.0, inf)", |t| {
            t > 0.0 && t.is_finite()
        })?;
        check_param(
            estimator,
            "cache_size",
            self.cache_size,
            "a float in (0.0, inf)",
            |c| c > 0.0 && c.is_finite(),
        )?;
        let gamma = match self.kernel {
            Kernel::Linear | Kernel::Precomputed => 0.0,
            _ => self.gamma.resolve(&x.data, x.cols),
        };
        Ok(Settings {
            kernel: KernelFn {
                kind: self.kernel,
                degree: self.degree as i32,
                gamma,
                coef0: self.coef0,
            },
            tol: self.tol,
            shrinking: self.shrinking,
            cache_bytes: (self.cache_size * f64::from(1u32 << 20)) as usize,
            max_iter: self.max_iter,
            nu: None,
        })
    }
}

/// The builder method of `C`, in the estimators that have it.
macro_rules! c_setter {
    () => {
        /// The regularisation `C` (the bound on each dual variable), in `(0, inf)`; default 1.0.
        pub fn c(mut self, v: f64) -> Self {
            self.params.c = v;
            self
        }
    };
}
use c_setter;

/// The builder methods for [`SolverParams`] but `C`, in `SVC`, `SVR`, `NuSVR` and
/// `OneClassSVM`.
macro_rules! solver_setters {
    () => {
        /// The kernel; default [`Kernel::Rbf`](crate::svm::Kernel::Rbf).
        pub fn kernel(mut self, v: $crate::svm::Kernel) -> Self {
            self.params.kernel = v;
            self
        }

        /// The degree of the poly kernel; default 3.
        pub fn degree(mut self, v: usize) -> Self {
            self.params.degree = v;
            self
        }

        /// γ of the poly, RBF and sigmoid kernels; default [`Gamma::Scale`](crate::svm::Gamma::Scale).
        pub fn gamma(mut self, v: $crate::svm::Gamma) -> Self {
            self.params.gamma = v;
            self
        }

        /// The constant of the poly and sigmoid kernels; default 0.0.
        pub fn coef0(mut self, v: f64) -> Self {
            self.params.coef0 = v;
            self
        }

        /// The tolerance on the maximal KKT violation at which SMO stops, in `(0, inf)`;
        /// default 1e-3.
        pub fn tol(mut self, v: f64) -> Self {
            self.params.tol = v;
            self
        }

        /// Whether SMO sets aside the variables stuck at a bound; default `true`.
        pub fn shrinking(mut self, v: bool) -> Self {
            self.params.shrinking = v;
            self
        }

        /// The kernel cache in MB, in `(0, inf)`; default 200.
        pub fn cache_size(mut self, v: f64) -> Self {
            self.params.cache_size = v;
            self
        }

        /// The most SMO iterations per problem (`None`: no limit, scikit-learn's `-1`);
        /// default `None`.
        pub fn max_iter(mut self, v: Option<usize>) -> Self {
            self.params.max_iter = v;
            self
        }

        /// The γ the kernel used (`gamma` resolved against the training data); `None`
        /// before `fit`.
        pub fn gamma_(&self) -> Option<f64> {
            self.state.as_ref().map(|s| s.kernel.gamma)
        }

        /// The training index of each support vector; `None` before `fit`.
        pub fn support_(&self) -> Option<&[usize]> {
            self.state.as_ref().map(|s| s.model.support.as_slice())
        }

        /// The support vectors, one per row (`n_SV × n_features`, row-major); empty for the
        /// precomputed kernel (as scikit-learn's `(0, 0)` array); `None` before `fit`.
        pub fn support_vectors_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| {
                if s.kernel.kind == $crate::svm::Kernel::Precomputed {
                    &[]
                } else {
                    s.model.sv.data.as_slice()
                }
            })
        }
    };
}
use solver_setters;

/// Builder methods of a ν-estimator that hand their value to its inner ε/C form
/// (`NuSVC`'s [`SVC`], `NuSVR`'s [`SVR`]).
macro_rules! delegate {
    ($($(#[$doc:meta])* $name:ident($t:ty);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, v: $t) -> Self {
                self.inner = self.inner.$name(v);
                self
            }
        )*
    };
}
use delegate;

/// Fitted attributes of a ν-estimator, read from its inner ε/C form.
macro_rules! attribute {
    ($($(#[$doc:meta])* $name:ident -> $t:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> $t {
                self.inner.$name()
            }
        )*
    };
}
use attribute;

/// [`solver_setters`]'s builder methods and fitted attributes for a ν-estimator, handed to
/// its inner form (needs [`delegate`] and [`attribute`] in scope).
macro_rules! delegate_solver_setters {
    () => {
        delegate! {
            /// The kernel; default [`Kernel::Rbf`](crate::svm::Kernel::Rbf).
            kernel($crate::svm::Kernel);
            /// The degree of the poly kernel; default 3.
            degree(usize);
            /// γ of the poly, RBF and sigmoid kernels; default
            /// [`Gamma::Scale`](crate::svm::Gamma::Scale).
            gamma($crate::svm::Gamma);
            /// The constant of the poly and sigmoid kernels; default 0.0.
            coef0(f64);
            /// The tolerance on the maximal KKT violation at which SMO stops, in `(0, inf)`;
            /// default 1e-3.
            tol(f64);
            /// Whether SMO sets aside the variables stuck at a bound; default `true`.
            shrinking(bool);
            /// The kernel cache in MB, in `(0, inf)`; default 200.
            cache_size(f64);
            /// The most SMO iterations per problem (`None`: no limit, scikit-learn's `-1`);
            /// default `None`.
            max_iter(Option<usize>);
        }

        attribute! {
            /// The γ the kernel used; `None` before `fit`.
            gamma_ -> Option<f64>;
            /// The training index of each support vector; `None` before `fit`.
            support_ -> Option<&[usize]>;
            /// The support vectors, one per row (row-major); `None` before `fit`.
            support_vectors_ -> Option<&[f64]>;
        }
    };
}
use delegate_solver_setters;

/// `Err` unless ν is in `(0, 1]`.
fn check_nu(estimator: &'static str, nu: f64) -> Result<()> {
    check_param(estimator, "nu", nu, "a float in (0.0, 1.0]", |v| {
        v > 0.0 && v <= 1.0
    })
}

/// `x` as the solver and the models read it: unchanged, or for the precomputed kernel its rows
/// prefixed by their index (see `kernel`'s module doc). At `fit` (`n_train` is `None`) a
/// precomputed `x` must be the square Gram matrix; at prediction its width was checked
/// against the training size by `check_x_width`.
fn kernel_input(
    op: &'static str,
    kernel: Kernel,
    x: Matrix,
    n_train: Option<usize>,
) -> Result<Matrix> {
    if kernel != Kernel::Precomputed {
        return Ok(x);
    }
    if n_train.is_none() && x.rows != x.cols {
        return Err(crate::error::Error::input(
            op,
            format!(
                "Precomputed matrix must be a square matrix. Input is a {}x{} matrix.",
                x.rows, x.cols
            ),
        ));
    }
    Ok(kernel::prefix_gram(&x, n_train.is_none()))
}

/// The rows of `x` as slices.
fn rows(x: &Matrix) -> Vec<&[f64]> {
    (0..x.rows).map(|i| x.row(i)).collect()
}
