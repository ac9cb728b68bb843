//! [`TruncatedSVD`]: dimensionality reduction by a truncated SVD of the uncentred data, as
//! scikit-learn's (latent semantic analysis on term counts).

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::svd::{self, Randomized, RightSvd};
use crate::error::{Error, Result};
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_x, check_x_width, fitted, Matrix};

const NAME: &str = "TruncatedSVD";

/// How [`TruncatedSVD`] computes the SVD (scikit-learn's `algorithm`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TruncatedSvdAlgorithm {
    /// Halko et al.'s randomized SVD with `n_iter` power iterations (the default).
    #[default]
    Randomized,
    /// The exact SVD (scikit-learn calls ARPACK with `tol = 0`, an exact result too; here it
    /// is faer's thin SVD).
    Arpack,
}

/// A rank-`n_components` SVD of the data without centring it, as scikit-learn's
/// `TruncatedSVD`. The components' signs follow scikit-learn's `svd_flip`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::TruncatedSVD;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 0.0, 2.0, 2.0, 0.0, 4.0, 0.0, 3.0, 0.0, 1.0, 1.0, 2.0], (4, 3));
/// let mut svd = TruncatedSVD::new().n_components(2);
/// let z = svd.fit_transform(&x)?;
/// assert_eq!(z.dims(), [4, 2]);
/// assert!(svd.singular_values_().unwrap()[0] >= svd.singular_values_().unwrap()[1]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TruncatedSVD {
    n_components: usize,
    algorithm: TruncatedSvdAlgorithm,
    n_iter: usize,
    n_oversamples: usize,
    random_state: u64,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    components: Matrix,
    explained_variance: Vec<f64>,
    explained_variance_ratio: Vec<f64>,
    singular_values: Vec<f64>,
}

impl Default for TruncatedSVD {
    fn default() -> Self {
        Self::new()
    }
}

/// The population variance of each column.
fn column_variances(x: &Matrix) -> Vec<f64> {
    let mean = x.column_means();
    (0..x.cols)
        .map(|j| {
            (0..x.rows)
                .map(|i| (x.at(i, j) - mean[j]).powi(2))
                .sum::<f64>()
                / x.rows as f64
        })
        .collect()
}

/// `x` projected on the rows of `components`.
fn project(x: &Matrix, components: &Matrix) -> Matrix {
    let k = components.rows;
    let mut out = Matrix::zeros(x.rows, k);
    for i in 0..x.rows {
        for j in 0..k {
            out.data[i * k + j] = x
                .row(i)
                .iter()
                .zip(components.row(j))
                .map(|(a, b)| a * b)
                .sum();
        }
    }
    out
}

impl TruncatedSVD {
    /// scikit-learn's defaults: `n_components = 2`, the randomized algorithm with `n_iter = 5`
    /// and `n_oversamples = 10`, and `random_state = 0`.
    pub fn new() -> Self {
        TruncatedSVD {
            n_components: 2,
            algorithm: TruncatedSvdAlgorithm::Randomized,
            n_iter: 5,
            n_oversamples: 10,
            random_state: 0,
            state: None,
        }
    }

    /// The number of components: at most `n_features` for the randomized algorithm, below
    /// `min(n_samples, n_features)` for the exact one.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// The SVD algorithm.
    pub fn algorithm(mut self, algorithm: TruncatedSvdAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The power iterations of the randomized algorithm (default 5).
    pub fn n_iter(mut self, n_iter: usize) -> Self {
        self.n_iter = n_iter;
        self
    }

    /// The extra random directions of the randomized algorithm (default 10).
    pub fn n_oversamples(mut self, n_oversamples: usize) -> Self {
        self.n_oversamples = n_oversamples;
        self
    }

    /// The seed of the randomized algorithm.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    /// The right singular vectors, `(n_components, n_features)` row-major; `None` before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// The variance of the training data along each component; `None` before `fit`.
    pub fn explained_variance_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.explained_variance.as_slice())
    }

    /// [`explained_variance_`](Self::explained_variance_) as a share of the total variance;
    /// `None` before `fit`.
    pub fn explained_variance_ratio_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .map(|s| s.explained_variance_ratio.as_slice())
    }

    /// The largest singular values; `None` before `fit`.
    pub fn singular_values_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.singular_values.as_slice())
    }

    /// Learns the `n_components` leading right singular vectors of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "TruncatedSVD::fit";
        let x = check_x(OP, x)?;
        if x.cols < 2 {
            return Err(Error::input(
                OP,
                format!(
                    "found array with {} feature(s), while a minimum of 2 is required",
                    x.cols
                ),
            ));
        }
        let k = self.n_components;
        let (ok, allowed) = match self.algorithm {
            TruncatedSvdAlgorithm::Randomized => {
                (k >= 1 && k <= x.cols, "an int in [1, n_features]")
            }
            TruncatedSvdAlgorithm::Arpack => (
                k >= 1 && k < x.rows.min(x.cols),
                "an int in [1, min(n_samples, n_features))",
            ),
        };
        if !ok {
            return Err(Error::InvalidParameter {
                estimator: NAME,
                name: "n_components",
                allowed,
                got: format!("{k}, with X of shape ({}, {})", x.rows, x.cols),
            });
        }
        let RightSvd { s, vt } = match self.algorithm {
            TruncatedSvdAlgorithm::Randomized => {
                let opts = Randomized {
                    n_components: k.min(x.rows),
                    n_oversamples: self.n_oversamples,
                    n_iter: Some(self.n_iter),
                    random_state: self.random_state,
                };
                svd::randomized(OP, &x, &opts)?
            }
            TruncatedSvdAlgorithm::Arpack => svd::full(OP, &x)?,
        };
        let components = Matrix {
            rows: k.min(vt.rows),
            cols: x.cols,
            data: vt.data[..k.min(vt.rows) * x.cols].to_vec(),
        };
        let explained_variance = column_variances(&project(&x, &components));
        let total: f64 = column_variances(&x).iter().sum();
        self.state = Some(Fitted {
            explained_variance_ratio: explained_variance.iter().map(|v| v / total).collect(),
            explained_variance,
            singular_values: s[..components.rows].to_vec(),
            components,
        });
        Ok(self)
    }

    /// The coordinates of each row of `x` along the components.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "TruncatedSVD::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.components.cols)?;
        project(&x, &s.components).to_tensor()
    }

    /// The points of feature space with coordinates `z` along the components.
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        z: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "TruncatedSVD::inverse_transform";
        let s = fitted(&self.state, NAME, OP)?;
        let z = check_x_width(OP, NAME, z, s.components.rows)?;
        let d = s.components.cols;
        let mut out = Matrix::zeros(z.rows, d);
        for i in 0..z.rows {
            for f in 0..d {
                out.data[i * d + f] = (0..s.components.rows)
                    .map(|j| z.at(i, j) * s.components.at(j, f))
                    .sum();
            }
        }
        out.to_tensor()
    }
}

impl Transformer for TruncatedSVD {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        TruncatedSVD::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        TruncatedSVD::transform(self, x)
    }
}
