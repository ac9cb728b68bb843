//! The structured hierarchical clusterings of
//! [`AgglomerativeClustering`](crate::cluster::AgglomerativeClustering) with a connectivity
//! graph: clusters merge only along its edges. Each follows scikit-learn's own code, not
//! scipy's:
//!
//! - the graph is made symmetric and, when it has several connected components, completed
//!   with the nearest pair of samples between every two components (`_fix_connectivity`);
//! - ward: `ward_tree`'s heap of `(inertia, i, j)` over the graph's edges, the inertia from
//!   the clusters' sizes and sums (`compute_ward_dist`), reported as `sqrt(2 * inertia)`;
//! - complete and average: `linkage_tree`'s heap of edges weighted with the paired distances
//!   of their ends, merged with the max or the size-weighted mean;
//! - single: `_single_linkage_tree`, scipy's minimum spanning tree (Kruskal) of that weighted
//!   graph, labelled as scikit-learn labels a spanning tree.
//!
//! Each may stop at `n_clusters` clusters (a partial tree); it then returns the parent of
//! every node, from which the clusters are read.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::agglomerative::{AgglomerativeMetric, Linkage};
use super::linkage::{sklearn_single_tree, PairDistance};
use crate::validation::Matrix;

/// A merge tree from a connectivity graph, whole or stopped early.
#[derive(Clone, Debug)]
pub(crate) struct StructuredTree {
    /// The merges, `children[i]` joined into node `n_samples + i`.
    pub(crate) children: Vec<[usize; 2]>,
    /// The linkage distance of each merge.
    pub(crate) distances: Vec<f64>,
    /// The parent of each of the tree's nodes (a root is its own parent).
    pub(crate) parents: Vec<usize>,
}

/// A float ordered totally, for the heaps (the distances here are never NaN).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The connected components of `adj`, numbered in the order of their smallest sample (scipy's
/// `connected_components`).
fn components(adj: &[Vec<usize>]) -> (usize, Vec<usize>) {
    let mut label = vec![usize::MAX; adj.len()];
    let mut count = 0;
    let mut stack = Vec::new();
    for start in 0..adj.len() {
        if label[start] != usize::MAX {
            continue;
        }
        label[start] = count;
        stack.push(start);
        while let Some(v) = stack.pop() {
            for &w in &adj[v] {
                if label[w] == usize::MAX {
                    label[w] = count;
                    stack.push(w);
                }
            }
        }
        count += 1;
    }
    (count, label)
}

/// scikit-learn's `_fix_connectivity`: `edges` made symmetric, without self-loops, as sorted
/// adjacency lists; when the graph falls into several components, each two components `j < i`
/// are joined by an edge between their nearest pair of samples under `metric` (the first
/// pair, samples in index order, of equally near ones). Also returns the number of components
/// of the graph as given.
pub(crate) fn fix_connectivity(
    x: &Matrix,
    edges: &[(usize, usize)],
    metric: AgglomerativeMetric,
) -> (Vec<Vec<usize>>, usize) {
    let n = x.rows;
    let mut adj = vec![Vec::new(); n];
    for &(i, j) in edges {
        if i != j {
            adj[i].push(j);
            adj[j].push(i);
        }
    }
    for row in &mut adj {
        row.sort_unstable();
        row.dedup();
    }
    let (count, label) = components(&adj);
    if count > 1 {
        let mut members = vec![Vec::new(); count];
        for (v, &c) in label.iter().enumerate() {
            members[c].push(v);
        }
        let dist = PairDistance::new(x, metric);
        let mut added = Vec::new();
        for i in 0..count {
            for j in 0..i {
                let mut best = (f64::INFINITY, members[i][0], members[j][0]);
                for &a in &members[i] {
                    for &b in &members[j] {
                        let d = dist.between(a, b);
                        if d < best.0 {
                            best = (d, a, b);
                        }
                    }
                }
                added.push((best.1, best.2));
            }
        }
        for (a, b) in added {
            adj[a].push(b);
            adj[b].push(a);
        }
        for row in &mut adj {
            row.sort_unstable();
            row.dedup();
        }
    }
    (adj, count)
}

/// The root of `v` in `up`, with path compression.
fn head(up: &mut [usize], mut v: usize) -> usize {
    let mut root = v;
    while up[root] != root {
        root = up[root];
    }
    while up[v] != root {
        let next = up[v];
        up[v] = root;
        v = next;
    }
    root
}

