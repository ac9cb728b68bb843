//! The unstructured hierarchical clusterings behind
//! [`AgglomerativeClustering`](crate::cluster::AgglomerativeClustering), each the algorithm
//! scikit-learn reaches without a connectivity graph, in the same floating-point order:
//!
//! - ward, complete and average linkage: scipy's `linkage` — the condensed distance matrix
//!   (`pdist`), the nearest-neighbour chain with the Lance–Williams update of the method on
//!   plain (not squared) distances, the merges sorted by distance (stably) and relabelled with
//!   a union-find, each merge's children as (smaller root, larger root);
//! - single linkage with the euclidean or manhattan metric: scikit-learn's own
//!   `mst_linkage_core` (Prim's minimum spanning tree, distances on the fly) and
//!   `_single_linkage_label`, which keeps each edge's children in the tree's
//!   (current node, new node) order;
//! - single linkage with the cosine metric: scipy's `mst_single_linkage` (the same Prim's tree)
//!   and its union-find relabelling, children as (smaller, larger).

use rayon::prelude::*;

use super::agglomerative::AgglomerativeMetric;
use crate::validation::Matrix;

/// A full merge tree: merge `i` joins `children[i]` into node `n_samples + i` at
/// `distances[i]` (leaves are `0..n_samples`).
#[derive(Clone, Debug)]
pub(crate) struct Tree {
    pub(crate) children: Vec<[usize; 2]>,
    pub(crate) distances: Vec<f64>,
}

/// The fewest samples one thread scans in a step of Prim's algorithm.
const PRIM_CHUNK: usize = 2048;

/// Below this many multiply-adds a step of Prim's algorithm (one scan of the samples) runs on
/// one thread: there are `n_samples` steps, each too short to split below about a million.
const PRIM_PARALLEL_WORK: usize = 1 << 20;

/// Below this many multiply-adds a loop over samples runs on one thread.
const PARALLEL_WORK: usize = 1 << 15;

/// Row `i` of a condensed matrix of `n` samples holds `(i, j)`, `j > i`, at `row_base(n, i) +
/// j - 1`.
#[inline]
fn row_base(n: usize, i: usize) -> usize {
    n * i - i * (i + 1) / 2 - i
}

/// The position of `(i, j)`, `i != j`, in a condensed matrix of `n` samples (scipy's
/// `condensed_index`).
#[inline]
fn condensed_index(n: usize, i: usize, j: usize) -> usize {
    if i < j {
        row_base(n, i) + j - 1
    } else {
        row_base(n, j) + i - 1
    }
}

/// The distance between two samples, summed in the order of scipy's and scikit-learn's C
/// loops so that the results agree to the last bit.
pub(crate) struct PairDistance<'a> {
    x: &'a Matrix,
    metric: AgglomerativeMetric,
    /// The euclidean norm of each row, for the cosine metric.
    norms: Vec<f64>,
}

/// `Σ u_k v_k` as scipy's compiled `dot_product` adds it: two interleaved partial sums (even
/// and odd `k`), added together, then the odd last term.
#[inline]
fn dot_two_lanes(u: &[f64], v: &[f64]) -> f64 {
    let (mut even, mut odd) = (0.0, 0.0);
    let pairs = u.len() / 2;
    for k in 0..pairs {
        even += u[2 * k] * v[2 * k];
        odd += u[2 * k + 1] * v[2 * k + 1];
    }
    let mut s = even + odd;
    if u.len() % 2 == 1 {
        s += u[u.len() - 1] * v[u.len() - 1];
    }
    s
}

impl<'a> PairDistance<'a> {
    pub(crate) fn new(x: &'a Matrix, metric: AgglomerativeMetric) -> Self {
        let norms = match metric {
            AgglomerativeMetric::Cosine => (0..x.rows)
                .map(|i| dot_two_lanes(x.row(i), x.row(i)).sqrt())
                .collect(),
            _ => Vec::new(),
        };
        PairDistance { x, metric, norms }
    }

    /// The distance between samples `i` and `j`.
    #[inline]
    pub(crate) fn between(&self, i: usize, j: usize) -> f64 {
        let (u, v) = (self.x.row(i), self.x.row(j));
        match self.metric {
            AgglomerativeMetric::Euclidean => {
                let mut s = 0.0;
                for (a, b) in u.iter().zip(v) {
                    let d = a - b;
                    s += d * d;
                }
                s.sqrt()
            }
            AgglomerativeMetric::Manhattan => {
                let mut s = 0.0;
                for (a, b) in u.iter().zip(v) {
                    s += (a - b).abs();
                }
                s
            }
            AgglomerativeMetric::Cosine => {
                let mut cosine = dot_two_lanes(u, v) / (self.norms[i] * self.norms[j]);
                if cosine.abs() > 1.0 {
                    cosine = cosine.signum();
                }
                1.0 - cosine
            }
        }
    }
}

