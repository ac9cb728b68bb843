//! NN-descent proper (pynndescent's `nn_descent` with `low_memory=True`): the neighbour heaps
//! start from all pairs within each leaf of the random-projection forest (`init_rp_tree`),
//! rows still short get random points (`init_random`), then each round samples up to
//! `max_candidates` new and old neighbours of every vertex, forward and reverse
//! (`new_build_candidates`), and tries every new–new and new–old pair of them as neighbours
//! of each other (the local join), until a round changes fewer than `delta · k · n` entries.
//!
//! Determinism whatever the number of threads: every random draw comes from a generator
//! keyed by the seed and the item (tree, vertex, round and edge), never from a shared stream;
//! the distances of a batch of pairs are computed in parallel into one buffer per fixed-size
//! chunk of work, against the heaps as they were before the batch; then each vertex's heap
//! receives the batch's updates in the buffers' order (vertices are shared out between
//! threads, each thread scanning every buffer for its own vertices).

use gf_core::rng::Xoshiro256;
use rayon::prelude::*;

use super::heap::{checked_flagged_push, NeighborHeap, EMPTY};
use super::rp_tree::{forest, TREE_KEY};
use super::NnDescentParams;
use crate::validation::Matrix;

/// Stream keys of the random fill and of the candidate sampling (the trees use [`TREE_KEY`]).
const RANDOM_KEY: u64 = TREE_KEY + 1;
const SAMPLE_KEY: u64 = TREE_KEY + 2;
/// Leaves whose pairs make one work item of the forest initialisation, and leaves per batch
/// (the heaps are updated between batches, so later leaves see tighter thresholds).
const LEAVES_PER_TASK: usize = 8;
const LEAVES_PER_BATCH: usize = 1024;
/// Vertices whose local joins make one work item of a round.
const VERTICES_PER_TASK: usize = 64;

/// A proposed neighbour pair `(p, q)` at squared distance `d`, for both heaps.
type Update = (u32, u32, f32);

/// The approximate `k` nearest rows of each row of `x`, each its own first at distance 0:
/// `(indices, distances)`, row-major `n × k`, nearest first (the rest ties by index). The
/// distances are euclidean, recomputed exactly in f64 for the neighbours found (the search
/// itself works on squared f32 distances). `k` must be in `[1, n]`.
pub(crate) fn nn_descent(
    x: &Matrix,
    k: usize,
    seed: u64,
    params: &NnDescentParams,
) -> (Vec<usize>, Vec<f64>) {
    let (n, dim) = (x.rows, x.cols);
    let data: Vec<f32> = x.data.iter().map(|&v| v as f32).collect();
    // k real neighbours besides the point itself, as pynndescent (the farthest is dropped
    // when the point is put first), at most n - 1.
    let kh = k.min(n.saturating_sub(1));
    let mut heap = NeighborHeap::new(n, kh);
    if kh > 0 {
        let search = Search {
            data: &data,
            dim,
            n,
        };
        search.init_forest(&mut heap, params, seed);
        search.init_random(&mut heap, seed);
        search.descend(&mut heap, params, seed);
    }
    let rows: Vec<(Vec<usize>, Vec<f64>)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut near: Vec<(f64, usize)> = heap
                .sorted_row(i)
                .into_iter()
                .map(|(_, j)| (exact(x.row(i), x.row(j as usize)), j as usize))
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            std::iter::once((0.0, i))
                .chain(near)
                .take(k)
                .map(|(d, j)| (j, d))
                .unzip()
        })
        .collect();
    let mut indices = Vec::with_capacity(n * k);
    let mut dists = Vec::with_capacity(n * k);
    for (idx, d) in rows {
        indices.extend(idx);
        dists.extend(d);
    }
    (indices, dists)
}

/// The data of one search.
struct Search<'a> {
    data: &'a [f32],
    dim: usize,
    n: usize,
}

