//! Devices and their kernel families.
//!
//! A device implements small kernel traits, one per family (elementwise, reduce, matmul, conv,
//! ...). Each op asks only for the family it needs, so a new backend can grow op by op;
//! [`Device`] is the convenience bound over all of them.

mod cpu;

pub use cpu::{gemm, lanes, simd, Cpu, CpuBuf, CpuDtype, ALIGN};

/// Below this many elements, CPU kernels stay on one thread: spawning costs more than it saves.
#[cfg_attr(not(feature = "rayon"), allow(dead_code))]
pub(crate) const PAR_THRESHOLD: usize = 1 << 15;

use crate::dtype::{Dtype, Unit};
use crate::error::Result;
use crate::layout::Layout;

/// What every device says about itself, whatever it stores: its name, and whether two handles
/// reach the same memory (multi-operand ops check this and return an `Err` naming both).
pub trait DeviceInfo: 'static + Clone + core::fmt::Debug + Send + Sync {
    /// The name users see in messages ("cpu", "cuda:0").
    fn name(&self) -> String;
    /// `true` when buffers of `self` and `other` can be operands of one kernel.
    fn same_device(&self, other: &Self) -> bool;
}

/// Memory on a device for elements of type `E`.
pub trait Storage<E: Unit>: DeviceInfo {
    /// A buffer of `E` on this device.
    type Vec: 'static + Clone + core::fmt::Debug + Send + Sync;
    /// A buffer of `len` zeros (`false`, `0`).
    fn try_alloc_zeros(&self, len: usize) -> Result<Self::Vec>;
    /// A buffer holding a copy of `data`.
    fn try_from_host(&self, data: &[E]) -> Result<Self::Vec>;
    /// A buffer holding `data`; on the CPU this takes the vector without copying.
    fn try_from_host_vec(&self, data: Vec<E>) -> Result<Self::Vec> {
        self.try_from_host(&data)
    }
    /// The buffer's contents copied to host memory; `Err` when the transfer fails (a device
    /// that computes asynchronously reports its pending errors here).
    fn try_to_host(&self, buf: &Self::Vec) -> Result<Vec<E>>;
    /// The number of elements in the buffer.
    fn buf_len(&self, buf: &Self::Vec) -> usize;
}

/// Copies a strided view into a fresh contiguous buffer.
pub trait ViewKernel<E: Unit>: Storage<E> {
    /// The elements of `layout` over `src`, contiguous in row-major order.
    fn try_contiguous(&self, src: &Self::Vec, layout: &Layout) -> Result<Self::Vec>;
}

/// Converts buffers of one element type into another.
pub trait CastKernel<E: Unit, E2: Unit>: Storage<E> + Storage<E2> {
    /// The elements of `layout` over `src` as `E2`, contiguous in row-major order.
    fn try_cast(
        &self,
        src: &<Self as Storage<E>>::Vec,
        layout: &Layout,
    ) -> Result<<Self as Storage<E2>>::Vec>;
}

/// Accumulates gradients through views.
pub trait AccumulateKernel<E: Dtype>: Storage<E> {
    /// `dst[layout offset of i] += src[i]` for every logical element `i` of `dst_layout`;
    /// repeated offsets (broadcast strides) add up.
    fn try_scatter_add(
        &self,
        dst: &mut Self::Vec,
        dst_layout: &Layout,
        src: &Self::Vec,
    ) -> Result<()>;
}

/// Fills buffers with random numbers from the device's seeded stream (Philox4x32-10 laid out
/// as [`crate::rng::Philox`] describes, so devices agree).
pub trait RandomKernel<E: Dtype>: Storage<E> {
    /// `len` samples uniform in `[low, high)`.
    fn try_sample_uniform(&self, len: usize, low: E, high: E) -> Result<Self::Vec>;
    /// `len` samples from a normal distribution.
    fn try_sample_normal(&self, len: usize, mean: E, std: E) -> Result<Self::Vec>;
    /// Dropout's mask: each of `len` elements is 0 with probability `p` and `scale` otherwise.
    fn try_dropout_mask(&self, len: usize, p: E, scale: E) -> Result<Self::Vec>;
}

pub use crate::ops::binary::BinaryKernel;
pub use crate::ops::compare::CompareKernel;
pub use crate::ops::conv::ConvKernel;
pub use crate::ops::index::IndexKernel;
pub use crate::ops::matmul::MatMulKernel;
pub use crate::ops::pool::PoolKernel;
pub use crate::ops::reduce::ReduceKernel;
pub use crate::ops::unary::UnaryKernel;

/// Every kernel family for `E`: the bound for code that uses any op.
pub trait Device<E: Dtype>:
    Storage<E>
    + Storage<bool>
    + Storage<usize>
    + ViewKernel<E>
    + ViewKernel<bool>
    + ViewKernel<usize>
    + AccumulateKernel<E>
    + RandomKernel<E>
    + UnaryKernel<E>
    + BinaryKernel<E>
    + ReduceKernel<E>
    + MatMulKernel<E>
    + CompareKernel<E>
    + IndexKernel<E>
    + ConvKernel<E>
    + PoolKernel<E>
{
}

impl<E: Dtype, D> Device<E> for D where
    D: Storage<E>
        + Storage<bool>
        + Storage<usize>
        + ViewKernel<E>
        + ViewKernel<bool>
        + ViewKernel<usize>
        + AccumulateKernel<E>
        + RandomKernel<E>
        + UnaryKernel<E>
        + BinaryKernel<E>
        + ReduceKernel<E>
        + MatMulKernel<E>
        + CompareKernel<E>
        + IndexKernel<E>
        + ConvKernel<E>
        + PoolKernel<E>
{
}
