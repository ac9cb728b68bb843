//! The CPU device: host memory, a seeded random generator, and the plain-loop kernels of the
//! families that are not op-specific.

#[allow(unsafe_code)] // aligned allocation and foreign memory; every block says why it is sound
mod buffer;

pub mod elementwise;
pub mod lanes;

pub use buffer::{CpuBuf, ALIGN};
pub use elementwise::CpuDtype;

use std::sync::{Arc, Mutex};

use super::{AccumulateKernel, DeviceInfo, RandomKernel, Storage, ViewKernel};
use crate::dtype::{Dtype, Unit};
use crate::error::Result;
use crate::layout::Layout;
use crate::rng::Xoshiro256;

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
        Ok(CpuBuf::zeroed(len))
    }
    fn try_from_host(&self, data: &[E]) -> Result<CpuBuf<E>> {
        Ok(CpuBuf::from_slice(data))
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
            return Ok(CpuBuf::zeroed(0));
        }
        if layout.is_contiguous() {
            return Ok(CpuBuf::from_slice(&src[layout.offset..layout.offset + n]));
        }
        let mut out = Vec::with_capacity(layout.num_elements());
        layout.for_each_offset(|o| out.push(src[o]));
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
        let mut i = 0;
        dst_layout.for_each_offset(|o| {
            dst[o] += src[i];
            i += 1;
        });
        Ok(())
    }
}

impl<E: Dtype> RandomKernel<E> for Cpu {
    fn try_sample_uniform(&self, len: usize, low: E, high: E) -> Result<CpuBuf<E>> {
        let (lo, hi) = (low.as_f64(), high.as_f64());
        Ok(self.with_rng(|r| {
            (0..len)
                .map(|_| E::from_f64(lo + (hi - lo) * r.next_f64()))
                .collect()
        }))
    }
    fn try_sample_normal(&self, len: usize, mean: E, std: E) -> Result<CpuBuf<E>> {
        let (m, s) = (mean.as_f64(), std.as_f64());
        Ok(self.with_rng(|r| {
            (0..len)
                .map(|_| E::from_f64(m + s * r.next_normal()))
                .collect()
        }))
    }
}