/// The number of nodes of the tree: all of them, or those up to `n_clusters` clusters.
fn node_count(n: usize, n_clusters: Option<usize>) -> usize {
    match n_clusters {
        None => 2 * n - 1,
        Some(k) => 2 * n - k,
    }
}

/// scikit-learn's `ward_tree` with a connectivity graph.
pub(crate) fn ward(x: &Matrix, adj: &[Vec<usize>], n_clusters: Option<usize>) -> StructuredTree {
    let (n, d) = (x.rows, x.cols);
    let n_nodes = node_count(n, n_clusters);
    let mut m1 = vec![0.0; n_nodes];
    m1[..n].iter_mut().for_each(|m| *m = 1.0);
    let mut m2 = vec![0.0; n_nodes * d];
    m2[..n * d].copy_from_slice(&x.data);
    // compute_ward_dist: the inertia gained by merging `row` and `col`.
    let ward_dist = |m1: &[f64], m2: &[f64], row: usize, col: usize| -> f64 {
        let size = (m1[row] * m1[col]) / (m1[row] + m1[col]);
        let (r, c) = (&m2[row * d..(row + 1) * d], &m2[col * d..(col + 1) * d]);
        let mut pa = 0.0;
        for (a, b) in r.iter().zip(c) {
            let diff = a / m1[row] - b / m1[col];
            pa += diff * diff;
        }
        pa * size
    };
    let mut heap = BinaryHeap::new();
    for (ind, row) in adj.iter().enumerate() {
        for &i in row.iter().filter(|&&i| i < ind) {
            heap.push(Reverse((Key(ward_dist(&m1, &m2, ind, i)), ind, i)));
        }
    }
    let mut neighbours: Vec<Vec<usize>> = adj.to_vec();
    neighbours.resize(n_nodes, Vec::new());
    let mut parents: Vec<usize> = (0..n_nodes).collect();
    let mut up = parents.clone();
    let mut used = vec![true; n_nodes];
    let mut visited = vec![false; n_nodes];
    let mut children = Vec::with_capacity(n_nodes - n);
    let mut distances = Vec::with_capacity(n_nodes - n);
    for k in n..n_nodes {
        let (inertia, i, j) = loop {
            match heap.pop() {
                Some(Reverse((Key(inertia), i, j))) if used[i] && used[j] => break (inertia, i, j),
                Some(_) => continue,
                // The completed graph is connected: every merge finds an edge.
                None => unreachable!("the connectivity graph was completed"),
            }
        };
        parents[i] = k;
        parents[j] = k;
        up[i] = k;
        up[j] = k;
        children.push([j, i]);
        distances.push((2.0 * inertia).sqrt());
        used[i] = false;
        used[j] = false;
        m1[k] = m1[i] + m1[j];
        for t in 0..d {
            m2[k * d + t] = m2[i * d + t] + m2[j * d + t];
        }
        // The clusters adjacent to i or j, each once (`_get_parents`).
        let mut coord_col = Vec::new();
        visited[k] = true;
        for v in std::mem::take(&mut neighbours[i])
            .into_iter()
            .chain(std::mem::take(&mut neighbours[j]))
        {
            let h = head(&mut up, v);
            if !visited[h] {
                visited[h] = true;
                coord_col.push(h);
            }
        }
        visited[k] = false;
        for &col in &coord_col {
            visited[col] = false;
            neighbours[col].push(k);
            heap.push(Reverse((Key(ward_dist(&m1, &m2, k, col)), k, col)));
        }
        neighbours[k] = coord_col;
    }
    StructuredTree {
        children,
        distances,
        parents,
    }
}

/// The distance between the two ends of an edge, as scikit-learn's `paired_distances`
/// (cosine: half the squared euclidean distance between the unit-normalised samples).
struct Paired<'a> {
    x: &'a Matrix,
    metric: AgglomerativeMetric,
    unit: Option<Matrix>,
}

impl<'a> Paired<'a> {
    fn new(x: &'a Matrix, metric: AgglomerativeMetric) -> Self {
        let unit = (metric == AgglomerativeMetric::Cosine).then(|| {
            let mut u = x.clone();
            for i in 0..u.rows {
                let row = u.row_mut(i);
                let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
                let norm = if norm == 0.0 { 1.0 } else { norm };
                row.iter_mut().for_each(|v| *v /= norm);
            }
            u
        });
        Paired { x, metric, unit }
    }

