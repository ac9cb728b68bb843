//! UMAP's layout optimisation, as umap-learn's `optimize_layout_euclidean` (single-threaded,
//! so deterministic for a seed): each edge is sampled every `epochs_per_sample` epochs
//! (`n_epochs / (n_epochs · w / w_max)`), pulling its ends together by the gradient of
//! `log(1 / (1 + a d^{2b}))`, followed by `negative_sample_rate` negative samples per sampling
//! pushing the head away from random vertices; every gradient coordinate is clipped to
//! `[-4, 4]` and the learning rate decays linearly to 0. Coordinates are `f32` and the
//! arithmetic `f64`, as numba compiles umap-learn's.

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

/// Optimises `head_emb` (row-major, `dim` columns). With `tail_emb` `None` the tail is the
/// head embedding itself and both ends of an edge move (fitting); with a fixed tail
/// embedding only the head moves (`transform`).
pub(crate) fn optimize_layout_euclidean(
    s: &Layout<'_>,
    head_emb: &mut [f32],
    tail_emb: Option<&[f32]>,
) {
    let dim = s.dim;
    let n_head = head_emb.len() / dim;
    let n_vertices = tail_emb.map_or(n_head, |t| t.len() / dim) as i64;
    let move_other = tail_emb.is_none();
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
    let mut alpha = s.initial_alpha;
    let (a, b) = (s.a, s.b);
    let mut current = vec![0.0f32; dim];
    let mut other_row = vec![0.0f32; dim];
    for n in 0..s.n_epochs {
        let nf = n as f64;
        for i in 0..m {
            if epoch_of_next_sample[i] > nf {
                continue;
            }
            let (j, k) = (s.head[i], s.tail[i]);
            current.copy_from_slice(&head_emb[j * dim..(j + 1) * dim]);
            let other: &[f32] = match tail_emb {
                Some(t) => &t[k * dim..(k + 1) * dim],
                None => &head_emb[k * dim..(k + 1) * dim],
            };
            let dist_squared = rdist(&current, other);
            let grad_coeff = if dist_squared > 0.0 {
                // d^b as d^(b-1)·d: one `powf` per edge, the layout's costliest call
                let pow_b1 = dist_squared.powf(b - 1.0);
                -2.0 * a * b * pow_b1 / (a * pow_b1 * dist_squared + 1.0)
            } else {
                0.0
            };
            let other_out = &mut other_row[..];
            other_out.copy_from_slice(other);
            for d in 0..dim {
                let grad_d = clip(grad_coeff * f64::from(current[d] - other_out[d]));
                current[d] = (f64::from(current[d]) + grad_d * alpha) as f32;
                if move_other {
                    other_out[d] = (f64::from(other_out[d]) - grad_d * alpha) as f32;
                }
            }
            if move_other {
                head_emb[k * dim..(k + 1) * dim].copy_from_slice(&other_row);
            }
            epoch_of_next_sample[i] += s.epochs_per_sample[i];
            let n_neg =
                ((nf - epoch_of_next_negative_sample[i]) / epochs_per_negative_sample[i]) as i64;
            for _ in 0..n_neg.max(0) {
                let k = tau_rand_int(&mut rng[j]).rem_euclid(n_vertices) as usize;
                let other: &[f32] = match tail_emb {
                    Some(t) => &t[k * dim..(k + 1) * dim],
                    // The head itself: at distance 0 with j == k, which umap-learn skips.
                    None if k == j => continue,
                    None => &head_emb[k * dim..(k + 1) * dim],
                };
                let dist_squared = rdist(&current, other);
                let grad_coeff = if dist_squared > 0.0 {
                    2.0 * s.gamma * b / ((0.001 + dist_squared) * (a * dist_squared.powf(b) + 1.0))
                } else if j == k {
                    // umap-learn skips on equal indices, even of the two embeddings.
                    continue;
                } else {
                    0.0
                };
                if grad_coeff > 0.0 {
                    for d in 0..dim {
                        let o = other[d];
                        let grad_d = clip(grad_coeff * f64::from(current[d] - o));
                        current[d] = (f64::from(current[d]) + grad_d * alpha) as f32;
                    }
                }
            }
            head_emb[j * dim..(j + 1) * dim].copy_from_slice(&current);
            epoch_of_next_negative_sample[i] += n_neg as f64 * epochs_per_negative_sample[i];
        }
        // As umap-learn: after epoch `n`, the rate is `initial · (1 - n / n_epochs)`.
        alpha = s.initial_alpha * (1.0 - nf / s.n_epochs as f64);
    }
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
