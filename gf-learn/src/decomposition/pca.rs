//! [`PCA`]: principal component analysis by SVD, as scikit-learn's.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::svd::{self, Randomized, RightSvd};
use crate::error::{Error, Result};
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_x_ref, check_x_width, fitted, np_sum, Matrix};

const NAME: &str = "PCA";

/// How [`PCA`] computes its SVD (scikit-learn's `svd_solver`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PcaSolver {
    /// scikit-learn's policy: the covariance eigendecomposition for tall data (at most 1000
    /// columns and at least 10 times as many rows), else randomized for data with more than 500
    /// rows or columns when fewer than 80% of the components are kept, else full.
    #[default]
    Auto,
    /// The exact thin SVD (LAPACK's `gesdd` in scikit-learn, faer's here).
    Full,
    /// The eigendecomposition of the `n_features × n_features` covariance matrix, from one
    /// pass of `XᵀX` over the data (no centred copy): exact, and fast when there are many more
    /// rows than columns; it loses precision for components of tiny variance.
    CovarianceEigh,
    /// Halko et al.'s randomized SVD, with `n_oversamples` extra columns and `iterated_power`
    /// power iterations; approximate, fast when few components are kept.
    Randomized,
}

/// Principal component analysis, as scikit-learn's `PCA`: centres the data, then projects it on
/// the directions of largest variance, the right singular vectors of the centred data. Each
/// component's sign makes its entry of largest magnitude positive (scikit-learn's `svd_flip`),
/// so the components are deterministic.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::PCA;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![-1.0, -1.0, -2.0, -1.0, -3.0, -2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 2.0],
///     (6, 2),
/// );
/// let mut pca = PCA::new().n_components(2);
/// let z = pca.fit_transform(&x)?;
/// let ratio = pca.explained_variance_ratio_().unwrap();
/// assert!((ratio[0] - 0.9924).abs() < 1e-4);
/// let back = pca.inverse_transform(&z)?.to_vec();
/// assert!(back.iter().zip(x.to_vec()).all(|(b, x)| (b - x).abs() < 1e-12));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PCA {
    n_components: Option<usize>,
    whiten: bool,
    svd_solver: PcaSolver,
    iterated_power: Option<usize>,
    n_oversamples: usize,
    random_state: u64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    mean: Vec<f64>,
    components: Matrix,
    explained_variance: Vec<f64>,
    explained_variance_ratio: Vec<f64>,
    singular_values: Vec<f64>,
    noise_variance: f64,
}

/// The linear map of a fitted PCA-like model (`PCA`, `IncrementalPCA`): the coordinates of
/// rows along `components` after subtracting `mean`, divided by the components' standard
/// deviations with `whiten`, and back.
pub(crate) struct Projection<'a> {
    pub(crate) mean: &'a [f64],
    pub(crate) components: &'a Matrix,
    pub(crate) explained_variance: &'a [f64],
    pub(crate) whiten: bool,
}

impl Projection<'_> {
    /// The coordinates of each row of `x`, in scikit-learn's order: `X Cᵀ - mean Cᵀ`, then
    /// the whitening scale.
    pub(crate) fn transform(&self, x: &Matrix) -> Matrix {
        let k = self.components.rows;
        let project = |row: &[f64], j: usize| -> f64 {
            row.iter()
                .zip(self.components.row(j))
                .map(|(a, b)| a * b)
                .sum()
        };
        let shift: Vec<f64> = (0..k).map(|j| project(self.mean, j)).collect();
        let scale: Vec<f64> = self
            .explained_variance
            .iter()
            .map(|v| v.sqrt().max(f64::EPSILON))
            .collect();
        let mut out = Matrix::zeros(x.rows, k);
        for i in 0..x.rows {
            for j in 0..k {
                let v = project(x.row(i), j) - shift[j];
                out.data[i * k + j] = if self.whiten { v / scale[j] } else { v };
            }
        }
        out
    }

    /// The points of feature space whose coordinates are the rows of `z` (the inverse of
    /// [`transform`](Self::transform) on the span of the components).
    pub(crate) fn inverse(&self, z: &Matrix) -> Matrix {
        let d = self.mean.len();
        let mut out = Matrix::zeros(z.rows, d);
        for i in 0..z.rows {
            for f in 0..d {
                let v: f64 = (0..self.components.rows)
                    .map(|j| {
                        let c = self.components.at(j, f);
                        let c = if self.whiten {
                            self.explained_variance[j].sqrt() * c
                        } else {
                            c
                        };
                        z.at(i, j) * c
                    })
                    .sum();
                out.data[i * d + f] = v + self.mean[f];
            }
        }
        out
    }
}

