//! [`ElasticNet`] and [`Lasso`] by cyclic coordinate descent, stopped by scikit-learn's
//! duality gap.

use gf_core::device::simd;
use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{center_y, linear_predict};
use crate::error::Result;
use crate::traits::{Features, Regressor, Target};
use crate::validation::{
    check_param, check_x, check_x_width, check_y_reg, dot, fitted, vector, Matrix,
};

/// Linear regression with a mixed L1 and L2 penalty, as scikit-learn's `ElasticNet`:
/// minimises
///
/// ```text
/// 1 / (2 n_samples) ||y - X w - b||² + alpha l1_ratio ||w||₁ + alpha (1 - l1_ratio) / 2 ||w||²
/// ```
///
/// by cyclic coordinate descent. After a sweep whose largest coefficient change is at most
/// `tol` times the largest coefficient, the duality gap is computed; the descent stops when it
/// is at most `tol · ||y||²` (scikit-learn's criterion), or after `max_iter` sweeps. At each
/// gap computation the features the gap proves zero are screened out for good (scikit-learn's
/// gap-safe rules), so later sweeps skip them.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::Lasso;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 1.0, 1.0, 0.0, 2.0, 1.0, 3.0, 0.5], (4, 2));
/// let y = dev.tensor_from_vec(vec![0.0, 1.0, 2.0, 3.0], (4,));
/// let mut lasso = Lasso::new().alpha(0.1);
/// lasso.fit(&x, &y)?;
/// let coef = lasso.coef_().unwrap();
/// assert!(coef[0] > 0.8 && coef[1] == 0.0); // the L1 penalty zeroes the useless feature
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ElasticNet {
    alpha: f64,
    l1_ratio: f64,
    fit_intercept: bool,
    max_iter: usize,
    tol: f64,
    positive: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    coef: Vec<f64>,
    intercept: f64,
    n_iter: usize,
    dual_gap: f64,
}

impl Default for ElasticNet {
    fn default() -> Self {
        Self::new()
    }
}

impl ElasticNet {
    /// scikit-learn's defaults: `alpha = 1.0`, `l1_ratio = 0.5`, `fit_intercept = true`,
    /// `max_iter = 1000`, `tol = 1e-4`, `positive = false`.
    pub fn new() -> Self {
        ElasticNet {
            alpha: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            max_iter: 1000,
            tol: 1e-4,
            positive: false,
            state: None,
        }
    }

    /// The penalty's strength, in `[0, inf)`; default 1.0.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The L1 share of the penalty, in `[0, 1]`; default 0.5.
    pub fn l1_ratio(mut self, l1_ratio: f64) -> Self {
        self.l1_ratio = l1_ratio;
        self
    }

    /// Whether to fit an intercept; default true.
    pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// The most sweeps over the features, at least 1; default 1000.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The stopping tolerance, in `[0, inf)`; default 1e-4.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Whether to force the coefficients to be non-negative; default false.
    pub fn positive(mut self, positive: bool) -> Self {
        self.positive = positive;
        self
    }

    /// The coefficient of each feature; `None` before `fit`.
    pub fn coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.coef.as_slice())
    }

    /// The intercept; `None` before `fit`.
    pub fn intercept_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.intercept)
    }

    /// The number of sweeps run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The duality gap at the end of the descent (scaled as scikit-learn's, by `n_samples`);
    /// `None` before `fit`.
    pub fn dual_gap_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.dual_gap)
    }

    fn validate(&self, estimator: &'static str) -> Result<()> {
        check_param(estimator, "alpha", self.alpha, "a float in [0, inf)", |a| {
            a >= 0.0 && a.is_finite()
        })?;
        check_param(
            estimator,
            "l1_ratio",
            self.l1_ratio,
            "a float in [0, 1]",
            |r| (0.0..=1.0).contains(&r),
        )?;
        check_param(
            estimator,
            "max_iter",
            self.max_iter,
            "an int in [1, inf)",
            |m| m >= 1,
        )?;
        check_param(estimator, "tol", self.tol, "a float in [0, inf)", |t| {
            t >= 0.0
        })
    }

    fn fit_as<F: Dim, E: Dtype>(
        &mut self,
        estimator: &'static str,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<E>,
    ) -> Result<()> {
        self.validate(estimator)?;
        let x = check_x(op, x)?;
        let y = check_y_reg(op, y, x.rows)?;
        let x_mean = if self.fit_intercept {
            x.column_means()
        } else {
            vec![0.0; x.cols]
        };
        let (yc, y_mean) = center_y(&y, self.fit_intercept);
        let n = x.rows as f64;
        let problem = Problem::new(&x, &x_mean, &yc, self.positive);
        let (coef, dual_gap, n_iter) = problem.solve(
            self.alpha * self.l1_ratio * n,
            self.alpha * (1.0 - self.l1_ratio) * n,
            self.max_iter,
            self.tol,
        );
        let intercept = y_mean - dot(&x_mean, &coef);
        self.state = Some(Fitted {
            coef,
            intercept,
            n_iter,
            dual_gap: dual_gap / n,
        });
        Ok(())
    }

    fn predict_as<F: Dim, E: Dtype>(
        &self,
        estimator: &'static str,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<Target<E>> {
        let s = fitted(&self.state, estimator, op)?;
        let x = check_x_width(op, estimator, x, s.coef.len())?;
        vector(&linear_predict(&x, &s.coef, s.intercept))
    }
}

