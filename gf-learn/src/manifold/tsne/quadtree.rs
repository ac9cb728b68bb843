//! The space-partitioning tree of Barnes-Hut t-SNE, as scikit-learn's `_QuadTree`: a
//! quad-tree in 2-D, an oct-tree in 3-D (a binary tree in 1-D), in `float32` as there, its
//! cells in one flat `Vec` in the order of their creation. Each cell keeps the barycentre and
//! the count of the points below it, so that a far cell stands for all of them.

/// No child in this quadrant.
const NONE: u32 = u32::MAX;
/// Coordinates closer than this are the same point (scikit-learn's `EPSILON`).
const EPSILON: f32 = 1e-6;

#[derive(Clone, Copy, Debug)]
struct Cell<const D: usize> {
    children: [u32; 8],
    barycenter: [f32; D],
    center: [f32; D],
    min_bounds: [f32; D],
    max_bounds: [f32; D],
    squared_max_width: f32,
    cumulative_size: u32,
    is_leaf: bool,
}

impl<const D: usize> Cell<D> {
    fn empty() -> Self {
        Cell {
            children: [NONE; 8],
            barycenter: [0.0; D],
            center: [0.0; D],
            min_bounds: [0.0; D],
            max_bounds: [0.0; D],
            squared_max_width: 0.0,
            cumulative_size: 0,
            is_leaf: true,
        }
    }
}

/// A cell as the force computation reads it, in depth-first order: the cells below it are
/// the next `skip - 1`, so summarising a cell jumps `skip` ahead and opening it steps to its
/// first child, a traversal without recursion or a stack over a compact array. A leaf is a
/// node with `skip == 1` (an inner cell always has a child), which keeps a 2-D node at 20
/// bytes: the walk over a large tree is bound by how many nodes fit in cache.
#[derive(Clone, Copy, Debug)]
struct Node<const D: usize> {
    barycenter: [f32; D],
    squared_max_width: f32,
    cumulative_size: u32,
    skip: u32,
}

/// A tree over `D`-dimensional points (`D` in 1..=3).
#[derive(Clone, Debug, Default)]
pub(crate) struct QuadTree<const D: usize> {
    cells: Vec<Cell<D>>,
    nodes: Vec<Node<D>>,
}

/// Appends cell `id` and the cells below it to `nodes`, depth first, children in order.
fn flatten_from<const D: usize>(cells: &[Cell<D>], id: usize, nodes: &mut Vec<Node<D>>) {
    let cell = &cells[id];
    let at = nodes.len();
    nodes.push(Node {
        barycenter: cell.barycenter,
        squared_max_width: cell.squared_max_width,
        cumulative_size: cell.cumulative_size,
        skip: 1,
    });
    if !cell.is_leaf {
        for &child in &cell.children[..1 << D] {
            if child != NONE {
                flatten_from(cells, child as usize, nodes);
            }
        }
    }
    nodes[at].skip = (nodes.len() - at) as u32;
}

/// The smallest and largest coordinate on each axis of `points` (row-major `n × D`).
pub(crate) fn bounds<const D: usize>(points: &[f32]) -> ([f32; D], [f32; D]) {
    let mut lo = [f32::INFINITY; D];
    let mut hi = [f32::NEG_INFINITY; D];
    for p in points.chunks_exact(D) {
        for ax in 0..D {
            lo[ax] = lo[ax].min(p[ax]);
            hi[ax] = hi[ax].max(p[ax]);
        }
    }
    (lo, hi)
}

/// The t-SNE kernel for a degree of freedom: `q = dof / (dof + d²)`, raised to `(dof + 1) / 2`
/// unless `dof` is 1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kernel {
    pub(crate) dof: f32,
    pub(crate) exponent: f32,
}

impl<const D: usize> QuadTree<D> {
    /// Rebuilds the tree over `points` (row-major `n × D`), reusing its storage.
    pub(crate) fn build(&mut self, points: &[f32]) {
        self.cells.clear();
        let (m, big) = bounds::<D>(points);
        let mut root = Cell::empty();
        for ax in 0..D {
            // Widened so that every point lies strictly inside (scikit-learn's bounds).
            let sign = if big[ax] > 0.0 {
                1.0
            } else if big[ax] < 0.0 {
                -1.0
            } else {
                0.0
            };
            let hi = (big[ax] * (1.0 + 1e-3f32 * sign)).max(big[ax] + 1e-3f32);
            root.min_bounds[ax] = m[ax];
            root.max_bounds[ax] = hi;
            root.center[ax] = (hi + m[ax]) / 2.0;
            let width = hi - m[ax];
            root.squared_max_width = root.squared_max_width.max(width * width);
        }
        self.cells.push(root);
        for p in points.chunks_exact(D) {
            let mut point = [0.0; D];
            point.copy_from_slice(p);
            self.insert(point);
        }
        self.flatten();
    }

    /// Lays the cells out depth first, children in order (the order of scikit-learn's
    /// recursive summary), each with the size of its subtree as its skip.
    fn flatten(&mut self) {
        self.nodes.clear();
        flatten_from(&self.cells, 0, &mut self.nodes);
    }

    /// The number of points in the tree.
    pub(crate) fn n_points(&self) -> u32 {
        self.cells.first().map_or(0, |c| c.cumulative_size)
    }

