//! [`IncrementalPCA`]: PCA learned batch by batch, as scikit-learn's.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::pca::Projection;
use super::svd;
use crate::error::{Error, Result};
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, fitted, Matrix};

const NAME: &str = "IncrementalPCA";

/// Incremental principal component analysis, as scikit-learn's `IncrementalPCA` (Ross et al.,
/// 2008): each batch updates the running mean and variance of the features
/// (`_incremental_mean_and_var`), then the SVD of the previous components scaled by their
/// singular values, the centred batch and a mean-correction row gives the new components,
/// signed by scikit-learn's `svd_flip` (each component's entry of largest magnitude positive).
/// [`fit`](Self::fit) cuts X into batches of `batch_size` rows (default `5 * n_features`);
/// [`partial_fit`](Self::partial_fit) feeds one batch.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::IncrementalPCA;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![-1.0, -1.0, -2.0, -1.0, -3.0, -2.0, 1.0, 1.0, 2.0, 1.0, 3.0, 2.0],
///     (6, 2),
/// );
/// let mut ipca = IncrementalPCA::new().n_components(2).batch_size(3);
/// ipca.fit(&x)?;
/// let z = ipca.transform(&x)?;
/// let back = ipca.inverse_transform(&z)?.to_vec();
/// assert!(back.iter().zip(x.to_vec()).all(|(b, x)| (b - x).abs() < 1e-10));
/// assert_eq!(ipca.n_samples_seen_(), Some(6));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct IncrementalPCA {
    n_components: Option<usize>,
    whiten: bool,
    batch_size: Option<usize>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    components: Matrix,
    singular_values: Vec<f64>,
    mean: Vec<f64>,
    var: Vec<f64>,
    explained_variance: Vec<f64>,
    explained_variance_ratio: Vec<f64>,
    noise_variance: f64,
    n_samples_seen: usize,
    batch_size: usize,
}

impl Default for IncrementalPCA {
    fn default() -> Self {
        Self::new()
    }
}

impl IncrementalPCA {
    /// scikit-learn's defaults: `n_components = None` (the smaller dimension of the first
    /// batch), no whitening, `batch_size = None` (`5 * n_features`).
    pub fn new() -> Self {
        IncrementalPCA {
            n_components: None,
            whiten: false,
            batch_size: None,
            state: None,
        }
    }

