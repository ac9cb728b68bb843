//! UMAP's layout optimisation, as umap-learn's `optimize_layout_euclidean` (single-threaded
//! and so deterministic for a seed, or lock-free on every thread without one): each edge is sampled every `epochs_per_sample` epochs
//! (`n_epochs / (n_epochs · w / w_max)`), pulling its ends together by the gradient of
//! `log(1 / (1 + a d^{2b}))`, followed by `negative_sample_rate` negative samples per sampling
//! pushing the head away from random vertices; every gradient coordinate is clipped to
//! `[-4, 4]` and the learning rate decays linearly to 0. Coordinates are `f32` and the
//! arithmetic `f64`, as numba compiles umap-learn's.

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

/// umap-learn's `make_epochs_per_sample`: the epochs between two samplings of each edge, -1
/// for an edge never sampled.
pub(crate) fn make_epochs_per_sample(weights: &[f32], n_epochs: usize) -> Vec<f64> {
    let max = weights.iter().fold(0.0f32, |m, &v| m.max(v));
    weights
        .iter()
        .map(|&w| {
            let n_samples = n_epochs as f32 * (w / max);
            if n_samples > 0.0 {
                n_epochs as f64 / f64::from(n_samples)
            } else {
                -1.0
            }
        })
        .collect()
}

/// umap-learn's `tau_rand_int`: a Tausworthe generator on three 64-bit states (the masks and
/// shifts on `int64` exactly as numba runs them).
fn tau_rand_int(state: &mut [i64; 3]) -> i64 {
    const M: i64 = 0xFFFF_FFFF;
    state[0] = (((state[0] & 4_294_967_294).wrapping_shl(12)) & M)
        ^ ((((state[0].wrapping_shl(13)) & M) ^ state[0]) >> 19);
    state[1] = (((state[1] & 4_294_967_288).wrapping_shl(4)) & M)
        ^ ((((state[1].wrapping_shl(2)) & M) ^ state[1]) >> 25);
    state[2] = (((state[2] & 4_294_967_280).wrapping_shl(17)) & M)
        ^ ((((state[2].wrapping_shl(3)) & M) ^ state[2]) >> 11);
    state[0] ^ state[1] ^ state[2]
}

fn clip(v: f64) -> f64 {
    v.clamp(-4.0, 4.0)
}

/// The settings of one optimisation.
pub(crate) struct Layout<'a> {
    /// The edges: head vertex (a row of the embedding being optimised), tail vertex (a row
    /// of the tail embedding) and epochs between samplings.
    pub(crate) head: &'a [usize],
    pub(crate) tail: &'a [usize],
    pub(crate) epochs_per_sample: &'a [f64],
    pub(crate) n_epochs: usize,
    pub(crate) a: f64,
    pub(crate) b: f64,
    /// `repulsion_strength`, umap-learn's `gamma`.
    pub(crate) gamma: f64,
    pub(crate) initial_alpha: f64,
    pub(crate) negative_sample_rate: f64,
    pub(crate) rng_state: [i64; 3],
    pub(crate) dim: usize,
}

/// A coordinate of the embedding being optimised, shared by the workers of a parallel layout
/// as umap-learn's (Hogwild: unsynchronised reads and writes of single coordinates, relaxed
/// atomics here, plain moves on x86-64 and aarch64); one worker reads and writes them in
/// umap-learn's sequential order.
fn load(coords: &[AtomicU32], i: usize) -> f32 {
    f32::from_bits(coords[i].load(Relaxed))
}

fn store(coords: &[AtomicU32], i: usize, v: f32) {
    coords[i].store(v.to_bits(), Relaxed);
}

/// One worker's share of the edges: a run of whole head vertices, with the sampling clocks of
/// its edges and the generators of its heads, so that only the coordinates are shared.
struct Chunk<'s> {
    /// The first edge.
    first_edge: usize,
    next_sample: &'s mut [f64],
    next_negative: &'s mut [f64],
    /// The generators of heads `first_head..`.
    first_head: usize,
    rng: &'s mut [[i64; 3]],
}

/// What every worker reads in an epoch.
struct Epoch<'a> {
    s: &'a Layout<'a>,
    epochs_per_negative_sample: &'a [f64],
    coords: &'a [AtomicU32],
    tail_emb: Option<&'a [f32]>,
    n_vertices: i64,
    epoch: f64,
    alpha: f64,
}

