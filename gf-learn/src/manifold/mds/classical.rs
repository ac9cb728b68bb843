//! [`ClassicalMDS`]: Torgerson's classical multidimensional scaling, as scikit-learn's
//! `ClassicalMDS` (new in 1.8), which is also MDS's `init="classical_mds"`.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::{dissimilarities, MdsMetric};
use crate::error::{Error, Result};
use crate::linalg::symmetric_eigen;
use crate::traits::Features;
use crate::validation::{check_param, Matrix};

const NAME: &str = "ClassicalMDS";

/// Classical multidimensional scaling: the double-centred `-½ D²` of the dissimilarities
/// eigendecomposed, the top `n_components` eigenvectors (each signed so that its entry of
/// largest magnitude is positive, scikit-learn's `svd_flip`) scaled by the square roots of
/// their eigenvalues. On euclidean distances it is PCA of the centred data.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::ClassicalMDS;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> =
///     dev.tensor_from_vec(vec![0.0, 0.0, 3.0, 0.0, 0.0, 4.0], (3, 2));
/// let mut cmds = ClassicalMDS::new().n_components(2);
/// let z = cmds.fit_transform(&x)?.to_vec();
/// // The embedding keeps the distances: |z0 - z1| = 3.
/// let d01 = ((z[0] - z[2]).powi(2) + (z[1] - z[3]).powi(2)).sqrt();
/// assert!((d01 - 3.0).abs() < 1e-10);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClassicalMDS {
    n_components: usize,
    metric: MdsMetric,
    state: Option<(Matrix, Vec<f64>, Matrix)>,
}

impl Default for ClassicalMDS {
    fn default() -> Self {
        Self::new()
    }
}

impl ClassicalMDS {
    /// scikit-learn's defaults: 2 components, euclidean distances.
    pub fn new() -> Self {
        ClassicalMDS {
            n_components: 2,
            metric: MdsMetric::Euclidean,
            state: None,
        }
    }

    /// The number of coordinates, in `[1, n_samples]`.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// Whether X holds samples or a precomputed dissimilarity matrix.
    pub fn metric(mut self, metric: MdsMetric) -> Self {
        self.metric = metric;
        self
    }

    /// The embedding, `(n_samples, n_components)` row-major; `None` before `fit`.
    pub fn embedding_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.0.data.as_slice())
    }

    /// The top eigenvalues of the double-centred kernel, largest first; `None` before `fit`.
    pub fn eigenvalues_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.1.as_slice())
    }

    /// The dissimilarities of the training samples; `None` before `fit`.
    pub fn dissimilarity_matrix_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.2.data.as_slice())
    }

    /// Computes the embedding of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "ClassicalMDS::fit";
        let d = dissimilarities(OP, x, self.metric)?;
        let (z, w) = classical(OP, NAME, &d, self.n_components)?;
        self.state = Some((z, w, d));
        Ok(self)
    }

    /// [`fit`](Self::fit), then the embedding.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?;
        match &self.state {
            Some(s) => s.0.to_tensor(),
            None => Err(Error::NotFitted {
                estimator: NAME,
                op: "ClassicalMDS::fit_transform",
            }),
        }
    }
}

/// The classical MDS of the dissimilarities `d`: the embedding and its eigenvalues.
pub(super) fn classical(
    op: &'static str,
    estimator: &'static str,
    d: &Matrix,
    k: usize,
) -> Result<(Matrix, Vec<f64>)> {
    let n = d.rows;
    check_param(
        estimator,
        "n_components",
        k,
        "an int in [1, n_samples]",
        |k| k >= 1 && k <= n,
    )?;
    let mut b = d.clone();
    b.data.iter_mut().for_each(|v| *v *= *v);
    // Column means off, then row means of the result, as scikit-learn does it.
    let cols = b.column_means();
    for i in 0..n {
        b.row_mut(i)
            .iter_mut()
            .zip(&cols)
            .for_each(|(v, m)| *v -= m);
    }
    for i in 0..n {
        let mean = b.row(i).iter().sum::<f64>() / n as f64;
        b.row_mut(i)
            .iter_mut()
            .for_each(|v| *v = (*v - mean) * -0.5);
    }
    let (values, vectors) = symmetric_eigen(op, &b)?;
    let mut z = Matrix::zeros(n, k);
    let mut w = Vec::with_capacity(k);
    for c in 0..k {
        let src = n - 1 - c;
        let l = values[src];
        if l < 0.0 {
            return Err(Error::Linalg {
                op,
                message: format!(
                    "eigenvalue {c} of the double-centred dissimilarities is negative ({l}); ask for fewer components"
                ),
            });
        }
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
            z.data[i * k + c] = sign * vectors.at(i, src) * l.sqrt();
        }
        w.push(l);
    }
    Ok((z, w))
}