impl Fitted {
    fn projection(&self, whiten: bool) -> Projection<'_> {
        Projection {
            mean: &self.mean,
            components: &self.components,
            explained_variance: &self.explained_variance,
            whiten,
        }
    }

    /// The first `k` of all the components of an exact decomposition: every explained
    /// variance `all`, the singular values `s` and the components as the rows of `vt`.
    fn from_full(mean: Vec<f64>, k: usize, all: Vec<f64>, s: Vec<f64>, vt: Matrix) -> Self {
        let total = np_sum(&all);
        let rest = &all[k..];
        Fitted {
            explained_variance_ratio: all[..k].iter().map(|v| v / total).collect(),
            noise_variance: if rest.is_empty() {
                0.0
            } else {
                np_sum(rest) / rest.len() as f64
            },
            components: Matrix {
                rows: k,
                cols: vt.cols,
                data: vt.data[..k * vt.cols].to_vec(),
            },
            mean,
            explained_variance: all[..k].to_vec(),
            singular_values: s[..k].to_vec(),
        }
    }
}

impl Default for PCA {
    fn default() -> Self {
        Self::new()
    }
}

impl PCA {
    /// scikit-learn's defaults: every component (`n_components = None`), no whitening, the
    /// "auto" solver, `iterated_power = "auto"`, `n_oversamples = 10`, and `random_state = 0`.
    pub fn new() -> Self {
        PCA {
            n_components: None,
            whiten: false,
            svd_solver: PcaSolver::Auto,
            iterated_power: None,
            n_oversamples: 10,
            random_state: 0,
            state: None,
        }
    }

    /// The number of components to keep, in `[1, min(n_samples, n_features)]` (default: all).
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// Whether `transform` divides each component by its standard deviation, so that the
    /// output has unit variance per component.
    pub fn whiten(mut self, whiten: bool) -> Self {
        self.whiten = whiten;
        self
    }

    /// The SVD solver.
    pub fn svd_solver(mut self, svd_solver: PcaSolver) -> Self {
        self.svd_solver = svd_solver;
        self
    }

    /// The power iterations of the randomized solver (default "auto": 7 when fewer than a tenth
    /// of the components are kept, 4 otherwise).
    pub fn iterated_power(mut self, iterated_power: usize) -> Self {
        self.iterated_power = Some(iterated_power);
        self
    }

    /// The extra random directions of the randomized solver (default 10).
    pub fn n_oversamples(mut self, n_oversamples: usize) -> Self {
        self.n_oversamples = n_oversamples;
        self
    }

