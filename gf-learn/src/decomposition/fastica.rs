//! [`FastICA`]: independent component analysis by Hyvärinen's fixed-point algorithm, as
//! scikit-learn's.

use gf_core::rng::Xoshiro256;
use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};
use crate::linalg::{matmul, matmul_bt, svd, symmetric_eigen};
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, fitted, Matrix};

const NAME: &str = "FastICA";

/// How [`FastICA`] extracts the components (scikit-learn's `algorithm`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IcaAlgorithm {
    /// All components at once, decorrelated symmetrically after each step.
    #[default]
    Parallel,
    /// One component after the other, each kept orthogonal to the previous ones
    /// (Gram-Schmidt).
    Deflation,
}

/// How [`FastICA`] whitens the data (scikit-learn's `whiten`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IcaWhiten {
    /// Centre and whiten by PCA, then rescale each recovered source to unit variance
    /// (`"unit-variance"`).
    #[default]
    UnitVariance,
    /// Centre and whiten by PCA; the sources keep the variance the algorithm gives them
    /// (`"arbitrary-variance"`).
    ArbitraryVariance,
    /// No centring and no whitening (`whiten=False`): the data must already be white, and
    /// `n_components` is ignored (all `n_features` components are estimated).
    Disabled,
}

/// The contrast function `G` whose derivative `g` the fixed-point iteration uses
/// (scikit-learn's `fun` and `fun_args`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IcaFun {
    /// `G(u) = log cosh(alpha u) / alpha`, `g(u) = tanh(alpha u)`; `alpha` in `[1, 2]`
    /// (scikit-learn's `fun_args={"alpha": ...}`, default 1).
    Logcosh {
        /// The scale of the argument, in `[1, 2]`.
        alpha: f64,
    },
    /// `G(u) = -exp(-u²/2)`, `g(u) = u exp(-u²/2)`.
    Exp,
    /// `G(u) = u⁴/4`, `g(u) = u³`.
    Cube,
}

impl Default for IcaFun {
    fn default() -> Self {
        IcaFun::Logcosh { alpha: 1.0 }
    }
}

/// How the whitening is computed (scikit-learn's `whiten_solver`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WhitenSolver {
    /// The SVD of the centred data.
    #[default]
    Svd,
    /// The eigendecomposition of the covariance, faster when samples far outnumber features.
    Eigh,
}

/// Independent component analysis, as scikit-learn's `FastICA`: centres and whitens the data
/// by PCA, then finds the rotation that makes the projections as non-Gaussian as possible with
/// Hyvärinen's fixed-point iteration. The whitening directions are signed so that their first
/// entry is positive, as scikit-learn does, so the fit is deterministic given `w_init`.
///
/// Without `w_init` the starting rotation is drawn from gf-core's generator seeded by
/// `random_state` (scikit-learn draws it from numpy's), so the sources come out in another
/// order or sign than scikit-learn's, but they are the same sources.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::FastICA;
/// use gf_learn::prelude::*;
///
/// // Two sources, a sine and a square wave, mixed.
/// let n = 400;
/// let mut data = Vec::new();
/// for i in 0..n {
///     let t = i as f64 * 0.05;
///     let (s1, s2) = (t.sin(), (2.0 * t).sin().signum());
///     data.extend([s1 + 0.5 * s2, 0.3 * s1 + s2]);
/// }
/// let x: Tensor<(usize, usize), f64, Cpu> = Cpu::default().tensor_from_vec(data, (n, 2));
/// let mut ica = FastICA::new().n_components(2);
/// let sources = ica.fit_transform(&x)?;
/// assert_eq!(sources.dims(), [n, 2]);
/// assert_eq!(ica.mixing_().unwrap().len(), 4);
/// let back = ica.inverse_transform(&sources)?.to_vec();
/// assert!(back.iter().zip(x.to_vec()).all(|(b, x)| (b - x).abs() < 1e-10));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FastICA {
    n_components: Option<usize>,
    algorithm: IcaAlgorithm,
    whiten: IcaWhiten,
    fun: IcaFun,
    max_iter: usize,
    tol: f64,
    w_init: Option<Vec<f64>>,
    whiten_solver: WhitenSolver,
    random_state: u64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    components: Matrix,
    mixing: Matrix,
    /// The mean and the whitening matrix; `None` with `whiten=False`.
    whitening: Option<(Vec<f64>, Matrix)>,
    n_iter: usize,
    n_features: usize,
}

