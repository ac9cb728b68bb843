//! [`KernelPCA`]: principal component analysis in the feature space of a kernel, as
//! scikit-learn's.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};
use crate::linalg::{matmul, matmul_bt, solve_spd, symmetric_eigen};
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, dot, fitted, Matrix};

const NAME: &str = "KernelPCA";

/// The kernel of [`KernelPCA`] (scikit-learn's `kernel`), with the estimator's `gamma`,
/// `degree` and `coef0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KpcaKernel {
    /// `<x, y>`: plain PCA of the centred data.
    #[default]
    Linear,
    /// `(gamma <x, y> + coef0)^degree`.
    Poly,
    /// `exp(-gamma |x - y|²)`.
    Rbf,
    /// `tanh(gamma <x, y> + coef0)`.
    Sigmoid,
    /// `<x, y> / (|x| |y|)`.
    Cosine,
    /// X is the kernel itself: `fit` takes the square `(n_samples, n_samples)` kernel of the
    /// training samples, `transform` the `(n_queries, n_samples)` kernel of new samples with
    /// them (what Isomap passes).
    Precomputed,
}

/// Kernel principal component analysis, as scikit-learn's `KernelPCA` with the dense
/// eigensolver (`eigen_solver="dense"`; the arpack and randomized solvers are not offered):
/// the eigendecomposition of the centred kernel matrix of the training data. Each eigenvector
/// is signed so that its entry of largest magnitude is positive (scikit-learn's `svd_flip`), so
/// the projections are deterministic. With `fit_inverse_transform`, a kernel ridge regression
/// from the projections back to the data learns an approximate pre-image.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::{KernelPCA, KpcaKernel};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![-1.0, -1.0, -2.0, -1.0, -3.0, -2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 2.0],
///     (6, 2),
/// );
/// let mut kpca = KernelPCA::new().n_components(2).kernel(KpcaKernel::Rbf).gamma(0.5);
/// let z = kpca.fit_transform(&x)?;
/// assert_eq!(z.dims(), [6, 2]);
/// let lambda = kpca.eigenvalues_().unwrap();
/// assert!(lambda[0] >= lambda[1]);
/// // transform of the training rows gives the same projections.
/// let again = kpca.transform(&x)?.to_vec();
/// assert!(again.iter().zip(z.to_vec()).all(|(a, b)| (a - b).abs() < 1e-10));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct KernelPCA {
    n_components: Option<usize>,
    kernel: KpcaKernel,
    gamma: Option<f64>,
    degree: f64,
    coef0: f64,
    alpha: f64,
    fit_inverse_transform: bool,
    remove_zero_eig: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    x_fit: Matrix,
    gamma: f64,
    eigenvalues: Vec<f64>,
    /// One column per component, one row per training sample.
    eigenvectors: Matrix,
    /// The column means of the training kernel, and their mean (scikit-learn's
    /// `KernelCenterer`).
    k_fit_rows: Vec<f64>,
    k_fit_all: f64,
    /// The projections of the training data and the dual coefficients of the pre-image
    /// regression, with `fit_inverse_transform`.
    inverse: Option<(Matrix, Matrix)>,
}

impl Default for KernelPCA {
    fn default() -> Self {
        Self::new()
    }
}

impl KernelPCA {
    /// scikit-learn's defaults: every component with a non-zero eigenvalue, the linear kernel,
    /// `gamma = 1 / n_features`, `degree = 3`, `coef0 = 1`, `alpha = 1`, no inverse transform,
    /// zero eigenvalues kept when `n_components` is set.
    pub fn new() -> Self {
        KernelPCA {
            n_components: None,
            kernel: KpcaKernel::Linear,
            gamma: None,
            degree: 3.0,
            coef0: 1.0,
            alpha: 1.0,
            fit_inverse_transform: false,
            remove_zero_eig: false,
            state: None,
        }
    }

