//! The CPU device: host memory, a seeded random generator, and the plain-loop kernels of the
//! families that are not op-specific.

#[allow(unsafe_code)] // aligned allocation and foreign memory; every block says why it is sound
mod buffer;

pub mod elementwise;
#[allow(unsafe_code)] // packing and micro-kernels on raw pointers; every block says why
pub mod gemm;
pub mod lanes;
#[allow(unsafe_code)] // std::arch intrinsics behind run-time detection; every block says why
pub mod simd;

pub use buffer::{CpuBuf, ALIGN};
pub use elementwise::CpuDtype;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{AccumulateKernel, CastKernel, DeviceInfo, RandomKernel, Storage, ViewKernel};
use crate::dtype::{Dtype, Unit};
use crate::error::Result;
use crate::layout::Layout;
use crate::rng::Philox;

/// The CPU. Random tensors come from a counter-based [`Philox`] stream keyed by the seed: each
/// sampling call takes the next range of block counters (one atomic add, no lock) and fills its
/// buffer in parallel, and clones share the counter, so a seeded program is reproducible and a
/// CUDA device with the same seed and counter makes the same numbers.
#[derive(Clone, Debug)]
pub struct Cpu {
    seed: u64,
    next_block: Arc<AtomicU64>,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu::seed_from_u64(0)
    }
}