/// The condensed distance matrix (scipy's `pdist`): the distances `(i, j)`, `i < j`, row by
/// row. Rows are computed in parallel.
pub(crate) fn condensed(dist: &PairDistance<'_>) -> Vec<f64> {
    let n = dist.x.rows;
    let mut d = vec![0.0; n * (n - 1) / 2];
    let mut rows: Vec<(usize, &mut [f64])> = Vec::with_capacity(n);
    let mut rest = d.as_mut_slice();
    for i in 0..n.saturating_sub(1) {
        let (row, tail) = rest.split_at_mut(n - 1 - i);
        rows.push((i, row));
        rest = tail;
    }
    let fill = |(i, row): (usize, &mut [f64])| {
        for (k, out) in row.iter_mut().enumerate() {
            *out = dist.between(i, i + 1 + k);
        }
    };
    if d_work(n, dist.x.cols) >= PARALLEL_WORK {
        rows.into_par_iter().for_each(fill);
    } else {
        rows.into_iter().for_each(fill);
    }
    d
}

fn d_work(n: usize, cols: usize) -> usize {
    n.saturating_mul(n).saturating_mul(cols.max(1)) / 2
}

/// The Lance–Williams update of a reducible linkage: the distance from the merge of `x` and
/// `y` to another cluster `i`, from `d(x, i)`, `d(y, i)`, `d(x, y)` and the three sizes
/// (scipy's `_hierarchy_distance_update.pxi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Update {
    Complete,
    Average,
    Ward,
}

impl Update {
    #[inline]
    fn apply(self, d_xi: f64, d_yi: f64, d_xy: f64, nx: usize, ny: usize, ni: usize) -> f64 {
        match self {
            Update::Complete => {
                // C's fmax-free `max`: the larger, `d_yi` when equal.
                if d_xi > d_yi {
                    d_xi
                } else {
                    d_yi
                }
            }
            Update::Average => (nx as f64 * d_xi + ny as f64 * d_yi) / ((nx + ny) as f64),
            Update::Ward => {
                let t = 1.0 / ((nx + ny + ni) as f64);
                ((ni + nx) as f64 * t * d_xi * d_xi + (ni + ny) as f64 * t * d_yi * d_yi
                    - ni as f64 * t * d_xy * d_xy)
                    .sqrt()
            }
        }
    }
}

/// scipy's `nn_chain` on the condensed matrix `d` (consumed as the working copy): the merges
/// `(x, y, distance)` in the order the chain finds them, `x < y` the two slots merged (the
/// merged cluster keeps slot `y`).
pub(crate) fn nn_chain(mut d: Vec<f64>, n: usize, update: Update) -> Vec<(usize, usize, f64)> {
    let mut size = vec![1usize; n];
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut merges = Vec::with_capacity(n.saturating_sub(1));
    let mut y = 0;
    for _ in 0..n.saturating_sub(1) {
        if chain.is_empty() {
            chain.push(size.iter().position(|&s| s > 0).unwrap_or(0));
        }
        let (x, current_min) = loop {
            let len = chain.len();
            let x = chain[len - 1];
            // Prefer the previous element of the chain as the minimum, to avoid cycles.
            let mut current_min = if len > 1 {
                y = chain[len - 2];
                d[condensed_index(n, x, y)]
            } else {
                f64::INFINITY
            };
            // Slots below x: column x of the rows above; slots above x: row x itself.
            for i in 0..x {
                if size[i] == 0 {
                    continue;
                }
                let dist = d[row_base(n, i) + x - 1];
                if dist < current_min {
                    current_min = dist;
                    y = i;
                }
            }
            let base = row_base(n, x);
            for i in x + 1..n {
                if size[i] == 0 {
                    continue;
                }
                let dist = d[base + i - 1];
                if dist < current_min {
                    current_min = dist;
                    y = i;
                }
            }
            if len > 1 && y == chain[len - 2] {
                break (x, current_min);
            }
            chain.push(y);
        };
        chain.truncate(chain.len() - 2);
        let (x, y) = if x > y { (y, x) } else { (x, y) };
        let (nx, ny) = (size[x], size[y]);
        merges.push((x, y, current_min));
        size[x] = 0;
        size[y] = nx + ny;
        for (i, &ni) in size.iter().enumerate() {
            if ni == 0 || i == y {
                continue;
            }
            let (ix, iy) = (condensed_index(n, i, x), condensed_index(n, i, y));
            d[iy] = update.apply(d[ix], d[iy], current_min, nx, ny, ni);
        }
    }
    merges
}

