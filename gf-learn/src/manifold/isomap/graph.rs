//! The geodesic distances of Isomap: scikit-learn's neighbours graph (`kneighbors_graph` or
//! `radius_neighbors_graph`, mode "distance", each sample's neighbours but itself), joined
//! into one component as scikit-learn's `_fix_connected_components` does, then scipy's
//! `shortest_path(directed=False)` by Dijkstra or Floyd-Warshall.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::kdtree::KdTree;
use crate::neighbors::brute::euclidean_kneighbors;
use crate::validation::Matrix;

/// The directed neighbours graph: `edges[i]` holds `(j, distance)` for each neighbour `j` of
/// sample `i`, as the rows of scikit-learn's sparse graph.
pub(super) type Graph = Vec<Vec<(usize, f64)>>;

/// The euclidean distance between two rows.
pub(super) fn euclidean(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// The `k` nearest neighbours of each training sample but itself.
pub(super) fn knn_graph(x: &Matrix, k: usize) -> Graph {
    euclidean_kneighbors(x, x, k + 1)
        .into_iter()
        .enumerate()
        .map(|(i, mut row)| {
            // scikit-learn drops the sample itself, or the farthest when duplicates hide it.
            match row.iter().position(|&(_, j)| j == i) {
                Some(at) => {
                    row.remove(at);
                }
                None => {
                    row.pop();
                }
            }
            row.into_iter().map(|(d, j)| (j, d)).collect()
        })
        .collect()
}

/// The training samples within `radius` (inclusive) of each training sample but itself.
pub(super) fn radius_graph(x: &Matrix, radius: f64) -> Graph {
    let tree = KdTree::new(x);
    (0..x.rows)
        .map(|i| radius_row(&tree, x, x.row(i), radius, Some(i)))
        .collect()
}

/// The training samples within `radius` of `query`, with their distances, `skip` left out.
pub(super) fn radius_row(
    tree: &KdTree<'_>,
    x: &Matrix,
    query: &[f64],
    radius: f64,
    skip: Option<usize>,
) -> Vec<(usize, f64)> {
    tree.within(query, radius)
        .into_iter()
        .filter(|&j| Some(j) != skip)
        .map(|j| (j, euclidean(query, x.row(j))))
        // The tree tests squared distances; keep the rows whose distance passes too.
        .filter(|&(_, d)| d <= radius)
        .collect()
}

/// The connected components of the undirected graph, labelled in the order of their lowest
/// sample (as scipy's `connected_components` with `connection="weak"`).
pub(super) fn components(graph: &Graph) -> (usize, Vec<usize>) {
    let n = graph.len();
    let undirected = undirected(graph);
    let mut labels = vec![usize::MAX; n];
    let mut count = 0;
    for start in 0..n {
        if labels[start] != usize::MAX {
            continue;
        }
        labels[start] = count;
        let mut stack = vec![start];
        while let Some(u) = stack.pop() {
            for &(v, _) in &undirected[u] {
                if labels[v] == usize::MAX {
                    labels[v] = count;
                    stack.push(v);
                }
            }
        }
        count += 1;
    }
    (count, labels)
}

/// scikit-learn's `_fix_connected_components`: for each pair of components, an edge (both
/// ways) between their closest pair of samples, the first of ties in row-major order.
pub(super) fn connect_components(x: &Matrix, graph: &mut Graph, count: usize, labels: &[usize]) {
    let members: Vec<Vec<usize>> = (0..count)
        .map(|c| (0..labels.len()).filter(|&i| labels[i] == c).collect())
        .collect();
    for i in 0..count {
        for j in 0..i {
            let mut best = (f64::INFINITY, 0, 0);
            for &a in &members[i] {
                for &b in &members[j] {
                    let d = euclidean(x.row(a), x.row(b));
                    if d < best.0 {
                        best = (d, a, b);
                    }
                }
            }
            let (d, a, b) = best;
            set_edge(graph, a, b, d);
            set_edge(graph, b, a, d);
        }
    }
}

/// Sets the weight of the edge `a -> b`, adding it if absent (a sparse matrix assignment).
fn set_edge(graph: &mut Graph, a: usize, b: usize, d: f64) {
    match graph[a].iter_mut().find(|(j, _)| *j == b) {
        Some(edge) => edge.1 = d,
        None => graph[a].push((b, d)),
    }
}

/// Each edge of `graph` in both directions.
fn undirected(graph: &Graph) -> Graph {
    let mut out: Graph = graph.clone();
    for (i, row) in graph.iter().enumerate() {
        for &(j, d) in row {
            out[j].push((i, d));
        }
    }
    out
}

/// How the shortest paths are found (scipy's `shortest_path` `method`, scikit-learn's
/// `path_method`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PathMethod {
    /// Dijkstra when the graph has fewer than `n² / 4` edges, else Floyd-Warshall (scipy's
    /// rule; the neighbours graph has no negative edges, so never Johnson).
    #[default]
    Auto,
    /// Floyd-Warshall on the dense matrix, `O(n³)`.
    FloydWarshall,
    /// Dijkstra from every sample on the sparse graph, one source per thread.
    Dijkstra,
}

