//! [`GaussianMixture`]: scikit-learn's Gaussian mixture model, its EM loop, its choice among
//! initialisations and its scores.

use gf_core::ops::create::TensorCreate;
use gf_core::rng::Xoshiro256;
use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::covariance::{
    covariances_from_cholesky, estimate_parameters, precision_cholesky,
    precision_cholesky_from_precisions, precisions_from_cholesky, CovarianceType, Gaussians,
};
use super::em::{draw, log_prob_resp, logsumexp, m_step, weighted_log_prob};
use super::init::{check_means, check_precisions, check_weights, initial_resp, InitParams};
use crate::error::{Error, Result};
use crate::traits::{Clusterer, Features, Scores, Target};
use crate::validation::{
    argmax, check_param, check_x, check_x_width, fitted, label_vector, np_sum, vector, Matrix,
};

const NAME: &str = "GaussianMixture";
const FIT: &str = "GaussianMixture::fit";

/// A Gaussian mixture model, as scikit-learn's `GaussianMixture`: the weights, means and
/// covariances of `n_components` Gaussians fitted by expectation-maximisation, from `n_init`
/// initialisations, keeping the one of largest log-likelihood.
///
/// Covariance and precision arrays are scikit-learn's, flat and row-major, in the shape that
/// [`covariance_type`](Self::covariance_type) gives: `(n_components, n_features, n_features)`
/// for `Full`, `(n_features, n_features)` for `Tied`, `(n_components, n_features)` for `Diag`,
/// `(n_components,)` for `Spherical`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::mixture::{CovarianceType, GaussianMixture};
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(
///     vec![1.0, 2.0, 1.0, 4.0, 1.0, 0.0, 10.0, 2.0, 10.0, 4.0, 10.0, 0.0],
///     (6, 2),
/// );
/// let mut gm = GaussianMixture::new()
///     .n_components(2)
///     .covariance_type(CovarianceType::Diag)
///     .random_state(0);
/// let labels = gm.fit_predict(&x)?;
/// assert_eq!(labels[0], labels[2]);
/// assert_ne!(labels[0], labels[3]);
/// let means = gm.means_().unwrap();
/// assert!((means[0] - 1.0).abs() < 1e-6 || (means[0] - 10.0).abs() < 1e-6);
/// let near = dev.tensor_from_vec(vec![9.5, 2.5], (1, 2));
/// assert_eq!(gm.predict(&near)?.to_vec()[0] as i64, labels[3]);
/// assert!(gm.score(&x)? > -5.0);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GaussianMixture {
    n_components: usize,
    covariance_type: CovarianceType,
    tol: f64,
    reg_covar: f64,
    max_iter: usize,
    n_init: usize,
    init_params: InitParams,
    weights_init: Option<Vec<f64>>,
    means_init: Option<Vec<f64>>,
    precisions_init: Option<Vec<f64>>,
    random_state: u64,
    warm_start: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    gaussians: Gaussians,
    precisions: Vec<f64>,
    converged: bool,
    n_iter: usize,
    lower_bound: f64,
    lower_bounds: Vec<f64>,
    labels: Vec<i64>,
}

impl Default for GaussianMixture {
    fn default() -> Self {
        Self::new()
    }
}

impl GaussianMixture {
    /// scikit-learn's defaults: `n_components = 1`, full covariances, `tol = 1e-3`,
    /// `reg_covar = 1e-6`, `max_iter = 100`, `n_init = 1`, k-means initialisation, no given
    /// initial parameters, `random_state = 0`, no warm start.
    pub fn new() -> Self {
        GaussianMixture {
            n_components: 1,
            covariance_type: CovarianceType::Full,
            tol: 1e-3,
            reg_covar: 1e-6,
            max_iter: 100,
            n_init: 1,
            init_params: InitParams::KMeans,
            weights_init: None,
            means_init: None,
            precisions_init: None,
            random_state: 0,
            warm_start: false,
            state: None,
        }
    }

    /// The number of mixture components, in `[1, n_samples]`.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// The form of the covariance matrices.
    pub fn covariance_type(mut self, covariance_type: CovarianceType) -> Self {
        self.covariance_type = covariance_type;
        self
    }

    /// Convergence: EM stops when the lower bound (the mean log-likelihood) changes by less
    /// than `tol`; in `[0, inf)`.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Added to the diagonal of each covariance so that it stays positive definite; in
    /// `[0, inf)`.
    pub fn reg_covar(mut self, reg_covar: f64) -> Self {
        self.reg_covar = reg_covar;
        self
    }