    fn between(&self, i: usize, j: usize) -> f64 {
        let squared = |u: &[f64], v: &[f64]| -> f64 {
            u.iter()
                .zip(v)
                .map(|(a, b)| {
                    let d = a - b;
                    d * d
                })
                .sum()
        };
        match (self.metric, &self.unit) {
            (AgglomerativeMetric::Cosine, Some(u)) => 0.5 * squared(u.row(i), u.row(j)),
            (AgglomerativeMetric::Manhattan, _) => self
                .x
                .row(i)
                .iter()
                .zip(self.x.row(j))
                .map(|(a, b)| (a - b).abs())
                .sum(),
            _ => squared(self.x.row(i), self.x.row(j)).sqrt(),
        }
    }
}

/// The weighted adjacency of `adj`: each node's neighbours, ascending, with the paired
/// distance to each.
fn weighted(x: &Matrix, adj: &[Vec<usize>], metric: AgglomerativeMetric) -> Vec<Vec<(usize, f64)>> {
    let paired = Paired::new(x, metric);
    adj.iter()
        .enumerate()
        .map(|(i, row)| row.iter().map(|&j| (j, paired.between(i, j))).collect())
        .collect()
}

/// scikit-learn's `max_merge` / `average_merge`: the union of two neighbour maps (sorted by
/// node), without the nodes `size` marks dead, a node in both taking the max or the
/// size-weighted mean of its two distances.
fn join(
    a: &[(usize, f64)],
    b: &[(usize, f64)],
    size: &[usize],
    n_a: usize,
    n_b: usize,
    linkage: Linkage,
) -> Vec<(usize, f64)> {
    let n_out = (n_a + n_b) as f64;
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut p, mut q) = (0, 0);
    while p < a.len() || q < b.len() {
        let take_a = q == b.len() || (p < a.len() && a[p].0 < b[q].0);
        let take_b = p == a.len() || (q < b.len() && b[q].0 < a[p].0);
        let (key, value) = if take_a {
            p += 1;
            a[p - 1]
        } else if take_b {
            q += 1;
            b[q - 1]
        } else {
            let (key, da, db) = (a[p].0, a[p].1, b[q].1);
            p += 1;
            q += 1;
            let value = match linkage {
                Linkage::Complete => da.max(db),
                _ => (n_a as f64 * da + n_b as f64 * db) / n_out,
            };
            (key, value)
        };
        if size[key] != 0 {
            out.push((key, value));
        }
    }
    out
}

/// scikit-learn's `linkage_tree` with a connectivity graph, for complete and average linkage.
pub(crate) fn linkage(
    x: &Matrix,
    adj: &[Vec<usize>],
    metric: AgglomerativeMetric,
    linkage: Linkage,
    n_clusters: Option<usize>,
) -> StructuredTree {
    let n = x.rows;
    let n_nodes = node_count(n, n_clusters);
    let mut maps = weighted(x, adj, metric);
    maps.resize(n_nodes, Vec::new());
    let mut heap = BinaryHeap::new();
    for (ind, row) in maps.iter().enumerate().take(n) {
        for &(r, d) in row.iter().filter(|e| e.0 < ind) {
            heap.push(Reverse((Key(d), ind, r)));
        }
    }
    let mut parents: Vec<usize> = (0..n_nodes).collect();
    // The size of each live cluster, 0 once merged (scikit-learn's `used_node`).
    let mut size = vec![1usize; n_nodes];
    let mut children = Vec::with_capacity(n_nodes - n);
    let mut distances = Vec::with_capacity(n_nodes - n);
    for k in n..n_nodes {
        let (weight, i, j) = loop {
            match heap.pop() {
                Some(Reverse((Key(w), a, b))) if size[a] != 0 && size[b] != 0 => break (w, a, b),
                Some(_) => continue,
                None => unreachable!("the connectivity graph was completed"),
            }
        };
        distances.push(weight);
        parents[i] = k;
        parents[j] = k;
        children.push([j, i]);
        let (n_i, n_j) = (size[i], size[j]);
        size[k] = n_i + n_j;
        size[i] = 0;
        size[j] = 0;
        let (a, b) = (std::mem::take(&mut maps[i]), std::mem::take(&mut maps[j]));
        let coord_col = join(&a, &b, &size, n_i, n_j, linkage);
        for &(col, d) in &coord_col {
            // k exceeds every node present, so the map stays sorted.
            maps[col].push((k, d));
            heap.push(Reverse((Key(d), k, col)));
        }
        maps[k] = coord_col;
    }
    StructuredTree {
        children,
        distances,
        parents,
    }
}

