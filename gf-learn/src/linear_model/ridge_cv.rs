//! [`RidgeCV`]: ridge regression with its penalty chosen by cross-validation, by default the
//! efficient leave-one-out of scikit-learn's `_RidgeGCV` (one decomposition of X serves every
//! alpha and every left-out sample).

use faer::Mat;
use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{center_y, linear_predict, Centered, Ridge};
use crate::error::{Error, Result};
use crate::linalg::{symmetric_eigh, thin_svd};
use crate::model_selection::{Cv, GridSearchCV, ParamGrid, Params};
use crate::traits::{Features, Regressor, Target};
use crate::validation::{check_x, check_x_width, check_y_reg, fitted, vector, Matrix};

const NAME: &str = "RidgeCV";

/// How [`RidgeCV`]'s leave-one-out errors are computed (scikit-learn's `gcv_mode`). Every mode
/// gives the same errors up to rounding; they differ in cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GcvMode {
    /// The eigendecomposition of the smaller of `XᵀX` and `XXᵀ` (scikit-learn's `"auto"` and
    /// `"eigen"` on dense data).
    #[default]
    Auto,
    /// The thin SVD of X: slower, steadier on ill-conditioned data.
    Svd,
}

/// Ridge regression with built-in cross-validation of `alpha`, as scikit-learn's `RidgeCV`.
/// Without `cv` it scores each alpha by the mean squared leave-one-out error, computed in closed
/// form; with `cv` it runs a [`GridSearchCV`] of [`Ridge`] over the alphas, scored by R². The
/// best alpha's model is kept.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::RidgeCV;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> =
///     dev.tensor_from_vec((0..40).map(|i| ((i * 7) % 11) as f64).collect(), (20, 2));
/// let y: Tensor<(usize,), f64, Cpu> = dev.tensor_from_vec(
///     (0..20).map(|i| 2.0 * ((i * 14) % 11) as f64 + 0.1 * (i % 3) as f64).collect(),
///     (20,),
/// );
/// let mut m = RidgeCV::new().alphas(vec![0.01, 1.0, 100.0]);
/// m.fit(&x, &y)?;
/// assert_eq!(m.alpha_(), Some(0.01));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RidgeCV {
    alphas: Vec<f64>,
    fit_intercept: bool,
    cv: Option<Cv>,
    gcv_mode: GcvMode,
    store_cv_results: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    coef: Vec<f64>,
    intercept: f64,
    alpha: f64,
    best_score: f64,
    cv_results: Option<Matrix>,
}

impl Default for RidgeCV {
    fn default() -> Self {
        Self::new()
    }
}

impl RidgeCV {
    /// scikit-learn's defaults: `alphas = (0.1, 1.0, 10.0)`, `fit_intercept = true`,
    /// leave-one-out (`cv = None`), `gcv_mode = "auto"`, no stored results.
    pub fn new() -> Self {
        RidgeCV {
            alphas: vec![0.1, 1.0, 10.0],
            fit_intercept: true,
            cv: None,
            gcv_mode: GcvMode::Auto,
            store_cv_results: false,
            state: None,
        }
    }

    /// The penalties to try, each in `(0, inf)` for leave-one-out, `[0, inf)` with `cv`.
    pub fn alphas(mut self, alphas: Vec<f64>) -> Self {
        self.alphas = alphas;
        self
    }

    /// Whether to fit an intercept (unpenalised); default true.
    pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// Cross-validate with these splits instead of the closed-form leave-one-out.
    pub fn cv(mut self, cv: Cv) -> Self {
        self.cv = Some(cv);
        self
    }

    /// How the leave-one-out errors are computed; default [`GcvMode::Auto`].
    pub fn gcv_mode(mut self, gcv_mode: GcvMode) -> Self {
        self.gcv_mode = gcv_mode;
        self
    }

    /// Keep every sample's squared leave-one-out error for every alpha
    /// ([`cv_results_`](Self::cv_results_)); only without `cv`.
    pub fn store_cv_results(mut self, store_cv_results: bool) -> Self {
        self.store_cv_results = store_cv_results;
        self
    }