    /// The most EM iterations of one initialisation; 0 keeps the initial parameters.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The number of initialisations, the one of largest lower bound kept; in `[1, inf)`.
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// How the initial responsibilities are chosen (used unless all three of `weights_init`,
    /// `means_init` and `precisions_init` are given).
    pub fn init_params(mut self, init_params: InitParams) -> Self {
        self.init_params = init_params;
        self
    }

    /// The initial weights, `(n_components,)`, in `[0, 1]` and summing to 1.
    pub fn weights_init(mut self, weights_init: Vec<f64>) -> Self {
        self.weights_init = Some(weights_init);
        self
    }

    /// The initial means, `(n_components, n_features)` row-major.
    pub fn means_init(mut self, means_init: Vec<f64>) -> Self {
        self.means_init = Some(means_init);
        self
    }

    /// The initial precisions (inverse covariances), in the shape of `covariance_type`,
    /// row-major; symmetric positive definite (or positive for `Diag` and `Spherical`).
    pub fn precisions_init(mut self, precisions_init: Vec<f64>) -> Self {
        self.precisions_init = Some(precisions_init);
        self
    }

    /// The seed of the initialisations and of [`sample`](Self::sample).
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// If true, each `fit` after the first starts from the fitted parameters (one
    /// initialisation, whatever `n_init` says).
    pub fn warm_start(mut self, warm_start: bool) -> Self {
        self.warm_start = warm_start;
        self
    }

