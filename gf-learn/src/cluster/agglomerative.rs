//! [`AgglomerativeClustering`]: hierarchical clustering, as scikit-learn's.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::linkage::{
    condensed, first_non_finite, nn_chain, prim, scipy_tree, sklearn_single_tree, PairDistance,
    Tree, Update,
};
use super::structured::{self, fix_connectivity, labels_from_parents};
use crate::error::{Error, Result};
use crate::traits::{Clusterer, Features};
use crate::validation::{check_param, check_x, Matrix};

const NAME: &str = "AgglomerativeClustering";
const FIT: &str = "AgglomerativeClustering::fit";

/// Which distance between sets of samples the merges minimise (scikit-learn's `linkage`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Linkage {
    /// The increase of the within-cluster variance (the default); euclidean metric only.
    #[default]
    Ward,
    /// The largest distance between a sample of one set and a sample of the other.
    Complete,
    /// The mean distance between the samples of one set and those of the other.
    Average,
    /// The smallest distance between a sample of one set and a sample of the other.
    Single,
}

/// The distance between two samples (scikit-learn's `metric`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AgglomerativeMetric {
    /// `sqrt(Σ (a - b)²)` (the default; scikit-learn's `"euclidean"` or `"l2"`).
    #[default]
    Euclidean,
    /// `Σ |a - b|` (scikit-learn's `"manhattan"`, `"l1"` or `"cityblock"`).
    Manhattan,
    /// `1 - a·b / (|a| |b|)`; no sample may be all zeros.
    Cosine,
}

/// Agglomerative (bottom-up hierarchical) clustering, as scikit-learn's
/// `AgglomerativeClustering`: every sample starts as its own cluster, and the two clusters
/// closest under the linkage are merged until `n_clusters` remain, or until the closest are
/// at least `distance_threshold` apart. The merge tree is [`children_`](Self::children_), in
/// scikit-learn's numbering, and the labels are scikit-learn's cut of it (`_hc_cut`, whose
/// heap order names the clusters).
///
/// Without a connectivity graph the tree is the one scipy's `linkage` builds, which is what
/// scikit-learn calls: the nearest-neighbour chain on the condensed distance matrix for ward,
/// complete and average linkage, Prim's spanning tree for single linkage (scikit-learn's own,
/// for the euclidean and manhattan metrics). That takes `O(n_samples²)` time, and
/// `O(n_samples²)` memory for the distance matrix (none for single linkage), computed in
/// parallel. With a [`connectivity`](Self::connectivity) graph it is scikit-learn's
/// structured tree, merging along the graph's edges from a heap.
///
/// On data without exactly tied distances, `children_`, `labels_` and `distances_` are
/// scikit-learn's (the distances to the last bit without a graph); where distances tie, the
/// pair merged first among them may differ.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::cluster::AgglomerativeClustering;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(
///     vec![1.0, 2.0, 1.0, 4.0, 1.0, 0.0, 4.0, 2.0, 4.0, 4.0, 4.0, 0.0],
///     (6, 2),
/// );
/// let mut agg = AgglomerativeClustering::new();
/// assert_eq!(agg.fit_predict(&x)?, vec![1, 1, 1, 0, 0, 0]);
/// assert_eq!(agg.children_().unwrap(), &[[0, 1], [3, 5], [2, 6], [4, 7], [8, 9]]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AgglomerativeClustering {
    n_clusters: Option<usize>,
    linkage: Linkage,
    metric: AgglomerativeMetric,
    distance_threshold: Option<f64>,
    compute_full_tree: Option<bool>,
    compute_distances: bool,
    connectivity: Option<Vec<(usize, usize)>>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    labels: Vec<i64>,
    n_clusters: usize,
    n_leaves: usize,
    n_connected_components: usize,
    children: Vec<[usize; 2]>,
    distances: Option<Vec<f64>>,
}

impl Default for AgglomerativeClustering {
    fn default() -> Self {
        Self::new()
    }
}

impl AgglomerativeClustering {
    /// scikit-learn's defaults: `n_clusters = 2`, ward linkage, the euclidean metric, no
    /// `distance_threshold`, `compute_full_tree = "auto"`, `compute_distances = false`.
    pub fn new() -> Self {
        AgglomerativeClustering {
            n_clusters: Some(2),
            linkage: Linkage::Ward,
            metric: AgglomerativeMetric::Euclidean,
            distance_threshold: None,
            compute_full_tree: None,
            compute_distances: false,
            connectivity: None,
            state: None,
        }
    }

    /// The number of clusters to find, in `[1, n_samples]`; `None` when `distance_threshold`
    /// decides it (exactly one of the two must be set).
    pub fn n_clusters(mut self, n_clusters: Option<usize>) -> Self {
        self.n_clusters = n_clusters;
        self
    }

