//! The CPU device: host memory, a seeded random generator, and the plain-loop kernels of the
//! families that are not op-specific.

use std::sync::{Arc, Mutex};

use super::{AccumulateKernel, RandomKernel, Storage, ViewKernel};
use crate::dtype::{Dtype, Unit};
use crate::error::Result;
use crate::layout::Layout;

/// The CPU. Clones share one random generator, so a seeded program is reproducible.
#[derive(Clone, Debug)]
pub struct Cpu {
    rng: Arc<Mutex<Xoshiro256>>,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu::seed_from_u64(0)
    }
}

impl Cpu {
    /// A CPU device whose random generator starts from `seed`.
    pub fn seed_from_u64(seed: u64) -> Self {
        Cpu {
            rng: Arc::new(Mutex::new(Xoshiro256::new(seed))),
        }
    }

    /// The next 64 random bits of the device's generator.
    pub fn next_u64(&self) -> u64 {
        self.rng.lock().expect("rng lock").next_u64()
    }

    pub(crate) fn with_rng<R>(&self, f: impl FnOnce(&mut Xoshiro256) -> R) -> R {
        f(&mut self.rng.lock().expect("rng lock"))
    }
}

/// xoshiro256** seeded through splitmix64: small, fast and good enough for ML sampling.
#[derive(Debug, Clone)]
pub(crate) struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    pub(crate) fn new(seed: u64) -> Self {
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

    pub(crate) fn next_u64(&mut self) -> u64 {
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
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by Box–Muller.
    pub(crate) fn next_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos()
    }
}

impl<E: Unit> Storage<E> for Cpu {
    type Vec = Vec<E>;
    fn try_alloc_zeros(&self, len: usize) -> Result<Vec<E>> {
        Ok(vec![E::default(); len])
    }
    fn try_from_host(&self, data: &[E]) -> Result<Vec<E>> {
        Ok(data.to_vec())
    }
    fn try_from_host_vec(&self, data: Vec<E>) -> Result<Vec<E>> {
        Ok(data)
    }
    fn to_host(&self, buf: &Vec<E>) -> Vec<E> {
        buf.clone()
    }
    fn buf_len(&self, buf: &Vec<E>) -> usize {
        buf.len()
    }
}

impl<E: Unit> ViewKernel<E> for Cpu {
    fn try_contiguous(&self, src: &Vec<E>, layout: &Layout) -> Result<Vec<E>> {
        let n = layout.num_elements();
        if n == 0 {
            return Ok(Vec::new());
        }
        if layout.is_contiguous() {
            return Ok(src[layout.offset..layout.offset + n].to_vec());
        }
        let mut out = Vec::with_capacity(layout.num_elements());
        layout.for_each_offset(|o| out.push(src[o]));
        Ok(out)
    }
}

impl<E: Dtype> AccumulateKernel<E> for Cpu {
    fn try_scatter_add(&self, dst: &mut Vec<E>, dst_layout: &Layout, src: &Vec<E>) -> Result<()> {
        if dst_layout.is_contiguous() {
            let d = &mut dst[dst_layout.offset..dst_layout.offset + src.len()];
            d.iter_mut().zip(src).for_each(|(d, s)| *d += *s);
            return Ok(());
        }
        let mut i = 0;
        dst_layout.for_each_offset(|o| {
            dst[o] += src[i];
            i += 1;
        });
        Ok(())
    }
}

impl<E: Dtype> RandomKernel<E> for Cpu {
    fn try_sample_uniform(&self, len: usize, low: E, high: E) -> Result<Vec<E>> {
        let (lo, hi) = (low.as_f64(), high.as_f64());
        Ok(self.with_rng(|r| {
            (0..len)
                .map(|_| E::from_f64(lo + (hi - lo) * r.next_f64()))
                .collect()
        }))
    }
    fn try_sample_normal(&self, len: usize, mean: E, std: E) -> Result<Vec<E>> {
        let (m, s) = (mean.as_f64(), std.as_f64());
        Ok(self.with_rng(|r| {
            (0..len)
                .map(|_| E::from_f64(m + s * r.next_normal()))
                .collect()
        }))
    }
}