impl Default for FastICA {
    fn default() -> Self {
        Self::new()
    }
}

impl FastICA {
    /// scikit-learn's defaults: every component, the parallel algorithm, `"unit-variance"`
    /// whitening by SVD, logcosh with `alpha = 1`, `max_iter = 200`, `tol = 1e-4`, a random
    /// `w_init` seeded by `random_state = 0`.
    pub fn new() -> Self {
        FastICA {
            n_components: None,
            algorithm: IcaAlgorithm::Parallel,
            whiten: IcaWhiten::UnitVariance,
            fun: IcaFun::default(),
            max_iter: 200,
            tol: 1e-4,
            w_init: None,
            whiten_solver: WhitenSolver::Svd,
            random_state: 0,
            state: None,
        }
    }

    /// The number of sources to estimate, in `[1, min(n_samples, n_features)]` (default: all).
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// Parallel or deflation.
    pub fn algorithm(mut self, algorithm: IcaAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The whitening strategy.
    pub fn whiten(mut self, whiten: IcaWhiten) -> Self {
        self.whiten = whiten;
        self
    }

    /// The contrast function.
    pub fn fun(mut self, fun: IcaFun) -> Self {
        self.fun = fun;
        self
    }

    /// The most fixed-point iterations (per component with deflation), at least 1.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The convergence tolerance on the change of the unmixing matrix, in `[0, inf)`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The starting unmixing matrix, `n_components` x `n_components` row-major (default: drawn
    /// from a standard normal).
    pub fn w_init(mut self, w_init: Vec<f64>) -> Self {
        self.w_init = Some(w_init);
        self
    }

    /// SVD or eigendecomposition for the whitening.
    pub fn whiten_solver(mut self, whiten_solver: WhitenSolver) -> Self {
        self.whiten_solver = whiten_solver;
        self
    }

    /// The seed of the random `w_init`.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The unmixing matrix, `(n_components, n_features)` row-major: `transform` is
    /// `(x - mean) componentsᵀ`; `None` before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// The pseudo-inverse of the components, `(n_features, n_components)` row-major; `None`
    /// before `fit`.
    pub fn mixing_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.mixing.data.as_slice())
    }

    /// The mean of each feature; `None` before `fit` and with `whiten=False`.
    pub fn mean_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.whitening.as_ref())
            .map(|(mean, _)| mean.as_slice())
    }

    /// The PCA whitening matrix, `(n_components, n_features)` row-major; `None` before `fit`
    /// and with `whiten=False`.
    pub fn whitening_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .and_then(|s| s.whitening.as_ref())
            .map(|(_, k)| k.data.as_slice())
    }

    /// The iterations run (the most over the components with deflation); `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    fn check_params(&self) -> Result<()> {
        if let Some(k) = self.n_components {
            check_param(NAME, "n_components", k, "an int in [1, inf) or None", |k| {
                k >= 1
            })?;
        }
        check_param(NAME, "max_iter", self.max_iter, "an int in [1, inf)", |m| {
            m >= 1
        })?;
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| {
            t >= 0.0 && t.is_finite()
        })?;
        if let IcaFun::Logcosh { alpha } = self.fun {
            check_param(NAME, "fun_args['alpha']", alpha, "a float in [1, 2]", |a| {
                (1.0..=2.0).contains(&a)
            })?;
        }
        Ok(())
    }

    /// Estimates the unmixing matrix of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "FastICA::fit";
        self.check_params()?;
        let x = check_x(OP, x)?;
        if x.rows < 2 {
            return Err(Error::input(
                OP,
                "found array with 1 sample, while a minimum of 2 is required",
            ));
        }
        let (n, d) = (x.rows, x.cols);
        let whiten = self.whiten != IcaWhiten::Disabled;
        let k = match self.n_components {
            Some(k) if whiten => {
                let max = n.min(d);
                if k > max {
                    return Err(Error::InvalidParameter {
                        estimator: NAME,
                        name: "n_components",
                        allowed: "an int in [1, min(n_samples, n_features)]",
                        got: format!("{k}, with min(n_samples, n_features) = {max}"),
                    });
                }
                k
            }
            _ if whiten => n.min(d),
            _ => d,
        };
        // X1: the (whitened) data with one row per component and one column per sample.
        let (x1, whitening) = if whiten {
            let mean = x.column_means();
            let xc = x.centered(&mean);
            let kmat = self.whitening_matrix(OP, &x, &xc, k)?;
            let mut x1 = matmul_bt(&kmat, &xc);
            let scale = (n as f64).sqrt();
            x1.data.iter_mut().for_each(|v| *v *= scale);
            (x1, Some((mean, kmat, xc)))
        } else {
            (transpose(&x), None)
        };
        let w_init = match &self.w_init {
            Some(w) if w.len() == k * k => Matrix {
                rows: k,
                cols: k,
                data: w.clone(),
            },
            Some(w) => {
                return Err(Error::input(
                    OP,
                    format!(
                        "w_init has invalid shape: it has {} entries, but should be ({k}, {k}) = {} entries",
                        w.len(),
                        k * k
                    ),
                ))
            }
            None => {
                let mut rng = Xoshiro256::new(self.random_state);
                Matrix {
                    rows: k,
                    cols: k,
                    data: (0..k * k).map(|_| rng.next_normal()).collect(),
                }
            }
        };
        let (mut w, n_iter) = match self.algorithm {
            IcaAlgorithm::Parallel => self.parallel(OP, &x1, w_init)?,
            IcaAlgorithm::Deflation => self.deflation(&x1, &w_init),
        };
        let (components, whitening) = match whitening {
            Some((mean, kmat, xc)) => {
                if self.whiten == IcaWhiten::UnitVariance {
                    // The sources W K Xcᵀ, one row per component, rescaled to unit variance.
                    let s = matmul_bt(&matmul(&w, &kmat), &xc);
                    for c in 0..k {
                        let row = s.row(c);
                        let m = row.iter().sum::<f64>() / n as f64;
                        let var = row.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64;
                        let std = var.sqrt();
                        w.row_mut(c).iter_mut().for_each(|v| *v /= std);
                    }
                }
                (matmul(&w, &kmat), Some((mean, kmat)))
            }
            None => (w, None),
        };
        let mixing = pinv(OP, &components)?;
        self.state = Some(Fitted {
            components,
            mixing,
            whitening,
            n_iter,
            n_features: d,
        });
        Ok(self)
    }

    /// scikit-learn's whitening matrix `K`, `k` x `d`: the leading principal directions of the
    /// centred data, divided by their singular values, each signed so that its first entry is
    /// positive.
    fn whitening_matrix(
        &self,
        op: &'static str,
        x: &Matrix,
        xc: &Matrix,
        k: usize,
    ) -> Result<Matrix> {
        let d = x.cols;
        // u: the directions as columns of a d x m matrix; sv: their singular values.
        let (u, sv) = match self.whiten_solver {
            WhitenSolver::Svd => {
                let (_, s, v) = svd(op, xc)?;
                (v, s)
            }
            WhitenSolver::Eigh => {
                // scikit-learn's Xcᵀ X (equal to Xcᵀ Xc, as the columns of Xc sum to 0).
                let (values, vectors) = symmetric_eigen(op, &matmul(&transpose(xc), x))?;
                let eps = f64::EPSILON * 10.0;
                let order: Vec<usize> = (0..d).rev().collect();
                let sv = order.iter().map(|&i| values[i].max(eps).sqrt()).collect();
                let mut u = Matrix::zeros(d, d);
                for f in 0..d {
                    for (c, &i) in order.iter().enumerate() {
                        u.data[f * d + c] = vectors.at(f, i);
                    }
                }
                (u, sv)
            }
        };
        let mut kmat = Matrix::zeros(k, d);
        for (c, &s) in sv.iter().enumerate().take(k) {
            // numpy's sign: a zero first entry would zero the direction; keep it instead.
            let sign = if u.at(0, c) < 0.0 { -1.0 } else { 1.0 };
            for f in 0..d {
                kmat.data[c * d + f] = sign * u.at(f, c) / s;
            }
        }
        Ok(kmat)
    }

    /// `g(u)` for each entry of `wx` (in place) and the mean of `g'(u)` over each row.
    fn contrast(&self, wx: &mut Matrix) -> Vec<f64> {
        let n = wx.cols as f64;
        (0..wx.rows)
            .map(|r| {
                let row = wx.row_mut(r);
                let mut dsum = 0.0;
                for v in row.iter_mut() {
                    let u = *v;
                    let (g, dg) = match self.fun {
                        IcaFun::Logcosh { alpha } => {
                            let t = (alpha * u).tanh();
                            (t, alpha * (1.0 - t * t))
                        }
                        IcaFun::Exp => {
                            let e = (-(u * u) / 2.0).exp();
                            (u * e, (1.0 - u * u) * e)
                        }
                        IcaFun::Cube => (u * u * u, 3.0 * u * u),
                    };
                    *v = g;
                    dsum += dg;
                }
                dsum / n
            })
            .collect()
    }

    /// scikit-learn's `_ica_par`: all rows of W updated together, then decorrelated.
    fn parallel(&self, op: &'static str, x1: &Matrix, w_init: Matrix) -> Result<(Matrix, usize)> {
        let n = x1.cols as f64;
        let mut w = sym_decorrelation(op, &w_init)?;
        let mut iters = 0;
        for it in 0..self.max_iter {
            iters = it + 1;
            let mut gwx = matmul(&w, x1);
            let dg = self.contrast(&mut gwx);
            let mut step = matmul_bt(&gwx, x1);
            for (r, dgr) in dg.iter().enumerate() {
                for (v, wv) in step.row_mut(r).iter_mut().zip(w.row(r)) {
                    *v = *v / n - dgr * wv;
                }
            }
            let w1 = sym_decorrelation(op, &step)?;
            let lim = (0..w.rows)
                .map(|r| (dot(w1.row(r), w.row(r)).abs() - 1.0).abs())
                .fold(f64::NEG_INFINITY, f64::max);
            w = w1;
            if lim < self.tol {
                break;
            }
        }
        Ok((w, iters))
    }

    /// scikit-learn's `_ica_def`: one row of W at a time, kept orthogonal to those before.
    fn deflation(&self, x1: &Matrix, w_init: &Matrix) -> (Matrix, usize) {
        let k = w_init.rows;
        let n = x1.cols;
        let mut w_all = Matrix::zeros(k, k);
        let mut most = 0;
        for j in 0..k {
            let mut w = w_init.row(j).to_vec();
            normalize(&mut w);
            let mut iters = 0;
            for it in 0..self.max_iter {
                iters = it + 1;
                let wx: Vec<f64> = (0..n)
                    .map(|s| (0..k).map(|r| w[r] * x1.at(r, s)).sum())
                    .collect();
                let mut gwx = Matrix {
                    rows: 1,
                    cols: n,
                    data: wx,
                };
                let dg = self.contrast(&mut gwx)[0];
                let mut w1: Vec<f64> = (0..k)
                    .map(|r| dot(x1.row(r), &gwx.data) / n as f64 - dg * w[r])
                    .collect();
                // Gram-Schmidt against the rows already found: w1 - (w1 Wⱼᵀ) Wⱼ.
                let proj: Vec<f64> = (0..j).map(|p| dot(&w1, w_all.row(p))).collect();
                for (p, c) in proj.iter().enumerate() {
                    for (v, wp) in w1.iter_mut().zip(w_all.row(p)) {
                        *v -= c * wp;
                    }
                }
                normalize(&mut w1);
                let lim = (dot(&w1, &w).abs() - 1.0).abs();
                w = w1;
                if lim < self.tol {
                    break;
                }
            }
            most = most.max(iters);
            w_all.row_mut(j).copy_from_slice(&w);
        }
        (w_all, most)
    }

    /// [`fit`](Self::fit), then the sources of `x`.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?.transform(x)
    }

    /// The estimated sources of each row of `x`: `(x - mean) componentsᵀ` (without the mean
    /// with `whiten=False`).
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "FastICA::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.n_features)?;
        let x = match &s.whitening {
            Some((mean, _)) => x.centered(mean),
            None => x,
        };
        matmul_bt(&x, &s.components).to_tensor()
    }

    /// The signals that the sources `z` (one row per sample) mix into: `z mixingᵀ + mean`.
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        z: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "FastICA::inverse_transform";
        let s = fitted(&self.state, NAME, OP)?;
        let z = check_x_width(OP, NAME, z, s.components.rows)?;
        let mut out = matmul_bt(&z, &s.mixing);
        if let Some((mean, _)) = &s.whitening {
            for i in 0..out.rows {
                out.row_mut(i)
                    .iter_mut()
                    .zip(mean)
                    .for_each(|(v, m)| *v += m);
            }
        }
        out.to_tensor()
    }
}

