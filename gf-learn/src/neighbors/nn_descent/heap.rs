//! The neighbour lists NN-descent improves: for each vertex a fixed-size max-heap of its best
//! neighbours so far (pynndescent's `make_heap` / `checked_flagged_heap_push`), the farthest at
//! the root so that a candidate is rejected with one comparison. Each entry carries a flag:
//! `true` while it is new, so that a round joins only pairs with at least one new entry.

/// The index of an empty slot (its distance is infinite, so any candidate replaces it).
pub(super) const EMPTY: u32 = u32::MAX;

/// `n` heaps of `k` entries each, row-major: indices, distances and flags side by side.
pub(super) struct NeighborHeap {
    pub(super) k: usize,
    pub(super) indices: Vec<u32>,
    pub(super) dists: Vec<f32>,
    pub(super) flags: Vec<bool>,
}

impl NeighborHeap {
    /// `n` empty heaps of `k` entries.
    pub(super) fn new(n: usize, k: usize) -> Self {
        NeighborHeap {
            k,
            indices: vec![EMPTY; n * k],
            dists: vec![f32::INFINITY; n * k],
            flags: vec![false; n * k],
        }
    }

    /// The distance a candidate for vertex `i` must beat: its current farthest neighbour.
    pub(super) fn threshold(&self, i: usize) -> f32 {
        self.dists[i * self.k]
    }

    /// Row `i` sorted nearest first (ties by index), empty slots left out.
    pub(super) fn sorted_row(&self, i: usize) -> Vec<(f32, u32)> {
        let k = self.k;
        let mut row: Vec<(f32, u32)> = self.dists[i * k..(i + 1) * k]
            .iter()
            .zip(&self.indices[i * k..(i + 1) * k])
            .filter(|&(_, &j)| j != EMPTY)
            .map(|(&d, &j)| (d, j))
            .collect();
        row.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        row
    }
}

/// Pushes `(d, j)` into one heap row (`indices`, `dists`, `flags` of equal length) unless it
/// is no nearer than the root or `j` is already there; the root is replaced and sifted down.
/// Returns whether the row changed.
pub(super) fn checked_flagged_push(
    indices: &mut [u32],
    dists: &mut [f32],
    flags: &mut [bool],
    d: f32,
    j: u32,
    new: bool,
) -> bool {
    if indices.is_empty() || d.is_nan() || d >= dists[0] || indices.contains(&j) {
        return false;
    }
    let k = indices.len();
    let mut at = 0;
    loop {
        let left = 2 * at + 1;
        if left >= k {
            break;
        }
        let right = left + 1;
        let child = if right >= k || dists[left] >= dists[right] {
            left
        } else {
            right
        };
        if dists[child] > d {
            dists[at] = dists[child];
            indices[at] = indices[child];
            flags[at] = flags[child];
            at = child;
        } else {
            break;
        }
    }
    dists[at] = d;
    indices[at] = j;
    flags[at] = new;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The heap keeps the k smallest distinct candidates, rejects duplicates and far ones, and
    /// keeps the farthest at the root.
    #[test]
    fn keeps_the_k_nearest_distinct() {
        let mut heap = NeighborHeap::new(1, 4);
        let pushes = [
            (5.0, 1),
            (3.0, 2),
            (9.0, 3),
            (1.0, 4),
            (3.0, 2),
            (7.0, 5),
            (0.5, 6),
            (8.0, 7),
            (2.0, 8),
        ];
        let mut changed = 0;
        for (d, j) in pushes {
            let h = &mut heap;
            changed += usize::from(checked_flagged_push(
                &mut h.indices,
                &mut h.dists,
                &mut h.flags,
                d,
                j,
                true,
            ));
            let root = h.dists[0];
            assert!(h.dists.iter().all(|&v| v <= root));
        }
        // (3, 2) again is a duplicate and (8, 7) is farther than the root by then; (9, 3) and
        // (7, 5) get in and are pushed out later.
        assert_eq!(changed, 7);
        assert_eq!(
            heap.sorted_row(0),
            vec![(0.5, 6), (1.0, 4), (2.0, 8), (3.0, 2)]
        );
        assert_eq!(heap.threshold(0), 3.0);
        assert!(!checked_flagged_push(
            &mut heap.indices,
            &mut heap.dists,
            &mut heap.flags,
            f32::NAN,
            9,
            true
        ));
    }

    /// Empty slots are filled first and never reported.
    #[test]
    fn partial_rows_leave_out_empty_slots() {
        let mut heap = NeighborHeap::new(2, 3);
        let k = heap.k;
        let (idx, rest) = heap.indices.split_at_mut(k);
        let (dist, _) = heap.dists.split_at_mut(k);
        let (flag, _) = heap.flags.split_at_mut(k);
        assert!(checked_flagged_push(idx, dist, flag, 2.0, 7, false));
        assert!(rest.iter().all(|&j| j == EMPTY));
        assert_eq!(heap.sorted_row(0), vec![(2.0, 7)]);
        assert_eq!(heap.threshold(0), f32::INFINITY);
        assert!(heap.sorted_row(1).is_empty());
    }
}