    /// The number of components, at least 1 (at most `n_samples` are kept); default: all those
    /// with a non-zero eigenvalue.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// The kernel.
    pub fn kernel(mut self, kernel: KpcaKernel) -> Self {
        self.kernel = kernel;
        self
    }

    /// The coefficient of the rbf, poly and sigmoid kernels, in `[0, inf)` (default
    /// `1 / n_features`).
    pub fn gamma(mut self, gamma: f64) -> Self {
        self.gamma = Some(gamma);
        self
    }

    /// The degree of the poly kernel, in `[0, inf)`.
    pub fn degree(mut self, degree: f64) -> Self {
        self.degree = degree;
        self
    }

    /// The constant term of the poly and sigmoid kernels.
    pub fn coef0(mut self, coef0: f64) -> Self {
        self.coef0 = coef0;
        self
    }

    /// The ridge penalty of the pre-image regression, in `[0, inf)`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Whether `fit` learns the pre-image map that `inverse_transform` needs.
    pub fn fit_inverse_transform(mut self, fit_inverse_transform: bool) -> Self {
        self.fit_inverse_transform = fit_inverse_transform;
        self
    }

    /// Whether to drop the components of zero eigenvalue even when `n_components` is set.
    pub fn remove_zero_eig(mut self, remove_zero_eig: bool) -> Self {
        self.remove_zero_eig = remove_zero_eig;
        self
    }