impl Transformer for FastICA {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        FastICA::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        FastICA::transform(self, x)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    crate::validation::dot(a, b)
}

/// `v` scaled to unit Euclidean norm.
fn normalize(v: &mut [f64]) {
    let norm = dot(v, v).sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
}

/// `m` transposed.
fn transpose(m: &Matrix) -> Matrix {
    let mut t = Matrix::zeros(m.cols, m.rows);
    for i in 0..m.rows {
        for j in 0..m.cols {
            t.data[j * m.rows + i] = m.at(i, j);
        }
    }
    t
}

/// scikit-learn's `_sym_decorrelation`: `(W Wᵀ)^(-1/2) W`, the orthogonal matrix nearest `W`.
fn sym_decorrelation(op: &'static str, w: &Matrix) -> Result<Matrix> {
    let (s, u) = symmetric_eigen(op, &matmul_bt(w, w))?;
    let k = w.rows;
    // U diag(1/sqrt(s)) Uᵀ, with s clipped at the smallest positive float as scikit-learn does.
    let mut scaled = u.clone();
    for i in 0..k {
        for (c, &sc) in s.iter().enumerate() {
            scaled.data[i * k + c] /= sc.max(f64::MIN_POSITIVE).sqrt();
        }
    }
    Ok(matmul(&matmul_bt(&scaled, &u), w))
}

/// The Moore-Penrose pseudo-inverse, as scipy's `pinv`: singular values below
/// `max(rows, cols) * eps * s_max` count as zero.
fn pinv(op: &'static str, a: &Matrix) -> Result<Matrix> {
    let (u, s, v) = svd(op, a)?;
    let cutoff = a.rows.max(a.cols) as f64 * f64::EPSILON * s.first().copied().unwrap_or(0.0);
    // V diag(1/s) Uᵀ over the kept singular values.
    let mut vs = v.clone();
    for i in 0..vs.rows {
        for (c, &sc) in s.iter().enumerate() {
            vs.data[i * vs.cols + c] = if sc > cutoff { v.at(i, c) / sc } else { 0.0 };
        }
    }
    Ok(matmul_bt(&vs, &u))
}
