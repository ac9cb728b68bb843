//! numpy's legacy `RandomState` as far as scikit-learn's trees and forests use it: MT19937
//! seeded with a 32-bit integer and `randint(0, high)` by masked rejection. With it, a seed
//! here draws what `random_state=seed` draws in scikit-learn (tree seeds, bootstrap samples,
//! the splitter's seed, gradient boosting's subsamples), and with [`NumpyRandom`] its Gaussian
//! draws and permutations (NMF, MiniBatchKMeans, MeanShift's subsample).

/// MT19937 with numpy's integer seeding and bounded draws.
#[derive(Clone)]
pub(crate) struct RandomState {
    mt: [u32; 624],
    pos: usize,
}

impl RandomState {
    /// `numpy.random.RandomState(seed)` (Matsumoto and Nishimura's `init_genrand`).
    pub(crate) fn new(seed: u32) -> Self {
        let mut mt = [0u32; 624];
        mt[0] = seed;
        for i in 1..624 {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        RandomState { mt, pos: 624 }
    }

    /// The next 32 random bits (`genrand_int32`).
    pub(crate) fn next_u32(&mut self) -> u32 {
        if self.pos == 624 {
            for k in 0..624 {
                let y = (self.mt[k] & 0x8000_0000) | (self.mt[(k + 1) % 624] & 0x7FFF_FFFF);
                let mag = if y & 1 == 1 { 0x9908_B0DF } else { 0 };
                self.mt[k] = self.mt[(k + 397) % 624] ^ (y >> 1) ^ mag;
            }
            self.pos = 0;
        }
        let mut y = self.mt[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C_5680;
        y ^= (y << 15) & 0xEFC6_0000;
        y ^ (y >> 18)
    }

    /// `random_sample()`: a double in `[0, 1)` from 53 random bits (numpy's
    /// `mt19937_next_double`), also what `uniform(size=n)` draws `n` times.
    pub(crate) fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `randint(0, high)` for `1 <= high <= 2^32`: 32 bits masked to the smallest `2^k - 1`
    /// covering `high - 1`, redrawn until in range (numpy's legacy bounded draw).
    pub(crate) fn randint(&mut self, high: u64) -> u32 {
        let max = (high - 1) as u32;
        if max == 0 {
            return 0;
        }
        let mask = u32::MAX >> max.leading_zeros();
        loop {
            let v = self.next_u32() & mask;
            if v <= max {
                return v;
            }
        }
    }
}

/// numpy's legacy `RandomState` with its Gaussian draws (`legacy_gauss`: Marsaglia's polar
/// method, the second value of each pair kept for the next call), its gamma draws
/// (`legacy_standard_gamma`) and `permutation`.
#[derive(Clone)]
pub(crate) struct NumpyRandom {
    rs: RandomState,
    gauss: Option<f64>,
}

impl NumpyRandom {
    /// `numpy.random.RandomState(seed)`.
    pub(crate) fn new(seed: u32) -> Self {
        NumpyRandom {
            rs: RandomState::new(seed),
            gauss: None,
        }
    }

    /// `standard_normal()` (and `normal(0, 1)`, which adds 0 and multiplies by 1).
    pub(crate) fn standard_normal(&mut self) -> f64 {
        if let Some(g) = self.gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.rs.random_sample() - 1.0;
            let x2 = 2.0 * self.rs.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `standard_gamma(shape)` for `shape > 1` (and `gamma(shape, scale)` as `scale` times it),
    /// numpy's `legacy_standard_gamma`: Marsaglia and Tsang's method on `legacy_gauss` and
    /// `legacy_double`, the draws in numpy's order.
    pub(crate) fn standard_gamma(&mut self, shape: f64) -> f64 {
        let b = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * b).sqrt();
        loop {
            let (x, v) = loop {
                let x = self.standard_normal();
                let v = 1.0 + c * x;
                if v > 0.0 {
                    break (x, v);
                }
            };
            let v = v * v * v;
            let u = self.rs.random_sample();
            if u < 1.0 - 0.0331 * (x * x) * (x * x) {
                return b * v;
            }
            if u.ln() < 0.5 * x * x + b * (1.0 - v + v.ln()) {
                return b * v;
            }
        }
    }

    /// `random_sample()`: a double in `[0, 1)`.
    pub(crate) fn random_sample(&mut self) -> f64 {
        self.rs.random_sample()
    }

    /// `randint(0, high)` for `1 <= high <= 2^32`.
    pub(crate) fn randint(&mut self, high: u64) -> u32 {
        self.rs.randint(high)
    }

    /// `permutation(n)`: `arange(n)` shuffled by Fisher and Yates from the end, each index
    /// drawn by masked rejection (numpy's legacy `shuffle`).
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.rs.randint(i as u64 + 1) as usize;
            p.swap(i, j);
        }
        p
    }
}

impl std::fmt::Debug for RandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RandomState { .. }")
    }
}

impl std::fmt::Debug for NumpyRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The 624 words of state say nothing useful to a reader.
        f.write_str("NumpyRandom { .. }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_draws_match_numpy() {
        // numpy: np.random.RandomState(0).gamma(100.0, 0.01, 3)
        let mut g = NumpyRandom::new(0);
        let want = [1.1833542379999842, 1.03715176873462, 1.194978503884998];
        for w in want {
            let got = 0.01 * g.standard_gamma(100.0);
            assert!((got - w).abs() < 1e-15, "got {got}, numpy has {w}");
        }
    }

    #[test]
    fn draws_match_numpy() {
        // numpy: RandomState(0).randint(0, 2**31 - 1) and RandomState(7).randint(0, 10, 5).
        assert_eq!(RandomState::new(0).randint((1 << 31) - 1), 209_652_396);
        let mut r = RandomState::new(7);
        let v: Vec<u32> = (0..5).map(|_| r.randint(10)).collect();
        assert_eq!(v, NUMPY_SEED7_RANDINT10);
        // numpy: RandomState(3).uniform(size=2).
        let mut r = RandomState::new(3);
        assert_eq!(r.random_sample(), 0.5507979025745755);
        assert_eq!(r.random_sample(), 0.7081478226181048);
    }

    const NUMPY_SEED7_RANDINT10: [u32; 5] = [4, 9, 6, 3, 3];
}