    /// The eigenvalues of the centred kernel matrix, largest first; `None` before `fit`.
    pub fn eigenvalues_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.eigenvalues.as_slice())
    }

    /// The eigenvectors of the centred kernel matrix, `(n_samples, n_components)` row-major;
    /// `None` before `fit`.
    pub fn eigenvectors_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.eigenvectors.data.as_slice())
    }

    /// The number of features seen by `fit`; `None` before `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.x_fit.cols)
    }

    fn check_params(&self) -> Result<()> {
        if let Some(k) = self.n_components {
            check_param(NAME, "n_components", k, "an int in [1, inf) or None", |k| {
                k >= 1
            })?;
        }
        if let Some(g) = self.gamma {
            check_param(NAME, "gamma", g, "a float in [0, inf) or None", |g| {
                g >= 0.0 && g.is_finite()
            })?;
        }
        check_param(NAME, "degree", self.degree, "a float in [0, inf)", |d| {
            d >= 0.0 && d.is_finite()
        })?;
        check_param(NAME, "coef0", self.coef0, "a finite float", f64::is_finite)?;
        check_param(NAME, "alpha", self.alpha, "a float in [0, inf)", |a| {
            a >= 0.0 && a.is_finite()
        })
    }

    /// The kernel matrix between the rows of `a` and those of `b`.
    fn kernel_matrix(&self, gamma: f64, a: &Matrix, b: &Matrix) -> Matrix {
        match self.kernel {
            KpcaKernel::Linear => matmul_bt(a, b),
            KpcaKernel::Poly => map(matmul_bt(a, b), |v| {
                (gamma * v + self.coef0).powf(self.degree)
            }),
            KpcaKernel::Sigmoid => map(matmul_bt(a, b), |v| (gamma * v + self.coef0).tanh()),
            KpcaKernel::Rbf => {
                let mut k = Matrix::zeros(a.rows, b.rows);
                for i in 0..a.rows {
                    for j in 0..b.rows {
                        let d2: f64 = a
                            .row(i)
                            .iter()
                            .zip(b.row(j))
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum();
                        k.data[i * b.rows + j] = (-gamma * d2).exp();
                    }
                }
                k
            }
            KpcaKernel::Cosine => matmul_bt(&unit_rows(a), &unit_rows(b)),
            KpcaKernel::Precomputed => a.clone(),
        }
    }

    /// Computes the kernel of `x`, centres it and keeps its leading eigenvectors.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "KernelPCA::fit";
        self.check_params()?;
        let x = check_x(OP, x)?;
        self.fit_matrix(OP, x)
    }

    /// [`fit`](Self::fit) on a checked matrix (Isomap passes its kernel here directly).
    pub(crate) fn fit_matrix(&mut self, op: &'static str, x: Matrix) -> Result<&mut Self> {
        self.check_params()?;
        if self.kernel == KpcaKernel::Precomputed {
            if x.rows != x.cols {
                return Err(Error::input(
                    op,
                    format!(
                        "a precomputed kernel must be square; got shape ({}, {})",
                        x.rows, x.cols
                    ),
                ));
            }
            if self.fit_inverse_transform {
                return Err(Error::input(
                    op,
                    "cannot fit_inverse_transform with a precomputed kernel",
                ));
            }
        }
        let n = x.rows;
        let gamma = self.gamma.unwrap_or(1.0 / x.cols as f64);
        let mut k = self.kernel_matrix(gamma, &x, &x);
        let k_fit_rows = k.column_means();
        let k_fit_all = k_fit_rows.iter().sum::<f64>() / n as f64;
        center(&mut k, &k_fit_rows, k_fit_all);
        let c = self.n_components.map_or(n, |c| c.min(n));
        let (values, vectors) = symmetric_eigen(op, &k)?;
        // The top c, largest first (scipy's eigh with subset_by_index, then reversed).
        let order: Vec<usize> = (n - c..n).rev().collect();
        let mut eigenvalues: Vec<f64> = order.iter().map(|&i| values[i]).collect();
        check_psd(op, &mut eigenvalues)?;
        let keep: Vec<usize> = if self.remove_zero_eig || self.n_components.is_none() {
            (0..c).filter(|&j| eigenvalues[j] > 0.0).collect()
        } else {
            (0..c).collect()
        };
        let mut eigenvectors = Matrix::zeros(n, keep.len());
        for (col, &j) in keep.iter().enumerate() {
            let src = order[j];
            // svd_flip on the columns: the entry of largest magnitude (the first of ties) positive.
            let mut arg = 0;
            for i in 1..n {
                if vectors.at(i, src).abs() > vectors.at(arg, src).abs() {
                    arg = i;
                }
            }
            let sign = if vectors.at(arg, src) < 0.0 {
                -1.0
            } else {
                1.0
            };
            for i in 0..n {
                eigenvectors.data[i * keep.len() + col] = sign * vectors.at(i, src);
            }
        }
        let eigenvalues: Vec<f64> = keep.iter().map(|&j| eigenvalues[j]).collect();
        let mut state = Fitted {
            x_fit: x,
            gamma,
            eigenvalues,
            eigenvectors,
            k_fit_rows,
            k_fit_all,
            inverse: None,
        };
        if self.fit_inverse_transform {
            let z = projections(&state);
            let mut kz = self.kernel_matrix(gamma, &z, &z);
            for i in 0..n {
                kz.data[i * n + i] += self.alpha;
            }
            let dual = solve_spd(op, &kz, &state.x_fit)?;
            state.inverse = Some((z, dual));
        }
        self.state = Some(state);
        Ok(self)
    }

    /// [`fit`](Self::fit), then the projections of the training rows: the eigenvectors scaled
    /// by the square roots of their eigenvalues.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let s = fitted(&self.fit(x)?.state, NAME, "KernelPCA::fit_transform")?;
        projections(s).to_tensor()
    }

    /// The projections of the rows of `x` on the components: their centred kernel with the
    /// training rows times the eigenvectors divided by the square roots of the eigenvalues
    /// (zero for a zero eigenvalue).
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "KernelPCA::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.x_fit.cols)?;
        self.transform_matrix(OP, &x)?.to_tensor()
    }

    /// [`transform`](Self::transform) of a checked matrix of the fitted width.
    pub(crate) fn transform_matrix(&self, op: &'static str, x: &Matrix) -> Result<Matrix> {
        let s = fitted(&self.state, NAME, op)?;
        let mut k = self.kernel_matrix(s.gamma, x, &s.x_fit);
        center(&mut k, &s.k_fit_rows, s.k_fit_all);
        let c = s.eigenvalues.len();
        let mut alphas = s.eigenvectors.clone();
        for i in 0..alphas.rows {
            for (j, &l) in s.eigenvalues.iter().enumerate() {
                let v = &mut alphas.data[i * c + j];
                *v = if l != 0.0 { *v / l.sqrt() } else { 0.0 };
            }
        }
        Ok(matmul(&k, &alphas))
    }

    /// The approximate pre-images of the projections `z`: the kernel of `z` with the training
    /// projections times the dual coefficients learnt by `fit` (needs
    /// `fit_inverse_transform(true)`). As in scikit-learn, the centred kernel loses the mean of
    /// the data, which the pre-images do not restore.
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        z: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "KernelPCA::inverse_transform";
        let s = fitted(&self.state, NAME, OP)?;
        let Some((zfit, dual)) = &s.inverse else {
            return Err(Error::input(
                OP,
                "the fit_inverse_transform parameter was not set to true when fitting, so the inverse transform is not available",
            ));
        };
        let z = check_x_width(OP, NAME, z, zfit.cols)?;
        matmul(&self.kernel_matrix(s.gamma, &z, zfit), dual).to_tensor()
    }
}

