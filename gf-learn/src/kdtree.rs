//! A k-d tree over the rows of a matrix, for radius queries (DBSCAN's region queries): each
//! node splits its samples at the median of its widest dimension, and a query skips every
//! node whose bounding box lies farther than the radius.

use crate::validation::Matrix;

/// Samples per leaf, as scikit-learn's default `leaf_size`.
const LEAF_SIZE: usize = 30;

/// A node: the samples `order[start..end]` and their bounding box.
struct Node {
    start: usize,
    end: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// The indices of the two children in `nodes`; `None` for a leaf.
    children: Option<(usize, usize)>,
}

/// A k-d tree borrowing the samples it indexes.
pub(crate) struct KdTree<'a> {
    data: &'a Matrix,
    order: Vec<usize>,
    nodes: Vec<Node>,
}

impl<'a> KdTree<'a> {
    /// The tree of the rows of `data`.
    pub(crate) fn new(data: &'a Matrix) -> Self {
        let mut tree = KdTree {
            data,
            order: (0..data.rows).collect(),
            nodes: Vec::new(),
        };
        tree.build(0, data.rows);
        tree
    }

    /// Builds the node of `order[start..end]` and its subtree; returns its index.
    fn build(&mut self, start: usize, end: usize) -> usize {
        let d = self.data.cols;
        let (mut lo, mut hi) = (vec![f64::INFINITY; d], vec![f64::NEG_INFINITY; d]);
        for &i in &self.order[start..end] {
            for (j, &v) in self.data.row(i).iter().enumerate() {
                lo[j] = lo[j].min(v);
                hi[j] = hi[j].max(v);
            }
        }
        let id = self.nodes.len();
        let widest = (0..d)
            .max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b])))
            .unwrap_or(0);
        let flat = hi[widest] <= lo[widest];
        self.nodes.push(Node {
            start,
            end,
            lo,
            hi,
            children: None,
        });
        if end - start > LEAF_SIZE && !flat {
            let mid = start + (end - start) / 2;
            let data = self.data;
            self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                data.at(a, widest).total_cmp(&data.at(b, widest))
            });
            let left = self.build(start, mid);
            let right = self.build(mid, end);
            self.nodes[id].children = Some((left, right));
        }
        id
    }

    /// The indices of the samples within `radius` of `query` (distance `<= radius`), sorted.
    pub(crate) fn within(&self, query: &[f64], radius: f64) -> Vec<usize> {
        let r2 = radius * radius;
        let mut found = Vec::new();
        let mut stack = vec![0];
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id];
            let gap: f64 = query
                .iter()
                .zip(node.lo.iter().zip(&node.hi))
                .map(|(&q, (&lo, &hi))| {
                    let d = (lo - q).max(q - hi).max(0.0);
                    d * d
                })
                .sum();
            if gap > r2 {
                continue;
            }
            match node.children {
                Some((left, right)) => stack.extend([left, right]),
                None => found.extend(self.order[node.start..node.end].iter().copied().filter(
                    |&i| {
                        let d2: f64 = query
                            .iter()
                            .zip(self.data.row(i))
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum();
                        d2 <= r2
                    },
                )),
            }
        }
        found.sort_unstable();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radius_queries_match_a_linear_scan() {
        let mut rng = gf_core::rng::Xoshiro256::new(9);
        let data = Matrix {
            rows: 500,
            cols: 3,
            data: (0..1500).map(|_| rng.uniform(-1.0, 1.0)).collect(),
        };
        let tree = KdTree::new(&data);
        for q in 0..50 {
            let query = data.row(q * 7).to_vec();
            for radius in [0.05, 0.3, 1.0] {
                let scan: Vec<usize> = (0..data.rows)
                    .filter(|&i| {
                        let d2: f64 = query
                            .iter()
                            .zip(data.row(i))
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum();
                        d2 <= radius * radius
                    })
                    .collect();
                assert_eq!(
                    tree.within(&query, radius),
                    scan,
                    "query {q}, radius {radius}"
                );
            }
        }
    }

    #[test]
    fn duplicate_points_make_leaves_not_endless_splits() {
        let data = Matrix {
            rows: 100,
            cols: 2,
            data: vec![1.0; 200],
        };
        let tree = KdTree::new(&data);
        assert_eq!(tree.within(&[1.0, 1.0], 0.0).len(), 100);
        assert!(tree.within(&[2.0, 1.0], 0.5).is_empty());
    }
}
