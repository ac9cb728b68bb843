//! [`Birch`]: scikit-learn's BIRCH clustering. The samples are read once, each merged into
//! the closest subcluster of a clustering-feature tree (`cf_tree`) when it stays within the
//! threshold, so the data are summarised in one pass and can arrive in batches
//! (`partial_fit`); a global step then clusters the leaf subclusters' centres with
//! [`AgglomerativeClustering`] (ward), as scikit-learn does.

mod cf_tree;

use gf_core::shape::Dim;
use gf_core::{Dtype, Tensor};

use self::cf_tree::{np_dot, row_norm, CfTree};
use super::AgglomerativeClustering;
use crate::error::{Error, Result};
use crate::traits::{Clusterer, Features, Target, Transformed, Transformer};
use crate::validation::{check_param, check_x, check_x_width, fitted, label_vector, Matrix};

const NAME: &str = "Birch";

/// BIRCH clustering, as scikit-learn's `Birch`: each sample joins the closest subcluster of a
/// CF tree if the subcluster's radius stays within `threshold`, else starts a subcluster of
/// its own; a node holding more than `branching_factor` subclusters is split around its
/// farthest pair. The centroids of the leaf subclusters ([`subcluster_centers_`]) are then
/// grouped into `n_clusters` clusters by ward [`AgglomerativeClustering`], or kept as the
/// clusters with `n_clusters(None)`; a sample is labelled by its nearest subcluster centre.
///
/// When the tree has fewer subclusters than `n_clusters`, scikit-learn warns
/// (`ConvergenceWarning`) and keeps each subcluster as a cluster; so does this, without
/// printing: [`too_few_subclusters_`] says it happened.
///
/// The tree is built in `f64` whatever the input type. A tree continued by
/// [`partial_fit`](Birch::partial_fit) keeps the threshold and branching factor it was started
/// with.
///
/// [`subcluster_centers_`]: Birch::subcluster_centers_
/// [`too_few_subclusters_`]: Birch::too_few_subclusters_
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::Birch;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 1.0, 0.3, 1.0, -0.3, 1.0, 0.0, -1.0, 0.3, -1.0, -0.3, -1.0], (6, 2));
/// let mut brc = Birch::new().n_clusters(None);
/// brc.fit(&x)?;
/// assert_eq!(brc.predict(&x)?.to_vec(), vec![0, 0, 0, 1, 1, 1]);
/// assert_eq!(brc.subcluster_centers_().unwrap(), &[0.0, 1.0, 0.0, -1.0]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Birch {
    threshold: f64,
    branching_factor: usize,
    n_clusters: Option<usize>,
    compute_labels: bool,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    tree: CfTree,
    centers: Matrix,
    center_norms: Vec<f64>,
    subcluster_labels: Vec<usize>,
    too_few: bool,
    labels: Option<Vec<i64>>,
}

impl Default for Birch {
    fn default() -> Self {
        Self::new()
    }
}

impl Birch {
    /// scikit-learn's defaults: `threshold = 0.5`, `branching_factor = 50`, `n_clusters = 3`,
    /// `compute_labels = true`.
    pub fn new() -> Self {
        Birch {
            threshold: 0.5,
            branching_factor: 50,
            n_clusters: Some(3),
            compute_labels: true,
            state: None,
        }
    }

    /// The largest radius a subcluster may reach by taking in a sample, in `(0, inf)`: lower
    /// gives more, smaller subclusters.
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// The most subclusters a node holds before it is split, in `(1, inf)`.
    pub fn branching_factor(mut self, branching_factor: usize) -> Self {
        self.branching_factor = branching_factor;
        self
    }

    /// The clusters the global step groups the subcluster centres into, in `[1, inf)`; `None`
    /// keeps each subcluster as a cluster. Changed after a fit, it takes effect at the next
    /// fit, `partial_fit` or [`global_clustering`](Self::global_clustering).
    pub fn n_clusters(mut self, n_clusters: Option<usize>) -> Self {
        self.n_clusters = n_clusters;
        self
    }

    /// Whether each fit labels its samples ([`labels_`](Clusterer::labels_)); off, `labels_`
    /// is `None`.
    pub fn compute_labels(mut self, compute_labels: bool) -> Self {
        self.compute_labels = compute_labels;
        self
    }

