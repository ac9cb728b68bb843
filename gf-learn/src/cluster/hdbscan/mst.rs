//! The mutual-reachability minimum spanning tree of scikit-learn's `mst_from_data_matrix`
//! (Prim's algorithm on the data) and its single-linkage merge list (`make_single_linkage`).

use crate::validation::Matrix;

/// One merge of the single-linkage tree: the two merged nodes (samples `< n`, merges
/// `n + i`), the distance and the size of the union.
#[derive(Clone, Copy, Debug)]
pub(super) struct Merge {
    pub(super) left: usize,
    pub(super) right: usize,
    pub(super) value: f64,
    pub(super) size: usize,
}

fn euclidean(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// The `n - 1` edges `(source, target, mutual reachability)` in the order Prim's algorithm
/// from sample 0 adds them, with scikit-learn's tie-breaking: the first sample in index order
/// among the closest, and a sample's recorded source kept unless strictly improved.
pub(super) fn prim_mst(x: &Matrix, core: &[f64], alpha: f64) -> Vec<(usize, usize, f64)> {
    let n = x.rows;
    let mut in_tree = vec![false; n];
    let mut min_reach = vec![f64::INFINITY; n];
    let mut sources = vec![1usize; n];
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    let mut current = 0;
    for _ in 1..n {
        in_tree[current] = true;
        let current_core = core[current];
        let mut new_reach = f64::MAX;
        let mut source = 0;
        let mut new_node = 0;
        let row = x.row(current);
        for j in 0..n {
            if in_tree[j] {
                continue;
            }
            let next_min = min_reach[j];
            let next_source = sources[j];
            let pair = euclidean(row, x.row(j)) / alpha;
            let mutual = current_core.max(core[j]).max(pair);
            if mutual < next_min {
                min_reach[j] = mutual;
                sources[j] = current;
                if mutual < new_reach {
                    new_reach = mutual;
                    source = current;
                    new_node = j;
                }
            } else if next_min < new_reach {
                new_reach = next_min;
                source = next_source;
                new_node = j;
            }
        }
        edges.push((source, new_node, new_reach));
        current = new_node;
    }
    edges
}

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

/// The single-linkage merges of the MST edges sorted by distance (stably).
pub(super) fn single_linkage(mut edges: Vec<(usize, usize, f64)>) -> Vec<Merge> {
    edges.sort_by(|a, b| a.2.total_cmp(&b.2));
    let n = edges.len() + 1;
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    let mut size = vec![1usize; 2 * n - 1];
    let mut merges = Vec::with_capacity(n - 1);
    for (i, &(a, b, value)) in edges.iter().enumerate() {
        let left = find(&mut parent, a);
        let right = find(&mut parent, b);
        let merged = n + i;
        size[merged] = size[left] + size[right];
        parent[left] = merged;
        parent[right] = merged;
        merges.push(Merge {
            left,
            right,
            value,
            size: size[merged],
        });
    }
    merges
}
