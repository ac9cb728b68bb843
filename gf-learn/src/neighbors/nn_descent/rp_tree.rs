//! The random-projection forest that seeds NN-descent (pynndescent's `make_euclidean_tree` /
//! `make_forest`): each tree splits its points recursively by the hyperplane halfway between
//! two of them drawn at random, until a node holds at most `leaf_size` points. Points of one
//! leaf are likely near each other, so comparing all pairs within each leaf gives a good first
//! neighbour graph. Only the leaves are kept (NN-descent needs nothing else).

use gf_core::rng::Xoshiro256;
use rayon::prelude::*;

/// pynndescent's `EPS`: a point this close to the hyperplane goes to a random side.
const EPS: f32 = 1e-8;
/// pynndescent's `max_rptree_depth`.
const MAX_DEPTH: usize = 200;
/// The stream key of the trees' generators (others key the other draws of the search).
pub(super) const TREE_KEY: u64 = 1;

/// One tree's leaves: `points` is a permutation of `0..n`, leaf `l` is
/// `points[starts[l]..starts[l + 1]]`.
pub(super) struct Leaves {
    pub(super) points: Vec<u32>,
    pub(super) starts: Vec<usize>,
}

impl Leaves {
    /// The points of each leaf, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.starts.windows(2).map(|w| &self.points[w[0]..w[1]])
    }
}

/// `n_trees` trees over the rows of `data` (`n × dim` row-major), built in parallel; tree `t`
/// draws from its own generator (`seed`, [`TREE_KEY`], `t`), so the forest does not depend on
/// the number of threads.
pub(super) fn forest(
    data: &[f32],
    dim: usize,
    n_trees: usize,
    leaf_size: usize,
    seed: u64,
) -> Vec<Leaves> {
    let n = data.len().checked_div(dim).unwrap_or(0);
    (0..n_trees)
        .into_par_iter()
        .map(|t| {
            let mut rng = Xoshiro256::for_keys(seed, &[TREE_KEY, t as u64]);
            tree(data, dim, n, leaf_size.max(1), &mut rng)
        })
        .collect()
}

/// One tree, built depth first (left before right) from an explicit stack.
fn tree(data: &[f32], dim: usize, n: usize, leaf_size: usize, rng: &mut Xoshiro256) -> Leaves {
    let mut points: Vec<u32> = (0..n as u32).collect();
    let mut starts = Vec::with_capacity(2 * n / leaf_size + 2);
    let mut side = Vec::with_capacity(n);
    let mut scratch = Vec::with_capacity(n);
    let mut hyperplane = vec![0.0f32; dim];
    let mut stack = vec![(0usize, n, 0usize)];
    while let Some((lo, hi, depth)) = stack.pop() {
        if hi - lo <= leaf_size || depth >= MAX_DEPTH {
            starts.push(lo);
            continue;
        }
        let node = &mut points[lo..hi];
        let n_left = split(
            data,
            dim,
            node,
            rng,
            &mut hyperplane,
            &mut side,
            &mut scratch,
        );
        // The right child is pushed first so that the left one is built first.
        stack.push((lo + n_left, hi, depth + 1));
        stack.push((lo, lo + n_left, depth + 1));
    }
    starts.push(n);
    Leaves { points, starts }
}

/// Reorders `node` into its left points then its right points and returns how many go left
/// (pynndescent's `euclidean_random_projection_split`). Both sides are never empty: when the
/// hyperplane puts every point on one side (duplicates, say), the points go to random sides,
/// and if that fails too (two points, say) the node is cut in half.
fn split(
    data: &[f32],
    dim: usize,
    node: &mut [u32],
    rng: &mut Xoshiro256,
    hyperplane: &mut [f32],
    side: &mut Vec<bool>,
    scratch: &mut Vec<u32>,
) -> usize {
    let size = node.len();
    let left_at = rng.below(size as u64) as usize;
    let mut right_at = rng.below(size as u64) as usize;
    if right_at == left_at {
        right_at = (right_at + 1) % size;
    }
    let row = |i: u32| &data[i as usize * dim..(i as usize + 1) * dim];
    let (left, right) = (row(node[left_at]), row(node[right_at]));
    let mut offset = 0.0f32;
    for ((h, &l), &r) in hyperplane.iter_mut().zip(left).zip(right) {
        *h = l - r;
        offset -= *h * (l + r) / 2.0;
    }
    side.clear();
    for &p in node.iter() {
        let margin = offset
            + hyperplane
                .iter()
                .zip(row(p))
                .map(|(h, v)| h * v)
                .sum::<f32>();
        let goes_left = if margin.abs() < EPS {
            rng.next_u64() & 1 == 0
        } else {
            margin > 0.0
        };
        side.push(goes_left);
    }
    let mut n_left = side.iter().filter(|&&s| s).count();
    if n_left == 0 || n_left == size {
        side.iter_mut().for_each(|s| *s = rng.next_u64() & 1 == 0);
        n_left = side.iter().filter(|&&s| s).count();
        if n_left == 0 || n_left == size {
            side.iter_mut()
                .enumerate()
                .for_each(|(i, s)| *s = i < size / 2);
            n_left = size / 2;
        }
    }
    scratch.clear();
    scratch.extend(node.iter().zip(side.iter()).filter(|p| *p.1).map(|p| *p.0));
    scratch.extend(node.iter().zip(side.iter()).filter(|p| !*p.1).map(|p| *p.0));
    node.copy_from_slice(scratch);
    n_left
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_partition(trees: &[Leaves], n: usize, leaf_size: usize) {
        for t in trees {
            let mut seen = vec![0usize; n];
            for leaf in t.iter() {
                assert!(
                    !leaf.is_empty() && leaf.len() <= leaf_size,
                    "leaf of {}",
                    leaf.len()
                );
                leaf.iter().for_each(|&p| seen[p as usize] += 1);
            }
            assert!(
                seen.iter().all(|&c| c == 1),
                "a point not in exactly one leaf"
            );
        }
    }

    /// Every point lands in exactly one leaf of each tree, and no leaf exceeds `leaf_size`;
    /// the forest is the same for the same seed whatever the threads.
    #[test]
    fn every_point_in_exactly_one_small_leaf() {
        let (n, dim, leaf_size) = (1000, 5, 30);
        let mut rng = Xoshiro256::new(3);
        let data: Vec<f32> = (0..n * dim).map(|_| rng.next_normal() as f32).collect();
        let trees = forest(&data, dim, 4, leaf_size, 11);
        check_partition(&trees, n, leaf_size);
        // Different trees differ.
        assert_ne!(trees[0].points, trees[1].points);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| forest(&data, dim, 4, leaf_size, 11));
        for (a, b) in trees.iter().zip(&one) {
            assert_eq!((&a.points, &a.starts), (&b.points, &b.starts));
        }
    }

    /// Identical points (every margin 0) and tiny nodes still split down to `leaf_size`.
    #[test]
    fn identical_points_still_split() {
        let (n, dim) = (200, 3);
        let data = vec![1.5f32; n * dim];
        for leaf_size in [1, 2, 7] {
            check_partition(&forest(&data, dim, 2, leaf_size, 5), n, leaf_size);
        }
        // Fewer points than a leaf: one leaf.
        let trees = forest(&data[..4 * dim], dim, 1, 10, 5);
        assert_eq!(trees[0].starts, vec![0, 4]);
    }
}
