//! [`TSNE`]: t-distributed stochastic neighbour embedding, as scikit-learn's.

mod affinity;
mod fft;
mod gradient;
mod quadtree;
#[cfg(test)]
mod tests;

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use self::affinity::{joint_probabilities, joint_probabilities_nn, Csr};
use self::fft::{kl_divergence_fft, FftWorkspace};
use self::gradient::{kl_divergence_bh, kl_divergence_exact, BhWorkspace, ExactWorkspace};
use crate::decomposition::{PcaSolver, PCA};
use crate::error::{Error, Result};
use crate::traits::Features;
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{check_param, check_x, Matrix};

const NAME: &str = "TSNE";
const OP: &str = "TSNE::fit";
/// The iterations with early exaggeration (scikit-learn's `_EXPLORATION_MAX_ITER`).
const EXPLORATION_MAX_ITER: usize = 250;
/// The iterations between two checks of the error (scikit-learn's `_N_ITER_CHECK`).
const N_ITER_CHECK: usize = 50;

/// The step size of [`TSNE`]'s gradient descent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LearningRate {
    /// `max(n_samples / early_exaggeration / 4, 50)`, scikit-learn's `"auto"`.
    Auto,
    /// A fixed step, in `(0, inf)`.
    Value(f64),
}

/// Where [`TSNE`]'s embedding starts.
#[derive(Clone, Debug, PartialEq)]
pub enum TsneInit {
    /// The first principal components of X (the exact SVD), scaled so that the first has a
    /// standard deviation of 1e-4.
    Pca,
    /// numpy's `RandomState(random_state).standard_normal` times 1e-4, as scikit-learn draws it.
    Random,
    /// A given start, `rows = n_samples` by `cols = n_components`, row-major.
    Array {
        /// Its rows, one per sample.
        rows: usize,
        /// Its columns, one per component.
        cols: usize,
        /// The values, row-major.
        data: Vec<f64>,
    },
}

/// How [`TSNE`] computes the gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TsneMethod {
    /// Barnes-Hut: P over the `3 perplexity + 1` nearest neighbours, the repulsion summarised
    /// by a quad-tree (2-D) or oct-tree (3-D); `O(n log n)` per iteration, `n_components < 4`.
    #[default]
    BarnesHut,
    /// Every pair: `O(n²)` per iteration.
    Exact,
    /// FFT-accelerated interpolation (FIt-SNE, openTSNE's `negative_gradient_method="fft"`):
    /// the attraction over the `3 perplexity + 1` nearest neighbours as Barnes-Hut's, the
    /// repulsion interpolated from 3 Lagrange nodes per box of a grid over the embedding
    /// (at least 50 boxes per axis, about one per unit of length) and convolved by FFT;
    /// `O(n)` plus the grid's FFTs per iteration, `n_components` 1 or 2. The reported KL
    /// divergence is Barnes-Hut's: over P's neighbours, with the interpolated normaliser.
    Fft,
}

/// t-distributed stochastic neighbour embedding, as scikit-learn's `TSNE` with the euclidean
/// metric: the joint probabilities P of Gaussian neighbourhoods of the samples (each fitted to
/// the `perplexity`) are matched by the Student-t similarities Q of a low-dimensional
/// embedding, minimising the KL divergence by gradient descent with momentum and per-parameter
/// gains: 250 iterations with P exaggerated and momentum 0.5, then momentum 0.8 up to
/// `max_iter`, stopping early when the error stalls for `n_iter_without_progress` iterations
/// or the gradient norm falls below `min_grad_norm` (both checked every 50 iterations).
///
/// Like scikit-learn's, it embeds the data it is fitted on and has no `transform`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::{trustworthiness, TsneMethod, TSNE};
///
/// let dev = Cpu::default();
/// // Two well-separated groups of 10 points.
/// let data: Vec<f64> = (0..20)
///     .flat_map(|i| {
///         let c = if i < 10 { 0.0 } else { 10.0 };
///         [c + (i % 5) as f64 * 0.1, c + (i % 3) as f64 * 0.1, c]
///     })
///     .collect();
/// let x = dev.tensor_from_vec(data, (20, 3));
/// let mut tsne = TSNE::new().perplexity(5.0).method(TsneMethod::Exact).max_iter(300);
/// let emb = tsne.fit_transform(&x)?;
/// assert_eq!(emb.dims(), [20, 2]);
/// assert!(tsne.kl_divergence_().unwrap().is_finite());
/// assert!(trustworthiness(&x, &emb, 3)? > 0.8);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TSNE {
    n_components: usize,
    perplexity: f64,
    early_exaggeration: f64,
    learning_rate: LearningRate,
    max_iter: usize,
    n_iter_without_progress: i64,
    min_grad_norm: f64,
    init: TsneInit,
    method: TsneMethod,
    angle: f64,
    random_state: u64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    embedding: Matrix,
    kl_divergence: f64,
    n_iter: usize,
    learning_rate: f64,
}

