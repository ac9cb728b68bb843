//! [`DBSCAN`]: density-based clustering, as scikit-learn's.

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use crate::error::Result;
use crate::kdtree::KdTree;
use crate::traits::{Clusterer, Features};
use crate::validation::{check_param, check_x, Matrix};

const NAME: &str = "DBSCAN";

/// Density-based spatial clustering of applications with noise, as scikit-learn's `DBSCAN`
/// with the euclidean metric: a sample with at least `min_samples` samples (itself included)
/// within distance `eps` is a core sample; clusters are the sets of core samples linked by
/// such neighbourhoods, with the non-core samples in their reach. The rest is noise, label
/// `-1`. Neighbourhoods are found with a k-d tree, in parallel.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::DBSCAN;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 8.0, 7.0, 8.0, 8.0, 25.0, 80.0], (6, 2));
/// let mut db = DBSCAN::new().eps(3.0).min_samples(2);
/// assert_eq!(db.fit_predict(&x)?, vec![0, 0, 0, 1, 1, -1]);
/// assert_eq!(db.core_sample_indices_().unwrap(), &[0, 1, 2, 3, 4]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DBSCAN {
    eps: f64,
    min_samples: usize,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    labels: Vec<i64>,
    core_sample_indices: Vec<usize>,
    components: Matrix,
}

impl Default for DBSCAN {
    fn default() -> Self {
        Self::new()
    }
}

impl DBSCAN {
    /// scikit-learn's defaults: `eps = 0.5`, `min_samples = 5`.
    pub fn new() -> Self {
        DBSCAN {
            eps: 0.5,
            min_samples: 5,
            state: None,
        }
    }

    /// The radius of a neighbourhood, in `(0, inf)`.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// The samples (the sample itself included) a neighbourhood needs for its centre to be a
    /// core sample, in `[1, inf)`.
    pub fn min_samples(mut self, min_samples: usize) -> Self {
        self.min_samples = min_samples;
        self
    }

    /// The indices of the core samples, increasing; `None` before `fit`.
    pub fn core_sample_indices_(&self) -> Option<&[usize]> {
        self.state
            .as_ref()
            .map(|s| s.core_sample_indices.as_slice())
    }

    /// The core samples themselves, `(n_core_samples, n_features)` row-major; `None` before
    /// `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// Finds the clusters of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        check_param(NAME, "eps", self.eps, "a float in (0, inf)", |e| {
            e > 0.0 && e.is_finite()
        })?;
        check_param(
            NAME,
            "min_samples",
            self.min_samples,
            "an int in [1, inf)",
            |m| m >= 1,
        )?;
        let x = check_x("DBSCAN::fit", x)?;
        let tree = KdTree::new(&x);
        let neighborhoods: Vec<Vec<usize>> = (0..x.rows)
            .into_par_iter()
            .map(|i| tree.within(x.row(i), self.eps))
            .collect();
        let core: Vec<bool> = neighborhoods
            .iter()
            .map(|n| n.len() >= self.min_samples)
            .collect();
        let labels = expand_clusters(&core, &neighborhoods);
        let core_sample_indices: Vec<usize> = (0..x.rows).filter(|&i| core[i]).collect();
        let mut components = Matrix::zeros(core_sample_indices.len(), x.cols);
        for (r, &i) in core_sample_indices.iter().enumerate() {
            components.row_mut(r).copy_from_slice(x.row(i));
        }
        self.state = Some(Fitted {
            labels,
            core_sample_indices,
            components,
        });
        Ok(self)
    }
}

/// The clusters grown from the core samples in index order, each by a depth-first search
/// through core neighbourhoods (scikit-learn's `dbscan_inner`): a non-core sample joins the
/// first cluster that reaches it; a sample no cluster reaches is noise, `-1`.
fn expand_clusters(core: &[bool], neighborhoods: &[Vec<usize>]) -> Vec<i64> {
    let mut labels = vec![-1i64; core.len()];
    let mut next_label = 0;
    let mut stack = Vec::new();
    for start in 0..core.len() {
        if labels[start] != -1 || !core[start] {
            continue;
        }
        stack.push(start);
        while let Some(i) = stack.pop() {
            if labels[i] != -1 {
                continue;
            }
            labels[i] = next_label;
            if core[i] {
                stack.extend(
                    neighborhoods[i]
                        .iter()
                        .copied()
                        .filter(|&v| labels[v] == -1),
                );
            }
        }
        next_label += 1;
    }
    labels
}

impl Clusterer for DBSCAN {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        DBSCAN::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}