/// The order of `distances`, stable (numpy's `argsort(kind="mergesort")`; NaN last).
fn stable_order(distances: impl Iterator<Item = f64>) -> Vec<usize> {
    let distances: Vec<f64> = distances.collect();
    let mut order: Vec<usize> = (0..distances.len()).collect();
    order.sort_by(|&a, &b| {
        let (p, q) = (distances[a], distances[b]);
        p.partial_cmp(&q)
            .unwrap_or_else(|| p.is_nan().cmp(&q.is_nan()))
    });
    order
}

/// The root of `x`, halving the path to it.
fn find(parent: &mut [usize], mut x: usize) -> usize {
    let mut root = x;
    while parent[root] != root {
        root = parent[root];
    }
    while parent[x] != root {
        let next = parent[x];
        parent[x] = root;
        x = next;
    }
    root
}

/// scipy's conversion of unsorted merges of slots into a linkage tree: sorted by distance
/// (stably), each merge's slots replaced by the nodes that hold them then, as
/// (smaller, larger) (`label` in scipy's `_hierarchy.pyx`).
pub(crate) fn scipy_tree(merges: &[(usize, usize, f64)], n: usize) -> Tree {
    let order = stable_order(merges.iter().map(|m| m.2));
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut children = Vec::with_capacity(n - 1);
    let mut distances = Vec::with_capacity(n - 1);
    for (k, &m) in order.iter().enumerate() {
        let (x, y, dist) = merges[m];
        let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
        children.push(if rx < ry { [rx, ry] } else { [ry, rx] });
        distances.push(dist);
        parent[rx] = n + k;
        parent[ry] = n + k;
    }
    Tree {
        children,
        distances,
    }
}

/// scikit-learn's `_single_linkage_label` on the edges of a minimum spanning tree: sorted by
/// weight (stably), each edge's ends replaced by the nodes that hold them then, in the edge's
/// own order.
pub(crate) fn sklearn_single_tree(edges: &[(usize, usize, f64)], n: usize) -> Tree {
    let order = stable_order(edges.iter().map(|e| e.2));
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut children = Vec::with_capacity(n - 1);
    let mut distances = Vec::with_capacity(n - 1);
    for (k, &e) in order.iter().enumerate() {
        let (a, b, dist) = edges[e];
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        children.push([ra, rb]);
        distances.push(dist);
        parent[ra] = n + k;
        parent[rb] = n + k;
    }
    Tree {
        children,
        distances,
    }
}

/// Prim's minimum spanning tree from sample 0 (scikit-learn's `mst_linkage_core`, scipy's
/// `mst_single_linkage`): the edges `(current node, new node, distance)` in the order they
/// are added, each new node the first (lowest index) of the samples nearest the tree. Each
/// step scans the samples outside the tree in parallel when there are many.
pub(crate) fn prim(dist: &PairDistance<'_>) -> Vec<(usize, usize, f64)> {
    let parallel = dist.x.rows.saturating_mul(dist.x.cols.max(1)) >= PRIM_PARALLEL_WORK;
    prim_with(dist, parallel)
}

/// [`prim`], each step's scan parallel or not.
fn prim_with(dist: &PairDistance<'_>, parallel: bool) -> Vec<(usize, usize, f64)> {
    let n = dist.x.rows;
    let mut in_tree = vec![false; n];
    let mut nearest = vec![f64::INFINITY; n];
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    let mut current = 0;
    for _ in 0..n.saturating_sub(1) {
        in_tree[current] = true;
        // (distance, index) of the nearest sample outside the tree, the first of ties.
        let step = |j: usize, near: &mut f64| -> (f64, usize) {
            if in_tree[j] {
                return (f64::INFINITY, usize::MAX);
            }
            let d = dist.between(current, j);
            if d < *near {
                *near = d;
            }
            (*near, j)
        };
        let better = |a: (f64, usize), b: (f64, usize)| -> (f64, usize) {
            // `a` precedes `b`: `b` wins only when strictly nearer.
            if b.1 != usize::MAX && (a.1 == usize::MAX || b.0 < a.0) {
                b
            } else {
                a
            }
        };
        let none = (f64::INFINITY, usize::MAX);
        let (best_d, best) = if parallel {
            nearest
                .par_iter_mut()
                .enumerate()
                .with_min_len(PRIM_CHUNK)
                .fold(|| none, |acc, (j, near)| better(acc, step(j, near)))
                .reduce(|| none, better)
        } else {
            nearest
                .iter_mut()
                .enumerate()
                .fold(none, |acc, (j, near)| better(acc, step(j, near)))
        };
        // scikit-learn's loop starts from new_node = 0 and takes a sample only when strictly
        // nearer than the infinity it starts with (always, with finite distances).
        let new = if best_d < f64::INFINITY { best } else { 0 };
        edges.push((current, new, best_d));
        current = new;
    }
    edges
}