impl Search<'_> {
    fn row(&self, i: u32) -> &[f32] {
        &self.data[i as usize * self.dim..(i as usize + 1) * self.dim]
    }

    /// The squared euclidean distance of rows `p` and `q`, in f32 (eight running sums, which
    /// the compiler vectorises).
    fn dist(&self, p: u32, q: u32) -> f32 {
        let (a, b) = (self.row(p), self.row(q));
        let mut acc = [0.0f32; 8];
        let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
        let tail: f32 = ca
            .remainder()
            .iter()
            .zip(cb.remainder())
            .map(|(x, y)| (x - y) * (x - y))
            .sum();
        for (xa, xb) in ca.zip(cb) {
            for l in 0..8 {
                let t = xa[l] - xb[l];
                acc[l] += t * t;
            }
        }
        acc.iter().sum::<f32>() + tail
    }

    /// The pair `(p, q)` as an update if it beats the farthest neighbour of either.
    fn propose(&self, heap: &NeighborHeap, p: u32, q: u32, out: &mut Vec<Update>) {
        let d = self.dist(p, q);
        if d < heap.threshold(p as usize).max(heap.threshold(q as usize)) {
            out.push((p, q, d));
        }
    }

    /// All pairs within each leaf of each tree, as new neighbours.
    fn init_forest(&self, heap: &mut NeighborHeap, params: &NnDescentParams, seed: u64) {
        let trees = forest(self.data, self.dim, params.n_trees, params.leaf_size, seed);
        let leaves: Vec<&[u32]> = trees.iter().flat_map(|t| t.iter()).collect();
        let mut buffers: Vec<Vec<Update>> = Vec::new();
        for batch in leaves.chunks(LEAVES_PER_BATCH) {
            let tasks = batch.len().div_ceil(LEAVES_PER_TASK);
            buffers.resize_with(tasks, Vec::new);
            let snapshot = &*heap;
            batch
                .par_chunks(LEAVES_PER_TASK)
                .zip(buffers[..tasks].par_iter_mut())
                .for_each(|(task, out)| {
                    out.clear();
                    for leaf in task {
                        for (a, &p) in leaf.iter().enumerate() {
                            for &q in &leaf[a + 1..] {
                                self.propose(snapshot, p, q, out);
                            }
                        }
                    }
                });
            apply(heap, &buffers[..tasks]);
        }
    }

    /// Random neighbours for the rows the forest left short (pynndescent's `init_random`),
    /// each row from its own generator; a row still short after a few draws (tiny data, or
    /// `k = n - 1`) is completed with the next indices in turn, so every row ends full.
    fn init_random(&self, heap: &mut NeighborHeap, seed: u64) {
        let (k, n) = (heap.k, self.n);
        heap.indices
            .par_chunks_mut(k)
            .zip(heap.dists.par_chunks_mut(k))
            .zip(heap.flags.par_chunks_mut(k))
            .enumerate()
            .for_each(|(i, ((idx, dist), flag))| {
                let short = idx.iter().filter(|&&j| j == EMPTY).count();
                if short == 0 {
                    return;
                }
                let i = i as u32;
                let mut rng = Xoshiro256::for_keys(seed, &[RANDOM_KEY, u64::from(i)]);
                for _ in 0..2 * short {
                    let j = rng.below(n as u64) as u32;
                    if j != i {
                        checked_flagged_push(idx, dist, flag, self.dist(i, j), j, true);
                    }
                }
                let mut j = i;
                while idx.contains(&EMPTY) {
                    j = (j + 1) % n as u32;
                    checked_flagged_push(idx, dist, flag, self.dist(i, j), j, true);
                }
            });
    }

    /// The NN-descent rounds.
    fn descend(&self, heap: &mut NeighborHeap, params: &NnDescentParams, seed: u64) {
        let (n, k) = (self.n, heap.k);
        let mc = params.max_candidates.max(1);
        let mut cands = Candidates::new(n, mc);
        let tasks = n.div_ceil(VERTICES_PER_TASK);
        let mut buffers: Vec<Vec<Update>> = (0..tasks).map(|_| Vec::new()).collect();
        for round in 0..params.n_iters {
            cands.build(heap, seed, round as u64);
            let snapshot = &*heap;
            let cands_ref = &cands;
            buffers.par_iter_mut().enumerate().for_each(|(t, out)| {
                out.clear();
                let lo = t * VERTICES_PER_TASK;
                for i in lo..(lo + VERTICES_PER_TASK).min(n) {
                    let (new, old) = (cands_ref.new_of(i), cands_ref.old_of(i));
                    for (a, &p) in new.iter().enumerate() {
                        for &q in &new[a + 1..] {
                            self.propose(snapshot, p, q, out);
                        }
                        for &q in old {
                            if q != p {
                                self.propose(snapshot, p, q, out);
                            }
                        }
                    }
                }
            });
            let changed = apply(heap, &buffers);
            if changed as f64 <= params.delta * k as f64 * n as f64 {
                break;
            }
        }
    }
}