impl Default for TSNE {
    fn default() -> Self {
        Self::new()
    }
}

impl TSNE {
    /// scikit-learn's defaults: `n_components = 2`, `perplexity = 30`,
    /// `early_exaggeration = 12`, `learning_rate = "auto"`, `max_iter = 1000`,
    /// `n_iter_without_progress = 300`, `min_grad_norm = 1e-7`, `init = "pca"`,
    /// `method = "barnes_hut"`, `angle = 0.5`, and `random_state = 0`.
    pub fn new() -> Self {
        TSNE {
            n_components: 2,
            perplexity: 30.0,
            early_exaggeration: 12.0,
            learning_rate: LearningRate::Auto,
            max_iter: 1000,
            n_iter_without_progress: 300,
            min_grad_norm: 1e-7,
            init: TsneInit::Pca,
            method: TsneMethod::BarnesHut,
            angle: 0.5,
            random_state: 0,
            state: None,
        }
    }

    /// The dimension of the embedding, in `[1, inf)` (`[1, 3]` for Barnes-Hut, `[1, 2]` for
    /// FFT).
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// The effective number of neighbours of each sample, in `(0, n_samples)`.
    pub fn perplexity(mut self, perplexity: f64) -> Self {
        self.perplexity = perplexity;
        self
    }

    /// The factor on P during the first 250 iterations, in `[1, inf)`.
    pub fn early_exaggeration(mut self, early_exaggeration: f64) -> Self {
        self.early_exaggeration = early_exaggeration;
        self
    }

    /// The step size of the gradient descent.
    pub fn learning_rate(mut self, learning_rate: LearningRate) -> Self {
        self.learning_rate = learning_rate;
        self
    }

    /// The most iterations, in `[250, inf)`.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The iterations without a lower error after which the descent stops, in `[-1, inf)`.
    pub fn n_iter_without_progress(mut self, n_iter_without_progress: i64) -> Self {
        self.n_iter_without_progress = n_iter_without_progress;
        self
    }

    /// The gradient norm under which the descent stops, in `[0, inf)`.
    pub fn min_grad_norm(mut self, min_grad_norm: f64) -> Self {
        self.min_grad_norm = min_grad_norm;
        self
    }

    /// Where the embedding starts.
    pub fn init(mut self, init: TsneInit) -> Self {
        self.init = init;
        self
    }

    /// Barnes-Hut, exact or FFT-interpolated gradients.
    pub fn method(mut self, method: TsneMethod) -> Self {
        self.method = method;
        self
    }

    /// Barnes-Hut's trade-off of speed for accuracy (its θ), in `[0, 1]`.
    pub fn angle(mut self, angle: f64) -> Self {
        self.angle = angle;
        self
    }