impl Regressor for ElasticNet {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.fit_as("ElasticNet", "ElasticNet::fit", x, y)?;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        self.predict_as("ElasticNet", "ElasticNet::predict", x)
    }
}

/// The coordinate-descent problem on centred data, with X stored by columns.
struct Problem<'a> {
    columns: Vec<Vec<f64>>,
    norms: Vec<f64>,
    y: &'a [f64],
    positive: bool,
}

impl<'a> Problem<'a> {
    /// `x` less `x_mean`, by columns: rows are read eight at a time, so that each column
    /// receives one cache line per block (a cache-blocked transpose; on two cores, splitting
    /// it over threads measured slower, as it is bound by memory traffic).
    fn new(x: &Matrix, x_mean: &[f64], y: &'a [f64], positive: bool) -> Self {
        const ROWS: usize = 8;
        let mut columns: Vec<Vec<f64>> = vec![vec![0.0; x.rows]; x.cols];
        for start in (0..x.rows).step_by(ROWS) {
            let end = (start + ROWS).min(x.rows);
            for (j, col) in columns.iter_mut().enumerate() {
                for (i, c) in col[start..end].iter_mut().enumerate() {
                    *c = x.at(start + i, j) - x_mean[j];
                }
            }
        }
        let norms = columns.iter().map(|c| dot(c, c)).collect();
        Problem {
            columns,
            norms,
            y,
            positive,
        }
    }

    /// scikit-learn's duality gap (formulation A) of `w` with residuals `r = y - X w`, for the
    /// unscaled penalties `l1` and `l2`, with `Xᵀr − l2·w` and its dual norm (what the
    /// screening rule reads).
    fn gap(&self, w: &[f64], r: &[f64], l1: f64, l2: f64) -> Gap {
        let path = simd::path();
        let r_norm2 = simd::dot(path, r, r);
        let w_norm2 = simd::dot(path, w, w);
        let xta: Vec<f64> = self
            .columns
            .iter()
            .zip(w)
            .map(|(c, &wj)| simd::dot(path, c, r) - l2 * wj)
            .collect();
        let dual_norm = if self.positive {
            xta.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        } else {
            xta.iter().fold(0.0f64, |m, v| m.max(v.abs()))
        };
        let gap = if l1 == 0.0 {
            // Formulation B, scikit-learn's for a pure L2 penalty.
            let xtr: f64 = self
                .columns
                .iter()
                .map(|c| simd::dot(path, c, r).powi(2))
                .sum();
            if l2 == 0.0 {
                xtr
            } else {
                r_norm2 + 0.5 * l2 * w_norm2 - simd::dot(path, r, self.y) + xtr / (2.0 * l2)
            }
        } else {
            let primal =
                0.5 * (r_norm2 + l2 * w_norm2) + l1 * w.iter().map(|v| v.abs()).sum::<f64>();
            let scale = if dual_norm > l1 { l1 / dual_norm } else { 1.0 };
            let dual = -0.5 * scale * scale * (r_norm2 + l2 * w_norm2)
                + scale * simd::dot(path, r, self.y);
            primal - dual
        };
        Gap {
            gap,
            xta,
            dual_norm,
        }
    }

    /// scikit-learn's gap-safe screening (Fercoq, Gramfort and Salmon 2015, eq. 11): the
    /// features still `active` whose coefficient the gap cannot prove zero stay; the others
    /// leave for good, their coefficient set to 0 and taken out of the residuals.
    fn screen(
        &self,
        g: &Gap,
        l1: f64,
        l2: f64,
        active: &mut Vec<usize>,
        w: &mut [f64],
        r: &mut [f64],
    ) {
        let radius = (2.0 * g.gap).sqrt() / l1;
        let path = simd::path();
        active.retain(|&j| {
            let theta = g.xta[j] / l1.max(g.dual_norm);
            let d_j = (1.0 - theta.abs()) / (self.norms[j] + l2).sqrt();
            if d_j <= radius {
                return true;
            }
            if w[j] != 0.0 {
                simd::axpy(path, w[j], &self.columns[j], r);
                w[j] = 0.0;
            }
            false
        });
    }

