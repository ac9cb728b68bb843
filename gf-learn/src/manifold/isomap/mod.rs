//! [`Isomap`]: an embedding that keeps the geodesic distances of the data, as scikit-learn's
//! `Isomap`. The geodesic distance is the shortest path through the neighbours graph (see
//! `graph`); the embedding is the kernel PCA of the precomputed kernel `-½ D²`, which is
//! classical MDS on those distances.

mod graph;

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

pub use self::graph::PathMethod;
use self::graph::{
    components, connect_components, knn_graph, radius_graph, radius_row, shortest_paths,
};
use crate::decomposition::kernel_pca::center;
use crate::decomposition::{KernelPCA, KpcaKernel};
use crate::error::{Error, Result};
use crate::kdtree::KdTree;
use crate::neighbors::brute::euclidean_kneighbors;
use crate::traits::{Features, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, fitted, Matrix};

const NAME: &str = "Isomap";

/// Isometric mapping, as scikit-learn's `Isomap` with the euclidean metric (`minkowski`,
/// `p = 2`) and the dense eigensolver: the neighbours graph of the samples (the `n_neighbors`
/// nearest, or all within `radius`), its shortest paths (the geodesic distances
/// [`dist_matrix_`](Self::dist_matrix_)), and the kernel PCA of `-½ D²`. A graph of several
/// components is first joined by an edge between the closest pair of samples of each pair of
/// components, as scikit-learn does (it warns; this does not). New samples are embedded
/// through their neighbours among the training samples.
///
/// scikit-learn's `eigen_solver="auto"` picks arpack for more than 200 samples and fewer than
/// 10 components; arpack finds the same eigenvectors to its tolerance.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::manifold::Isomap;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// // Twelve points on a circle arc.
/// let data: Vec<f64> = (0..12)
///     .flat_map(|i| {
///         let t = i as f64 * 0.4;
///         [t.cos(), t.sin()]
///     })
///     .collect();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(data, (12, 2));
/// let mut iso = Isomap::new().n_neighbors(3).n_components(1);
/// let z = iso.fit_transform(&x)?.to_vec();
/// // Unrolled, the arc is a line: the points keep their order along it.
/// let up = z[1] > z[0];
/// assert!(z.windows(2).all(|w| (w[1] > w[0]) == up));
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Isomap {
    n_neighbors: Option<usize>,
    radius: Option<f64>,
    n_components: usize,
    path_method: PathMethod,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    x_fit: Matrix,
    dist_matrix: Matrix,
    kernel_pca: KernelPCA,
    embedding: Matrix,
}

impl Default for Isomap {
    fn default() -> Self {
        Self::new()
    }
}

impl Isomap {
    /// scikit-learn's defaults: 5 neighbours, 2 components, `path_method = "auto"`.
    pub fn new() -> Self {
        Isomap {
            n_neighbors: Some(5),
            radius: None,
            n_components: 2,
            path_method: PathMethod::Auto,
            state: None,
        }
    }

    /// The number of neighbours of each sample in the graph, in `[1, n_samples)`; clears
    /// [`radius`](Self::radius) (scikit-learn takes one of the two).
    pub fn n_neighbors(mut self, n_neighbors: usize) -> Self {
        self.n_neighbors = Some(n_neighbors);
        self.radius = None;
        self
    }

    /// Links each sample to all those within `radius` (inclusive) instead of its nearest
    /// neighbours, in `[0, inf)`; clears [`n_neighbors`](Self::n_neighbors) (scikit-learn's
    /// `Isomap(radius=r, n_neighbors=None)`).
    pub fn radius(mut self, radius: f64) -> Self {
        self.radius = Some(radius);
        self.n_neighbors = None;
        self
    }

    /// The number of coordinates of the embedding, in `[1, n_samples]`.
    pub fn n_components(mut self, n_components: usize) -> Self {
        self.n_components = n_components;
        self
    }

    /// How the shortest paths are found.
    pub fn path_method(mut self, path_method: PathMethod) -> Self {
        self.path_method = path_method;
        self
    }