/// The first pair of samples whose distance is not finite, for the error scipy raises.
pub(crate) fn first_non_finite(d: &[f64], n: usize) -> Option<(usize, usize)> {
    let k = d.iter().position(|v| !v.is_finite())?;
    let mut i = 0;
    while row_base(n, i) + n - 1 <= k {
        i += 1;
    }
    Some((i, k + 1 - row_base(n, i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gf_core::rng::Xoshiro256;

    fn random(rows: usize, cols: usize, seed: u64) -> Matrix {
        let mut rng = Xoshiro256::new(seed);
        let mut x = Matrix::zeros(rows, cols);
        x.data
            .iter_mut()
            .for_each(|v| *v = rng.next_f64() * 10.0 - 5.0);
        x
    }

    /// The textbook agglomeration: merge the closest pair of live clusters, update with
    /// Lance–Williams, `O(n³)`. The merges as (smaller slot, larger slot, distance).
    fn naive(d: &[f64], n: usize, update: Update) -> Vec<(usize, usize, f64)> {
        let mut full = vec![vec![0.0; n]; n];
        for i in 0..n {
            for j in i + 1..n {
                full[i][j] = d[condensed_index(n, i, j)];
                full[j][i] = full[i][j];
            }
        }
        let mut size = vec![1usize; n];
        let mut merges = Vec::new();
        for _ in 0..n - 1 {
            let mut best = (f64::INFINITY, 0, 0);
            for i in 0..n {
                for j in i + 1..n {
                    if size[i] > 0 && size[j] > 0 && full[i][j] < best.0 {
                        best = (full[i][j], i, j);
                    }
                }
            }
            let (dxy, x, y) = best;
            let (nx, ny) = (size[x], size[y]);
            merges.push((x, y, dxy));
            size[x] = 0;
            size[y] = nx + ny;
            for i in 0..n {
                if size[i] > 0 && i != y {
                    let v = update.apply(full[i][x], full[i][y], dxy, nx, ny, size[i]);
                    full[i][y] = v;
                    full[y][i] = v;
                }
            }
        }
        merges
    }

    #[test]
    fn nn_chain_builds_the_tree_of_the_naive_agglomeration() {
        for (seed, update) in [
            (1, Update::Ward),
            (2, Update::Complete),
            (3, Update::Average),
        ] {
            let x = random(40, 3, seed);
            let d = condensed(&PairDistance::new(&x, AgglomerativeMetric::Euclidean));
            let chain = scipy_tree(&nn_chain(d.clone(), 40, update), 40);
            let naive = scipy_tree(&naive(&d, 40, update), 40);
            assert_eq!(chain.children, naive.children, "{update:?}");
            for (a, b) in chain.distances.iter().zip(&naive.distances) {
                assert!((a - b).abs() <= 1e-12 * b.abs(), "{update:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn prim_in_parallel_is_prim() {
        for metric in [
            AgglomerativeMetric::Euclidean,
            AgglomerativeMetric::Manhattan,
            AgglomerativeMetric::Cosine,
        ] {
            let x = random(300, 4, 7);
            let dist = PairDistance::new(&x, metric);
            assert_eq!(
                prim_with(&dist, true),
                prim_with(&dist, false),
                "{metric:?}"
            );
        }
    }

    #[test]
    fn single_linkage_trees_differ_only_in_the_order_of_children() {
        let x = random(50, 3, 9);
        let edges = prim(&PairDistance::new(&x, AgglomerativeMetric::Euclidean));
        let (a, b) = (scipy_tree(&edges, 50), sklearn_single_tree(&edges, 50));
        assert_eq!(a.distances, b.distances);
        for (p, q) in a.children.iter().zip(&b.children) {
            assert_eq!(
                [p[0].min(p[1]), p[0].max(p[1])],
                [q[0].min(q[1]), q[0].max(q[1])]
            );
        }
    }

    #[test]
    fn condensed_index_walks_rows() {
        let n = 5;
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                assert_eq!(condensed_index(n, i, j), k);
                assert_eq!(condensed_index(n, j, i), k);
                k += 1;
            }
        }
    }

    #[test]
    fn first_non_finite_names_the_pair() {
        let n = 4;
        let mut d = vec![1.0; 6];
        d[condensed_index(n, 1, 3)] = f64::INFINITY;
        assert_eq!(first_non_finite(&d, n), Some((1, 3)));
        d[condensed_index(n, 0, 2)] = f64::NAN;
        assert_eq!(first_non_finite(&d, n), Some((0, 2)));
    }
}