    fn insert(&mut self, point: [f32; D]) {
        let mut id = 0;
        loop {
            let cell = &mut self.cells[id];
            let n_point = cell.cumulative_size;
            if n_point == 0 {
                cell.cumulative_size = 1;
                cell.barycenter = point;
                return;
            }
            if !cell.is_leaf {
                for (b, &v) in cell.barycenter.iter_mut().zip(&point) {
                    *b = (n_point as f32 * *b + v) / (n_point + 1) as f32;
                }
                cell.cumulative_size += 1;
                let child = cell.children[child_slot(&point, &cell.center)];
                if child == NONE {
                    self.new_child(point, id, 1);
                    return;
                }
                id = child as usize;
                continue;
            }
            let duplicate = (0..D).all(|ax| (point[ax] - cell.barycenter[ax]).abs() <= EPSILON);
            if duplicate {
                cell.cumulative_size += 1;
                return;
            }
            // A leaf that holds another point: move that point down a level, then insert
            // again into the cell, now an inner one.
            let (old, size) = (cell.barycenter, cell.cumulative_size);
            self.new_child(old, id, size);
        }
    }

    /// A new child of `parent` holding `size` copies of `point`.
    // One axis index reads five arrays, as scikit-learn's loop does.
    #[allow(clippy::needless_range_loop)]
    fn new_child(&mut self, point: [f32; D], parent: usize, size: u32) {
        let child_id = self.cells.len() as u32;
        let p = &mut self.cells[parent];
        p.is_leaf = false;
        let mut child = Cell::empty();
        let mut slot = 0;
        for ax in 0..D {
            slot *= 2;
            if point[ax] >= p.center[ax] {
                slot += 1;
                child.min_bounds[ax] = p.center[ax];
                child.max_bounds[ax] = p.max_bounds[ax];
            } else {
                child.min_bounds[ax] = p.min_bounds[ax];
                child.max_bounds[ax] = p.center[ax];
            }
            child.center[ax] = (child.min_bounds[ax] + child.max_bounds[ax]) / 2.0;
            let width = child.max_bounds[ax] - child.min_bounds[ax];
            child.squared_max_width = child.squared_max_width.max(width * width);
        }
        child.barycenter = point;
        child.cumulative_size = size;
        p.children[slot] = child_id;
        self.cells.push(child);
    }

    /// The repulsive force on `point` and its share of the normalisation `Σ q` (scikit-learn's
    /// `summarize` and the loop of `compute_gradient_negative`, fused): a cell whose squared
    /// width over its squared distance is below `squared_theta`, or a leaf, acts as its points
    /// at its barycentre; the point's own leaf is skipped. Cells are visited depth first,
    /// children in order, so the sums run in scikit-learn's order.
    pub(crate) fn negative_force(
        &self,
        point: &[f32; D],
        squared_theta: f32,
        kernel: Kernel,
    ) -> ([f32; D], f64) {
        let mut force = [0.0f32; D];
        let mut sum_q = 0.0f64;
        let mut id = 0;
        while let Some(node) = self.nodes.get(id) {
            let mut delta = [0.0f32; D];
            let mut dist2 = 0.0f32;
            for ax in 0..D {
                delta[ax] = point[ax] - node.barycenter[ax];
                dist2 += delta[ax] * delta[ax];
            }
            let is_leaf = node.skip == 1;
            if is_leaf && delta.iter().all(|d| d.abs() <= EPSILON) {
                id += 1;
                continue;
            }
            if is_leaf || node.squared_max_width / dist2 < squared_theta {
                let size = node.cumulative_size as f32;
                let mut q = f64::from(kernel.dof / (kernel.dof + dist2));
                if kernel.dof != 1.0 {
                    q = q.powf(f64::from(kernel.exponent));
                }
                sum_q += f64::from(size) * q;
                let mult = (f64::from(size) * q * q) as f32;
                for ax in 0..D {
                    force[ax] += mult * delta[ax];
                }
                id += node.skip as usize;
            } else {
                id += 1;
            }
        }
        (force, sum_q)
    }
}

/// The quadrant of `center` that holds `point`: one bit per axis, the first axis highest.
fn child_slot<const D: usize>(point: &[f32; D], center: &[f32; D]) -> usize {
    let mut slot = 0;
    for ax in 0..D {
        slot = slot * 2 + usize::from(point[ax] >= center[ax]);
    }
    slot
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every point is counted once, duplicates in one leaf, and the root's barycentre is the
    /// mean of the points.
    #[test]
    fn counts_every_point_and_keeps_the_barycentre() {
        let pts: Vec<f32> = vec![
            0.0, 0.0, 1.0, 1.0, 1.0, 1.0, -2.0, 0.5, 3.0, -1.0, 0.25, 0.75,
        ];
        let mut tree = QuadTree::<2>::default();
        tree.build(&pts);
        assert_eq!(tree.n_points(), 6);
        let mean_x = pts.iter().step_by(2).sum::<f32>() / 6.0;
        assert!((tree.cells[0].barycenter[0] - mean_x).abs() < 1e-6);
        let leaves: u32 = tree
            .cells
            .iter()
            .filter(|c| c.is_leaf)
            .map(|c| c.cumulative_size)
            .sum();
        assert_eq!(leaves, 6);
    }
}