    /// The centroids of the leaf subclusters, `(n_subclusters, n_features)` row-major, leaf
    /// after leaf as scikit-learn lists them; `None` before `fit`.
    pub fn subcluster_centers_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.centers.data.as_slice())
    }

    /// The number of leaf subclusters; `None` before `fit`.
    pub fn n_subclusters_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.centers.rows)
    }

    /// The cluster of each subcluster centre after the global step (each its own when
    /// `n_clusters` is `None` or exceeds the subclusters); `None` before `fit`.
    pub fn subcluster_labels_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.subcluster_labels.as_slice())
    }

    /// The number of samples each leaf subcluster summarises, in the order of
    /// [`subcluster_centers_`](Self::subcluster_centers_); `None` before `fit`.
    pub fn subcluster_n_samples_(&self) -> Option<Vec<usize>> {
        self.state.as_ref().map(|s| s.tree.counts())
    }

    /// Whether the last global step found fewer subclusters than `n_clusters` and so kept
    /// each subcluster as a cluster (where scikit-learn warns "Number of subclusters found
    /// ... is less than ..."; lower the threshold); `None` before `fit`.
    pub fn too_few_subclusters_(&self) -> Option<bool> {
        self.state.as_ref().map(|s| s.too_few)
    }

    /// The number of leaves of the CF tree; `None` before `fit`.
    pub fn n_leaves_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.tree.n_leaves())
    }

    /// The number of features seen by `fit`; `None` before it.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.tree.n_features())
    }

    fn validate(&self) -> Result<()> {
        check_param(
            NAME,
            "threshold",
            self.threshold,
            "a float in (0, inf)",
            |t| t > 0.0,
        )?;
        check_param(
            NAME,
            "branching_factor",
            self.branching_factor,
            "an int in (1, inf)",
            |b| b > 1,
        )?;
        if let Some(k) = self.n_clusters {
            check_param(NAME, "n_clusters", k, "an int in [1, inf) or None", |k| {
                k >= 1
            })?;
        }
        Ok(())
    }

    /// Builds a new CF tree from the rows of `x`, then runs the global step.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "Birch::fit";
        self.validate()?;
        let x = check_x(OP, x)?;
        let mut tree = CfTree::new(self.threshold, self.branching_factor, x.cols);
        tree.insert_rows(&x);
        self.finish(tree, Some(&x))
    }

    /// Adds the rows of `x` to the CF tree of the previous `fit` or `partial_fit` (a new tree
    /// on the first call), then runs the global step; [`labels_`](Clusterer::labels_) are
    /// those of `x`.
    pub fn partial_fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "Birch::partial_fit";
        self.validate()?;
        let (x, tree) = match self.state.take() {
            Some(state) => match check_x_width(OP, NAME, x, state.tree.n_features()) {
                Ok(x) => (x, state.tree),
                Err(e) => {
                    // A bad batch leaves the fitted state as it was.
                    self.state = Some(state);
                    return Err(e);
                }
            },
            None => {
                let x = check_x(OP, x)?;
                let tree = CfTree::new(self.threshold, self.branching_factor, x.cols);
                (x, tree)
            }
        };
        let mut tree = tree;
        tree.insert_rows(&x);
        self.finish(tree, Some(&x))
    }

    /// Runs the global step again on the subclusters already found, with the current
    /// `n_clusters` (scikit-learn's `partial_fit()` with no data); the labels of the last
    /// batch are kept as they were.
    pub fn global_clustering(&mut self) -> Result<&mut Self> {
        const OP: &str = "Birch::global_clustering";
        self.validate()?;
        let state = self.state.take().ok_or(Error::NotFitted {
            estimator: NAME,
            op: OP,
        })?;
        let labels = state.labels;
        self.finish(state.tree, None)?;
        if let Some(s) = self.state.as_mut() {
            s.labels = labels;
        }
        Ok(self)
    }

    /// The global step (scikit-learn's `_global_clustering`): the leaf centres grouped by ward
    /// agglomeration, then `x`'s labels when it is given and `compute_labels` is on. On an
    /// error the estimator is left unfitted.
    fn finish(&mut self, tree: CfTree, x: Option<&Matrix>) -> Result<&mut Self> {
        let centers = tree.centers();
        let m = centers.rows;
        let (subcluster_labels, too_few) = match self.n_clusters {
            None => ((0..m).collect(), false),
            Some(k) if m < k => ((0..m).collect(), true),
            Some(k) => {
                let mut agg = AgglomerativeClustering::new().n_clusters(Some(k));
                agg.fit(&centers.to_tensor::<f64>()?)?;
                let labels = agg.labels_().unwrap_or_default();
                (labels.iter().map(|&l| l.max(0) as usize).collect(), false)
            }
        };
        let center_norms = (0..m).map(|j| row_norm(centers.row(j))).collect();
        let mut state = Fitted {
            tree,
            centers,
            center_norms,
            subcluster_labels,
            too_few,
            labels: None,
        };
        if let (Some(x), true) = (x, self.compute_labels) {
            state.labels = Some(
                nearest_labels(&state, x)
                    .into_iter()
                    .map(|l| l as i64)
                    .collect(),
            );
        }
        self.state = Some(state);
        Ok(self)
    }

    /// The cluster of the nearest subcluster centre to each row of `x`.
    pub fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "Birch::predict";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        label_vector(nearest_labels(s, &x))
    }

    /// The euclidean distance of each row of `x` to each subcluster centre,
    /// `(n_samples, n_subclusters)`.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, gf_core::Cpu>> {
        const OP: &str = "Birch::transform";
        let s = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.centers.cols)?;
        // scikit-learn's euclidean_distances: sqrt(max(-2 x·c + |x|² + |c|², 0)).
        let k = s.centers.rows;
        let mut out = Matrix::zeros(x.rows, k);
        for i in 0..x.rows {
            let (row, xx) = (x.row(i), row_norm(x.row(i)));
            for (j, cc) in s.center_norms.iter().enumerate() {
                out.data[i * k + j] = ((-2.0 * np_dot(row, s.centers.row(j)) + xx) + cc)
                    .max(0.0)
                    .sqrt();
            }
        }
        out.to_tensor()
    }
}