/// Applies the updates, in the buffers' order, to both heaps of each pair; returns how many
/// heap entries changed. Threads own disjoint ranges of vertices, so each heap sees its
/// updates in the same order however many threads there are.
fn apply(heap: &mut NeighborHeap, buffers: &[Vec<Update>]) -> usize {
    let k = heap.k;
    let n = heap.indices.len() / k;
    let parts = rayon::current_num_threads().clamp(1, n.max(1));
    let rows = n.div_ceil(parts);
    heap.indices
        .par_chunks_mut(rows * k)
        .zip(heap.dists.par_chunks_mut(rows * k))
        .zip(heap.flags.par_chunks_mut(rows * k))
        .enumerate()
        .map(|(part, ((idx, dist), flag))| {
            let lo = (part * rows) as u32;
            let hi = lo + (idx.len() / k) as u32;
            let mut push = |at: u32, j: u32, d: f32| {
                let r = (at - lo) as usize * k..(at - lo + 1) as usize * k;
                usize::from(checked_flagged_push(
                    &mut idx[r.clone()],
                    &mut dist[r.clone()],
                    &mut flag[r],
                    d,
                    j,
                    true,
                ))
            };
            let mut changed = 0;
            for &(p, q, d) in buffers.iter().flatten() {
                if (lo..hi).contains(&p) {
                    changed += push(p, q, d);
                }
                if (lo..hi).contains(&q) {
                    changed += push(q, p, d);
                }
            }
            changed
        })
        .sum()
}

/// The sampled candidates of a round: for each vertex up to `mc` new and `mc` old neighbours,
/// forward and reverse. Buffers are kept from round to round.
struct Candidates {
    mc: usize,
    new: Vec<u32>,
    new_len: Vec<usize>,
    old: Vec<u32>,
    old_len: Vec<usize>,
    /// The reverse edges (sources of the edges into each vertex), CSR, new and old apart.
    rev_ptr: Vec<usize>,
    rev: Vec<(u32, bool)>,
}

impl Candidates {
    fn new(n: usize, mc: usize) -> Self {
        Candidates {
            mc,
            new: vec![0; n * mc],
            new_len: vec![0; n],
            old: vec![0; n * mc],
            old_len: vec![0; n],
            rev_ptr: vec![0; n + 1],
            rev: Vec::new(),
        }
    }

    fn new_of(&self, i: usize) -> &[u32] {
        &self.new[i * self.mc..i * self.mc + self.new_len[i]]
    }

    fn old_of(&self, i: usize) -> &[u32] {
        &self.old[i * self.mc..i * self.mc + self.old_len[i]]
    }

