//! Ridge regression and classification: least squares with an L2 penalty, solved exactly.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::{center_y, linear_predict, Centered};
use crate::error::Result;
use crate::linalg::{ridge_cholesky, ridge_svd};
use crate::traits::{Classifier, DecisionFunction, Features, Regressor, Scores, Target};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, check_y_class, check_y_reg, fitted, label_vector,
    vector, Matrix,
};

/// How [`Ridge`] and [`RidgeClassifier`] solve their linear system (scikit-learn's `solver`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RidgeSolver {
    /// Cholesky for dense data (scikit-learn's `"auto"` on a dense X with no sample weights).
    #[default]
    Auto,
    /// The normal equations `(XᵀX + αI) w = Xᵀy` by Cholesky, or their dual form when there
    /// are more features than samples.
    Cholesky,
    /// The SVD of X: slower, but stable for singular or ill-conditioned X.
    Svd,
}

/// The hyper-parameters [`Ridge`] and [`RidgeClassifier`] share.
#[derive(Clone, Copy, Debug)]
struct RidgeParams {
    alpha: f64,
    fit_intercept: bool,
    solver: RidgeSolver,
}

impl RidgeParams {
    const DEFAULT: RidgeParams = RidgeParams {
        alpha: 1.0,
        fit_intercept: true,
        solver: RidgeSolver::Auto,
    };

    /// Validates the parameters, then solves the ridge problem for each target: one
    /// coefficient vector and intercept per target.
    fn solve(
        &self,
        estimator: &'static str,
        op: &'static str,
        x: &Matrix,
        targets: &[Vec<f64>],
    ) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
        check_param(estimator, "alpha", self.alpha, "a float in [0, inf)", |a| {
            a >= 0.0 && a.is_finite()
        })?;
        let c = Centered::new(x, self.fit_intercept);
        let (centred, means): (Vec<Vec<f64>>, Vec<f64>) = targets
            .iter()
            .map(|y| center_y(y, self.fit_intercept))
            .unzip();
        let coefs = match self.solver {
            RidgeSolver::Auto | RidgeSolver::Cholesky => {
                ridge_cholesky(op, &c.x, &centred, self.alpha)?
            }
            RidgeSolver::Svd => ridge_svd(op, &c.x, &centred, self.alpha)?,
        };
        let intercepts = coefs
            .iter()
            .zip(&means)
            .map(|(w, &m)| c.intercept(m, w))
            .collect();
        Ok((coefs, intercepts))
    }
}

/// Builder methods for the shared parameters, with their docs.
macro_rules! ridge_params {
    ($ty:ident) => {
        impl $ty {
            /// The L2 penalty's strength, in `[0, inf)`; default 1.0.
            pub fn alpha(mut self, alpha: f64) -> Self {
                self.params.alpha = alpha;
                self
            }

            /// Whether to fit an intercept (unpenalised); default true.
            pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
                self.params.fit_intercept = fit_intercept;
                self
            }

            /// The solver; default [`RidgeSolver::Auto`].
            pub fn solver(mut self, solver: RidgeSolver) -> Self {
                self.params.solver = solver;
                self
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}

ridge_params!(Ridge);
ridge_params!(RidgeClassifier);

/// Linear least squares with an L2 penalty, as scikit-learn's `Ridge`: minimises
/// `||y - X w - b||² + alpha ||w||²`.
#[derive(Clone, Debug)]
pub struct Ridge {
    params: RidgeParams,
    state: Option<(Vec<f64>, f64)>,
}

impl Ridge {
    /// scikit-learn's defaults: `alpha = 1.0`, `fit_intercept = true`, `solver = "auto"`.
    pub fn new() -> Self {
        Ridge {
            params: RidgeParams::DEFAULT,
            state: None,
        }
    }

    /// The coefficient of each feature; `None` before `fit`.
    pub fn coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.0.as_slice())
    }

    /// The intercept; `None` before `fit`.
    pub fn intercept_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.1)
    }
}

impl Regressor for Ridge {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "Ridge::fit";
        let x = check_x(OP, x)?;
        let y = check_y_reg(OP, y, x.rows)?;
        let (mut coefs, intercepts) = self.params.solve("Ridge", OP, &x, &[y])?;
        self.state = Some((coefs.remove(0), intercepts[0]));
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "Ridge::predict";
        let (coef, intercept) = fitted(&self.state, "Ridge", OP)?;
        let x = check_x_width(OP, "Ridge", x, coef.len())?;
        vector(&linear_predict(&x, coef, *intercept))
    }
}

