//! [`FactorAnalysis`]: the linear Gaussian latent-variable model fitted by SVD-based EM, as
//! scikit-learn's.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};
use crate::linalg;
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, fitted, vector, Matrix};

const NAME: &str = "FactorAnalysis";

/// The rotation [`FactorAnalysis`] applies to its components (scikit-learn's `rotation`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FaRotation {
    /// No rotation (scikit-learn's `None`).
    #[default]
    None,
    /// Kaiser's varimax: maximises the variance of the squared loadings of each factor.
    Varimax,
    /// Quartimax: maximises the variance of the squared loadings of each feature.
    Quartimax,
}

/// Factor analysis, as scikit-learn's `FactorAnalysis` with `svd_method="lapack"`: the model
/// `x = W z + mean + noise`, `z ~ N(0, I)`, `noise ~ N(0, diag(psi))`, fitted by Barber's
/// SVD-based maximum-likelihood iterations until the log-likelihood gains less than `tol`.
///
/// scikit-learn's default `svd_method` is "randomized"; gf-learn implements only the exact
/// ("lapack") SVD, which is what its results match. The sign of each component is the SVD's,
/// which scikit-learn does not fix, so a component (and the matching column of
/// [`transform`](Self::transform)) may have the opposite sign to scikit-learn's; the noise
/// variances, log-likelihoods, covariance, precision and scores do not depend on it.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::FactorAnalysis;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     (0..60).map(|i| ((i * 7 % 11) as f64) + (i % 3) as f64 * 0.5).collect(),
///     (20, 3),
/// );
/// let mut fa = FactorAnalysis::new().n_components(1);
/// fa.fit(&x)?;
/// assert_eq!(fa.transform(&x)?.shape(), &(20, 1));
/// assert!(fa.noise_variance_().unwrap().iter().all(|&p| p > 0.0));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FactorAnalysis {
    n_components: Option<usize>,
    tol: f64,
    max_iter: usize,
    noise_variance_init: Option<Vec<f64>>,
    rotation: FaRotation,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    components: Matrix,
    noise_variance: Vec<f64>,
    loglike: Vec<f64>,
    n_iter: usize,
    mean: Vec<f64>,
}

impl Default for FactorAnalysis {
    fn default() -> Self {
        Self::new()
    }
}

impl FactorAnalysis {
    /// scikit-learn's defaults: `n_components = None` (one per feature), `tol = 1e-2`,
    /// `max_iter = 1000`, unit initial noise variances, no rotation.
    pub fn new() -> Self {
        FactorAnalysis {
            n_components: None,
            tol: 1e-2,
            max_iter: 1000,
            noise_variance_init: None,
            rotation: FaRotation::None,
            state: None,
        }
    }

    /// The dimension of the latent space, in `[1, n_features]` (default `n_features`).
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// The stopping tolerance on the gain of log-likelihood (default 1e-2).
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The most iterations (default 1000).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The initial noise variance of each feature (default all ones).
    pub fn noise_variance_init(mut self, init: Vec<f64>) -> Self {
        self.noise_variance_init = Some(init);
        self
    }

    /// The rotation of the components.
    pub fn rotation(mut self, rotation: FaRotation) -> Self {
        self.rotation = rotation;
        self
    }

