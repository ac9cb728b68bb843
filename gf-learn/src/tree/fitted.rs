//! A fitted decision tree: nodes in an array (node 0 the root), each with the statistics
//! scikit-learn keeps in `tree_` (impurity, sample counts, value), and what is computed from
//! them: predictions, depth, leaf count, feature importances and cost-complexity pruning.

/// One node of a fitted tree.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// The split feature and threshold (`x[feature] <= threshold` goes left), and the
    /// children; `None` for a leaf.
    pub(crate) split: Option<(usize, f64, usize, usize)>,
    /// The impurity of the node's training samples under the criterion.
    pub(crate) impurity: f64,
    /// The number of training samples that reach the node.
    pub(crate) n_samples: usize,
    /// Their total weight (class weights; 1 per sample without).
    pub(crate) weight: f64,
    /// The prediction: class probabilities for a classifier, the mean or median for a
    /// regressor.
    pub(crate) value: Vec<f64>,
}

/// A fitted tree.
#[derive(Clone, Debug)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) n_features: usize,
}

/// The per-tree importances `per_tree` averaged over the `trees` that split and normalised to
/// sum to 1 (all zeros if none split), as scikit-learn's ensembles report
/// `feature_importances_`.
pub(crate) fn mean_importances<'a>(
    trees: impl IntoIterator<Item = &'a Tree>,
    n_features: usize,
    per_tree: fn(&Tree) -> Vec<f64>,
) -> Vec<f64> {
    let mut mean = vec![0.0; n_features];
    let mut n_split = 0;
    for tree in trees.into_iter().filter(|t| t.nodes.len() > 1) {
        mean.iter_mut()
            .zip(per_tree(tree))
            .for_each(|(m, v)| *m += v);
        n_split += 1;
    }
    if n_split == 0 {
        return mean;
    }
    mean.iter_mut().for_each(|m| *m /= n_split as f64);
    let total: f64 = mean.iter().sum();
    mean.iter_mut().for_each(|m| *m /= total);
    mean
}

/// The nodes of a fitted tree as scikit-learn's `tree_` arrays: one entry per node, node 0
/// the root; a leaf has `-1` children and feature, and threshold `-2`.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeArrays {
    /// The left child of each node (`x[feature] <= threshold`), `-1` for a leaf.
    pub children_left: Vec<i64>,
    /// The right child of each node, `-1` for a leaf.
    pub children_right: Vec<i64>,
    /// The split feature of each node, `-2` for a leaf.
    pub feature: Vec<i64>,
    /// The split threshold of each node, `-2` for a leaf.
    pub threshold: Vec<f64>,
    /// The impurity of each node's training samples.
    pub impurity: Vec<f64>,
    /// The number of training samples reaching each node.
    pub n_node_samples: Vec<usize>,
    /// Their total weight.
    pub weighted_n_node_samples: Vec<f64>,
    /// Each node's prediction: class fractions (classifier) or the mean / median (regressor).
    pub value: Vec<Vec<f64>>,
}

impl Tree {
    /// The nodes as scikit-learn's arrays.
    pub(crate) fn arrays(&self) -> TreeArrays {
        let split = |f: fn(&(usize, f64, usize, usize)) -> i64, leaf: i64| {
            self.nodes
                .iter()
                .map(|n| n.split.as_ref().map_or(leaf, f))
                .collect()
        };
        TreeArrays {
            children_left: split(|s| s.2 as i64, -1),
            children_right: split(|s| s.3 as i64, -1),
            feature: split(|s| s.0 as i64, -2),
            threshold: self
                .nodes
                .iter()
                .map(|n| n.split.map_or(-2.0, |s| s.1))
                .collect(),
            impurity: self.nodes.iter().map(|n| n.impurity).collect(),
            n_node_samples: self.nodes.iter().map(|n| n.n_samples).collect(),
            weighted_n_node_samples: self.nodes.iter().map(|n| n.weight).collect(),
            value: self.nodes.iter().map(|n| n.value.clone()).collect(),
        }
    }

    /// The index of the leaf that the row `x` reaches. Values are compared in `f32`, as
    /// scikit-learn's trees store X.
    pub(crate) fn leaf_of(&self, x: &[f64]) -> usize {
        let mut i = 0;
        while let Some((feature, threshold, left, right)) = self.nodes[i].split {
            i = if f64::from(x[feature] as f32) <= threshold {
                left
            } else {
                right
            };
        }
        i
    }

    /// The value of the leaf that `x` reaches.
    pub(crate) fn predict_row(&self, x: &[f64]) -> &[f64] {
        &self.nodes[self.leaf_of(x)].value
    }

