//! Ordinary least squares.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{center_y, linear_predict, Centered};
use crate::error::Result;
use crate::linalg::lstsq;
use crate::traits::{Features, Regressor, Target};
use crate::validation::{check_x, check_x_width, check_y_reg, fitted, vector};

const NAME: &str = "LinearRegression";

/// Ordinary least squares, as scikit-learn's `LinearRegression`: the coefficients minimise
/// `||y - X w - b||²`. A rank-deficient X gets the solution of smallest norm (scipy's `lstsq`,
/// by SVD).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::LinearRegression;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 2.0, 3.0, 4.0], (4, 1));
/// let y = dev.tensor_from_vec(vec![3.0, 5.0, 7.0, 9.0], (4,));
/// let mut ols = LinearRegression::new();
/// ols.fit(&x, &y)?;
/// assert!((ols.coef_().unwrap()[0] - 2.0).abs() < 1e-12);
/// assert!((ols.intercept_().unwrap() - 1.0).abs() < 1e-12);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LinearRegression {
    fit_intercept: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    coef: Vec<f64>,
    intercept: f64,
}

impl Default for LinearRegression {
    fn default() -> Self {
        Self::new()
    }
}

impl LinearRegression {
    /// scikit-learn's defaults: `fit_intercept = true`.
    pub fn new() -> Self {
        LinearRegression {
            fit_intercept: true,
            state: None,
        }
    }

    /// Whether to fit an intercept (otherwise the data are taken as centred).
    pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// The coefficient of each feature; `None` before `fit`.
    pub fn coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.coef.as_slice())
    }

    /// The intercept (0 when `fit_intercept` is false); `None` before `fit`.
    pub fn intercept_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.intercept)
    }

    /// The number of features seen by `fit`; `None` before `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.coef.len())
    }
}

impl Regressor for LinearRegression {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "LinearRegression::fit";
        let x = check_x(OP, x)?;
        let y = check_y_reg(OP, y, x.rows)?;
        let c = Centered::new(&x, self.fit_intercept);
        let (yc, y_mean) = center_y(&y, self.fit_intercept);
        let coef = lstsq(OP, &c.x, &[yc])?.remove(0);
        let intercept = c.intercept(y_mean, &coef);
        self.state = Some(Fitted { coef, intercept });
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "LinearRegression::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.coef.len())?;
        vector(&linear_predict(&x, &s.coef, s.intercept))
    }
}
