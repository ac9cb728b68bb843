//! Custom differentiable functions: an op defined by its forward and its backward, like
//! `torch.autograd.Function`.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_grad::prelude::*;
//! use gf_nn::function::{apply, CustomFn};
//!
//! /// `x³`, with its derivative written by hand.
//! struct Cube;
//! impl<S: Shape, D: Device<f64>> CustomFn<S, S, f64, D> for Cube {
//!     fn forward(&self, x: &Tensor<S, f64, D>) -> Result<Tensor<S, f64, D>> {
//!         x.clone().try_powi(3)
//!     }
//!     fn backward(
//!         &self,
//!         x: &Tensor<S, f64, D>,
//!         _y: &Tensor<S, f64, D>,
//!         grad_y: &Tensor<S, f64, D>,
//!     ) -> Result<Tensor<S, f64, D>> {
//!         x.clone().try_square()?.try_mul_scalar(3.0)?.try_mul(grad_y.clone())
//!     }
//! }
//!
//! let dev = Cpu::seed_from_u64(0);
//! let x = dev.randn_like(&DynShape::new([5]));
//! gradcheck(&[x], |xs| {
//!     apply(Cube, xs[0].clone()).try_reduce_axes(ReduceOp::Sum, &[0]).unwrap()
//! })
//! .unwrap();
//! ```

use std::sync::Arc;

use gf_core::device::{AccumulateKernel, ViewKernel};
use gf_core::shape::{HasShape, Shape};
use gf_core::{Device, Dtype, Error, Layout, NoneTape, Result, Tape, Tensor};

/// A differentiable function from `S` to `S2` given by its forward and backward passes.
///
/// `forward` sees the input's values (untraced); `backward` gets the input, the output and the
/// output's gradient and returns the input's gradient, of the input's shape. The function is
/// kept until the backward runs (it is the `ctx` of PyTorch's `Function`), so it may carry
/// what the forward saved.
pub trait CustomFn<S: Shape, S2: Shape, E: Dtype, D: Device<E>>: Send + Sync + 'static {
    /// The output for input `x`.
    fn forward(&self, x: &Tensor<S, E, D>) -> Result<Tensor<S2, E, D>>;
    /// `∂loss/∂x` from `∂loss/∂y`.
    fn backward(
        &self,
        x: &Tensor<S, E, D>,
        y: &Tensor<S2, E, D>,
        grad_y: &Tensor<S2, E, D>,
    ) -> Result<Tensor<S, E, D>>;
}

/// Runs `f` on `x`, recording `f.backward` on `x`'s tape when it records; on `NoneTape` only
/// the forward runs and nothing is kept. `Err` from the forward, or (when the backward runs)
/// from the backward or a gradient of the wrong shape.
pub fn try_apply<F, S, S2, E, D, T>(f: F, x: Tensor<S, E, D, T>) -> Result<Tensor<S2, E, D, T>>
where
    F: CustomFn<S, S2, E, D>,
    S: Shape,
    S2: Shape,
    E: Dtype,
    D: Device<E>,
    T: Tape,
{
    let (x, mut tape) = x.split_tape();
    // a fresh id, so a forward that returns its input unchanged still gets its own gradient
    let y = f.forward(&x)?.detach();
    if tape.records() {
        let y_id = y.id();
        let y_saved = y.clone();
        tape.add_backward_op(y_id, move |grads| {
            let dev = x.device().clone();
            let Some(gy) = grads.take::<E, D>(y_id)? else {
                return Ok(());
            };
            let shape = y_saved.shape().clone();
            let strides = shape.strides();
            let gy = Tensor::from_parts(dev.clone(), Arc::new(gy), shape, strides, 0, NoneTape)?;
            let gx = f.backward(&x, &y_saved, &gy)?;
            let dims = x.dims();
            if gx.dims().as_ref() != dims.as_ref() {
                return Err(Error::Shape {
                    op: "custom function backward",
                    message: format!(
                        "the gradient has shape {:?}, the input {:?}",
                        gx.dims().as_ref(),
                        dims.as_ref()
                    ),
                });
            }
            let src = <D as ViewKernel<E>>::try_contiguous(&dev, gx.data(), &gx.layout())?;
            let layout = Layout::contiguous(dims.as_ref());
            let dst = grads.get_or_alloc_mut::<E, D>(x.id(), &dev, x.num_elements())?;
            AccumulateKernel::try_scatter_add(&dev, dst, &layout, &src)
        });
    }
    Ok(y.put_tape(tape))
}

/// See [`try_apply`]; panics where that returns `Err`.
#[track_caller]
pub fn apply<F, S, S2, E, D, T>(f: F, x: Tensor<S, E, D, T>) -> Tensor<S2, E, D, T>
where
    F: CustomFn<S, S2, E, D>,
    S: Shape,
    S2: Shape,
    E: Dtype,
    D: Device<E>,
    T: Tape,
{
    try_apply(f, x).unwrap()
}