    /// The seed of the random start (numpy's `RandomState`), in `[0, 2³²)`.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The embedding, `(n_samples, n_components)` row-major; `None` before `fit`.
    pub fn embedding_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.embedding.data.as_slice())
    }

    /// The KL divergence after the last iteration; `None` before `fit`.
    pub fn kl_divergence_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.kl_divergence)
    }

    /// The index of the last iteration run (scikit-learn's `n_iter_`); `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The learning rate used (the value of `"auto"`); `None` before `fit`.
    pub fn learning_rate_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.learning_rate)
    }

    /// Embeds `x`, then returns the embedding.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?;
        let s = self.state.as_ref().expect("fitted just now");
        s.embedding.to_tensor()
    }

    fn check_params(&self) -> Result<()> {
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int in [1, inf)",
            |k| k >= 1,
        )?;
        if self.method == TsneMethod::BarnesHut && self.n_components > 3 {
            return Err(Error::parameter(
                NAME,
                "n_components",
                "an int in [1, 3] for the barnes_hut method, which relies on a quad-tree or an \
                 oct-tree",
                self.n_components,
            ));
        }
        if self.method == TsneMethod::Fft && self.n_components > 2 {
            return Err(Error::parameter(
                NAME,
                "n_components",
                "an int in [1, 2] for the fft method, which interpolates on a 1-D or 2-D grid",
                self.n_components,
            ));
        }
        let positive = |v: f64| v > 0.0 && v.is_finite();
        check_param(
            NAME,
            "perplexity",
            self.perplexity,
            "a float in (0, inf)",
            positive,
        )?;
        check_param(
            NAME,
            "early_exaggeration",
            self.early_exaggeration,
            "a float in [1, inf)",
            |v| (1.0..f64::INFINITY).contains(&v),
        )?;
        if let LearningRate::Value(v) = self.learning_rate {
            check_param(
                NAME,
                "learning_rate",
                v,
                "\"auto\" or a float in (0, inf)",
                positive,
            )?;
        }
        check_param(
            NAME,
            "max_iter",
            self.max_iter,
            "an int in [250, inf)",
            |v| v >= 250,
        )?;
        check_param(
            NAME,
            "n_iter_without_progress",
            self.n_iter_without_progress,
            "an int in [-1, inf)",
            |v| v >= -1,
        )?;
        check_param(
            NAME,
            "min_grad_norm",
            self.min_grad_norm,
            "a float in [0, inf)",
            |v| (0.0..f64::INFINITY).contains(&v),
        )?;
        check_param(NAME, "angle", self.angle, "a float in [0, 1]", |v| {
            (0.0..=1.0).contains(&v)
        })?;
        check_param(
            NAME,
            "random_state",
            self.random_state,
            "an int in [0, 2**32 - 1]",
            |v| v <= u64::from(u32::MAX),
        )
    }

    /// Embeds `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.check_params()?;
        let x = check_x(OP, x)?;
        let n = x.rows;
        if self.perplexity >= n as f64 {
            return Err(Error::InvalidParameter {
                estimator: NAME,
                name: "perplexity",
                allowed: "a float in (0, n_samples)",
                got: format!("{}, with n_samples = {n}", self.perplexity),
            });
        }
        if self.method != TsneMethod::Exact && n < 2 {
            return Err(Error::input(
                OP,
                "found array with 1 sample, while a minimum of 2 is required",
            ));
        }
        let learning_rate = match self.learning_rate {
            LearningRate::Auto => (n as f64 / self.early_exaggeration / 4.0).max(50.0),
            LearningRate::Value(v) => v,
        };
        let y0 = self.initial_embedding(&x)?;
        let dof = (self.n_components.saturating_sub(1)).max(1) as f64;
        let schedule = Schedule {
            learning_rate,
            early_exaggeration: self.early_exaggeration,
            max_iter: self.max_iter,
            n_iter_without_progress: self.n_iter_without_progress,
            min_grad_norm: self.min_grad_norm,
        };
        let (embedding, kl_divergence, n_iter) = match self.method {
            TsneMethod::Exact => {
                let p = joint_probabilities(&x, self.perplexity);
                run_exact(p, y0, self.n_components, dof, &schedule)
            }
            TsneMethod::BarnesHut => {
                let k = (n - 1).min((3.0 * self.perplexity + 1.0) as usize);
                let p = joint_probabilities_nn(&x, k, self.perplexity);
                match self.n_components {
                    1 => run_bh::<1>(p, y0, dof, self.angle, &schedule),
                    2 => run_bh::<2>(p, y0, dof, self.angle, &schedule),
                    _ => run_bh::<3>(p, y0, dof, self.angle, &schedule),
                }
            }
            TsneMethod::Fft => {
                let k = (n - 1).min((3.0 * self.perplexity + 1.0) as usize);
                let p = joint_probabilities_nn(&x, k, self.perplexity);
                match self.n_components {
                    1 => run_fft::<1>(p, y0, &schedule),
                    _ => run_fft::<2>(p, y0, &schedule),
                }
            }
        };
        self.state = Some(Fitted {
            embedding: Matrix {
                rows: n,
                cols: self.n_components,
                data: embedding,
            },
            kl_divergence,
            n_iter,
            learning_rate,
        });
        Ok(self)
    }

    /// The start of the embedding, row-major `n × n_components`.
    fn initial_embedding(&self, x: &Matrix) -> Result<Vec<f64>> {
        let (n, k) = (x.rows, self.n_components);
        match &self.init {
            TsneInit::Array { rows, cols, data } => {
                if (*rows, *cols) != (n, k) || data.len() != n * k {
                    return Err(Error::InvalidParameter {
                        estimator: NAME,
                        name: "init",
                        allowed:
                            "\"pca\", \"random\" or an array of shape (n_samples, n_components)",
                        got: format!(
                            "an array of shape ({rows}, {cols}) with {} values, for ({n}, {k})",
                            data.len()
                        ),
                    });
                }
                if let Some(at) = data.iter().position(|v| !v.is_finite()) {
                    return Err(Error::NonFinite {
                        op: OP,
                        input: "init",
                        row: at / k,
                        col: at % k,
                        value: data[at],
                    });
                }
                Ok(data.clone())
            }
            TsneInit::Random => {
                let mut rng = NumpyRandom::new(self.random_state as u32);
                // `1e-4 * standard_normal(...).astype(float32)`, in float32 as there.
                Ok((0..n * k)
                    .map(|_| f64::from(rng.standard_normal() as f32 * 1e-4f32))
                    .collect())
            }
            TsneInit::Pca => {
                let mut pca = PCA::new().n_components(k).svd_solver(PcaSolver::Full);
                let z = pca.fit(&x.to_tensor::<f64>()?)?;
                let z = z.transform(&x.to_tensor::<f64>()?)?.try_to_vec()?;
                // scikit-learn casts to float32, then scales the first component's standard
                // deviation to 1e-4.
                let z: Vec<f64> = z.iter().map(|&v| f64::from(v as f32)).collect();
                let mean = z.iter().step_by(k).sum::<f64>() / n as f64;
                let var = z.iter().step_by(k).map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
                let std = var.sqrt();
                Ok(z.iter().map(|v| v / std * 1e-4).collect())
            }
        }
    }
}