    /// The chosen penalty; `None` before `fit`.
    pub fn alpha_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.alpha)
    }

    /// The chosen alpha's score: the negated mean squared leave-one-out error, or with `cv` the
    /// mean R² over the splits; `None` before `fit`.
    pub fn best_score_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.best_score)
    }

    /// The coefficient of each feature; `None` before `fit`.
    pub fn coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.coef.as_slice())
    }

    /// The intercept; `None` before `fit`.
    pub fn intercept_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.intercept)
    }

    /// The squared leave-one-out errors, `n_samples × n_alphas` row-major (sample `i`, alpha
    /// `j` at `i * n_alphas + j`); `None` before `fit` or without `store_cv_results`.
    pub fn cv_results_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.cv_results.as_ref())
            .map(|m| m.data.as_slice())
    }

    /// Checks `alphas` (a strictly positive minimum for leave-one-out).
    fn check_alphas(&self) -> Result<()> {
        if self.alphas.is_empty() {
            return Err(Error::parameter(
                NAME,
                "alphas",
                "at least one alpha",
                Vec::<f64>::new(),
            ));
        }
        let loo = self.cv.is_none();
        for (i, &a) in self.alphas.iter().enumerate() {
            let ok = a.is_finite() && if loo { a > 0.0 } else { a >= 0.0 };
            if !ok {
                let allowed = if loo {
                    "a float in (0, inf) (leave-one-out needs alpha > 0)"
                } else {
                    "a float in [0, inf)"
                };
                return Err(Error::InvalidParameter {
                    estimator: NAME,
                    name: "alphas",
                    allowed,
                    got: format!("alphas[{i}] = {a}"),
                });
            }
        }
        if self.store_cv_results && !loo {
            return Err(Error::parameter(
                NAME,
                "store_cv_results",
                "false when cv is given (results are stored only for leave-one-out)",
                true,
            ));
        }
        Ok(())
    }

    /// The leave-one-out fit: every alpha's errors from one decomposition, the best kept.
    fn fit_loo(&self, x: &Matrix, y: &[f64]) -> Result<Fitted> {
        const OP: &str = "RidgeCV::fit";
        let c = Centered::new(x, self.fit_intercept);
        let (yc, y_mean) = center_y(y, self.fit_intercept);
        let decomposition = Decomposition::new(OP, &c.x, &yc, self.gcv_mode)?;
        let n = x.rows;
        let mut errors = self
            .store_cv_results
            .then(|| Matrix::zeros(n, self.alphas.len()));
        let mut best: Option<(f64, f64, Vec<f64>)> = None;
        for (j, &alpha) in self.alphas.iter().enumerate() {
            let (looe, coef) = decomposition.solve(alpha, &yc, self.fit_intercept);
            let squared: Vec<f64> = looe.iter().map(|e| e * e).collect();
            let score = -squared.iter().sum::<f64>() / n as f64;
            if let Some(m) = errors.as_mut() {
                for (i, s) in squared.iter().enumerate() {
                    m.data[i * self.alphas.len() + j] = *s;
                }
            }
            if best.as_ref().is_none_or(|b| score > b.1) {
                best = Some((alpha, score, coef));
            }
        }
        let (alpha, best_score, coef) = best.expect("alphas checked non-empty");
        Ok(Fitted {
            intercept: c.intercept(y_mean, &coef),
            coef,
            alpha,
            best_score,
            cv_results: errors,
        })
    }
}