/// Splits the edges `0..m` (sorted by head) into about `parts` runs that never divide a
/// head's edges; returns the first edge of each run.
fn chunk_starts(head: &[usize], parts: usize) -> Vec<usize> {
    let m = head.len();
    let mut starts = vec![0];
    for c in 1..parts {
        let mut at = (m * c / parts).max(*starts.last().unwrap_or(&0));
        while at < m && at > 0 && head[at] == head[at - 1] {
            at += 1;
        }
        if at < m && at > *starts.last().unwrap_or(&0) {
            starts.push(at);
        }
    }
    starts
}

/// Optimises `head_emb` (row-major, `dim` columns). With `tail_emb` `None` the tail is the
/// head embedding itself and both ends of an edge move (fitting); with a fixed tail
/// embedding only the head moves (`transform`). With `parallel`, the edges are shared out
/// among rayon's threads by head vertex and the coordinates updated without locks, as
/// umap-learn's `parallel=True` (its unseeded default): faster, but no longer the same
/// embedding from run to run.
pub(crate) fn optimize_layout_euclidean(
    s: &Layout<'_>,
    head_emb: &mut [f32],
    tail_emb: Option<&[f32]>,
    parallel: bool,
) {
    let dim = s.dim;
    let n_head = head_emb.len() / dim;
    let m = s.epochs_per_sample.len();
    let epochs_per_negative_sample: Vec<f64> = s
        .epochs_per_sample
        .iter()
        .map(|e| e / s.negative_sample_rate)
        .collect();
    let mut epoch_of_next_negative_sample = epochs_per_negative_sample.clone();
    let mut epoch_of_next_sample = s.epochs_per_sample.to_vec();
    // umap-learn seeds each head vertex's generator with the shared state plus the bits of
    // its first starting coordinate (as a float64).
    let mut rng: Vec<[i64; 3]> = (0..n_head)
        .map(|j| {
            let bits = f64::from(head_emb[j * dim]).to_bits() as i64;
            s.rng_state.map(|v| v.wrapping_add(bits))
        })
        .collect();
    let sorted = s.head.windows(2).all(|w| w[0] <= w[1]);
    let parts = if parallel && sorted {
        4 * rayon::current_num_threads()
    } else {
        1
    };
    let starts = chunk_starts(&s.head[..m], parts);
    let mut chunks = Vec::with_capacity(starts.len());
    let (mut sample, mut negative, mut gens) = (
        &mut epoch_of_next_sample[..],
        &mut epoch_of_next_negative_sample[..],
        &mut rng[..],
    );
    let mut taken_head = 0;
    for (c, &first) in starts.iter().enumerate() {
        let end = starts.get(c + 1).copied().unwrap_or(m);
        let head_end = if end < m { s.head[end] } else { n_head };
        let (now, rest) = std::mem::take(&mut sample).split_at_mut(end - first);
        let (neg_now, neg_rest) = std::mem::take(&mut negative).split_at_mut(end - first);
        let (gen_now, gen_rest) = std::mem::take(&mut gens).split_at_mut(head_end - taken_head);
        chunks.push(Chunk {
            first_edge: first,
            next_sample: now,
            next_negative: neg_now,
            first_head: taken_head,
            rng: gen_now,
        });
        (sample, negative, gens, taken_head) = (rest, neg_rest, gen_rest, head_end);
    }
    let coords: Vec<AtomicU32> = head_emb
        .iter()
        .map(|v| AtomicU32::new(v.to_bits()))
        .collect();
    let mut alpha = s.initial_alpha;
    for n in 0..s.n_epochs {
        let epoch = Epoch {
            s,
            epochs_per_negative_sample: &epochs_per_negative_sample,
            coords: &coords,
            tail_emb,
            n_vertices: tail_emb.map_or(n_head, |t| t.len() / dim) as i64,
            epoch: n as f64,
            alpha,
        };
        if chunks.len() > 1 {
            chunks.par_iter_mut().for_each(|c| run_epoch(&epoch, c));
        } else {
            chunks.iter_mut().for_each(|c| run_epoch(&epoch, c));
        }
        // As umap-learn: after epoch `n`, the rate is `initial · (1 - n / n_epochs)`.
        alpha = s.initial_alpha * (1.0 - n as f64 / s.n_epochs as f64);
    }
    for (v, c) in head_emb.iter_mut().zip(&coords) {
        *v = f32::from_bits(c.load(Relaxed));
    }
}

