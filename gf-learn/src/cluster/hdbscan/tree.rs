//! scikit-learn's `_tree.pyx` for HDBSCAN: the condensed tree, the stability of its clusters,
//! the excess-of-mass or leaf selection, and the labels and membership probabilities.

use std::collections::BTreeMap;

use super::mst::Merge;

/// A row of the condensed tree: a child (sample `< n` or cluster `>= n`) leaving `parent` at
/// `lambda = 1 / distance` with `size` samples.
#[derive(Clone, Copy, Debug)]
pub(super) struct Condensed {
    pub(super) parent: usize,
    pub(super) child: usize,
    pub(super) lambda: f64,
    pub(super) size: usize,
}

/// The nodes under `root` (itself included) of the single-linkage tree, breadth first.
fn bfs_hierarchy(merges: &[Merge], root: usize) -> Vec<usize> {
    let n = merges.len() + 1;
    let mut result = Vec::new();
    let mut queue = vec![root];
    while !queue.is_empty() {
        result.extend_from_slice(&queue);
        queue = queue
            .iter()
            .filter(|&&x| x >= n)
            .flat_map(|&x| [merges[x - n].left, merges[x - n].right])
            .collect();
    }
    result
}

/// scikit-learn's `_condense_tree`: a split counts when both sides hold at least
/// `min_cluster_size` samples; otherwise the smaller side's samples fall out of the cluster.
pub(super) fn condense_tree(merges: &[Merge], min_cluster_size: usize) -> Vec<Condensed> {
    let n = merges.len() + 1;
    let root = 2 * merges.len();
    let mut next_label = n + 1;
    let node_list = bfs_hierarchy(merges, root);
    let mut relabel = vec![0usize; root + 1];
    relabel[root] = n;
    let mut ignore = vec![false; node_list.len()];
    let mut result = Vec::new();
    let count = |node: usize| if node >= n { merges[node - n].size } else { 1 };
    for &node in &node_list {
        if ignore[node] || node < n {
            continue;
        }
        let m = merges[node - n];
        let lambda = if m.value > 0.0 {
            1.0 / m.value
        } else {
            f64::INFINITY
        };
        let (left_count, right_count) = (count(m.left), count(m.right));
        let parent = relabel[node];
        let fall_out = |side: usize, ignore: &mut Vec<bool>, result: &mut Vec<Condensed>| {
            for sub in bfs_hierarchy(merges, side) {
                if sub < n {
                    result.push(Condensed {
                        parent,
                        child: sub,
                        lambda,
                        size: 1,
                    });
                }
                ignore[sub] = true;
            }
        };
        if left_count >= min_cluster_size && right_count >= min_cluster_size {
            for (side, c) in [(m.left, left_count), (m.right, right_count)] {
                relabel[side] = next_label;
                next_label += 1;
                result.push(Condensed {
                    parent,
                    child: relabel[side],
                    lambda,
                    size: c,
                });
            }
        } else if left_count < min_cluster_size && right_count < min_cluster_size {
            fall_out(m.left, &mut ignore, &mut result);
            fall_out(m.right, &mut ignore, &mut result);
        } else if left_count < min_cluster_size {
            relabel[m.right] = parent;
            fall_out(m.left, &mut ignore, &mut result);
        } else {
            relabel[m.left] = parent;
            fall_out(m.right, &mut ignore, &mut result);
        }
    }
    result
}

/// The stability of each cluster: `sum((lambda - birth) * size)` over its rows.
fn stability(tree: &[Condensed]) -> BTreeMap<usize, f64> {
    let smallest = tree.iter().map(|r| r.parent).min().unwrap_or(0);
    let largest_parent = tree.iter().map(|r| r.parent).max().unwrap_or(0);
    let largest_child = tree
        .iter()
        .map(|r| r.child)
        .max()
        .unwrap_or(0)
        .max(smallest);
    let mut births = vec![f64::NAN; largest_child + 1];
    for r in tree {
        births[r.child] = r.lambda;
    }
    births[smallest] = 0.0;
    let mut result = vec![0.0; largest_parent + 1 - smallest];
    for r in tree {
        result[r.parent - smallest] += (r.lambda - births[r.parent]) * r.size as f64;
    }
    result
        .into_iter()
        .enumerate()
        .map(|(i, s)| (i + smallest, s))
        .collect()
}

/// The clusters under `root` (itself included) of the cluster tree, breadth first.
fn bfs_clusters(cluster_tree: &[Condensed], root: usize) -> Vec<usize> {
    let mut result = Vec::new();
    let mut queue = vec![root];
    while !queue.is_empty() {
        result.extend_from_slice(&queue);
        queue = cluster_tree
            .iter()
            .filter(|r| queue.contains(&r.parent))
            .map(|r| r.child)
            .collect();
    }
    result
}