/// scikit-learn's `_single_linkage_tree`: scipy's `minimum_spanning_tree` of the weighted
/// graph (Kruskal over the stored entries in a stable order of weight, each edge kept as the
/// entry met first, row before column), its edges in row-major order sorted stably by weight,
/// then labelled as a spanning tree. The tree is always whole; the parents stop at
/// `n_clusters`.
pub(crate) fn single(
    x: &Matrix,
    adj: &[Vec<usize>],
    metric: AgglomerativeMetric,
    n_clusters: Option<usize>,
) -> StructuredTree {
    let n = x.rows;
    let maps = weighted(x, adj, metric);
    // The stored entries in CSR order, zero weights standing in as machine epsilon.
    let entries: Vec<(usize, usize, f64)> = maps
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter()
                .map(move |&(j, d)| (i, j, if d == 0.0 { f64::EPSILON } else { d }))
        })
        .collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| entries[a].2.total_cmp(&entries[b].2));
    let mut up: Vec<usize> = (0..n).collect();
    let mut kept = vec![false; entries.len()];
    let mut n_kept = 0;
    for &e in &order {
        if n_kept + 1 >= n {
            break;
        }
        let (a, b, _) = entries[e];
        let (ra, rb) = (head(&mut up, a), head(&mut up, b));
        if ra != rb {
            up[rb] = ra;
            kept[e] = true;
            n_kept += 1;
        }
    }
    let mst: Vec<(usize, usize, f64)> = entries
        .iter()
        .zip(&kept)
        .filter(|(_, &k)| k)
        .map(|(&(a, b, d), _)| (a, b, if d == f64::EPSILON { 0.0 } else { d }))
        .collect();
    let tree = sklearn_single_tree(&mst, n);
    let n_nodes = node_count(n, n_clusters);
    let mut parents: Vec<usize> = (0..n_nodes).collect();
    for (i, c) in tree.children.iter().enumerate() {
        let node = n + i;
        if node >= n_nodes {
            break;
        }
        for &child in c {
            if child < n_nodes {
                parents[child] = node;
            }
        }
    }
    StructuredTree {
        children: tree.children,
        distances: tree.distances,
        parents,
    }
}

/// The tree of `x` with the connectivity graph `adj` (completed), for any linkage.
pub(crate) fn build(
    x: &Matrix,
    adj: &[Vec<usize>],
    metric: AgglomerativeMetric,
    link: Linkage,
    n_clusters: Option<usize>,
) -> StructuredTree {
    match link {
        Linkage::Ward => ward(x, adj, n_clusters),
        Linkage::Single => single(x, adj, metric, n_clusters),
        other => linkage(x, adj, metric, other, n_clusters),
    }
}

/// scikit-learn's labels of a partial tree: the root above each sample (`hc_get_heads`),
/// numbered in increasing order of the roots.
pub(crate) fn labels_from_parents(parents: &[usize], n: usize) -> Vec<i64> {
    let mut up = parents.to_vec();
    let heads: Vec<usize> = (0..n).map(|v| head(&mut up, v)).collect();
    let mut distinct = heads.clone();
    distinct.sort_unstable();
    distinct.dedup();
    heads
        .iter()
        .map(|h| distinct.binary_search(h).unwrap_or(0) as i64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_numbered_by_their_first_sample() {
        let adj = vec![vec![3], vec![2], vec![1], vec![0], vec![]];
        assert_eq!(components(&adj), (3, vec![0, 1, 1, 0, 2]));
    }

    #[test]
    fn join_takes_the_max_or_the_weighted_mean_of_shared_nodes() {
        let a = [(0, 1.0), (2, 4.0), (5, 2.0)];
        let b = [(2, 1.0), (3, 7.0), (5, 6.0)];
        let mut size = vec![1; 6];
        size[3] = 0;
        assert_eq!(
            join(&a, &b, &size, 1, 3, Linkage::Complete),
            vec![(0, 1.0), (2, 4.0), (5, 6.0)]
        );
        assert_eq!(
            join(&a, &b, &size, 1, 3, Linkage::Average),
            vec![(0, 1.0), (2, 1.75), (5, 5.0)]
        );
    }

    #[test]
    fn partial_labels_number_the_roots_in_order() {
        // 4 samples, merges 4 = (0, 2), stopped at 3 clusters: roots 1, 3, 4.
        let parents = vec![4, 1, 4, 3, 4];
        assert_eq!(labels_from_parents(&parents, 4), vec![2, 0, 2, 1]);
    }
}