    /// Coordinate descent from zero: `(w, gap, sweeps)`.
    fn solve(&self, l1: f64, l2: f64, max_iter: usize, tol: f64) -> (Vec<f64>, f64, usize) {
        let path = simd::path();
        let mut w = vec![0.0; self.columns.len()];
        let mut r = self.y.to_vec();
        let gap_tol = tol * simd::dot(path, self.y, self.y);
        let mut g = self.gap(&w, &r, l1, l2);
        if g.gap <= gap_tol {
            return (w, g.gap, 0);
        }
        // Features with a zero column never move; without an L1 penalty nothing is screened.
        let screening = l1 > 0.0;
        let mut active: Vec<usize> = (0..self.columns.len())
            .filter(|&j| self.norms[j] != 0.0)
            .collect();
        if screening {
            self.screen(&g, l1, l2, &mut active, &mut w, &mut r);
        }
        let mut sweeps = 0;
        for iter in 0..max_iter {
            sweeps = iter + 1;
            let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
            for &j in &active {
                let col = &self.columns[j];
                let old = w[j];
                // The sweeps are dot products and updates along columns: SIMD, as BLAS's in
                // scikit-learn's descent.
                let tmp = simd::dot(path, col, &r) + old * self.norms[j];
                w[j] = if self.positive && tmp < 0.0 {
                    0.0
                } else {
                    tmp.signum() * (tmp.abs() - l1).max(0.0) / (self.norms[j] + l2)
                };
                if w[j] != old {
                    simd::axpy(path, old - w[j], col, &mut r);
                }
                d_w_max = d_w_max.max((w[j] - old).abs());
                w_max = w_max.max(w[j].abs());
            }
            if w_max == 0.0 || d_w_max / w_max <= tol || iter == max_iter - 1 {
                g = self.gap(&w, &r, l1, l2);
                if g.gap <= gap_tol {
                    break;
                }
                if screening {
                    self.screen(&g, l1, l2, &mut active, &mut w, &mut r);
                }
            }
        }
        (w, g.gap, sweeps)
    }
}

/// A duality gap with what the screening rule needs.
struct Gap {
    gap: f64,
    /// `Xᵀr − l2·w`, per feature.
    xta: Vec<f64>,
    /// Its largest magnitude (largest value when the coefficients are positive).
    dual_norm: f64,
}

/// Linear regression with an L1 penalty, as scikit-learn's `Lasso`: an [`ElasticNet`] with
/// `l1_ratio = 1`, minimising `1 / (2 n_samples) ||y - X w - b||² + alpha ||w||₁`.
#[derive(Clone, Debug)]
pub struct Lasso {
    inner: ElasticNet,
}

impl Default for Lasso {
    fn default() -> Self {
        Self::new()
    }
}

impl Lasso {
    /// scikit-learn's defaults: `alpha = 1.0`, `fit_intercept = true`, `max_iter = 1000`,
    /// `tol = 1e-4`, `positive = false`.
    pub fn new() -> Self {
        Lasso {
            inner: ElasticNet::new().l1_ratio(1.0),
        }
    }

    /// The penalty's strength, in `[0, inf)`; default 1.0.
    pub fn alpha(self, alpha: f64) -> Self {
        Lasso {
            inner: self.inner.alpha(alpha),
        }
    }

    /// Whether to fit an intercept; default true.
    pub fn fit_intercept(self, fit_intercept: bool) -> Self {
        Lasso {
            inner: self.inner.fit_intercept(fit_intercept),
        }
    }

    /// The most sweeps over the features, at least 1; default 1000.
    pub fn max_iter(self, max_iter: usize) -> Self {
        Lasso {
            inner: self.inner.max_iter(max_iter),
        }
    }

    /// The stopping tolerance, in `[0, inf)`; default 1e-4.
    pub fn tol(self, tol: f64) -> Self {
        Lasso {
            inner: self.inner.tol(tol),
        }
    }

    /// Whether to force the coefficients to be non-negative; default false.
    pub fn positive(self, positive: bool) -> Self {
        Lasso {
            inner: self.inner.positive(positive),
        }
    }

    /// The coefficient of each feature; `None` before `fit`.
    pub fn coef_(&self) -> Option<&[f64]> {
        self.inner.coef_()
    }

    /// The intercept; `None` before `fit`.
    pub fn intercept_(&self) -> Option<f64> {
        self.inner.intercept_()
    }

    /// The number of sweeps run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.inner.n_iter_()
    }

    /// The duality gap at the end of the descent; `None` before `fit`.
    pub fn dual_gap_(&self) -> Option<f64> {
        self.inner.dual_gap_()
    }
}

impl Regressor for Lasso {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>, y: &Target<E>) -> Result<&mut Self> {
        self.inner.fit_as("Lasso", "Lasso::fit", x, y)?;
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        self.inner.predict_as("Lasso", "Lasso::predict", x)
    }
}