    /// The linkage criterion.
    pub fn linkage(mut self, linkage: Linkage) -> Self {
        self.linkage = linkage;
        self
    }

    /// The distance between samples; ward linkage takes the euclidean only.
    pub fn metric(mut self, metric: AgglomerativeMetric) -> Self {
        self.metric = metric;
        self
    }

    /// The linkage distance at or above which clusters are not merged, in `[0, inf]`; set it
    /// with `n_clusters(None)`. The number of clusters found is then one more than the
    /// number of merges at or above it.
    pub fn distance_threshold(mut self, distance_threshold: Option<f64>) -> Self {
        self.distance_threshold = distance_threshold;
        self
    }

    /// Whether to build the whole tree or stop at `n_clusters`, which only a connectivity
    /// graph allows (without one the whole tree is always built, as in scikit-learn). Unset,
    /// it is scikit-learn's `"auto"`: whole with `distance_threshold`, or when `n_clusters` is
    /// below `max(100, 0.02 n_samples)`. `false` with `distance_threshold` is an `Err`.
    pub fn compute_full_tree(mut self, compute_full_tree: bool) -> Self {
        self.compute_full_tree = Some(compute_full_tree);
        self
    }

    /// Whether to keep the merge distances ([`distances_`](Self::distances_)) even without a
    /// `distance_threshold`.
    pub fn compute_distances(mut self, compute_distances: bool) -> Self {
        self.compute_distances = compute_distances;
        self
    }

    /// A connectivity graph: clusters merge only when an edge joins them. The edges are pairs
    /// of samples, in either order (scikit-learn's connectivity matrix, such as
    /// `kneighbors_graph`'s, as the `(row, column)` of its stored entries; their values are not
    /// used); the graph is made symmetric, self-loops dropped, and a graph of several
    /// connected components is completed with an edge between the nearest samples of each two
    /// (scikit-learn warns then). Without one (the default) any two clusters may merge.
    ///
    /// With a graph the tree is scikit-learn's structured one, built on heaps over the edges,
    /// and `compute_full_tree` decides whether it stops at `n_clusters`.
    pub fn connectivity(mut self, edges: Vec<(usize, usize)>) -> Self {
        self.connectivity = Some(edges);
        self
    }