    /// pynndescent's `new_build_candidates`: each vertex's forward and reverse neighbours,
    /// new and old apart, each list cut to the `mc` of smallest random priority (a hash of
    /// the edge and the round, the same at both ends, as pynndescent draws one priority per
    /// edge for both); then the new entries sampled into their vertex's own list are marked
    /// old.
    fn build(&mut self, heap: &mut NeighborHeap, seed: u64, round: u64) {
        let (k, mc) = (heap.k, self.mc);
        let n = self.new_len.len();
        // Reverse edges by counting sort: sources in increasing order for each target.
        self.rev_ptr.iter_mut().for_each(|c| *c = 0);
        for &j in heap.indices.iter().filter(|&&j| j != EMPTY) {
            self.rev_ptr[j as usize + 1] += 1;
        }
        for i in 0..n {
            self.rev_ptr[i + 1] += self.rev_ptr[i];
        }
        self.rev.clear();
        self.rev.resize(self.rev_ptr[n], (0, false));
        let mut fill = self.rev_ptr[..n].to_vec();
        for i in 0..n {
            for s in i * k..(i + 1) * k {
                let j = heap.indices[s];
                if j != EMPTY {
                    self.rev[fill[j as usize]] = (i as u32, heap.flags[s]);
                    fill[j as usize] += 1;
                }
            }
        }
        let (rev_ptr, rev) = (&self.rev_ptr, &self.rev);
        let (indices, flags) = (&heap.indices, &heap.flags);
        self.new
            .par_chunks_mut(mc)
            .zip(self.new_len.par_iter_mut())
            .zip(self.old.par_chunks_mut(mc))
            .zip(self.old_len.par_iter_mut())
            .enumerate()
            .for_each_init(
                || (Vec::new(), Vec::new()),
                |(new, old), (v, (((new_out, new_len), old_out), old_len))| {
                    new.clear();
                    old.clear();
                    let forward = (v * k..(v + 1) * k)
                        .filter(|&s| indices[s] != EMPTY)
                        .map(|s| (indices[s], flags[s]));
                    let reverse = rev[rev_ptr[v]..rev_ptr[v + 1]].iter().copied();
                    for (j, is_new) in forward.chain(reverse) {
                        let prio = priority(seed, round, v as u32, j);
                        if is_new { &mut *new } else { &mut *old }.push((prio, j));
                    }
                    *new_len = sample(new, mc, new_out);
                    *old_len = sample(old, mc, old_out);
                },
            );
        let (new, new_len) = (&self.new, &self.new_len);
        heap.flags
            .par_chunks_mut(k)
            .zip(heap.indices.par_chunks(k))
            .enumerate()
            .for_each(|(i, (flag, idx))| {
                let sampled = &new[i * mc..i * mc + new_len[i]];
                for (f, j) in flag.iter_mut().zip(idx) {
                    if *f && sampled.contains(j) {
                        *f = false;
                    }
                }
            });
    }
}

/// The distinct candidates of `list` of the `mc` smallest priorities (ties by index), written
/// to `out` in increasing index; returns how many.
fn sample(list: &mut Vec<(u64, u32)>, mc: usize, out: &mut [u32]) -> usize {
    list.sort_unstable_by_key(|&(_, j)| j);
    list.dedup_by_key(|e| e.1);
    if list.len() > mc {
        list.select_nth_unstable(mc - 1);
        list.truncate(mc);
        list.sort_unstable_by_key(|&(_, j)| j);
    }
    for (o, &(_, j)) in out.iter_mut().zip(list.iter()) {
        *o = j;
    }
    list.len()
}

/// The random priority of the edge `{a, b}` in a round: splitmix64's finaliser of the keys.
fn priority(seed: u64, round: u64, a: u32, b: u32) -> u64 {
    let (lo, hi) = (a.min(b) as u64, a.max(b) as u64);
    let mut z = seed
        ^ (round.wrapping_add(SAMPLE_KEY)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ ((hi << 32) | lo).wrapping_mul(0xD605_BBB5_8C8A_BBD5);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The euclidean distance of two rows, summed directly in f64.
fn exact(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}