/// The leaves of the cluster tree under `node`, depth first.
fn leaves(cluster_tree: &[Condensed], node: usize, out: &mut Vec<usize>) {
    let children: Vec<usize> = cluster_tree
        .iter()
        .filter(|r| r.parent == node)
        .map(|r| r.child)
        .collect();
    if children.is_empty() {
        out.push(node);
    }
    for c in children {
        leaves(cluster_tree, c, out);
    }
}

/// The largest lambda of each parent's last run of consecutive rows (scikit-learn's
/// `max_lambdas`).
fn max_lambdas(tree: &[Condensed]) -> Vec<f64> {
    let largest_parent = tree.iter().map(|r| r.parent).max().unwrap_or(0);
    let mut deaths = vec![0.0; largest_parent + 1];
    let Some(first) = tree.first() else {
        return deaths;
    };
    let mut current = first.parent;
    let mut max_lambda = first.lambda;
    for r in &tree[1..] {
        if r.parent == current {
            max_lambda = max_lambda.max(r.lambda);
        } else {
            deaths[current] = max_lambda;
            current = r.parent;
            max_lambda = r.lambda;
        }
    }
    deaths[current] = max_lambda;
    deaths
}

/// How clusters are chosen from the condensed tree.
#[derive(Clone, Copy, Debug)]
pub(super) struct Selection {
    pub(super) leaf: bool,
    pub(super) allow_single_cluster: bool,
    pub(super) max_cluster_size: Option<usize>,
    /// scikit-learn's `cluster_selection_epsilon`: clusters born below this distance merge
    /// into the ancestor that exists at it (0 is off).
    pub(super) epsilon: f64,
}

/// scikit-learn's `_get_clusters`: the labels and probabilities of the `n` samples.
pub(super) fn get_clusters(tree: &[Condensed], n: usize, sel: Selection) -> (Vec<i64>, Vec<f64>) {
    let mut stab = stability(tree);
    let root = tree.iter().map(|r| r.parent).min().unwrap_or(n);
    let mut node_list: Vec<usize> = stab.keys().rev().copied().collect();
    if !sel.allow_single_cluster {
        node_list.pop();
    }
    let cluster_tree: Vec<Condensed> = tree.iter().copied().filter(|r| r.size > 1).collect();
    let mut is_cluster: BTreeMap<usize, bool> = node_list.iter().map(|&c| (c, true)).collect();
    let max_size = sel.max_cluster_size.unwrap_or(n + 1);
    let mut sizes: BTreeMap<usize, usize> =
        cluster_tree.iter().map(|r| (r.child, r.size)).collect();
    if sel.allow_single_cluster {
        let total = cluster_tree
            .iter()
            .filter(|r| r.parent == root)
            .map(|r| r.size)
            .sum();
        sizes.insert(root, total);
    }
    if !sel.leaf {
        for &node in &node_list {
            let subtree: f64 = cluster_tree
                .iter()
                .filter(|r| r.parent == node)
                .map(|r| stab[&r.child])
                .sum();
            if subtree > stab[&node] || sizes.get(&node).copied().unwrap_or(0) > max_size {
                is_cluster.insert(node, false);
                stab.insert(node, subtree);
            } else {
                for sub in bfs_clusters(&cluster_tree, node) {
                    if sub != node {
                        is_cluster.insert(sub, false);
                    }
                }
            }
        }
        if sel.epsilon != 0.0 && !cluster_tree.is_empty() {
            let eom: Vec<usize> = is_cluster
                .iter()
                .filter(|(_, &v)| v)
                .map(|(&c, _)| c)
                .collect();
            // A lone root skips the search (kept only with allow_single_cluster).
            let selected = if eom == [root] {
                if sel.allow_single_cluster {
                    eom
                } else {
                    Vec::new()
                }
            } else {
                epsilon_search(&eom, &cluster_tree, sel.epsilon, sel.allow_single_cluster)
            };
            for (c, flag) in is_cluster.iter_mut() {
                *flag = selected.contains(c);
            }
        }
    } else {
        let mut found = Vec::new();
        if !cluster_tree.is_empty() {
            leaves(&cluster_tree, root, &mut found);
        }
        if sel.epsilon != 0.0 {
            found = epsilon_search(&found, &cluster_tree, sel.epsilon, sel.allow_single_cluster);
        }
        for (c, flag) in is_cluster.iter_mut() {
            *flag = found.contains(c);
        }
    }
    let clusters: Vec<usize> = is_cluster
        .iter()
        .filter(|(_, &v)| v)
        .map(|(&c, _)| c)
        .collect();
    let labels = labelling(tree, n, root, &clusters, sel);
    let probabilities = probabilities(tree, root, &clusters, &labels);
    (labels, probabilities)
}