    /// The weight of each component, `(n_components,)`; `None` before `fit`.
    pub fn weights_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.gaussians.weights.as_slice())
    }

    /// The mean of each component, `(n_components, n_features)` row-major; `None` before `fit`.
    pub fn means_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .map(|s| s.gaussians.means.data.as_slice())
    }

    /// The covariances, in the shape of `covariance_type`; `None` before `fit`.
    pub fn covariances_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .map(|s| s.gaussians.covariances.as_slice())
    }

    /// The precisions (inverse covariances), in the shape of `covariance_type`; `None` before
    /// `fit`.
    pub fn precisions_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.precisions.as_slice())
    }

    /// The Cholesky factors `U` of the precisions (`precision = U Uᵀ`, `U` upper triangular;
    /// square roots for `Diag` and `Spherical`), in the shape of `covariance_type`; `None`
    /// before `fit`.
    pub fn precisions_cholesky_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .map(|s| s.gaussians.precisions_cholesky.as_slice())
    }

    /// Whether the best initialisation converged before `max_iter`; `None` before `fit`.
    pub fn converged_(&self) -> Option<bool> {
        self.state.as_ref().map(|s| s.converged)
    }

    /// The EM iterations of the best initialisation; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The lower bound (mean log-likelihood of the training data) of the best initialisation
    /// at its last iteration; `None` before `fit`.
    pub fn lower_bound_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.lower_bound)
    }

    /// The lower bound at each iteration of the best initialisation; `None` before `fit`.
    pub fn lower_bounds_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.lower_bounds.as_slice())
    }

    fn validate(&self) -> Result<()> {
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| {
            t >= 0.0 && t.is_finite()
        })?;
        check_param(
            NAME,
            "reg_covar",
            self.reg_covar,
            "a float in [0, inf)",
            |r| r >= 0.0 && r.is_finite(),
        )?;
        check_param(NAME, "n_init", self.n_init, "an int in [1, inf)", |n| {
            n >= 1
        })
    }

    fn check_inits(&self, n_features: usize) -> Result<()> {
        let k = self.n_components;
        if let Some(w) = &self.weights_init {
            check_weights(w, k)?;
        }
        if let Some(m) = &self.means_init {
            check_means(m, k, n_features)?;
        }
        if let Some(p) = &self.precisions_init {
            check_precisions(p, self.covariance_type, k, n_features)?;
        }
        Ok(())
    }

    /// The starting parameters of one initialisation (scikit-learn's `_initialize_parameters`
    /// and `_initialize`): responsibilities from `init_params` unless all three initial
    /// parameters are given, then each given one in place of its estimate.
    fn initialize(&self, x: &Matrix, rng: &mut Xoshiro256) -> Result<Gaussians> {
        let (kind, d) = (self.covariance_type, x.cols);
        let from_precisions = |p: &[f64]| -> Result<(Vec<f64>, Vec<f64>)> {
            let pc = precision_cholesky_from_precisions(FIT, p, kind, d)?;
            Ok((covariances_from_cholesky(&pc, kind, d), pc))
        };
        if let (Some(w), Some(m), Some(p)) =
            (&self.weights_init, &self.means_init, &self.precisions_init)
        {
            let (covariances, precisions_cholesky) = from_precisions(p)?;
            return Ok(Gaussians {
                kind,
                weights: w.clone(),
                means: Matrix {
                    rows: self.n_components,
                    cols: d,
                    data: m.clone(),
                },
                covariances,
                precisions_cholesky,
            });
        }
        let resp = initial_resp(x, self.n_components, self.init_params, rng)?;
        let (nk, means, covariances) = estimate_parameters(x, &resp, self.reg_covar, kind);
        let weights = match &self.weights_init {
            Some(w) => w.clone(),
            None => nk.iter().map(|n| n / x.rows as f64).collect(),
        };
        let means = match &self.means_init {
            Some(m) => Matrix {
                rows: self.n_components,
                cols: d,
                data: m.clone(),
            },
            None => means,
        };
        let (covariances, precisions_cholesky) = match &self.precisions_init {
            Some(p) => from_precisions(p)?,
            None => {
                let pc = precision_cholesky(FIT, &covariances, kind, d)?;
                (covariances, pc)
            }
        };
        Ok(Gaussians {
            kind,
            weights,
            means,
            covariances,
            precisions_cholesky,
        })
    }

    /// Fits the mixture to `x` by EM (scikit-learn's `fit`).
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.validate()?;
        let x = check_x(FIT, x)?;
        if x.rows < 2 {
            return Err(Error::input(
                FIT,
                format!(
                    "found array with 1 sample(s) (shape=(1, {})) while a minimum of 2 is required by GaussianMixture",
                    x.cols
                ),
            ));
        }
        if x.rows < self.n_components {
            return Err(Error::input(
                FIT,
                format!(
                    "expected n_samples >= n_components but got n_components = {}, n_samples = {}",
                    self.n_components, x.rows
                ),
            ));
        }
        self.check_inits(x.cols)?;
        let warm = match &self.state {
            Some(s) if self.warm_start => {
                if s.gaussians.means.cols != x.cols || s.gaussians.kind != self.covariance_type {
                    return Err(Error::input(
                        FIT,
                        format!(
                            "warm_start needs data of the fitted width ({} features) and the fitted covariance_type; got {} features",
                            s.gaussians.means.cols, x.cols
                        ),
                    ));
                }
                Some((s.gaussians.clone(), s.lower_bound))
            }
            _ => None,
        };
        let n_init = if warm.is_some() { 1 } else { self.n_init };
        let mut rng = Xoshiro256::new(self.random_state);
        let mut max_lower_bound = f64::NEG_INFINITY;
        let mut best: Option<(Gaussians, usize, Vec<f64>, bool)> = None;
        for _ in 0..n_init {
            let (mut g, mut lower_bound) = match &warm {
                Some((g, lb)) => (g.clone(), *lb),
                None => (self.initialize(&x, &mut rng)?, f64::NEG_INFINITY),
            };
            if self.max_iter == 0 {
                best = Some((g, 0, Vec::new(), false));
                continue;
            }
            let (mut converged, mut n_iter) = (false, 0);
            let mut lower_bounds = Vec::new();
            for iteration in 1..=self.max_iter {
                let previous = lower_bound;
                let (log_prob_norm, log_resp) = log_prob_resp(&x, &g);
                g = m_step(&x, &log_resp, self.reg_covar, self.covariance_type)?;
                lower_bound = np_sum(&log_prob_norm) / x.rows as f64;
                lower_bounds.push(lower_bound);
                n_iter = iteration;
                if (lower_bound - previous).abs() < self.tol {
                    converged = true;
                    break;
                }
            }
            if lower_bound > max_lower_bound || max_lower_bound == f64::NEG_INFINITY {
                max_lower_bound = lower_bound;
                best = Some((g, n_iter, lower_bounds, converged));
            }
        }
        let (gaussians, n_iter, lower_bounds, converged) =
            best.expect("n_init >= 1 gives at least one initialisation");
        // A final E-step, so that the labels of fit equal predict on the training data.
        let (_, log_resp) = log_prob_resp(&x, &gaussians);
        let labels = (0..x.rows)
            .map(|i| argmax(log_resp.row(i)) as i64)
            .collect();
        self.state = Some(Fitted {
            precisions: precisions_from_cholesky(
                &gaussians.precisions_cholesky,
                gaussians.kind,
                x.cols,
            ),
            gaussians,
            converged,
            n_iter,
            lower_bound: max_lower_bound,
            lower_bounds,
            labels,
        });
        Ok(self)
    }

    /// The fitted state and `x` checked against its width.
    fn checked<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<(&Fitted, Matrix)> {
        let s = fitted(&self.state, NAME, op)?;
        let x = check_x_width(op, NAME, x, s.gaussians.means.cols)?;
        Ok((s, x))
    }

    /// The most probable component of each row of `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let (s, x) = self.checked("GaussianMixture::predict", x)?;
        let w = weighted_log_prob(&x, &s.gaussians);
        label_vector((0..x.rows).map(|i| argmax(w.row(i))).collect())
    }

    /// The posterior probability of each component for each row of `x`,
    /// `(n_samples, n_components)`; each row sums to 1.
    pub fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let (s, x) = self.checked("GaussianMixture::predict_proba", x)?;
        let (_, mut resp) = log_prob_resp(&x, &s.gaussians);
        resp.data.iter_mut().for_each(|v| *v = v.exp());
        resp.to_tensor()
    }

    /// The log-likelihood of each row of `x` under the mixture.
    pub fn score_samples<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<E>> {
        let (s, x) = self.checked("GaussianMixture::score_samples", x)?;
        vector(&self.log_likelihoods(&x, s))
    }

    fn log_likelihoods(&self, x: &Matrix, s: &Fitted) -> Vec<f64> {
        let w = weighted_log_prob(x, &s.gaussians);
        (0..x.rows).map(|i| logsumexp(w.row(i))).collect()
    }

    /// The mean log-likelihood of the rows of `x`.
    pub fn score<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        let (s, x) = self.checked("GaussianMixture::score", x)?;
        Ok(np_sum(&self.log_likelihoods(&x, s)) / x.rows as f64)
    }

    /// `(n_samples, n_parameters, mean log-likelihood)` of `x`, for the information criteria.
    fn criterion_terms<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<(f64, f64, f64)> {
        let (s, x) = self.checked(op, x)?;
        let score = np_sum(&self.log_likelihoods(&x, s)) / x.rows as f64;
        let (k, d) = (s.gaussians.means.rows, s.gaussians.means.cols);
        let p = s.gaussians.kind.n_parameters(k, d) as f64;
        Ok((x.rows as f64, p, score))
    }

    /// The Bayesian information criterion of the model on `x`,
    /// `-2 n score(x) + n_parameters ln(n)`; lower is better.
    pub fn bic<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        let (n, p, score) = self.criterion_terms("GaussianMixture::bic", x)?;
        Ok(-2.0 * score * n + p * n.ln())
    }

    /// The Akaike information criterion of the model on `x`, `-2 n score(x) + 2 n_parameters`;
    /// lower is better.
    pub fn aic<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        let (n, p, score) = self.criterion_terms("GaussianMixture::aic", x)?;
        Ok(-2.0 * score * n + 2.0 * p)
    }

    /// `n_samples` draws from the fitted mixture, seeded by `random_state`, grouped by
    /// component as scikit-learn's: the samples `(n_samples, n_features)` and the component of
    /// each. The draws are this crate's, not numpy's.
    #[allow(clippy::type_complexity)]
    pub fn sample(
        &self,
        n_samples: usize,
    ) -> Result<(Tensor<(usize, usize), f64, Cpu>, Target<usize>)> {
        const OP: &str = "GaussianMixture::sample";
        let s = fitted(&self.state, NAME, OP)?;
        if n_samples < 1 {
            return Err(Error::input(
                OP,
                "invalid value for 'n_samples': 0; the sampling requires at least one sample",
            ));
        }
        let d = s.gaussians.means.cols;
        let mut rng = Xoshiro256::new(self.random_state);
        let (data, labels) =
            draw(&s.gaussians, n_samples, &mut rng).ok_or_else(|| Error::Linalg {
                op: OP,
                message: "a covariance is not positive definite".to_string(),
            })?;
        let x = Cpu::default().try_tensor_from_vec(data, (n_samples, d))?;
        Ok((x, label_vector(labels)?))
    }
}

impl Clusterer for GaussianMixture {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        GaussianMixture::fit(self, x)
    }

    /// The most probable component of each training sample after the last EM step (the labels
    /// of scikit-learn's `fit_predict`).
    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
