//! A fitted tree: nodes in an array, predicting from raw values; NaN follows the side learned
//! at each split.

/// One node of a fitted tree.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// The leaf value (shrinkage applied); unused for a split node.
    pub(crate) value: f64,
    pub(crate) is_leaf: bool,
    pub(crate) feature: usize,
    /// Values `<= threshold` go left; `+inf` for a split that sends only NaN right.
    pub(crate) threshold: f64,
    pub(crate) missing_go_left: bool,
    pub(crate) left: usize,
    pub(crate) right: usize,
}

/// A fitted tree; node 0 is the root.
#[derive(Clone, Debug)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
}

impl Tree {
    /// The value of the leaf that the row `x` (one value per feature) reaches.
    pub(crate) fn predict_row(&self, x: &[f64]) -> f64 {
        let mut node = &self.nodes[0];
        while !node.is_leaf {
            let v = x[node.feature];
            let left = if v.is_nan() {
                node.missing_go_left
            } else {
                v <= node.threshold
            };
            node = &self.nodes[if left { node.left } else { node.right }];
        }
        node.value
    }

    /// The number of leaves.
    pub(crate) fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_leaf).count()
    }
}