/// The subcluster label of the nearest centre of each row, by `|c|² - 2 x·c` (scikit-learn's
/// `pairwise_distances_argmin` with the centres' norms given), the first of ties.
fn nearest_labels(s: &Fitted, x: &Matrix) -> Vec<usize> {
    (0..x.rows)
        .map(|i| {
            let row = x.row(i);
            let (mut best, mut arg) = (f64::INFINITY, 0);
            for (j, &cc) in s.center_norms.iter().enumerate() {
                let d = -2.0 * np_dot(row, s.centers.row(j)) + cc;
                if d < best {
                    (best, arg) = (d, j);
                }
            }
            s.subcluster_labels[arg]
        })
        .collect()
}

impl Clusterer for Birch {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        Birch::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().and_then(|s| s.labels.as_deref())
    }
}

impl Transformer for Birch {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        Birch::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Transformed<usize, E>> {
        Birch::transform(self, x)
    }
}

#[cfg(test)]
mod tests {
    use gf_core::prelude::*;

    use super::*;

    #[test]
    fn fewer_subclusters_than_n_clusters_keeps_the_subclusters() {
        let x = Cpu::default().tensor_from_vec(vec![0.0, 0.1, 5.0, 5.1], (4, 1));
        let mut brc = Birch::new();
        brc.fit(&x).unwrap();
        assert_eq!(brc.too_few_subclusters_(), Some(true));
        assert_eq!(brc.subcluster_labels_().unwrap(), &[0, 1]);
        assert_eq!(Clusterer::labels_(&brc).unwrap(), &[0, 0, 1, 1]);
        brc = brc.n_clusters(Some(2));
        brc.global_clustering().unwrap();
        assert_eq!(brc.too_few_subclusters_(), Some(false));
        assert_eq!(Clusterer::labels_(&brc).unwrap(), &[0, 0, 1, 1]);
    }

    #[test]
    fn compute_labels_off_leaves_no_labels() {
        let x = Cpu::default().tensor_from_vec(vec![0.0, 0.1, 5.0, 5.1], (4, 1));
        let mut brc = Birch::new().n_clusters(None).compute_labels(false);
        brc.fit(&x).unwrap();
        assert!(Clusterer::labels_(&brc).is_none());
        assert_eq!(brc.n_subclusters_(), Some(2));
        assert_eq!(brc.subcluster_n_samples_().unwrap(), vec![2, 2]);
    }
}