    /// The embedding of the training samples, `(n_samples, n_components)` row-major; `None`
    /// before `fit`.
    pub fn embedding_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.embedding.data.as_slice())
    }

    /// The geodesic distances between the training samples, `(n_samples, n_samples)`
    /// row-major; `None` before `fit`.
    pub fn dist_matrix_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.dist_matrix.data.as_slice())
    }

    /// The kernel PCA of `-½ D²` that gives the embedding (its eigenvalues, for example);
    /// `None` before `fit`.
    pub fn kernel_pca_(&self) -> Option<&KernelPCA> {
        self.state.as_ref().map(|s| &s.kernel_pca)
    }

    /// The number of features seen by `fit`; `None` before `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.x_fit.cols)
    }

    /// scikit-learn's `reconstruction_error`: `sqrt(‖K‖²_F - Σ λ²) / n_samples`, with `K` the
    /// centred kernel `-½ D²` of the geodesic distances and `λ` the kept eigenvalues.
    pub fn reconstruction_error(&self) -> Result<f64> {
        let s = fitted(&self.state, NAME, "Isomap::reconstruction_error")?;
        let mut g = kernel(&s.dist_matrix);
        let means = g.column_means();
        let all = means.iter().sum::<f64>() / means.len() as f64;
        center(&mut g, &means, all);
        let total: f64 = g.data.iter().map(|v| v * v).sum();
        let evals: f64 = s
            .kernel_pca
            .eigenvalues_()
            .unwrap_or_default()
            .iter()
            .map(|v| v * v)
            .sum();
        Ok((total - evals).sqrt() / g.rows as f64)
    }

    fn check_params(&self, n: usize) -> Result<()> {
        if let Some(k) = self.n_neighbors {
            check_param(NAME, "n_neighbors", k, "an int in [1, n_samples)", |k| {
                k >= 1 && k < n
            })?;
        }
        if let Some(r) = self.radius {
            check_param(NAME, "radius", r, "a float in [0, inf)", |r| {
                r >= 0.0 && r.is_finite()
            })?;
        }
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int in [1, n_samples]",
            |c| c >= 1 && c <= n,
        )
    }

    /// Builds the neighbours graph of `x`, its geodesic distances and their embedding.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "Isomap::fit";
        let x = check_x(OP, x)?;
        self.check_params(x.rows)?;
        let mut graph = match (self.n_neighbors, self.radius) {
            (Some(k), _) => knn_graph(&x, k),
            (None, Some(r)) => radius_graph(&x, r),
            (None, None) => {
                return Err(Error::parameter(
                    NAME,
                    "n_neighbors",
                    "an int, or a radius given instead",
                    "None",
                ))
            }
        };
        let (count, labels) = components(&graph);
        if count > 1 {
            connect_components(&x, &mut graph, count, &labels);
        }
        let dist_matrix = shortest_paths(OP, &graph, self.path_method)?;
        let mut kernel_pca = KernelPCA::new()
            .n_components(self.n_components)
            .kernel(KpcaKernel::Precomputed);
        kernel_pca.fit_matrix(OP, kernel(&dist_matrix))?;
        // The projections of the training samples, as KernelPCA's fit_transform.
        let lambda = kernel_pca.eigenvalues_().unwrap_or_default();
        let vectors = kernel_pca.eigenvectors_().unwrap_or_default();
        let c = lambda.len();
        let mut embedding = Matrix::zeros(x.rows, c);
        for (k, (e, v)) in embedding.data.iter_mut().zip(vectors).enumerate() {
            *e = v * lambda[k % c].sqrt();
        }
        self.state = Some(Fitted {
            x_fit: x,
            dist_matrix,
            kernel_pca,
            embedding,
        });
        Ok(self)
    }

    /// [`fit`](Self::fit), then the embedding of the training samples.
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let s = fitted(&self.fit(x)?.state, NAME, "Isomap::fit_transform")?;
        s.embedding.to_tensor()
    }

    /// The embedding of new samples: their geodesic distance to each training sample is the
    /// shortest over their neighbours among the training samples (the distance to the
    /// neighbour plus its geodesic distance), and the kernel `-½ D²` of those distances is
    /// projected on the fitted components.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "Isomap::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.x_fit.cols)?;
        let near: Vec<Vec<(usize, f64)>> = match (self.n_neighbors, self.radius) {
            (Some(k), _) => euclidean_kneighbors(&s.x_fit, &x, k)
                .into_iter()
                .map(|row| row.into_iter().map(|(d, j)| (j, d)).collect())
                .collect(),
            (None, r) => {
                let tree = KdTree::new(&s.x_fit);
                let r = r.unwrap_or(0.0);
                (0..x.rows)
                    .map(|i| radius_row(&tree, &s.x_fit, x.row(i), r, None))
                    .collect()
            }
        };
        let n = s.x_fit.rows;
        let mut g = Matrix::zeros(x.rows, n);
        for (i, row) in near.iter().enumerate() {
            if row.is_empty() {
                return Err(Error::input(
                    OP,
                    format!("row {i} of X has no training sample within the radius"),
                ));
            }
            let out = g.row_mut(i);
            out.iter_mut().for_each(|v| *v = f64::INFINITY);
            for &(j, d) in row {
                for (o, &geo) in out.iter_mut().zip(s.dist_matrix.row(j)) {
                    *o = o.min(geo + d);
                }
            }
        }
        s.kernel_pca.transform_matrix(OP, &kernel(&g))?.to_tensor()
    }
}

impl Transformer for Isomap {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        Isomap::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        Isomap::transform(self, x)
    }

    fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        Isomap::fit_transform(self, x)
    }
}

/// The Isomap kernel `-½ D²` of a matrix of geodesic distances.
fn kernel(d: &Matrix) -> Matrix {
    let mut g = d.clone();
    g.data.iter_mut().for_each(|v| *v = *v * *v * -0.5);
    g
}
