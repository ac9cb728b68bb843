//! Moving a tensor to another element type (`to_dtype`) or another device (`to_device`), with
//! the gradient flowing back the same way.
//!
//! Tapes are not tied to an element type or a device, so a graph that casts f32 to f64 (mixed
//! precision) or moves from one device to another records on one tape, and each gradient is
//! held in its own tensor's buffer type.

use gf_shape::Shape;

use crate::device::{AccumulateKernel, CastKernel, ViewKernel};
use crate::dtype::{Dtype, Unit};
use crate::error::Result;
use crate::layout::Layout;
use crate::tape::Tape;
use crate::tensor::Tensor;

impl<S: Shape, E: Dtype, D: AccumulateKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// The tensor with its elements converted to `E2` (rounded to nearest when narrowing);
    /// the gradient is converted back. `x.to_dtype::<f64>()` is PyTorch's `x.to(torch.float64)`.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let x = Cpu::default().tensor([1.5f32, -2.0]);
    /// let y: Tensor<Rank1<2>, f64, Cpu> = x.to_dtype();
    /// assert_eq!(y.to_vec(), vec![1.5, -2.0]);
    /// ```
    #[track_caller]
    pub fn to_dtype<E2: Dtype>(self) -> Tensor<S, E2, D, T>
    where
        D: CastKernel<E, E2> + CastKernel<E2, E>,
    {
        self.try_to_dtype().unwrap()
    }

    /// Fallible form of [`to_dtype`](Self::to_dtype): `Err` when the device fails.
    pub fn try_to_dtype<E2: Dtype>(self) -> Result<Tensor<S, E2, D, T>>
    where
        D: CastKernel<E, E2> + CastKernel<E2, E>,
    {
        let (inp, mut tape) = self.split_tape();
        let buf = CastKernel::<E, E2>::try_cast(&inp.device, &inp.data, &inp.layout())?;
        let out = inp.with_new_buffer::<S, E2>(buf, inp.shape.clone());
        if tape.records() {
            let (iid, oid, n, dev) = (inp.id, out.id, inp.num_elements(), inp.device.clone());
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E2, D>(oid)? else {
                    return Ok(());
                };
                let back = CastKernel::<E2, E>::try_cast(&dev, &g, &Layout::contiguous(&[n]))?;
                let gi = grads.get_or_alloc_mut::<E, D>(iid, &dev, n)?;
                dev.try_scatter_add(gi, &Layout::contiguous(&[n]), &back)
            });
        }
        Ok(out.put_tape(tape))
    }
}

impl<S: Shape, E: Dtype, D: ViewKernel<E> + AccumulateKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// The tensor on `device` (through host memory); the gradient comes back to this device.
    /// Ops between the result and tensors still on the old device are an `Err` naming both.
    #[track_caller]
    pub fn to_device<D2: ViewKernel<E>>(self, device: &D2) -> Tensor<S, E, D2, T> {
        self.try_to_device(device).unwrap()
    }

    /// Fallible form of [`to_device`](Self::to_device): `Err` when a transfer fails.
    pub fn try_to_device<D2: ViewKernel<E>>(self, device: &D2) -> Result<Tensor<S, E, D2, T>> {
        let (inp, mut tape) = self.split_tape();
        let host = inp.try_to_vec()?;
        let buf = device.try_from_host_vec(host)?;
        let out = Tensor::from_buffer(device.clone(), buf, inp.shape.clone(), crate::NoneTape);
        if tape.records() {
            let (iid, oid, n) = (inp.id, out.id, inp.num_elements());
            let (src, dst) = (inp.device.clone(), device.clone());
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D2>(oid)? else {
                    return Ok(());
                };
                let back = src.try_from_host_vec(dst.try_to_host(&g)?)?;
                let gi = grads.get_or_alloc_mut::<E, D>(iid, &src, n)?;
                src.try_scatter_add(gi, &Layout::contiguous(&[n]), &back)
            });
        }
        Ok(out.put_tape(tape))
    }
}

/// Converts one element type to another on the CPU: through `f64`, exact for every value an
/// `f32` holds, rounded to nearest when narrowing.
pub(crate) fn convert<E: Unit + Dtype, E2: Dtype>(x: E) -> E2 {
    E2::from_f64(x.as_f64())
}
