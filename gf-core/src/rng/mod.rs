//! GhostFlow's seeded random generators, so that a seed fixes a whole program:
//!
//! * [`Philox`], counter-based: devices sample tensors from it (in parallel, and the same
//!   stream on every device);
//! * [`Xoshiro256`], sequential: the data loader's shuffles and the random transforms.

mod philox;

pub use philox::Philox;

/// xoshiro256** seeded through splitmix64: small, fast and good enough for ML sampling.
///
/// ```
/// use gf_core::rng::Xoshiro256;
/// let mut a = Xoshiro256::new(7);
/// let mut b = Xoshiro256::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Debug, Clone)]
pub struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// A generator whose whole state is spread from `seed` by splitmix64, so nearby seeds give
    /// unrelated streams.
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Xoshiro256 {
            s: [next(), next(), next(), next()],
        }
    }

    /// A generator for one item of a stream: `seed` fixes the stream, `keys` (an epoch, a sample
    /// index, ...) pick the item. Used where the result must not depend on which thread draws.
    pub fn for_keys(seed: u64, keys: &[u64]) -> Self {
        let mut h = seed;
        for &k in keys {
            h = Xoshiro256::new(h ^ k.wrapping_mul(0xD605_BBB5_8C8A_BBD5)).next_u64();
        }
        Xoshiro256::new(h)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// Standard normal by Box–Muller.
    pub fn next_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos()
    }

    /// Uniform in `0..n` without modulo bias (Lemire's multiply-and-reject). `n` must be > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Xoshiro256::below needs n > 0");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }

    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        self.shuffle(&mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut r = Xoshiro256::new(1);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[r.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| (800..1200).contains(&c)), "{seen:?}");
    }

    #[test]
    fn permutation_holds_every_index_once() {
        let mut p = Xoshiro256::new(3).permutation(100);
        assert_ne!(p, (0..100).collect::<Vec<_>>());
        p.sort_unstable();
        assert_eq!(p, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn keyed_streams_differ_by_key_and_repeat_by_seed() {
        let a = Xoshiro256::for_keys(5, &[0, 1]).next_u64();
        assert_eq!(a, Xoshiro256::for_keys(5, &[0, 1]).next_u64());
        assert_ne!(a, Xoshiro256::for_keys(5, &[1, 0]).next_u64());
        assert_ne!(a, Xoshiro256::for_keys(6, &[0, 1]).next_u64());
    }
}