/// The settings of the two stages of the descent.
struct Schedule {
    learning_rate: f64,
    early_exaggeration: f64,
    max_iter: usize,
    n_iter_without_progress: i64,
    min_grad_norm: f64,
}

/// An objective: writes the gradient at the embedding and returns the error when asked.
type Objective<'a> = dyn FnMut(&[f64], bool, &mut [f64]) -> f64 + 'a;
/// An objective of either stage: its first flag is whether P is exaggerated.
type StagedObjective<'a> = dyn FnMut(&[f64], bool, bool, &mut [f64]) -> f64 + 'a;

/// The parameters and buffers of scikit-learn's `_gradient_descent`.
struct Descent {
    p: Vec<f64>,
    update: Vec<f64>,
    gains: Vec<f64>,
    grad: Vec<f64>,
}

/// One stage of scikit-learn's `_gradient_descent`, iterations `it..max_iter`; the objective
/// writes the gradient at `p` and returns the error when asked (NaN otherwise). Each stage
/// starts with no update and unit gains, as each call there does. Returns the last error and
/// the last iteration.
#[allow(clippy::too_many_arguments)]
fn descend(
    state: &mut Descent,
    objective: &mut Objective<'_>,
    it: usize,
    max_iter: usize,
    momentum: f64,
    learning_rate: f64,
    n_iter_without_progress: i64,
    min_grad_norm: f64,
) -> (f64, usize) {
    const MIN_GAIN: f64 = 0.01;
    state.update.iter_mut().for_each(|u| *u = 0.0);
    state.gains.iter_mut().for_each(|g| *g = 1.0);
    let mut error = f64::MAX;
    let mut best_error = f64::MAX;
    let mut best_iter = it;
    let mut i = it;
    for iter in it..max_iter {
        i = iter;
        let check = (iter + 1) % N_ITER_CHECK == 0;
        error = objective(&state.p, check || iter == max_iter - 1, &mut state.grad);
        let Descent {
            p,
            update,
            gains,
            grad,
        } = state;
        let mut norm2 = 0.0;
        for (((pv, u), g), gr) in p.iter_mut().zip(update.iter_mut()).zip(gains).zip(grad) {
            *g = if *u * *gr < 0.0 { *g + 0.2 } else { *g * 0.8 };
            *g = g.max(MIN_GAIN);
            *gr *= *g;
            *u = momentum * *u - learning_rate * *gr;
            *pv += *u;
            norm2 += *gr * *gr;
        }
        if check {
            let grad_norm = norm2.sqrt();
            if error < best_error {
                best_error = error;
                best_iter = iter;
            } else if iter as i64 - best_iter as i64 > n_iter_without_progress {
                break;
            }
            if grad_norm <= min_grad_norm {
                break;
            }
        }
    }
    (error, i)
}

