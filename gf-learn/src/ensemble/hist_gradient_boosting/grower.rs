//! Leaf-wise (best-first) growth of one tree, as scikit-learn's `TreeGrower`: the splittable
//! leaf with the largest gain is split next, until `max_leaf_nodes` leaves, `max_depth` or no
//! split with positive gain remains. Only the smaller child's histograms are built; the
//! sibling's are the parent's minus those.

use super::binning::BinMapper;
use super::histogram::{self, Histograms, Split, SplitContext, Totals};
use super::predictor::{Node, Tree};

/// The hyper-parameters that shape one tree.
pub(crate) struct TreeParams {
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_leaf: usize,
    pub(crate) l2: f64,
    pub(crate) shrinkage: f64,
}

/// A node being grown.
struct Growing {
    rows: Vec<u32>,
    g: f64,
    h: f64,
    depth: usize,
    hist: Option<Histograms>,
    split: Option<Split>,
    /// Its index in the tree's node array.
    id: usize,
}

/// The samples `binned` (column-major, `n_samples` rows) with gradients `grad` and hessians
/// `hess` grow one tree; `raw` (stride `stride`, offset `k`) gets the tree's prediction for
/// each training sample added.
pub(crate) struct Grower<'a> {
    pub(crate) binned: &'a [u8],
    pub(crate) n_samples: usize,
    pub(crate) mapper: &'a BinMapper,
    pub(crate) n_bins_non_missing: &'a [usize],
    pub(crate) params: &'a TreeParams,
}