    /// The number of clusters found; `None` before `fit`.
    pub fn n_clusters_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_clusters)
    }

    /// The number of leaves of the tree (the samples); `None` before `fit`.
    pub fn n_leaves_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_leaves)
    }

    /// The number of connected components of the connectivity graph (1 without one); `None`
    /// before `fit`.
    pub fn n_connected_components_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_connected_components)
    }

    /// The merge tree, one row per merge: the `i`-th merge joins `children_()[i][0]` and
    /// `children_()[i][1]` into node `n_samples + i`, where nodes below `n_samples` are the
    /// samples themselves. `n_samples - 1` rows, fewer when a connectivity graph let the tree
    /// stop at `n_clusters` (not for single linkage, whose tree is always whole). `None`
    /// before `fit`.
    pub fn children_(&self) -> Option<&[[usize; 2]]> {
        self.state.as_ref().map(|s| s.children.as_slice())
    }

    /// The linkage distance of each merge of [`children_`](Self::children_) (for ward,
    /// scipy's ward distance: `sqrt(2 Δ)` for the increase `Δ` of the within-cluster sum of
    /// squares); `None` before `fit` and unless `distance_threshold` or `compute_distances`
    /// is set.
    pub fn distances_(&self) -> Option<&[f64]> {
        self.state.as_ref().and_then(|s| s.distances.as_deref())
    }

    fn validate(&self) -> Result<()> {
        if let Some(k) = self.n_clusters {
            check_param(NAME, "n_clusters", k, "an int in [1, inf) or None", |k| {
                k >= 1
            })?;
        }
        if let Some(t) = self.distance_threshold {
            check_param(
                NAME,
                "distance_threshold",
                t,
                "a float in [0, inf] or None",
                |t| t >= 0.0,
            )?;
        }
        match (self.n_clusters, self.distance_threshold) {
            (Some(_), Some(t)) => {
                return Err(Error::parameter(
                    NAME,
                    "distance_threshold",
                    "None when n_clusters is set: exactly one of n_clusters and \
                     distance_threshold has to be set, and the other needs to be None",
                    t,
                ))
            }
            (None, None) => {
                return Err(Error::parameter(
                    NAME,
                    "n_clusters",
                    "set when distance_threshold is None: exactly one of n_clusters and \
                     distance_threshold has to be set, and the other needs to be None",
                    None::<usize>,
                ))
            }
            _ => {}
        }
        if self.distance_threshold.is_some() && self.compute_full_tree == Some(false) {
            return Err(Error::parameter(
                NAME,
                "compute_full_tree",
                "True or \"auto\" when distance_threshold is set",
                false,
            ));
        }
        if self.linkage == Linkage::Ward && self.metric != AgglomerativeMetric::Euclidean {
            return Err(Error::parameter(
                NAME,
                "metric",
                "Euclidean with ward linkage: Ward can only work with euclidean distances",
                self.metric,
            ));
        }
        Ok(())
    }

    /// Builds the merge tree of `x` and cuts it into clusters.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        self.validate()?;
        let x = check_x(FIT, x)?;
        let n = x.rows;
        if n < 2 {
            return Err(Error::input(
                FIT,
                format!(
                    "found array with {n} sample(s) (shape=({n}, {})) while a minimum of 2 is \
                     required by {NAME}",
                    x.cols
                ),
            ));
        }
        if let Some(k) = self.n_clusters {
            if k > n {
                return Err(Error::input(
                    FIT,
                    format!(
                        "cannot extract more clusters than samples: {k} clusters were given \
                         for a tree with {n} leaves"
                    ),
                ));
            }
        }
        if self.linkage != Linkage::Ward && self.metric == AgglomerativeMetric::Cosine {
            if let Some(i) = (0..n).find(|&i| x.row(i).iter().all(|&v| v == 0.0)) {
                return Err(Error::input(
                    FIT,
                    format!(
                        "cosine affinity cannot be used when X contains zero vectors; row {i} \
                         is all zeros"
                    ),
                ));
            }
        }
        if let Some(edges) = &self.connectivity {
            if let Some(&(i, j)) = edges.iter().find(|e| e.0 >= n || e.1 >= n) {
                return Err(Error::input(
                    FIT,
                    format!(
                        "wrong shape for the connectivity graph: edge ({i}, {j}) names a \
                         sample beyond the {n} of X"
                    ),
                ));
            }
            self.state = Some(self.fit_structured(&x, edges));
            return Ok(self);
        }
        let dist = PairDistance::new(&x, self.metric);
        let tree = match self.linkage {
            Linkage::Single => {
                let edges = prim(&dist);
                if let Some(e) = edges.iter().find(|e| !e.2.is_finite()) {
                    return Err(non_finite_distance(e.0.min(e.1), e.0.max(e.1)));
                }
                match self.metric {
                    AgglomerativeMetric::Cosine => scipy_tree(&edges, n),
                    _ => sklearn_single_tree(&edges, n),
                }
            }
            linkage => {
                let d = condensed(&dist);
                if let Some((i, j)) = first_non_finite(&d, n) {
                    return Err(non_finite_distance(i, j));
                }
                let update = match linkage {
                    Linkage::Ward => Update::Ward,
                    Linkage::Complete => Update::Complete,
                    _ => Update::Average,
                };
                scipy_tree(&nn_chain(d, n, update), n)
            }
        };
        self.state = Some(self.finish(tree, n, 1));
        Ok(self)
    }

    /// The fit with a connectivity graph.
    fn fit_structured(&self, x: &Matrix, edges: &[(usize, usize)]) -> Fitted {
        let n = x.rows;
        let full = match (self.compute_full_tree, self.n_clusters) {
            (Some(full), _) => full,
            // "auto": whole when a threshold decides, or when n_clusters is small.
            (None, Some(k)) if self.distance_threshold.is_none() => {
                (k as f64) < f64::max(100.0, 0.02 * n as f64)
            }
            (None, _) => true,
        };
        let fix_metric = match self.linkage {
            Linkage::Ward => AgglomerativeMetric::Euclidean,
            _ => self.metric,
        };
        let (adj, n_components) = fix_connectivity(x, edges, fix_metric);
        let stop_at = if full { None } else { self.n_clusters };
        let tree = structured::build(x, &adj, self.metric, self.linkage, stop_at);
        match stop_at {
            None => self.finish(
                Tree {
                    children: tree.children,
                    distances: tree.distances,
                },
                n,
                n_components,
            ),
            Some(k) => {
                let keep = self.compute_distances;
                Fitted {
                    labels: labels_from_parents(&tree.parents, n),
                    n_clusters: k,
                    n_leaves: n,
                    n_connected_components: n_components,
                    children: tree.children,
                    distances: keep.then_some(tree.distances),
                }
            }
        }
    }

    /// The fitted state of a full tree: the number of clusters, the cut, the distances kept.
    fn finish(&self, tree: Tree, n: usize, n_connected_components: usize) -> Fitted {
        let n_clusters = match (self.n_clusters, self.distance_threshold) {
            (_, Some(t)) => tree.distances.iter().filter(|&&d| d >= t).count() + 1,
            (Some(k), None) => k,
            (None, None) => unreachable!("validate requires one of the two"),
        };
        let labels = hc_cut(n_clusters, &tree.children, n);
        let keep = self.distance_threshold.is_some() || self.compute_distances;
        Fitted {
            labels,
            n_clusters,
            n_leaves: n,
            n_connected_components,
            children: tree.children,
            distances: keep.then_some(tree.distances),
        }
    }
}