    /// The loadings, `(n_components, n_features)` row-major; `None` before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// The estimated noise variance of each feature; `None` before `fit`.
    pub fn noise_variance_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.noise_variance.as_slice())
    }

    /// The log-likelihood at each iteration; `None` before `fit`.
    pub fn loglike_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.loglike.as_slice())
    }

    /// The number of iterations run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The mean of each feature; `None` before `fit`.
    pub fn mean_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.mean.as_slice())
    }

    /// Fits the model to `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "FactorAnalysis::fit";
        let x = check_x(OP, x)?;
        let (n, d) = (x.rows, x.cols);
        let k = self.n_components.unwrap_or(d);
        if !(1..=d).contains(&k) {
            return Err(Error::InvalidParameter {
                estimator: NAME,
                name: "n_components",
                allowed: "an int in [1, n_features]",
                got: format!("{k}, with n_features = {d}"),
            });
        }
        check_param(NAME, "tol", self.tol, "a float >= 0", |t| t >= 0.0)?;
        check_param(NAME, "max_iter", self.max_iter, "an int >= 1", |m| m >= 1)?;
        let mut psi = match &self.noise_variance_init {
            None => vec![1.0; d],
            Some(init) if init.len() != d => {
                return Err(Error::InvalidParameter {
                    estimator: NAME,
                    name: "noise_variance_init",
                    allowed: "one value per feature",
                    got: format!("{} values, with n_features = {d}", init.len()),
                })
            }
            Some(init) => {
                if init.iter().any(|v| !v.is_finite() || *v < 0.0) {
                    return Err(Error::parameter(
                        NAME,
                        "noise_variance_init",
                        "finite non-negative values",
                        init,
                    ));
                }
                init.clone()
            }
        };
        let mean = x.column_means();
        let xc = x.centered(&mean);
        let var: Vec<f64> = (0..d)
            .map(|j| (0..n).map(|i| xc.at(i, j).powi(2)).sum::<f64>() / n as f64)
            .collect();
        let nsqrt = (n as f64).sqrt();
        let llconst = d as f64 * (2.0 * std::f64::consts::PI).ln() + k as f64;
        const SMALL: f64 = 1e-12;
        let mut loglike = Vec::new();
        let mut old_ll = f64::NEG_INFINITY;
        let mut w = Matrix::zeros(k, d);
        let mut n_iter = 0;
        for it in 0..self.max_iter {
            n_iter = it + 1;
            let sqrt_psi: Vec<f64> = psi.iter().map(|p| p.sqrt() + SMALL).collect();
            let mut scaled = xc.clone();
            for i in 0..n {
                for (v, s) in scaled.row_mut(i).iter_mut().zip(&sqrt_psi) {
                    *v /= s * nsqrt;
                }
            }
            let (_, s, v) = linalg::thin_svd(OP, &scaled)?;
            let unexp: f64 = s.iter().skip(k).map(|v| v * v).sum();
            let s2: Vec<f64> = s.iter().take(k).map(|v| v * v).collect();
            for c in 0..k {
                let scale = (s2[c] - 1.0).max(0.0).sqrt();
                for j in 0..d {
                    w.data[c * d + j] = scale * v[(j, c)] * sqrt_psi[j];
                }
            }
            let mut ll = llconst + s2.iter().map(|v| v.ln()).sum::<f64>();
            ll += unexp + psi.iter().map(|p| p.ln()).sum::<f64>();
            ll *= -(n as f64) / 2.0;
            loglike.push(ll);
            if ll - old_ll < self.tol {
                break;
            }
            old_ll = ll;
            for j in 0..d {
                let wsq: f64 = (0..k).map(|c| w.at(c, j).powi(2)).sum();
                psi[j] = (var[j] - wsq).max(SMALL);
            }
        }
        let components = match self.rotation {
            FaRotation::None => w,
            rotation => ortho_rotation(OP, &w, rotation)?,
        };
        self.state = Some(Fitted {
            components,
            noise_variance: psi,
            loglike,
            n_iter,
            mean,
        });
        Ok(self)
    }

    /// The posterior mean of the latent variables of each row of `x`.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "FactorAnalysis::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.mean.len())?;
        let w = &s.components;
        let (wpsi, m) = weighted(w, &s.noise_variance);
        let cov_z = inverse(OP, &m)?;
        let xc = x.centered(&s.mean);
        let tmp = linalg::matmul_bt(&xc, &wpsi);
        linalg::matmul(&tmp, &cov_z).to_tensor()
    }

    /// The covariance of the model, `Wᵀ W + diag(psi)`, `(n_features, n_features)` row-major.
    pub fn get_covariance(&self) -> Result<Vec<f64>> {
        let s = fitted(&self.state, NAME, "FactorAnalysis::get_covariance")?;
        Ok(covariance(s).data)
    }

    /// The precision (inverse covariance) of the model by the matrix inversion lemma,
    /// `(n_features, n_features)` row-major.
    pub fn get_precision(&self) -> Result<Vec<f64>> {
        const OP: &str = "FactorAnalysis::get_precision";
        let s = fitted(&self.state, NAME, OP)?;
        Ok(precision(OP, s)?.data)
    }

    /// The log-likelihood of each row of `x` under the model.
    pub fn score_samples<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize,), E, Cpu>> {
        vector(&self.log_likelihoods("FactorAnalysis::score_samples", x)?)
    }

    /// The mean log-likelihood of the rows of `x`.
    pub fn score<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        let ll = self.log_likelihoods("FactorAnalysis::score", x)?;
        Ok(ll.iter().sum::<f64>() / ll.len() as f64)
    }

    fn log_likelihoods<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<Vec<f64>> {
        let s = fitted(&self.state, NAME, op)?;
        let x = check_x_width(op, NAME, x, s.mean.len())?;
        let xr = x.centered(&s.mean);
        let p = precision(op, s)?;
        let d = x.cols;
        let (values, _) = linalg::symmetric_eigen(op, &p)?;
        let logdet = if values.iter().all(|&v| v > 0.0) {
            values.iter().map(|v| v.ln()).sum::<f64>()
        } else {
            f64::NEG_INFINITY
        };
        let xp = linalg::matmul(&xr, &p);
        let c = 0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() - logdet);
        Ok((0..x.rows)
            .map(|i| {
                let q: f64 = xr.row(i).iter().zip(xp.row(i)).map(|(a, b)| a * b).sum();
                -0.5 * q - c
            })
            .collect())
    }
}