impl Grower<'_> {
    /// Grows a tree on `grad`/`hess` and adds its prediction of each training sample to
    /// `raw[i * stride + k]`.
    pub(crate) fn grow(
        &self,
        grad: &[f32],
        hess: &[f32],
        raw: &mut [f64],
        stride: usize,
        k: usize,
    ) -> Tree {
        let p = self.params;
        let ctx = SplitContext {
            n_bins_non_missing: self.n_bins_non_missing,
            has_missing: &self.mapper.has_missing,
            l2: p.l2,
            min_samples_leaf: p.min_samples_leaf as u32,
        };
        let rows: Vec<u32> = (0..self.n_samples as u32).collect();
        let g: f64 = grad.iter().map(|&v| f64::from(v)).sum();
        let h: f64 = hess.iter().map(|&v| f64::from(v)).sum();
        let mut nodes = vec![leaf_node(histogram::node_value(g, h, p.l2))];
        let mut root = Growing {
            rows,
            g,
            h,
            depth: 0,
            hist: None,
            split: None,
            id: 0,
        };
        let mut leaves: Vec<Growing> = Vec::new();
        let mut splittable: Vec<Growing> = Vec::new();
        if root.rows.len() >= 2 * p.min_samples_leaf && h >= 1e-3 {
            let totals = Totals {
                g,
                h,
                n: root.rows.len() as u32,
                find_split: true,
            };
            let ((hist, split), _) = histogram::build(
                &ctx,
                self.binned,
                self.n_samples,
                &root.rows,
                grad,
                hess,
                totals,
                None,
            );
            (root.hist, root.split) = (Some(hist), split);
        }
        file(root, &mut splittable, &mut leaves);
        let mut n_leaves = 1;
        while !splittable.is_empty() {
            // The first of equal gains, as a heap that keeps insertion order would.
            let best = (0..splittable.len())
                .reduce(|a, b| {
                    let (ga, gb) = (gain(&splittable[a]), gain(&splittable[b]));
                    if gb > ga {
                        b
                    } else {
                        a
                    }
                })
                .expect("not empty");
            let node = splittable.remove(best);
            let s = node.split.expect("splittable nodes have a split");
            let (left_rows, right_rows) = self.partition(&node.rows, &s);
            let depth = node.depth + 1;
            n_leaves += 1;
            let (lid, rid) = (nodes.len(), nodes.len() + 1);
            nodes.push(leaf_node(histogram::node_value(s.g_left, s.h_left, p.l2)));
            nodes.push(leaf_node(histogram::node_value(s.g_right, s.h_right, p.l2)));
            let threshold = if s.bin as usize == self.n_bins_non_missing[s.feature] - 1 {
                f64::INFINITY
            } else {
                self.mapper.thresholds[s.feature][s.bin as usize]
            };
            nodes[node.id] = Node {
                value: 0.0,
                is_leaf: false,
                feature: s.feature,
                threshold,
                missing_go_left: s.missing_go_left,
                left: lid,
                right: rid,
            };
            let child = |rows, g, h, id| Growing {
                rows,
                g,
                h,
                depth,
                hist: None,
                split: None,
                id,
            };
            let mut left = child(left_rows, s.g_left, s.h_left, lid);
            let mut right = child(right_rows, s.g_right, s.h_right, rid);
            if p.max_leaf_nodes == Some(n_leaves) {
                leaves.push(left);
                leaves.push(right);
                leaves.append(&mut splittable);
                break;
            }
            // At `max_depth` only these two children stop; other leaves may still split.
            let deeper = p.max_depth != Some(depth);
            let split_left = deeper && left.rows.len() >= 2 * p.min_samples_leaf;
            let split_right = deeper && right.rows.len() >= 2 * p.min_samples_leaf;
            if split_left || split_right {
                let parent = node.hist.as_ref().expect("a split node has histograms");
                let ((small, split_small), (large, split_large)) =
                    if left.rows.len() < right.rows.len() {
                        ((&mut left, split_left), (&mut right, split_right))
                    } else {
                        ((&mut right, split_right), (&mut left, split_left))
                    };
                let totals = |c: &Growing, find_split| Totals {
                    g: c.g,
                    h: c.h,
                    n: c.rows.len() as u32,
                    find_split,
                };
                let ((small_hist, small_best), large_built) = histogram::build(
                    &ctx,
                    self.binned,
                    self.n_samples,
                    &small.rows,
                    grad,
                    hess,
                    totals(small, split_small),
                    Some((parent, totals(large, split_large))),
                );
                let (large_hist, large_best) = large_built.expect("a sibling was asked for");
                (small.hist, small.split) = (Some(small_hist), small_best);
                (large.hist, large.split) = (Some(large_hist), large_best);
            }
            for (mut c, ok) in [(left, split_left), (right, split_right)] {
                if ok {
                    file(c, &mut splittable, &mut leaves);
                } else {
                    c.hist = None;
                    leaves.push(c);
                }
            }
        }
        for leaf in &leaves {
            let value = nodes[leaf.id].value * p.shrinkage;
            nodes[leaf.id].value = value;
            for &r in &leaf.rows {
                raw[r as usize * stride + k] += value;
            }
        }
        Tree { nodes }
    }

    /// The rows of a node split by `s`, each side in the original order.
    fn partition(&self, rows: &[u32], s: &Split) -> (Vec<u32>, Vec<u32>) {
        let col = &self.binned[s.feature * self.n_samples..(s.feature + 1) * self.n_samples];
        let missing = self.mapper.missing_bin;
        let mut left = Vec::with_capacity(s.n_left as usize);
        let mut right = Vec::with_capacity(s.n_right as usize);
        for &r in rows {
            let b = col[r as usize];
            let go_left = if b == missing {
                s.missing_go_left
            } else {
                b <= s.bin
            };
            if go_left {
                left.push(r);
            } else {
                right.push(r);
            }
        }
        (left, right)
    }
}

/// Files `node` as splittable if it has a split, else as a leaf (its histograms dropped).
fn file(mut node: Growing, splittable: &mut Vec<Growing>, leaves: &mut Vec<Growing>) {
    if node.split.is_some() {
        splittable.push(node);
    } else {
        node.hist = None;
        leaves.push(node);
    }
}

fn gain(node: &Growing) -> f64 {
    node.split.map_or(f64::NEG_INFINITY, |s| s.gain)
}

fn leaf_node(value: f64) -> Node {
    Node {
        value,
        is_leaf: true,
        feature: 0,
        threshold: 0.0,
        missing_go_left: false,
        left: 0,
        right: 0,
    }
}