fn non_finite_distance(i: usize, j: usize) -> Error {
    Error::input(
        FIT,
        format!(
            "the distance between samples {i} and {j} is not finite (the values of X are too \
             large); the condensed distance matrix must contain only finite values"
        ),
    )
}

/// scikit-learn's `_hc_cut`: the `n_clusters` subtrees left when the last `n_clusters - 1`
/// merges are undone, found by repeatedly splitting the newest node on a heap (Python's
/// `heapq`, on negated node numbers), and labelled in the heap's list order.
fn hc_cut(n_clusters: usize, children: &[[usize; 2]], n_leaves: usize) -> Vec<i64> {
    let root = children.last().map_or(0, |c| c[0].max(c[1]) + 1);
    let mut nodes: Vec<i64> = vec![-(root as i64)];
    for _ in 1..n_clusters {
        let these = children[(-nodes[0]) as usize - n_leaves];
        heap::push(&mut nodes, -(these[0] as i64));
        heap::push_pop(&mut nodes, -(these[1] as i64));
    }
    let mut labels = vec![0i64; n_leaves];
    let mut stack = Vec::new();
    for (label, &node) in nodes.iter().enumerate() {
        stack.push((-node) as usize);
        while let Some(v) = stack.pop() {
            if v < n_leaves {
                labels[v] = label as i64;
            } else {
                stack.extend_from_slice(&children[v - n_leaves]);
            }
        }
    }
    labels
}

/// Python's `heapq` on a list of integers, step for step, so that the list's order (which
/// names scikit-learn's clusters) is the same.
mod heap {
    /// `heapq.heappush`.
    pub(super) fn push(heap: &mut Vec<i64>, item: i64) {
        heap.push(item);
        let last = heap.len() - 1;
        sift_down(heap, 0, last);
    }

    /// `heapq.heappushpop`: pushes `item`, then pops and returns the smallest.
    pub(super) fn push_pop(heap: &mut [i64], item: i64) -> i64 {
        if !heap.is_empty() && heap[0] < item {
            let top = std::mem::replace(&mut heap[0], item);
            sift_up(heap, 0);
            top
        } else {
            item
        }
    }

    /// `heapq._siftdown`: moves `heap[pos]` up towards `start` while it is smaller than its
    /// parent.
    fn sift_down(heap: &mut [i64], start: usize, mut pos: usize) {
        let new = heap[pos];
        while pos > start {
            let parent = (pos - 1) >> 1;
            if new < heap[parent] {
                heap[pos] = heap[parent];
                pos = parent;
                continue;
            }
            break;
        }
        heap[pos] = new;
    }

    /// `heapq._siftup`: moves the smaller child up until `pos` is a leaf, then settles the
    /// item there with `sift_down`.
    fn sift_up(heap: &mut [i64], mut pos: usize) {
        let end = heap.len();
        let start = pos;
        let new = heap[pos];
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end && heap[child] >= heap[right] {
                child = right;
            }
            heap[pos] = heap[child];
            pos = child;
            child = 2 * pos + 1;
        }
        heap[pos] = new;
        sift_down(heap, start, pos);
    }
}

impl Clusterer for AgglomerativeClustering {
    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        AgglomerativeClustering::fit(self, x)
    }

    fn labels_(&self) -> Option<&[i64]> {
        self.state.as_ref().map(|s| s.labels.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heap_matches_python_heapq() {
        // heapq on [-10]: push -7, pushpop -9 -> [-9, -7]; then on -9's children...
        let mut h = vec![-10];
        heap::push(&mut h, -7);
        assert_eq!(heap::push_pop(&mut h, -9), -10);
        assert_eq!(h, vec![-9, -7]);
        heap::push(&mut h, -3);
        assert_eq!(heap::push_pop(&mut h, -8), -9);
        assert_eq!(h, vec![-8, -7, -3]);
        heap::push(&mut h, -1);
        assert_eq!(heap::push_pop(&mut h, -2), -8);
        assert_eq!(h, vec![-7, -2, -3, -1]);
    }
}