    /// The number of components to keep, at most `n_features` and at most the rows of the
    /// first batch.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = Some(n_components);
        self
    }

    /// Whether `transform` divides each component by its standard deviation.
    pub fn whiten(mut self, whiten: bool) -> Self {
        self.whiten = whiten;
        self
    }

    /// The rows per batch of [`fit`](Self::fit) (default `5 * n_features`).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = Some(batch_size);
        self
    }

    /// The principal axes, `(n_components, n_features)` row-major; `None` before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// The number of components kept; `None` before `fit`.
    pub fn n_components_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.components.rows)
    }

    /// The variance along each component; `None` before `fit`.
    pub fn explained_variance_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.explained_variance.as_slice())
    }

    /// The share of the total variance along each component; `None` before `fit`.
    pub fn explained_variance_ratio_(&self) -> Option<&[f64]> {
        self.state
            .as_ref()
            .map(|s| s.explained_variance_ratio.as_slice())
    }

    /// The singular values of the kept components; `None` before `fit`.
    pub fn singular_values_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.singular_values.as_slice())
    }

    /// The running mean of each feature; `None` before `fit`.
    pub fn mean_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.mean.as_slice())
    }

    /// The running (population) variance of each feature; `None` before `fit`.
    pub fn var_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.var.as_slice())
    }

    /// The mean explained variance of the discarded singular directions of the last batch's
    /// SVD (0 when `n_components` equals the batch's rows or the features, NaN when that SVD
    /// had no discarded direction, as scikit-learn's); `None` before `fit`.
    pub fn noise_variance_(&self) -> Option<f64> {
        self.state.as_ref().map(|s| s.noise_variance)
    }

    /// The number of rows seen; `None` before `fit`.
    pub fn n_samples_seen_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_samples_seen)
    }

    /// The batch size [`fit`](Self::fit) used; `None` before `fit`.
    pub fn batch_size_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.batch_size)
    }

    /// Learns the components from `x` from scratch, in batches of `batch_size` rows
    /// (scikit-learn's `gen_batches` with `min_batch_size = n_components`: a short last batch
    /// joins the one before it).
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "IncrementalPCA::fit";
        let x = check_x(OP, x)?;
        if let Some(b) = self.batch_size {
            check_param(NAME, "batch_size", b, "an int >= 1", |b| b >= 1)?;
        }
        let batch = self.batch_size.unwrap_or(5 * x.cols);
        let min_batch = self.n_components.unwrap_or(0);
        self.state = None;
        let mut start = 0;
        let mut slices = Vec::new();
        for _ in 0..x.rows / batch {
            let end = start + batch;
            if end + min_batch > x.rows {
                continue;
            }
            slices.push((start, end));
            start = end;
        }
        if start < x.rows {
            slices.push((start, x.rows));
        }
        for (a, b) in slices {
            let part = Matrix {
                rows: b - a,
                cols: x.cols,
                data: x.data[a * x.cols..b * x.cols].to_vec(),
            };
            self.update(OP, part)?;
        }
        if let Some(s) = self.state.as_mut() {
            s.batch_size = batch;
        }
        Ok(self)
    }

    /// Updates the components with one more batch `x` (the first call starts from scratch).
    pub fn partial_fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "IncrementalPCA::partial_fit";
        let x = match &self.state {
            None => check_x(OP, x)?,
            Some(s) => check_x_width(OP, NAME, x, s.mean.len())?,
        };
        self.update(OP, x)?;
        Ok(self)
    }

    /// scikit-learn's `partial_fit` on a checked batch.
    fn update(&mut self, op: &'static str, mut x: Matrix) -> Result<()> {
        let (n, d) = (x.rows, x.cols);
        let k = match (self.n_components, &self.state) {
            (None, None) => n.min(d),
            (None, Some(s)) => s.components.rows,
            (Some(k), _) if k == 0 || k > d => {
                return Err(Error::InvalidParameter {
                    estimator: NAME,
                    name: "n_components",
                    allowed: "an int in [1, n_features]",
                    got: format!("{k}, with n_features = {d}"),
                })
            }
            (Some(k), None) if k > n => {
                return Err(Error::InvalidParameter {
                    estimator: NAME,
                    name: "n_components",
                    allowed: "at most the rows of the first batch",
                    got: format!("{k}, with a first batch of {n} rows"),
                })
            }
            (Some(k), _) => k,
        };
        // _incremental_mean_and_var, with last_sample_count = n_samples_seen.
        let seen = self.state.as_ref().map_or(0, |s| s.n_samples_seen);
        let total = seen + n;
        let mut new_sum = vec![0.0; d];
        for i in 0..n {
            new_sum.iter_mut().zip(x.row(i)).for_each(|(s, v)| *s += v);
        }
        let nf = n as f64;
        let mut new_unnorm = vec![0.0; d];
        for (j, u) in new_unnorm.iter_mut().enumerate() {
            let t = new_sum[j] / nf;
            let (mut corr, mut sq) = (0.0, 0.0);
            for i in 0..n {
                let v = x.at(i, j) - t;
                corr += v;
                sq += v * v;
            }
            *u = sq - corr * corr / nf;
        }
        let (col_mean, col_var) = match &self.state {
            None => (
                new_sum.iter().map(|s| s / nf).collect::<Vec<_>>(),
                new_unnorm.iter().map(|u| u / nf).collect::<Vec<_>>(),
            ),
            Some(s) => {
                let last = seen as f64;
                let upd = total as f64;
                let mut mean = vec![0.0; d];
                let mut var = vec![0.0; d];
                for j in 0..d {
                    let last_sum = s.mean[j] * last;
                    mean[j] = (last_sum + new_sum[j]) / upd;
                    let ratio = last / nf;
                    let u = s.var[j] * last
                        + new_unnorm[j]
                        + ratio / upd * (last_sum / ratio - new_sum[j]).powi(2);
                    var[j] = u / upd;
                }
                (mean, var)
            }
        };
        let stacked = match &self.state {
            None => x.centered(&col_mean),
            Some(s) => {
                let batch_mean: Vec<f64> = new_sum.iter().map(|v| v / nf).collect();
                x = x.centered(&batch_mean);
                let c = ((seen as f64 / total as f64) * nf).sqrt();
                let r = s.components.rows;
                let mut m = Matrix::zeros(r + n + 1, d);
                for i in 0..r {
                    for j in 0..d {
                        m.data[i * d + j] = s.singular_values[i] * s.components.at(i, j);
                    }
                }
                m.data[r * d..(r + n) * d].copy_from_slice(&x.data);
                for (j, (a, b)) in s.mean.iter().zip(&batch_mean).enumerate() {
                    m.data[(r + n) * d + j] = c * (a - b);
                }
                m
            }
        };
        if let Some(s) = &self.state {
            if s.components.rows != k {
                return Err(Error::InvalidParameter {
                    estimator: NAME,
                    name: "n_components",
                    allowed: "the same number of components at every partial_fit",
                    got: format!("{k}, after {}", s.components.rows),
                });
            }
        }
        let svd::RightSvd { s, vt } = svd::full(op, &stacked)?;
        let dof = total as f64 - 1.0;
        let explained: Vec<f64> = s.iter().map(|v| v * v / dof).collect();
        let denom: f64 = col_var.iter().map(|v| v * total as f64).sum();
        let k = k.min(s.len());
        let noise = if k != n && k != d {
            let rest = &explained[k..];
            rest.iter().sum::<f64>() / rest.len() as f64
        } else {
            0.0
        };
        self.state = Some(Fitted {
            components: Matrix {
                rows: k,
                cols: d,
                data: vt.data[..k * d].to_vec(),
            },
            singular_values: s[..k].to_vec(),
            explained_variance_ratio: s[..k].iter().map(|v| v * v / denom).collect(),
            explained_variance: explained[..k].to_vec(),
            mean: col_mean,
            var: col_var,
            noise_variance: noise,
            n_samples_seen: total,
            batch_size: self.state.as_ref().map_or(0, |s| s.batch_size),
        });
        Ok(())
    }

    /// The coordinates of each row of `x` along the components (divided by their standard
    /// deviations with `whiten`).
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "IncrementalPCA::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.mean.len())?;
        self.projection(s).transform(&x).to_tensor()
    }

    /// The points of feature space whose coordinates are the rows of `z`.
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        z: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "IncrementalPCA::inverse_transform";
        let s = fitted(&self.state, NAME, OP)?;
        let z = check_x_width(OP, NAME, z, s.components.rows)?;
        self.projection(s).inverse(&z).to_tensor()
    }

    fn projection<'a>(&self, s: &'a Fitted) -> Projection<'a> {
        Projection {
            mean: &s.mean,
            components: &s.components,
            explained_variance: &s.explained_variance,
            whiten: self.whiten,
        }
    }
}

impl Transformer for IncrementalPCA {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        IncrementalPCA::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        IncrementalPCA::transform(self, x)
    }
}