/// `Wᵀ W + diag(psi)`.
fn covariance(s: &Fitted) -> Matrix {
    let w = &s.components;
    let wt = transpose(w);
    let mut cov = linalg::matmul(&wt, w);
    for (j, p) in s.noise_variance.iter().enumerate() {
        cov.data[j * w.cols + j] += p;
    }
    cov
}

/// The inverse of [`covariance`] by the matrix inversion lemma (a plain inverse when there are
/// as many components as features), as scikit-learn's `get_precision`.
fn precision(op: &'static str, s: &Fitted) -> Result<Matrix> {
    let w = &s.components;
    let (k, d) = (w.rows, w.cols);
    if k == d {
        return inverse(op, &covariance(s));
    }
    let psi = &s.noise_variance;
    let (_, m) = weighted(w, psi);
    let inner = linalg::matmul(&inverse(op, &m)?, w);
    let mut p = linalg::matmul(&transpose(w), &inner);
    for i in 0..d {
        for j in 0..d {
            p.data[i * d + j] = p.data[i * d + j] / psi[i] / -psi[j];
        }
        p.data[i * d + i] += 1.0 / psi[i];
    }
    Ok(p)
}

/// `W diag(psi)⁻¹` and `I + W diag(psi)⁻¹ Wᵀ`.
fn weighted(w: &Matrix, psi: &[f64]) -> (Matrix, Matrix) {
    let mut wpsi = w.clone();
    for c in 0..w.rows {
        for (v, p) in wpsi.row_mut(c).iter_mut().zip(psi) {
            *v /= p;
        }
    }
    let mut m = linalg::matmul_bt(&wpsi, w);
    for c in 0..w.rows {
        m.data[c * w.rows + c] += 1.0;
    }
    (wpsi, m)
}

/// The transpose of `m`.
fn transpose(m: &Matrix) -> Matrix {
    let mut t = Matrix::zeros(m.cols, m.rows);
    for i in 0..m.rows {
        for j in 0..m.cols {
            t.data[j * m.rows + i] = m.at(i, j);
        }
    }
    t
}

/// The inverse of the symmetric positive definite `a`.
fn inverse(op: &'static str, a: &Matrix) -> Result<Matrix> {
    let mut eye = Matrix::zeros(a.rows, a.rows);
    for i in 0..a.rows {
        eye.data[i * a.rows + i] = 1.0;
    }
    linalg::solve_spd(op, a, &eye)
}

/// scikit-learn's `_ortho_rotation` of the loadings `w` (`(k, d)`), returned as `(k, d)`.
fn ortho_rotation(op: &'static str, w: &Matrix, method: FaRotation) -> Result<Matrix> {
    const TOL: f64 = 1e-6;
    let comps = transpose(w); // (d, k)
    let (nrow, ncol) = (comps.rows, comps.cols);
    let mut rot = Matrix::zeros(ncol, ncol);
    for i in 0..ncol {
        rot.data[i * ncol + i] = 1.0;
    }
    let ct = w;
    let mut var = 0.0;
    for _ in 0..100 {
        let cr = linalg::matmul(&comps, &rot);
        let mut target = cr.clone();
        let col_sq: Vec<f64> = (0..ncol)
            .map(|j| (0..nrow).map(|i| cr.at(i, j).powi(2)).sum::<f64>() / nrow as f64)
            .collect();
        for i in 0..nrow {
            for (j, sq) in col_sq.iter().enumerate() {
                let c = cr.at(i, j);
                let tmp = match method {
                    FaRotation::Varimax => c * sq,
                    _ => 0.0,
                };
                target.data[i * ncol + j] = c * c * c - tmp;
            }
        }
        let (u, s, vt) = linalg::svd(op, &linalg::matmul(ct, &target))?;
        rot = linalg::matmul_bt(&u, &vt);
        let var_new: f64 = s.iter().sum();
        if var != 0.0 && var_new < var * (1.0 + TOL) {
            break;
        }
        var = var_new;
    }
    Ok(transpose(&linalg::matmul(&comps, &rot)))
}

impl Transformer for FactorAnalysis {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        FactorAnalysis::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        FactorAnalysis::transform(self, x)
    }
}