/// The matrix of shortest-path lengths of the undirected graph (`inf` between components).
pub(super) fn shortest_paths(
    op: &'static str,
    graph: &Graph,
    method: PathMethod,
) -> Result<Matrix> {
    let n = graph.len();
    let edges: usize = graph.iter().map(Vec::len).sum();
    let method = match method {
        PathMethod::Auto if (edges as f64) < (n * n) as f64 / 4.0 => PathMethod::Dijkstra,
        PathMethod::Auto => PathMethod::FloydWarshall,
        m => m,
    };
    if graph.iter().flatten().any(|&(_, d)| d.is_nan() || d < 0.0) {
        return Err(Error::input(
            op,
            "the neighbours graph has a negative or NaN edge",
        ));
    }
    Ok(match method {
        PathMethod::FloydWarshall => floyd_warshall(graph),
        _ => dijkstra_all(graph),
    })
}

/// scipy's `floyd_warshall(directed=False)`: the dense matrix of the edges (the smaller of
/// the two directions), then relaxation through each intermediate sample in turn.
fn floyd_warshall(graph: &Graph) -> Matrix {
    let n = graph.len();
    let mut d = Matrix::zeros(n, n);
    d.data.iter_mut().for_each(|v| *v = f64::INFINITY);
    for (i, row) in graph.iter().enumerate() {
        for &(j, w) in row {
            // A sparse matrix's entry: a repeated edge keeps its last weight.
            d.data[i * n + j] = w;
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = d.data[i * n + j].min(d.data[j * n + i]);
            d.data[i * n + j] = m;
            d.data[j * n + i] = m;
        }
        d.data[i * n + i] = 0.0;
    }
    for k in 0..n {
        let row_k = d.row(k).to_vec();
        // Each row relaxes through k independently of the others.
        d.data.par_chunks_mut(n).for_each(|row_i| {
            let dik = row_i[k];
            if dik == f64::INFINITY {
                return;
            }
            for (dij, &dkj) in row_i.iter_mut().zip(&row_k) {
                let through = dik + dkj;
                if through < *dij {
                    *dij = through;
                }
            }
        });
    }
    d
}

/// A heap entry: the tentative distance of a sample, smallest first.
#[derive(PartialEq)]
struct Entry(f64, usize);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// Dijkstra from every sample on the undirected graph, the sources in parallel.
fn dijkstra_all(graph: &Graph) -> Matrix {
    let n = graph.len();
    let adjacency = undirected(graph);
    let rows: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|s| dijkstra(&adjacency, s))
        .collect();
    Matrix {
        rows: n,
        cols: n,
        data: rows.concat(),
    }
}

/// The shortest-path lengths from `source`.
fn dijkstra(adjacency: &Graph, source: usize) -> Vec<f64> {
    let mut dist = vec![f64::INFINITY; adjacency.len()];
    let mut done = vec![false; adjacency.len()];
    let mut heap = BinaryHeap::new();
    dist[source] = 0.0;
    heap.push(Entry(0.0, source));
    while let Some(Entry(d, u)) = heap.pop() {
        if done[u] {
            continue;
        }
        done[u] = true;
        for &(v, w) in &adjacency[u] {
            let through = d + w;
            if through < dist[v] {
                dist[v] = through;
                heap.push(Entry(through, v));
            }
        }
    }
    dist
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path 0 - 1 - 2 and a lone sample 3.
    fn path() -> Graph {
        vec![vec![(1, 1.0)], vec![(2, 2.0)], vec![], vec![]]
    }

    #[test]
    fn dijkstra_and_floyd_warshall_agree() {
        let g = path();
        let a = shortest_paths("t", &g, PathMethod::Dijkstra).unwrap();
        let b = shortest_paths("t", &g, PathMethod::FloydWarshall).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.at(0, 2), 3.0);
        assert_eq!(a.at(2, 0), 3.0);
        assert_eq!(a.at(0, 3), f64::INFINITY);
    }

    #[test]
    fn components_are_labelled_by_lowest_sample() {
        let (count, labels) = components(&path());
        assert_eq!(count, 2);
        assert_eq!(labels, vec![0, 0, 0, 1]);
    }
}