    /// The seed of the randomized solver.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The principal axes, `(n_components, n_features)` row-major, by decreasing explained
    /// variance; `None` before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// The number of components kept; `None` before `fit`.
    pub fn n_components_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.components.rows)
    }

    /// The variance along each component (with `n_samples - 1` degrees of freedom); `None`
    /// before `fit`.
    pub fn explained_variance_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.explained_variance.as_slice())
    }

    /// The share of the total variance along each component; `None` before `fit`.
    pub fn explained_variance_ratio_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .map(|s| s.explained_variance_ratio.as_slice())
    }

    /// The singular values of the centred data for the kept components; `None` before `fit`.
    pub fn singular_values_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.singular_values.as_slice())
    }

    /// The mean of each feature; `None` before `fit`.
    pub fn mean_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.mean.as_slice())
    }

    /// The mean variance of the discarded components (0 when all are kept), the noise of the
    /// probabilistic PCA model; `None` before `fit`.
    pub fn noise_variance_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.noise_variance)
    }

    /// The solver scikit-learn's policy picks for `n` components of an `rows` x `cols` matrix.
    fn solver(&self, rows: usize, cols: usize, n: usize) -> PcaSolver {
        match self.svd_solver {
            PcaSolver::Auto => {
                let small = rows.max(cols) <= 500;
                if cols <= 1000 && rows >= 10 * cols {
                    PcaSolver::CovarianceEigh
                } else if !small && (n as f64) < 0.8 * rows.min(cols) as f64 {
                    PcaSolver::Randomized
                } else {
                    PcaSolver::Full
                }
            }
            solver => solver,
        }
    }

    /// Learns the mean and the principal components of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "PCA::fit";
        let x = check_x_ref(OP, x)?;
        if x.rows < 2 {
            return Err(Error::input(
                OP,
                "found array with 1 sample; PCA needs at least 2 to estimate a variance",
            ));
        }
        let max = x.rows.min(x.cols);
        let k = self.n_components.unwrap_or(max);
        if !(1..=max).contains(&k) {
            return Err(Error::InvalidParameter {
                estimator: NAME,
                name: "n_components",
                allowed: "an int in [1, min(n_samples, n_features)]",
                got: format!("{k}, with min(n_samples, n_features) = {max}"),
            });
        }
        let mean = x.column_means();
        let dof = (x.rows - 1) as f64;
        let solver = self.solver(x.rows, x.cols, k);
        if solver == PcaSolver::CovarianceEigh {
            let (all, s, vt) = svd::covariance_eigh(OP, &x, &mean)?;
            self.state = Some(Fitted::from_full(mean, k, all, s, vt));
            return Ok(self);
        }
        let x = x.into_matrix();
        let xc = x.centered(&mean);
        let state = match solver {
            PcaSolver::Randomized => {
                let opts = Randomized {
                    n_components: k,
                    n_oversamples: self.n_oversamples,
                    n_iter: self.iterated_power,
                    random_state: self.random_state,
                };
                let RightSvd { s, vt } = svd::randomized(OP, &xc, &opts)?;
                let explained_variance: Vec<f64> = s.iter().map(|v| v * v / dof).collect();
                let total: f64 = (0..x.cols)
                    .map(|j| (0..x.rows).map(|i| xc.at(i, j).powi(2)).sum::<f64>() / dof)
                    .sum();
                let kept: f64 = explained_variance.iter().sum();
                Fitted {
                    explained_variance_ratio: explained_variance
                        .iter()
                        .map(|v| v / total)
                        .collect(),
                    noise_variance: if k < max {
                        (total - kept) / (max - k) as f64
                    } else {
                        0.0
                    },
                    mean,
                    components: vt,
                    explained_variance,
                    singular_values: s,
                }
            }
            _ => {
                let RightSvd { s, vt } = svd::full(OP, &xc)?;
                let all: Vec<f64> = s.iter().map(|v| v * v / dof).collect();
                Fitted::from_full(mean, k, all, s, vt)
            }
        };
        self.state = Some(state);
        Ok(self)
    }

    /// The coordinates of each row of `x` along the components (divided by their standard
    /// deviations with `whiten`).
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "PCA::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.mean.len())?;
        s.projection(self.whiten).transform(&x).to_tensor()
    }

    /// The points of feature space whose coordinates are the rows of `z` (the inverse of
    /// [`transform`](Self::transform) on the span of the components).
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        z: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "PCA::inverse_transform";
        let s = fitted(&self.state, NAME, OP)?;
        let z = check_x_width(OP, NAME, z, s.components.rows)?;
        s.projection(self.whiten).inverse(&z).to_tensor()
    }
}

impl Transformer for PCA {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        PCA::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        PCA::transform(self, x)
    }
}