impl Regressor for RidgeCV {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        const OP: &str = "RidgeCV::fit";
        self.check_alphas()?;
        let state = match &self.cv {
            None => {
                let xm = check_x(OP, x)?;
                let ym = check_y_reg(OP, y, xm.rows)?;
                self.fit_loo(&xm, &ym)?
            }
            Some(cv) => {
                let fit_intercept = self.fit_intercept;
                let grid = ParamGrid::new().param("alpha", self.alphas.clone());
                let build = |p: &Params| {
                    Ok(Ridge::new()
                        .alpha(p.get("alpha")?)
                        .fit_intercept(fit_intercept))
                };
                let mut search = match cv {
                    Cv::Splits(k) => GridSearchCV::new(grid, build).cv(*k),
                    Cv::Folds(folds) => GridSearchCV::new(grid, build).folds(folds.clone()),
                };
                search.fit(x, y)?;
                let best = search.best_estimator_().expect("refit is on");
                Fitted {
                    coef: best.coef_().expect("refitted").to_vec(),
                    intercept: best.intercept_().expect("refitted"),
                    alpha: search.best_params_().expect("fitted").get("alpha")?,
                    best_score: search.best_score_().expect("fitted"),
                    cv_results: None,
                }
            }
        };
        self.state = Some(state);
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        const OP: &str = "RidgeCV::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.coef.len())?;
        vector(&linear_predict(&x, &s.coef, s.intercept))
    }
}

/// The decomposition of the (centred) design matrix that every alpha's leave-one-out errors
/// come from, as scikit-learn's `_RidgeGCV` computes it for dense data without sample weights.
enum Decomposition<'a> {
    /// `XᵀX = V diag(λ) Vᵀ` (more samples than features).
    Covariance {
        x: &'a Matrix,
        values: Vec<f64>,
        v: Mat<f64>,
        xt_y: Vec<f64>,
        xt_ones: Vec<f64>,
    },
    /// `XXᵀ = Q diag(λ) Qᵀ` (at most as many samples as features).
    Gram {
        x: &'a Matrix,
        values: Vec<f64>,
        q: Mat<f64>,
        qt_y: Vec<f64>,
        qt_ones: Vec<f64>,
    },
    /// `X = U diag(s) Vᵀ`.
    Svd {
        u: Mat<f64>,
        s: Vec<f64>,
        v: Mat<f64>,
        ut_y: Vec<f64>,
        ut_ones: Vec<f64>,
        wide: bool,
    },
}

/// `Aᵀ b` for a faer matrix and a vector.
fn t_times(a: &Mat<f64>, b: &[f64]) -> Vec<f64> {
    (0..a.ncols())
        .map(|j| (0..a.nrows()).map(|i| a[(i, j)] * b[i]).sum())
        .collect()
}

/// `A b` for a faer matrix and a vector.
fn times(a: &Mat<f64>, b: &[f64]) -> Vec<f64> {
    (0..a.nrows())
        .map(|i| (0..a.ncols()).map(|j| a[(i, j)] * b[j]).sum())
        .collect()
}

/// `Σ_j w_j A_ij²` for each row `i` (the diagonal of `A diag(w) Aᵀ`).
fn weighted_row_squares(a: &Mat<f64>, w: &[f64]) -> Vec<f64> {
    (0..a.nrows())
        .map(|i| (0..a.ncols()).map(|j| w[j] * a[(i, j)] * a[(i, j)]).sum())
        .collect()
}

impl<'a> Decomposition<'a> {
    fn new(op: &'static str, x: &'a Matrix, y: &[f64], mode: GcvMode) -> Result<Self> {
        let xf = x.to_faer();
        let ones = vec![1.0; x.rows];
        Ok(match mode {
            GcvMode::Svd => {
                let (u, s, v) = thin_svd(op, x)?;
                Decomposition::Svd {
                    ut_y: t_times(&u, y),
                    ut_ones: t_times(&u, &ones),
                    u,
                    s,
                    v,
                    wide: x.rows <= x.cols,
                }
            }
            GcvMode::Auto if x.rows <= x.cols => {
                let gram = &xf * xf.transpose();
                let (values, q) = symmetric_eigh(op, &gram)?;
                Decomposition::Gram {
                    x,
                    values,
                    qt_y: t_times(&q, y),
                    qt_ones: t_times(&q, &ones),
                    q,
                }
            }
            GcvMode::Auto => {
                let cov = xf.transpose() * &xf;
                let (values, v) = symmetric_eigh(op, &cov)?;
                Decomposition::Covariance {
                    x,
                    values,
                    v,
                    xt_y: t_times(&xf, y),
                    xt_ones: t_times(&xf, &ones),
                }
            }
        })
    }