impl Transformer for KernelPCA {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        KernelPCA::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        KernelPCA::transform(self, x)
    }

    fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        KernelPCA::fit_transform(self, x)
    }
}

/// `m` with `f` applied to every entry.
fn map(mut m: Matrix, f: impl Fn(f64) -> f64) -> Matrix {
    m.data.iter_mut().for_each(|v| *v = f(*v));
    m
}

/// The rows of `m` scaled to unit norm (a zero row stays zero), as scikit-learn's `normalize`.
fn unit_rows(m: &Matrix) -> Matrix {
    let mut out = m.clone();
    for i in 0..out.rows {
        let norm = dot(m.row(i), m.row(i)).sqrt();
        if norm > 0.0 {
            out.row_mut(i).iter_mut().for_each(|v| *v /= norm);
        }
    }
    out
}

/// scikit-learn's `KernelCenterer.transform`: `K - 1 K_fit / n - K 1 / n + 1 K_fit 1 / n²`,
/// with the column means of the training kernel `fit_rows` and their mean `fit_all`.
pub(crate) fn center(k: &mut Matrix, fit_rows: &[f64], fit_all: f64) {
    for i in 0..k.rows {
        let row_mean = k.row(i).iter().sum::<f64>() / fit_rows.len() as f64;
        for (v, r) in k.row_mut(i).iter_mut().zip(fit_rows) {
            *v = *v - r - row_mean + fit_all;
        }
    }
}

/// The eigenvectors scaled by the square roots of their eigenvalues.
fn projections(s: &Fitted) -> Matrix {
    let mut z = s.eigenvectors.clone();
    let c = s.eigenvalues.len();
    for i in 0..z.rows {
        for (j, &l) in s.eigenvalues.iter().enumerate() {
            z.data[i * c + j] *= l.sqrt();
        }
    }
    z
}

/// scikit-learn's `_check_psd_eigenvalues`: `Err` for significant negative eigenvalues; the
/// insignificant negative ones and the positive ones below `1e-12` of the largest become 0.
fn check_psd(op: &'static str, values: &mut [f64]) -> Result<()> {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    if max < 0.0 {
        return Err(Error::Linalg {
            op,
            message: format!(
                "all eigenvalues of the centred kernel are negative (maximum is {max}); the kernel is not positive semi-definite"
            ),
        });
    }
    if min < -1e-5 * max && min < -1e-10 {
        return Err(Error::Linalg {
            op,
            message: format!(
                "there are significant negative eigenvalues ({} of the maximum positive); the kernel is not positive semi-definite",
                -min / max
            ),
        });
    }
    for v in values.iter_mut() {
        if *v < 0.0 || (*v > 0.0 && *v < 1e-12 * max) {
            *v = 0.0;
        }
    }
    Ok(())
}