/// One epoch over a chunk's edges: umap-learn's loop body, edge by edge in order.
fn run_epoch(e: &Epoch<'_>, c: &mut Chunk<'_>) {
    let s = e.s;
    let dim = s.dim;
    let (a, b, nf, alpha) = (s.a, s.b, e.epoch, e.alpha);
    let move_other = e.tail_emb.is_none();
    let mut current = vec![0.0f32; dim];
    let mut other_row = vec![0.0f32; dim];
    for (local, (next_sample, next_negative)) in c
        .next_sample
        .iter_mut()
        .zip(c.next_negative.iter_mut())
        .enumerate()
    {
        if *next_sample > nf {
            continue;
        }
        let i = c.first_edge + local;
        let (j, k) = (s.head[i], s.tail[i]);
        for d in 0..dim {
            current[d] = load(e.coords, j * dim + d);
            other_row[d] = match e.tail_emb {
                Some(t) => t[k * dim + d],
                None => load(e.coords, k * dim + d),
            };
        }
        let dist_squared = rdist(&current, &other_row);
        let grad_coeff = if dist_squared > 0.0 {
            // d^b as d^(b-1)·d: one power per edge, the layout's costliest call, in `f32`
            // (about twice as fast as `f64`'s, and the gradient is clipped to ±4 anyway)
            let pow_b1 = pow32(dist_squared, b - 1.0);
            -2.0 * a * b * pow_b1 / (a * pow_b1 * dist_squared + 1.0)
        } else {
            0.0
        };
        for d in 0..dim {
            let grad_d = clip(grad_coeff * f64::from(current[d] - other_row[d]));
            current[d] = (f64::from(current[d]) + grad_d * alpha) as f32;
            if move_other {
                other_row[d] = (f64::from(other_row[d]) - grad_d * alpha) as f32;
            }
        }
        if move_other {
            for (d, &v) in other_row.iter().enumerate() {
                store(e.coords, k * dim + d, v);
            }
        }
        *next_sample += s.epochs_per_sample[i];
        let n_neg = ((nf - *next_negative) / e.epochs_per_negative_sample[i]) as i64;
        let rng = &mut c.rng[j - c.first_head];
        for _ in 0..n_neg.max(0) {
            let k = tau_rand_int(rng).rem_euclid(e.n_vertices) as usize;
            match e.tail_emb {
                Some(t) => other_row.copy_from_slice(&t[k * dim..(k + 1) * dim]),
                // The head itself: at distance 0 with j == k, which umap-learn skips.
                None if k == j => continue,
                None => {
                    for (d, o) in other_row.iter_mut().enumerate() {
                        *o = load(e.coords, k * dim + d);
                    }
                }
            }
            let dist_squared = rdist(&current, &other_row);
            let grad_coeff = if dist_squared > 0.0 {
                2.0 * s.gamma * b / ((0.001 + dist_squared) * (a * pow32(dist_squared, b) + 1.0))
            } else if j == k {
                // umap-learn skips on equal indices, even of the two embeddings.
                continue;
            } else {
                0.0
            };
            if grad_coeff > 0.0 {
                for d in 0..dim {
                    let grad_d = clip(grad_coeff * f64::from(current[d] - other_row[d]));
                    current[d] = (f64::from(current[d]) + grad_d * alpha) as f32;
                }
            }
        }
        for (d, &v) in current.iter().enumerate() {
            store(e.coords, j * dim + d, v);
        }
        *next_negative += n_neg as f64 * e.epochs_per_negative_sample[i];
    }
}

/// `x^y` computed in `f32`.
fn pow32(x: f64, y: f64) -> f64 {
    f64::from((x as f32).powf(y as f32))
}

/// The squared euclidean distance, summed in `f64` from `f32` differences.
fn rdist(x: &[f32], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| {
            let d = a - b;
            f64::from(d * d)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parallel layout's runs of edges start at a new head vertex, in order, and cover
    /// every edge.
    #[test]
    fn chunks_never_split_a_head() {
        let head = [0, 0, 0, 1, 1, 2, 5, 5, 5, 5, 6];
        for parts in [1, 2, 3, 4, 8, 20] {
            let starts = chunk_starts(&head, parts);
            assert_eq!(starts[0], 0);
            assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
            assert!(
                starts[1..].iter().all(|&s| head[s] != head[s - 1]),
                "{starts:?}"
            );
            assert!(starts.len() <= parts);
        }
        assert_eq!(chunk_starts(&[], 4), vec![0]);
        assert_eq!(chunk_starts(&[3, 3, 3], 4), vec![0]);
    }

    /// Edges are sampled in proportion to their weight (never at weight 0), and the
    /// generator moves on at each draw.
    #[test]
    fn epochs_per_sample_scales_to_the_strongest_edge() {
        let e = make_epochs_per_sample(&[1.0, 0.5, 0.0, 0.25], 200);
        assert_eq!(e, vec![1.0, 2.0, -1.0, 4.0]);
        let mut s = [12345i64, 67890, 24680];
        let a = tau_rand_int(&mut s);
        let b = tau_rand_int(&mut s);
        assert_ne!(a, b);
    }
}