/// The distance at which `node` split from its parent in the cluster tree.
fn birth_epsilon(cluster_tree: &[Condensed], node: usize) -> f64 {
    cluster_tree
        .iter()
        .find(|r| r.child == node)
        .map_or(f64::INFINITY, |r| 1.0 / r.lambda)
}

/// scikit-learn's `traverse_upwards`: the nearest ancestor of `leaf` born above `epsilon`
/// (the cluster that exists at that distance); below the root's children it stops at the
/// root with `allow_single_cluster`, else at the child.
fn traverse_upwards(
    cluster_tree: &[Condensed],
    root: usize,
    epsilon: f64,
    leaf: usize,
    allow_single_cluster: bool,
) -> usize {
    let mut node = leaf;
    loop {
        let Some(parent) = cluster_tree
            .iter()
            .find(|r| r.child == node)
            .map(|r| r.parent)
        else {
            return node;
        };
        if parent == root {
            return if allow_single_cluster { parent } else { node };
        }
        if birth_epsilon(cluster_tree, parent) > epsilon {
            return parent;
        }
        node = parent;
    }
}

/// scikit-learn's `epsilon_search`: each selected cluster born closer than `epsilon` is
/// replaced by its ancestor existing at `epsilon`; the others stay. scikit-learn walks a
/// Python set; the result does not depend on the order (the replacements form a cut of the
/// tree), so the walk here is in increasing id.
fn epsilon_search(
    leaves: &[usize],
    cluster_tree: &[Condensed],
    epsilon: f64,
    allow_single_cluster: bool,
) -> Vec<usize> {
    let root = cluster_tree.iter().map(|r| r.parent).min().unwrap_or(0);
    let mut sorted = leaves.to_vec();
    sorted.sort_unstable();
    let mut selected = Vec::new();
    let mut processed = Vec::new();
    for leaf in sorted {
        if birth_epsilon(cluster_tree, leaf) < epsilon {
            if !processed.contains(&leaf) {
                let child =
                    traverse_upwards(cluster_tree, root, epsilon, leaf, allow_single_cluster);
                selected.push(child);
                processed.extend(
                    bfs_clusters(cluster_tree, child)
                        .into_iter()
                        .filter(|&s| s != child),
                );
            }
        } else {
            selected.push(leaf);
        }
    }
    selected.sort_unstable();
    selected.dedup();
    selected
}

/// scikit-learn's `_do_labelling`: a sample takes the label of its nearest selected
/// ancestor (clusters numbered in increasing id); without one it is noise, unless the root
/// is the single selected cluster and the sample leaves it at its largest lambda or later.
fn labelling(
    tree: &[Condensed],
    n: usize,
    root: usize,
    clusters: &[usize],
    sel: Selection,
) -> Vec<i64> {
    let largest = tree
        .iter()
        .map(|r| r.parent.max(r.child))
        .max()
        .unwrap_or(0);
    let mut parent_of = vec![usize::MAX; largest + 1];
    let mut lambda_of = vec![f64::NAN; largest + 1];
    for r in tree {
        parent_of[r.child] = r.parent;
        lambda_of[r.child] = r.lambda;
    }
    // With an epsilon the lone root keeps the samples that leave it at distance epsilon
    // or closer; without, those leaving at its largest lambda.
    let root_threshold = if sel.epsilon != 0.0 {
        1.0 / sel.epsilon
    } else {
        tree.iter()
            .filter(|r| r.parent == root)
            .map(|r| r.lambda)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    (0..n)
        .map(|point| {
            let mut node = parent_of[point];
            while node != root && !clusters.contains(&node) {
                node = parent_of[node];
            }
            if node != root {
                clusters.iter().position(|&c| c == node).unwrap_or(0) as i64
            } else if sel.allow_single_cluster
                && clusters == [root]
                && lambda_of[point] >= root_threshold
            {
                0
            } else {
                -1
            }
        })
        .collect()
}

/// scikit-learn's `get_probabilities`: a clustered sample's lambda over its cluster's
/// largest lambda, capped at 1.
fn probabilities(tree: &[Condensed], root: usize, clusters: &[usize], labels: &[i64]) -> Vec<f64> {
    let deaths = max_lambdas(tree);
    let mut result = vec![0.0; labels.len()];
    for r in tree {
        let point = r.child;
        if point >= root || labels[point] == -1 {
            continue;
        }
        let max_lambda = deaths[clusters[labels[point] as usize]];
        result[point] = if max_lambda == 0.0 || r.lambda.is_infinite() {
            1.0
        } else {
            r.lambda.min(max_lambda) / max_lambda
        };
    }
    result
}