impl Cpu {
    /// A CPU device whose random stream is keyed by `seed`, from its start.
    pub fn seed_from_u64(seed: u64) -> Self {
        Cpu {
            seed,
            next_block: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The next 64 random bits of the device's stream.
    pub fn next_u64(&self) -> u64 {
        let (philox, b) = self.reserve_blocks(1);
        let w = philox.block(b);
        (u64::from(w[0]) << 32) | u64::from(w[1])
    }

    /// Where the stream stands: the seed and the next block counter. Saving it with a
    /// checkpoint and restoring it with [`set_rng_state`](Self::set_rng_state) resumes the same
    /// random numbers.
    pub fn rng_state(&self) -> (u64, u64) {
        (self.seed, self.next_block.load(Ordering::Relaxed))
    }

    /// A device with the stream of `seed` from block `next_block` (see
    /// [`rng_state`](Self::rng_state)).
    pub fn set_rng_state(seed: u64, next_block: u64) -> Self {
        Cpu {
            seed,
            next_block: Arc::new(AtomicU64::new(next_block)),
        }
    }

    /// The generator and the first of `n` consecutive block counters reserved for one call.
    pub(crate) fn reserve_blocks(&self, n: u64) -> (Philox, u64) {
        (
            Philox::new(self.seed),
            self.next_block.fetch_add(n, Ordering::Relaxed),
        )
    }

    /// A buffer of `len` values from the next blocks of the stream, filled in parallel block by
    /// block: `f` gets one block's uniforms and the (up to as many) elements they make.
    fn fill_from_uniforms<E: Dtype>(
        &self,
        len: usize,
        f: impl Fn(&[f64], &mut [E]) + Sync + Send,
    ) -> Result<CpuBuf<E>> {
        let digits = E::MANTISSA_DIGITS;
        let per = Philox::per_block(digits);
        let (philox, start) = self.reserve_blocks(Philox::blocks_for(len, digits));
        let mut out = CpuBuf::try_zeroed(len)?;
        let fill = |(j, chunk): (usize, &mut [E])| {
            // a chunk of RANDOM_CHUNK blocks: each block's uniforms feed `per` elements
            let first = start + (j * RANDOM_CHUNK) as u64;
            for (b, dst) in chunk.chunks_mut(per).enumerate() {
                let (u, _) = philox.block_uniforms(first + b as u64, digits);
                f(&u[..per], dst);
            }
        };
        #[cfg(feature = "rayon")]
        if len >= super::PAR_THRESHOLD {
            use rayon::prelude::*;
            out.par_chunks_mut(RANDOM_CHUNK * per)
                .enumerate()
                .for_each(fill);
            return Ok(out);
        }
        out.chunks_mut(RANDOM_CHUNK * per)
            .enumerate()
            .for_each(fill);
        Ok(out)
    }
}

/// Blocks per unit of parallel random work.
const RANDOM_CHUNK: usize = 1024;

impl DeviceInfo for Cpu {
    fn name(&self) -> String {
        "cpu".into()
    }
    /// Every `Cpu` handle reaches the same host memory, whatever its random generator.
    fn same_device(&self, _: &Self) -> bool {
        true
    }
}

impl<E: Unit> Storage<E> for Cpu {
    type Vec = CpuBuf<E>;
    fn try_alloc_zeros(&self, len: usize) -> Result<CpuBuf<E>> {
        CpuBuf::try_zeroed(len)
    }
    fn try_from_host(&self, data: &[E]) -> Result<CpuBuf<E>> {
        CpuBuf::try_from_slice(data)
    }
    fn try_from_host_vec(&self, data: Vec<E>) -> Result<CpuBuf<E>> {
        Ok(CpuBuf::from_vec(data))
    }
    fn try_to_host(&self, buf: &CpuBuf<E>) -> Result<Vec<E>> {
        Ok(buf.to_vec())
    }
    fn buf_len(&self, buf: &CpuBuf<E>) -> usize {
        buf.len()
    }
}

impl<E: Unit> ViewKernel<E> for Cpu {
    fn try_contiguous(&self, src: &CpuBuf<E>, layout: &Layout) -> Result<CpuBuf<E>> {
        let n = layout.num_elements();
        if n == 0 {
            return CpuBuf::try_zeroed(0);
        }
        if layout.is_contiguous() {
            return CpuBuf::try_from_slice(&src[layout.offset..layout.offset + n]);
        }
        let mut out = Vec::with_capacity(layout.num_elements());
        layout.for_each_offset(|o| out.push(src[o]));
        Ok(out.into())
    }
}

impl<E: Dtype, E2: Dtype> CastKernel<E, E2> for Cpu {
    fn try_cast(&self, src: &CpuBuf<E>, layout: &Layout) -> Result<CpuBuf<E2>> {
        let mut out = Vec::with_capacity(layout.num_elements());
        layout.for_each_offset(|o| out.push(crate::ops::cast::convert(src[o])));
        Ok(out.into())
    }
}

impl<E: Dtype> AccumulateKernel<E> for Cpu {
    fn try_scatter_add(
        &self,
        dst: &mut CpuBuf<E>,
        dst_layout: &Layout,
        src: &CpuBuf<E>,
    ) -> Result<()> {
        if dst_layout.is_contiguous() {
            let d = &mut dst[dst_layout.offset..dst_layout.offset + src.len()];
            d.iter_mut().zip(src).for_each(|(d, s)| *d += *s);
            return Ok(());
        }
        // Row by row, each element added in the same order as one at a time (so the same
        // bits): a stride-1 row as a slice, a broadcast (stride-0) row into one running sum.
        let mut i = 0;
        dst_layout.for_each_row(|off, n, stride| {
            let row = &src[i..i + n];
            i += n;
            match stride {
                1 => dst[off..off + n]
                    .iter_mut()
                    .zip(row)
                    .for_each(|(d, s)| *d += *s),
                0 => {
                    let mut acc = dst[off];
                    for &s in row {
                        acc += s;
                    }
                    dst[off] = acc;
                }
                _ => {
                    for (j, &s) in row.iter().enumerate() {
                        dst[off + j * stride] += s;
                    }
                }
            }
        });
        Ok(())
    }
}

impl<E: Dtype> RandomKernel<E> for Cpu {
    fn try_sample_uniform(&self, len: usize, low: E, high: E) -> Result<CpuBuf<E>> {
        let (lo, hi) = (low.as_f64(), high.as_f64());
        self.fill_from_uniforms(len, |u, dst| {
            for (d, &u) in dst.iter_mut().zip(u) {
                *d = E::from_f64(lo + (hi - lo) * u);
            }
        })
    }
    fn try_sample_normal(&self, len: usize, mean: E, std: E) -> Result<CpuBuf<E>> {
        let (m, s) = (mean.as_f64(), std.as_f64());
        self.fill_from_uniforms(len, |u, dst| {
            // Box–Muller on consecutive pairs; a block holds whole pairs
            for (pair, d) in u.chunks(2).zip(dst.chunks_mut(2)) {
                let r = (-2.0 * (1.0 - pair[0]).ln()).sqrt();
                let t = 2.0 * core::f64::consts::PI * pair[1];
                d[0] = E::from_f64(m + s * r * t.cos());
                if let Some(d1) = d.get_mut(1) {
                    *d1 = E::from_f64(m + s * r * t.sin());
                }
            }
        })
    }
    fn try_dropout_mask(&self, len: usize, p: E, scale: E) -> Result<CpuBuf<E>> {
        let p = p.as_f64();
        self.fill_from_uniforms(len, |u, dst| {
            for (d, &u) in dst.iter_mut().zip(u) {
                *d = if u < p { E::zero() } else { scale };
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::rng::Philox;

    #[test]
    fn samples_are_the_documented_philox_stream() {
        let dev = Cpu::seed_from_u64(11);
        let a: Tensor<Rank1<7>, f64, Cpu> = dev.rand();
        let b: Tensor<Rank1<9>, f32, Cpu> = dev.randn();
        let p = Philox::new(11);
        // f64 uniforms take two words each: 7 samples use blocks 0..4; f32 normals then start at 4
        let want_a: Vec<f64> = (0..7).map(|i| p.uniform(0, i, 53)).collect();
        let want_b: Vec<f32> = (0..9).map(|i| p.normal(4, i, 24) as f32).collect();
        assert_eq!(a.to_vec(), want_a);
        assert_eq!(b.to_vec(), want_b);
        assert_eq!(dev.rng_state(), (11, 4 + 3));
    }

    #[test]
    fn a_large_parallel_draw_equals_the_sequential_stream() {
        let dev = Cpu::seed_from_u64(5);
        let n = (1 << 16) + 3; // crosses the parallel threshold and ends in a partial block
        let x: Tensor<(usize,), f32, Cpu> = dev.try_sample_uniform_like(&(n,), -1.0, 1.0).unwrap();
        let p = Philox::new(5);
        let v = x.to_vec();
        for i in [0, 1, 4097, n / 2, n - 1] {
            assert_eq!(
                v[i],
                (-1.0 + 2.0 * p.uniform(0, i, 24)) as f32,
                "element {i}"
            );
        }
    }

    #[test]
    fn a_saved_rng_state_resumes_the_stream() {
        let dev = Cpu::seed_from_u64(3);
        let _: Tensor<Rank1<5>, f64, Cpu> = dev.randn();
        let (seed, at) = dev.rng_state();
        let next: Tensor<Rank1<5>, f64, Cpu> = dev.randn();
        let resumed: Tensor<Rank1<5>, f64, Cpu> = Cpu::set_rng_state(seed, at).randn();
        assert_eq!(next.to_vec(), resumed.to_vec());
    }
}
