//! The clustering-feature (CF) tree of BIRCH, step for step as scikit-learn's `_CFNode`,
//! `_CFSubcluster` and `_split_node`, so that the subclusters found (and their order along the
//! leaves) are scikit-learn's.
//!
//! A subcluster keeps the count, linear sum and squared sum of its samples; its centroid and
//! the centroid's squared norm are kept beside them so that finding the closest subcluster is
//! one dot product per subcluster. The nodes live in an arena (`Vec<Node>`) and point at one
//! another by index: a subcluster at its child node, a leaf at its neighbours along the doubly
//! linked list of leaves that starts at a dummy leaf. A node that is split gives its slot to
//! the first of its two halves, so the arena only grows by the nodes the tree really has.

use crate::validation::Matrix;

// The dot products below round as numpy's (OpenBLAS's and einsum's) do on x86-64, checked on
// widths 2 and 5: where two candidate subclusters or two farthest pairs differ only in the last
// bit, scikit-learn's tree depends on which way these round.

/// `np.dot` of two vectors and one entry of `A @ B.T` (OpenBLAS's ddot and dgemm kernels): a
/// running sum of fused multiply-adds.
pub(super) fn np_dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |acc, (x, y)| x.mul_add(*y, acc))
}

/// One entry of `np.dot(A, x)` (OpenBLAS's dgemv_t kernel): fused multiply-adds in four
/// lanes added as `(l0 + l2) + (l1 + l3)`, then the tail; two columns as `a0 x0 + a1 x1`
/// with the second product first.
pub(super) fn gemv_dot(a: &[f64], b: &[f64]) -> f64 {
    if a.len() == 2 {
        return a[0].mul_add(b[0], a[1] * b[1]);
    }
    let whole = a.len() - a.len() % 4;
    let mut lanes = [0.0; 4];
    for (ca, cb) in a[..whole].chunks_exact(4).zip(b[..whole].chunks_exact(4)) {
        for ((l, x), y) in lanes.iter_mut().zip(ca).zip(cb) {
            *l = x.mul_add(*y, *l);
        }
    }
    let s = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    a[whole..]
        .iter()
        .zip(&b[whole..])
        .fold(s, |acc, (x, y)| x.mul_add(*y, acc))
}

/// The squared norm of a row as `np.einsum("ij,ij->i")` (scikit-learn's `row_norms`): the
/// even and the odd squares summed apart, then added.
pub(super) fn row_norm(a: &[f64]) -> f64 {
    let mut lanes = [0.0; 2];
    a.iter()
        .enumerate()
        .for_each(|(k, v)| lanes[k % 2] += v * v);
    lanes[0] + lanes[1]
}

/// One CF subcluster (scikit-learn's `_CFSubcluster`).
#[derive(Clone, Debug)]
pub(super) struct Subcluster {
    n_samples: usize,
    linear_sum: Vec<f64>,
    squared_sum: f64,
    centroid: Vec<f64>,
    sq_norm: f64,
    child: Option<usize>,
}

impl Subcluster {
    /// A subcluster of no samples: the start of a half of a split node.
    fn empty(n_features: usize) -> Self {
        Subcluster {
            n_samples: 0,
            linear_sum: vec![0.0; n_features],
            squared_sum: 0.0,
            centroid: vec![0.0; n_features],
            sq_norm: 0.0,
            child: None,
        }
    }

    /// The subcluster of one sample.
    pub(super) fn sample(x: &[f64]) -> Self {
        let sq = np_dot(x, x);
        Subcluster {
            n_samples: 1,
            linear_sum: x.to_vec(),
            squared_sum: sq,
            centroid: x.to_vec(),
            sq_norm: sq,
            child: None,
        }
    }

    /// Adds `other`'s samples (scikit-learn's `update`: the centroid as `linear_sum / n`).
    fn update(&mut self, other: &Subcluster) {
        self.n_samples += other.n_samples;
        self.linear_sum
            .iter_mut()
            .zip(&other.linear_sum)
            .for_each(|(s, o)| *s += o);
        self.squared_sum += other.squared_sum;
        let n = self.n_samples as f64;
        self.centroid
            .iter_mut()
            .zip(&self.linear_sum)
            .for_each(|(c, s)| *c = s / n);
        self.sq_norm = np_dot(&self.centroid, &self.centroid);
    }