/// scikit-learn's `_tsne`: the exaggerated stage with momentum 0.5, then the rest with 0.8.
/// Returns the embedding, the last error and the last iteration.
fn optimize(
    y0: Vec<f64>,
    s: &Schedule,
    objective: &mut StagedObjective<'_>,
) -> (Vec<f64>, f64, usize) {
    let m = y0.len();
    let mut state = Descent {
        p: y0,
        update: vec![0.0; m],
        gains: vec![1.0; m],
        grad: vec![0.0; m],
    };
    let (_, it) = descend(
        &mut state,
        &mut |y, err, g| objective(y, true, err, g),
        0,
        EXPLORATION_MAX_ITER,
        0.5,
        s.learning_rate,
        EXPLORATION_MAX_ITER as i64,
        s.min_grad_norm,
    );
    // scikit-learn always runs the second stage (its `it` is below 250), from `it + 1`.
    let (kl, it) = descend(
        &mut state,
        &mut |y, err, g| objective(y, false, err, g),
        it + 1,
        s.max_iter,
        0.8,
        s.learning_rate,
        s.n_iter_without_progress,
        s.min_grad_norm,
    );
    (state.p, kl, it)
}

fn run_exact(
    p: Vec<f64>,
    y0: Vec<f64>,
    d: usize,
    dof: f64,
    s: &Schedule,
) -> (Vec<f64>, f64, usize) {
    // P times the exaggeration, then divided back, as scikit-learn scales it in place.
    let exaggerated: Vec<f64> = p.iter().map(|v| v * s.early_exaggeration).collect();
    let plain: Vec<f64> = exaggerated
        .iter()
        .map(|v| v / s.early_exaggeration)
        .collect();
    let mut ws = ExactWorkspace::default();
    optimize(y0, s, &mut |y, early, err, g| {
        let p = if early { &exaggerated } else { &plain };
        kl_divergence_exact(y, p, dof, d, err, g, &mut ws)
    })
}

/// P's neighbour values exaggerated and plain, in `float32` as scikit-learn passes them (the
/// plain ones divided back from the exaggerated, as it scales P in place).
fn sparse_values(p: &Csr, early_exaggeration: f64) -> (Vec<f32>, Vec<f32>) {
    let exaggerated: Vec<f64> = p.data.iter().map(|v| v * early_exaggeration).collect();
    let early = exaggerated.iter().map(|&v| v as f32).collect();
    let plain = exaggerated
        .iter()
        .map(|v| (v / early_exaggeration) as f32)
        .collect();
    (early, plain)
}

fn run_bh<const D: usize>(
    p: Csr,
    y0: Vec<f64>,
    dof: f64,
    angle: f64,
    s: &Schedule,
) -> (Vec<f64>, f64, usize) {
    let (val_early, val_plain) = sparse_values(&p, s.early_exaggeration);
    let mut ws = BhWorkspace::<D>::default();
    optimize(y0, s, &mut |y, early, err, g| {
        let val = if early { &val_early } else { &val_plain };
        kl_divergence_bh::<D>(y, &p, val, dof, angle, err, g, &mut ws)
    })
}

/// The FFT method's descent: P's neighbours as Barnes-Hut's, in `float32` as there, and one
/// degree of freedom (`n_components` is 1 or 2).
fn run_fft<const D: usize>(p: Csr, y0: Vec<f64>, s: &Schedule) -> (Vec<f64>, f64, usize) {
    let (val_early, val_plain) = sparse_values(&p, s.early_exaggeration);
    let mut ws = FftWorkspace::<D>::default();
    optimize(y0, s, &mut |y, early, err, g| {
        let val = if early { &val_early } else { &val_plain };
        kl_divergence_fft::<D>(y, &p, val, err, g, &mut ws)
    })
}