    /// The length of the longest root-to-leaf path (scikit-learn's `get_depth`).
    pub(crate) fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(0, 0)];
        while let Some((i, d)) = stack.pop() {
            deepest = deepest.max(d);
            if let Some((_, _, l, r)) = self.nodes[i].split {
                stack.push((l, d + 1));
                stack.push((r, d + 1));
            }
        }
        deepest
    }

    /// The number of leaves (scikit-learn's `get_n_leaves`).
    pub(crate) fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.split.is_none()).count()
    }

    /// The weighted impurity decrease of every split summed per feature, over the root's
    /// weight (scikit-learn's `compute_feature_importances(normalize=False)`).
    pub(crate) fn impurity_decreases(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        for node in &self.nodes {
            if let Some((feature, _, l, r)) = node.split {
                let (l, r) = (&self.nodes[l], &self.nodes[r]);
                imp[feature] +=
                    node.weight * node.impurity - l.weight * l.impurity - r.weight * r.impurity;
            }
        }
        let root = self.nodes[0].weight;
        imp.iter_mut().for_each(|v| *v /= root);
        imp
    }

    /// [`Tree::impurity_decreases`] normalised to sum to 1 (all zeros for a single leaf), as
    /// scikit-learn's `feature_importances_`.
    pub(crate) fn feature_importances(&self) -> Vec<f64> {
        let mut imp = self.impurity_decreases();
        let total: f64 = imp.iter().sum();
        if total > 0.0 {
            imp.iter_mut().for_each(|v| *v /= total);
        }
        imp
    }

    /// Minimal cost-complexity pruning, as scikit-learn's `_cost_complexity_prune`: while the
    /// weakest link (the internal node whose subtree buys the least impurity per extra leaf)
    /// has an effective alpha of at most `ccp_alpha`, it becomes a leaf. The pruned nodes are
    /// dropped and the rest renumbered in their original order.
    pub(crate) fn prune(&mut self, ccp_alpha: f64) {
        if ccp_alpha <= 0.0 {
            return;
        }
        let total = self.nodes[0].weight;
        let r_node: Vec<f64> = self
            .nodes
            .iter()
            .map(|n| n.weight * n.impurity / total)
            .collect();
        let mut parent = vec![usize::MAX; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some((_, _, l, r)) = n.split {
                parent[l] = i;
                parent[r] = i;
            }
        }
        // Per node: its subtree's leaf count and leaf risk. Children have larger indices than
        // their parent, so one backward pass fills them.
        let mut n_leaves = vec![0usize; self.nodes.len()];
        let mut r_branch = vec![0.0; self.nodes.len()];
        for i in (0..self.nodes.len()).rev() {
            match self.nodes[i].split {
                None => {
                    n_leaves[i] = 1;
                    r_branch[i] = r_node[i];
                }
                Some((_, _, l, r)) => {
                    n_leaves[i] = n_leaves[l] + n_leaves[r];
                    r_branch[i] = r_branch[l] + r_branch[r];
                }
            }
        }
        // `leaf`: pruned to a leaf; `gone`: below a pruned node.
        let mut leaf = vec![false; self.nodes.len()];
        let mut gone = vec![false; self.nodes.len()];
        loop {
            let weakest = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].split.is_some() && !leaf[i] && !gone[i])
                .map(|i| (i, (r_node[i] - r_branch[i]) / (n_leaves[i] - 1) as f64))
                .fold(None, |best: Option<(usize, f64)>, c| match best {
                    Some(b) if b.1 <= c.1 => Some(b),
                    _ => Some(c),
                });
            let Some((i, alpha)) = weakest else { break };
            if alpha > ccp_alpha {
                break;
            }
            leaf[i] = true;
            let mut below = vec![i];
            while let Some(j) = below.pop() {
                if let Some((_, _, l, r)) = self.nodes[j].split {
                    gone[l] = true;
                    gone[r] = true;
                    below.extend([l, r]);
                }
            }
            let (dl, dr) = (n_leaves[i] - 1, r_branch[i] - r_node[i]);
            let mut a = i;
            while a != usize::MAX {
                n_leaves[a] -= dl;
                r_branch[a] -= dr;
                a = parent[a];
            }
        }
        self.keep_reachable(&leaf);
    }

    /// Drops the descendants of the nodes marked `leaf` and makes those nodes leaves.
    fn keep_reachable(&mut self, leaf: &[bool]) {
        let mut keep = vec![false; self.nodes.len()];
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            keep[i] = true;
            if let (Some((_, _, l, r)), false) = (self.nodes[i].split, leaf[i]) {
                stack.push(l);
                stack.push(r);
            }
        }
        let mut new_index = vec![usize::MAX; self.nodes.len()];
        let mut next = 0;
        for (i, &k) in keep.iter().enumerate() {
            if k {
                new_index[i] = next;
                next += 1;
            }
        }
        let old = std::mem::take(&mut self.nodes);
        self.nodes = old
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep[*i])
            .map(|(i, mut n)| {
                n.split = if leaf[i] {
                    None
                } else {
                    n.split
                        .map(|(f, t, l, r)| (f, t, new_index[l], new_index[r]))
                };
                n
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(split: Option<(usize, f64, usize, usize)>, impurity: f64, weight: f64) -> Node {
        Node {
            split,
            impurity,
            n_samples: weight as usize,
            weight,
            value: vec![0.0],
        }
    }

    /// A root split on feature 1 whose left child splits again on feature 0.
    fn three_leaves() -> Tree {
        Tree {
            nodes: vec![
                node(Some((1, 0.5, 1, 4)), 0.5, 10.0),
                node(Some((0, 0.5, 2, 3)), 0.48, 5.0),
                node(None, 0.0, 3.0),
                node(None, 0.0, 2.0),
                node(None, 0.2, 5.0),
            ],
            n_features: 2,
        }
    }

    #[test]
    fn importances_are_normalised_impurity_decreases() {
        let t = three_leaves();
        // Root: 10*0.5 - 5*0.48 - 5*0.2 = 1.6; node 1: 5*0.48 = 2.4.
        let imp = t.feature_importances();
        assert!((imp[0] - 2.4 / 4.0).abs() < 1e-12 && (imp[1] - 1.6 / 4.0).abs() < 1e-12);
        assert_eq!((t.depth(), t.n_leaves()), (2, 3));
    }

    #[test]
    fn pruning_removes_the_weakest_link_first() {
        // Node 1's alpha: (0.24 - 0) / 1 = 0.24; the root's: (0.5 - 0.1) / 2 = 0.2, smaller,
        // so the whole tree collapses at alpha 0.2 and nothing changes below it.
        let mut t = three_leaves();
        t.prune(0.19);
        assert_eq!(t.n_leaves(), 3);
        t.prune(0.2);
        assert_eq!((t.nodes.len(), t.n_leaves()), (1, 1));
    }
}