    /// Absorbs `other` if the merged subcluster's radius is within `threshold`
    /// (scikit-learn's `merge_subcluster`: the radius from `ss / n - |c|²`, the centroid as
    /// `(1 / n) * linear_sum`); returns whether it did.
    fn merge(&mut self, other: &Subcluster, threshold: f64) -> bool {
        let new_ss = self.squared_sum + other.squared_sum;
        let new_ls: Vec<f64> = self
            .linear_sum
            .iter()
            .zip(&other.linear_sum)
            .map(|(a, b)| a + b)
            .collect();
        let new_n = self.n_samples + other.n_samples;
        let inv = 1.0 / new_n as f64;
        let new_centroid: Vec<f64> = new_ls.iter().map(|s| inv * s).collect();
        let new_sq_norm = np_dot(&new_centroid, &new_centroid);
        let sq_radius = new_ss / new_n as f64 - new_sq_norm;
        if sq_radius <= threshold * threshold {
            self.n_samples = new_n;
            self.linear_sum = new_ls;
            self.squared_sum = new_ss;
            self.centroid = new_centroid;
            self.sq_norm = new_sq_norm;
            true
        } else {
            false
        }
    }
}

/// One CF node (scikit-learn's `_CFNode`): at most `branching_factor` subclusters once an
/// insertion has settled (one more, briefly, before it is split).
#[derive(Clone, Debug)]
struct Node {
    is_leaf: bool,
    subclusters: Vec<Subcluster>,
    prev_leaf: Option<usize>,
    next_leaf: Option<usize>,
}

impl Node {
    fn new(is_leaf: bool) -> Self {
        Node {
            is_leaf,
            subclusters: Vec::new(),
            prev_leaf: None,
            next_leaf: None,
        }
    }
}

/// The CF tree: its nodes, its root, and the dummy leaf that heads the list of leaves.
#[derive(Clone, Debug)]
pub(super) struct CfTree {
    threshold: f64,
    branching_factor: usize,
    n_features: usize,
    nodes: Vec<Node>,
    root: usize,
}

/// The arena slot of the dummy leaf.
const DUMMY: usize = 0;

impl CfTree {
    /// An empty tree: the root is a leaf, and the dummy leaf points at it.
    pub(super) fn new(threshold: f64, branching_factor: usize, n_features: usize) -> Self {
        let mut dummy = Node::new(true);
        dummy.next_leaf = Some(1);
        let mut root = Node::new(true);
        root.prev_leaf = Some(DUMMY);
        CfTree {
            threshold,
            branching_factor,
            n_features,
            nodes: vec![dummy, root],
            root: 1,
        }
    }

    /// The width of the samples the tree holds.
    pub(super) fn n_features(&self) -> usize {
        self.n_features
    }

    /// Inserts each row of `x` in turn, splitting the root when it overflows (scikit-learn's
    /// loop in `Birch._fit`).
    pub(super) fn insert_rows(&mut self, x: &Matrix) {
        for i in 0..x.rows {
            let sample = Subcluster::sample(x.row(i));
            if self.insert(self.root, &sample) {
                let (s1, s2) = self.split(self.root);
                let mut root = Node::new(false);
                root.subclusters = vec![s1, s2];
                self.nodes.push(root);
                self.root = self.nodes.len() - 1;
            }
        }
    }

    /// Inserts `sc` below `node`; returns whether `node` now holds more than
    /// `branching_factor` subclusters and has to be split by its parent (scikit-learn's
    /// `insert_cf_subcluster`).
    fn insert(&mut self, node: usize, sc: &Subcluster) -> bool {
        let subclusters = &self.nodes[node].subclusters;
        if subclusters.is_empty() {
            self.nodes[node].subclusters.push(sc.clone());
            return false;
        }
        // The closest subcluster by |c|² - 2 c·x, the first of ties (numpy's argmin).
        let mut closest = 0;
        let mut best = f64::INFINITY;
        for (j, s) in subclusters.iter().enumerate() {
            let d = gemv_dot(&s.centroid, &sc.centroid) * -2.0 + s.sq_norm;
            if d < best {
                (best, closest) = (d, j);
            }
        }
        if let Some(child) = subclusters[closest].child {
            if !self.insert(child, sc) {
                self.nodes[node].subclusters[closest].update(sc);
                return false;
            }
            // The child overflowed: its two halves take the closest subcluster's place.
            let (s1, s2) = self.split(child);
            let subclusters = &mut self.nodes[node].subclusters;
            subclusters[closest] = s1;
            subclusters.push(s2);
            return subclusters.len() > self.branching_factor;
        }
        let threshold = self.threshold;
        let subclusters = &mut self.nodes[node].subclusters;
        if subclusters[closest].merge(sc, threshold) {
            return false;
        }
        subclusters.push(sc.clone());
        subclusters.len() > self.branching_factor
    }

