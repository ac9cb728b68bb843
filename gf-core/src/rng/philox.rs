//! Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
//! counter-based generator. Block `c` of the stream keyed by `k` is a pure function of `(k, c)`,
//! so any thread (or a CUDA kernel, which curand and PyTorch also base on Philox4x32-10) can
//! compute any part of a stream without waiting for the others.
//!
//! GhostFlow's streams, so that every device produces the same numbers for the same seed:
//!
//! * the key is the seed (low 32 bits, then high 32 bits); a sampling call is handed a range of
//!   64-bit block counters by its device, and block `b` uses the counter words
//!   `[lo(b), hi(b), 0, 0]`;
//! * a uniform sample of a type with at most 32 significand bits (f32) takes one 32-bit word, four
//!   per block, element `i` from word `i % 4` of block `i / 4`; wider types (f64) take two words,
//!   two per block, element `i` from words `2·(i % 2)` and `2·(i % 2) + 1` of block `i / 2`. The
//!   top `MANTISSA_DIGITS` bits become `u = bits · 2^-digits`, exact in the type and below 1;
//! * normal samples pair uniforms `(u₁, u₂)` in order, element `2j` being
//!   `√(−2 ln(1 − u₁)) · cos(2π u₂)` and element `2j + 1` the same with `sin`.

/// The multipliers and the key increments (Weyl constants) of Philox4x32.
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// Philox4x32 with 10 rounds, keyed by a seed.
///
/// ```
/// use gf_core::rng::Philox;
/// let p = Philox::new(42);
/// assert_eq!(p.block(7), p.block(7)); // a pure function of (seed, counter)
/// assert_ne!(p.block(7), p.block(8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Philox {
    key: [u32; 2],
}

#[inline(always)]
fn mulhilo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

impl Philox {
    /// The generator keyed by `seed`.
    pub fn new(seed: u64) -> Self {
        Philox::with_key([seed as u32, (seed >> 32) as u32])
    }

    /// The generator with an explicit two-word key.
    pub fn with_key(key: [u32; 2]) -> Self {
        Philox { key }
    }

    /// The 128 random bits of the full four-word counter `ctr`.
    #[inline]
    pub fn block_words(&self, ctr: [u32; 4]) -> [u32; 4] {
        let mut c = ctr;
        let mut k = self.key;
        for round in 0..10 {
            if round > 0 {
                k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
            }
            let (hi0, lo0) = mulhilo(M0, c[0]);
            let (hi1, lo1) = mulhilo(M1, c[2]);
            c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
        }
        c
    }

    /// Block `b` of GhostFlow's stream: counter words `[lo(b), hi(b), 0, 0]`.
    #[inline]
    pub fn block(&self, b: u64) -> [u32; 4] {
        self.block_words([b as u32, (b >> 32) as u32, 0, 0])
    }

    /// The uniform samples in `[0, 1)` of `digits` random bits that block `b` gives: four for
    /// `digits ≤ 32`, two above (the first `n` entries of the array are used, `n` returned).
    #[inline]
    pub fn block_uniforms(&self, b: u64, digits: u32) -> ([f64; 4], usize) {
        let w = self.block(b);
        let scale = (-(digits as f64)).exp2();
        if digits <= 32 {
            (w.map(|x| f64::from(x >> (32 - digits)) * scale), 4)
        } else {
            let wide = |hi: u32, lo: u32| ((u64::from(hi) << 32) | u64::from(lo)) >> (64 - digits);
            let (a, b) = (wide(w[0], w[1]), wide(w[2], w[3]));
            ([a as f64 * scale, b as f64 * scale, 0.0, 0.0], 2)
        }
    }

    /// Uniform sample `i` in `[0, 1)` with `digits` random bits, of the stream that starts at
    /// block `start` (the layout is in the module docs).
    #[inline]
    pub fn uniform(&self, start: u64, i: usize, digits: u32) -> f64 {
        let per = Self::per_block(digits);
        self.block_uniforms(start + (i / per) as u64, digits).0[i % per]
    }

    /// How many uniform samples of `digits` bits one block gives.
    pub fn per_block(digits: u32) -> usize {
        if digits <= 32 {
            4
        } else {
            2
        }
    }

    /// The number of blocks `n` samples of `digits` bits use.
    pub fn blocks_for(n: usize, digits: u32) -> u64 {
        (n as u64).div_ceil(Self::per_block(digits) as u64)
    }

    /// Normal sample `i` (mean 0, variance 1) of the stream that starts at block `start`.
    #[inline]
    pub fn normal(&self, start: u64, i: usize, digits: u32) -> f64 {
        let j = i - i % 2;
        let (u1, u2) = (
            self.uniform(start, j, digits),
            self.uniform(start, j + 1, digits),
        );
        let r = (-2.0 * (1.0 - u1).ln()).sqrt();
        let t = 2.0 * core::f64::consts::PI * u2;
        if i.is_multiple_of(2) {
            r * t.cos()
        } else {
            r * t.sin()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The known-answer vectors of the Random123 distribution (kat_vectors, philox4x32 10).
    #[test]
    fn blocks_equal_the_random123_known_answers() {
        let kat: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            (
                [0; 4],
                [0; 2],
                [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8],
            ),
            (
                [u32::MAX; 4],
                [u32::MAX; 2],
                [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd],
            ),
            (
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0],
                [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1],
            ),
        ];
        for (ctr, key, want) in kat {
            assert_eq!(
                Philox::with_key(key).block_words(ctr),
                want,
                "counter {ctr:x?}"
            );
        }
    }

    #[test]
    fn uniforms_are_in_range_and_uniform() {
        let p = Philox::new(9);
        for digits in [24, 53] {
            let n = 20_000;
            let us: Vec<f64> = (0..n).map(|i| p.uniform(3, i, digits)).collect();
            assert!(us.iter().all(|&u| (0.0..1.0).contains(&u)));
            let mean = us.iter().sum::<f64>() / n as f64;
            assert!((mean - 0.5).abs() < 0.01, "{digits} bits: mean {mean}");
            let mut buckets = [0usize; 10];
            us.iter().for_each(|&u| buckets[(u * 10.0) as usize] += 1);
            assert!(
                buckets.iter().all(|&b| (1800..2200).contains(&b)),
                "{buckets:?}"
            );
        }
    }

    #[test]
    fn normals_have_unit_variance_and_follow_the_layout() {
        let p = Philox::new(1);
        let n = 20_000;
        let zs: Vec<f64> = (0..n).map(|i| p.normal(0, i, 53)).collect();
        let mean = zs.iter().sum::<f64>() / n as f64;
        let var = zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.04,
            "{mean} {var}"
        );
        // element 2j + 1 shares its uniforms with element 2j
        let (u1, u2) = (p.uniform(0, 4, 53), p.uniform(0, 5, 53));
        let r = (-2.0 * (1.0 - u1).ln()).sqrt();
        assert_eq!(
            p.normal(0, 5, 53),
            r * (2.0 * core::f64::consts::PI * u2).sin()
        );
    }
}