    /// The leave-one-out errors and the coefficients for `alpha`.
    fn solve(&self, alpha: f64, y: &[f64], fit_intercept: bool) -> (Vec<f64>, Vec<f64>) {
        let n = y.len() as f64;
        let (c, mut d, coef, ginv_ones) = match self {
            Decomposition::Covariance {
                x,
                values,
                v,
                xt_y,
                xt_ones,
            } => {
                let w: Vec<f64> = values.iter().map(|l| 1.0 / (l + alpha)).collect();
                let hinv = Mat::from_fn(v.nrows(), v.nrows(), |a, b| {
                    (0..v.ncols()).map(|k| v[(a, k)] * w[k] * v[(b, k)]).sum()
                });
                let xf = x.to_faer();
                let coef = times(&hinv, xt_y);
                let fitted = times(&xf, &coef);
                let c: Vec<f64> = y.iter().zip(&fitted).map(|(y, f)| y - f).collect();
                let xh = &xf * &hinv;
                let d: Vec<f64> = (0..x.rows)
                    .map(|i| 1.0 - (0..x.cols).map(|j| xh[(i, j)] * x.at(i, j)).sum::<f64>())
                    .collect();
                let ginv = times(&xf, &times(&hinv, xt_ones));
                let ginv_ones = ginv.iter().map(|g| 1.0 - g).collect();
                (c, d, coef, ginv_ones)
            }
            Decomposition::Gram {
                x,
                values,
                q,
                qt_y,
                qt_ones,
            } => {
                let w: Vec<f64> = values.iter().map(|l| 1.0 / (l + alpha)).collect();
                let scaled =
                    |v: &[f64]| -> Vec<f64> { v.iter().zip(&w).map(|(a, b)| a * b).collect() };
                let c = times(q, &scaled(qt_y));
                let d = weighted_row_squares(q, &w);
                let coef = t_times(&x.to_faer(), &c);
                (c, d, coef, times(q, &scaled(qt_ones)))
            }
            Decomposition::Svd {
                u,
                s,
                v,
                ut_y,
                ut_ones,
                wide,
            } => {
                let shrink: Vec<f64> = s.iter().map(|s| alpha / (s * s + alpha)).collect();
                // The long case subtracts the projection onto U; the wide one, where U spans
                // every sample, has nothing outside it.
                let m: Vec<f64> = if *wide {
                    shrink
                } else {
                    shrink.iter().map(|v| v - 1.0).collect()
                };
                let base = if *wide { 0.0 } else { 1.0 };
                let scaled =
                    |v: &[f64]| -> Vec<f64> { v.iter().zip(&m).map(|(a, b)| a * b).collect() };
                let c: Vec<f64> = times(u, &scaled(ut_y))
                    .iter()
                    .zip(y)
                    .map(|(a, y)| a + base * y)
                    .collect();
                let d = weighted_row_squares(u, &m)
                    .iter()
                    .map(|v| v + base)
                    .collect();
                let ginv_ones = times(u, &scaled(ut_ones))
                    .iter()
                    .map(|v| v + base)
                    .collect();
                let gain: Vec<f64> = s
                    .iter()
                    .zip(ut_y)
                    .map(|(s, uy)| s / (s * s + alpha) * uy)
                    .collect();
                (c, d, times(v, &gain), ginv_ones)
            }
        };
        if fit_intercept {
            for (d, g) in d.iter_mut().zip(&ginv_ones) {
                *d -= g / n;
            }
        }
        let looe = c.iter().zip(&d).map(|(c, d)| c / d).collect();
        (looe, coef)
    }
}