    /// Splits `node` in two around its farthest pair of subclusters, each subcluster going to
    /// the nearer of the pair (to the first on a tie), and returns the two subclusters that
    /// summarise the halves (scikit-learn's `_split_node`). The first half keeps `node`'s slot;
    /// leaves stay linked in order.
    fn split(&mut self, node: usize) -> (Subcluster, Subcluster) {
        let old = std::mem::take(&mut self.nodes[node].subclusters);
        let is_leaf = self.nodes[node].is_leaf;
        let n = old.len();
        // scikit-learn's euclidean_distances(centroids, squared=True): -2 c·c' + |c|² + |c'|²,
        // clipped at 0, with a zero diagonal.
        let norms: Vec<f64> = old.iter().map(|s| row_norm(&s.centroid)).collect();
        let mut dist = vec![0.0; n * n];
        for (i, a) in old.iter().enumerate() {
            for (j, b) in old.iter().enumerate() {
                if i != j {
                    let g = np_dot(&a.centroid, &b.centroid);
                    dist[i * n + j] = ((-2.0 * g + norms[i]) + norms[j]).max(0.0);
                }
            }
        }
        // The first largest in row-major order (numpy's argmax over the flat matrix).
        let mut far = 0;
        for (k, &d) in dist.iter().enumerate() {
            if d > dist[far] {
                far = k;
            }
        }
        let (f0, f1) = (far / n, far % n);

        let node2 = self.nodes.len();
        let mut second = Node::new(is_leaf);
        if is_leaf {
            let next = self.nodes[node].next_leaf;
            self.nodes[node].next_leaf = Some(node2);
            second.prev_leaf = Some(node);
            second.next_leaf = next;
            if let Some(next) = next {
                self.nodes[next].prev_leaf = Some(node2);
            }
        }
        self.nodes.push(second);

        let mut s1 = Subcluster::empty(self.n_features);
        let mut s2 = Subcluster::empty(self.n_features);
        for (i, sc) in old.into_iter().enumerate() {
            // The first of the pair keeps itself even when all centroids coincide.
            if i == f0 || dist[f0 * n + i] < dist[f1 * n + i] {
                s1.update(&sc);
                self.nodes[node].subclusters.push(sc);
            } else {
                s2.update(&sc);
                self.nodes[node2].subclusters.push(sc);
            }
        }
        s1.child = Some(node);
        s2.child = Some(node2);
        (s1, s2)
    }

    /// The leaves in list order (scikit-learn's `_get_leaves`).
    fn leaves(&self) -> impl Iterator<Item = &Node> {
        std::iter::successors(self.nodes[DUMMY].next_leaf, |&l| self.nodes[l].next_leaf)
            .map(|l| &self.nodes[l])
    }

    /// The number of leaves.
    pub(super) fn n_leaves(&self) -> usize {
        self.leaves().count()
    }

    /// The centroids of the leaves' subclusters, leaf after leaf (scikit-learn's
    /// `subcluster_centers_`).
    pub(super) fn centers(&self) -> Matrix {
        let data: Vec<f64> = self
            .leaves()
            .flat_map(|l| {
                l.subclusters
                    .iter()
                    .flat_map(|s| s.centroid.iter().copied())
            })
            .collect();
        Matrix {
            rows: data.len() / self.n_features.max(1),
            cols: self.n_features,
            data,
        }
    }

    /// The number of samples below each leaf subcluster, in the order of
    /// [`centers`](Self::centers).
    pub(super) fn counts(&self) -> Vec<usize> {
        self.leaves()
            .flat_map(|l| l.subclusters.iter().map(|s| s.n_samples))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: usize, data: Vec<f64>) -> Matrix {
        Matrix {
            rows,
            cols: data.len() / rows,
            data,
        }
    }

    #[test]
    fn close_samples_merge_and_far_ones_do_not() {
        let mut tree = CfTree::new(0.5, 50, 1);
        tree.insert_rows(&matrix(4, vec![0.0, 0.2, 10.0, 10.4]));
        assert_eq!(tree.centers().data, vec![0.1, 10.2]);
        assert_eq!(tree.counts(), vec![2, 2]);
        assert_eq!(tree.n_leaves(), 1);
    }

    #[test]
    fn overflow_splits_the_root_and_keeps_every_sample() {
        let mut tree = CfTree::new(0.1, 2, 1);
        tree.insert_rows(&matrix(6, vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]));
        // Every sample is its own subcluster; the leaves hold them all, the two ends of the
        // farthest pair in different leaves.
        assert_eq!(tree.counts().iter().sum::<usize>(), 6);
        assert!(tree.n_leaves() >= 3);
        let mut c = tree.centers().data;
        c.sort_by(f64::total_cmp);
        assert_eq!(c, vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]);
        assert!(tree.nodes.iter().all(|n| n.subclusters.len() <= 2));
    }
}
