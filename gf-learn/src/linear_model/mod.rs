//! Linear models: [`LinearRegression`] (least squares), [`Ridge`] and [`RidgeClassifier`]
//! (L2-penalised least squares by Cholesky or SVD), [`RidgeCV`] (its alpha chosen by
//! closed-form leave-one-out or k-fold cross-validation), [`Lasso`] and [`ElasticNet`] (coordinate
//! descent with scikit-learn's duality-gap stop) and [`LogisticRegression`] (L2-penalised,
//! binary or multinomial, by L-BFGS).
//!
//! All take scikit-learn's hyper-parameters with its defaults and fit an intercept the way it
//! does: the data are centred, the centred problem is solved, and the intercept is
//! `mean(y) - mean(X) · coef` (except for the logistic model, whose intercept is a parameter
//! of the optimisation, unpenalised).

mod base;
mod coordinate_descent;
mod lbfgs;
mod logistic;
mod ridge;
mod ridge_cv;

pub use base::LinearRegression;
pub use coordinate_descent::{ElasticNet, Lasso};
pub use logistic::{ClassWeight, LogisticRegression};
pub use ridge::{Ridge, RidgeClassifier, RidgeSolver};
pub use ridge_cv::{GcvMode, RidgeCV};

use crate::validation::{dot, Matrix};

/// Centred data and the means it was centred by; the means are zeros without an intercept.
pub(crate) struct Centered {
    pub(crate) x: Matrix,
    pub(crate) x_mean: Vec<f64>,
}

impl Centered {
    /// `x` centred by its column means if `fit_intercept`.
    pub(crate) fn new(x: &Matrix, fit_intercept: bool) -> Self {
        let x_mean = if fit_intercept {
            x.column_means()
        } else {
            vec![0.0; x.cols]
        };
        Centered {
            x: x.centered(&x_mean),
            x_mean,
        }
    }

    /// The intercept that goes with `coef` fitted on the centred data of target mean `y_mean`.
    pub(crate) fn intercept(&self, y_mean: f64, coef: &[f64]) -> f64 {
        y_mean - dot(&self.x_mean, coef)
    }
}

/// The mean of `y`, or 0 without an intercept, and `y` minus it.
pub(crate) fn center_y(y: &[f64], fit_intercept: bool) -> (Vec<f64>, f64) {
    let mean = if fit_intercept {
        y.iter().sum::<f64>() / y.len() as f64
    } else {
        0.0
    };
    (y.iter().map(|v| v - mean).collect(), mean)
}

/// `x · coef + intercept` for each row of `x`.
pub(crate) fn linear_predict(x: &Matrix, coef: &[f64], intercept: f64) -> Vec<f64> {
    (0..x.rows)
        .map(|i| dot(x.row(i), coef) + intercept)
        .collect()
}