/// A classifier from ridge regression, as scikit-learn's `RidgeClassifier`: the labels become
/// targets in {-1, 1} (one column for two classes, one per class otherwise), a [`Ridge`]
/// fits them, and the prediction is the class of the largest decision value.
#[derive(Clone, Debug)]
pub struct RidgeClassifier {
    params: RidgeParams,
    state: Option<LinearClassifierState>,
}

/// The fitted state of a linear classifier: one row of coefficients per decision column (one
/// for two classes, one per class otherwise).
#[derive(Clone, Debug)]
pub(crate) struct LinearClassifierState {
    pub(crate) classes: Vec<usize>,
    pub(crate) coef: Matrix,
    pub(crate) intercept: Vec<f64>,
}

impl LinearClassifierState {
    /// `X coefᵀ + intercept`: `(n_samples, rows of coef)`.
    pub(crate) fn decision(&self, x: &Matrix) -> Matrix {
        let k = self.coef.rows;
        let mut out = Matrix::zeros(x.rows, k);
        for c in 0..k {
            let col = linear_predict(x, self.coef.row(c), self.intercept[c]);
            for (i, v) in col.into_iter().enumerate() {
                out.data[i * k + c] = v;
            }
        }
        out
    }

    /// The class of each row of decision values: positive means `classes[1]` for one column,
    /// the largest (the first of ties) for several.
    pub(crate) fn labels(&self, scores: &Matrix) -> Vec<usize> {
        (0..scores.rows)
            .map(|i| {
                let row = scores.row(i);
                let index = if row.len() == 1 {
                    usize::from(row[0] > 0.0)
                } else {
                    argmax(row)
                };
                self.classes[index]
            })
            .collect()
    }

    /// `coef_` as a tensor.
    pub(crate) fn coef_tensor(&self) -> Tensor<(usize, usize), f64, Cpu> {
        self.coef.to_tensor().expect("the shape matches the data")
    }
}

impl RidgeClassifier {
    /// scikit-learn's defaults: `alpha = 1.0`, `fit_intercept = true`, `solver = "auto"`.
    pub fn new() -> Self {
        RidgeClassifier {
            params: RidgeParams::DEFAULT,
            state: None,
        }
    }

    /// The coefficients, `(1, n_features)` for two classes, `(n_classes, n_features)`
    /// otherwise; `None` before `fit`.
    pub fn coef_(&self) -> Option<Tensor<(usize, usize), f64, Cpu>> {
        self.state.as_ref().map(LinearClassifierState::coef_tensor)
    }

    /// The intercept of each row of `coef_`; `None` before `fit`.
    pub fn intercept_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.intercept.as_slice())
    }
}

impl Classifier for RidgeClassifier {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "RidgeClassifier::fit";
        let x = check_x(OP, x)?;
        let labels = check_y_class(OP, y, x.rows, 2)?;
        let k = labels.classes.len();
        let sign = |hit: bool| if hit { 1.0 } else { -1.0 };
        let targets: Vec<Vec<f64>> = if k == 2 {
            vec![labels.codes.iter().map(|&c| sign(c == 1)).collect()]
        } else {
            (0..k)
                .map(|j| labels.codes.iter().map(|&c| sign(c == j)).collect())
                .collect()
        };
        let (coefs, intercept) = self.params.solve("RidgeClassifier", OP, &x, &targets)?;
        let coef = Matrix {
            rows: coefs.len(),
            cols: x.cols,
            data: coefs.concat(),
        };
        self.state = Some(LinearClassifierState {
            classes: labels.classes,
            coef,
            intercept,
        });
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "RidgeClassifier::predict";
        let s = fitted(&self.state, "RidgeClassifier", OP)?;
        let x = check_x_width(OP, "RidgeClassifier", x, s.coef.cols)?;
        label_vector(s.labels(&s.decision(&x)))
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

impl DecisionFunction for RidgeClassifier {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "RidgeClassifier::decision_function";
        let s = fitted(&self.state, "RidgeClassifier", OP)?;
        let x = check_x_width(OP, "RidgeClassifier", x, s.coef.cols)?;
        s.decision(&x).to_tensor()
    }
}
