//! Elementwise unary ops, each written once as `f` and `df`.
//!
//! An op states `f(x)`, its derivative, and what the derivative reads (nothing, `x` or `f(x)`,
//! [`UnaryOp::DF_USES`]); the forward and backward kernels of every device are
//! generic over that. Adding an activation is a struct and an impl.

mod cpu_kernel;
pub(crate) mod erf;
mod ops;

pub use ops::*;

use gf_shape::Shape;

use crate::device::lanes::Lanes;
use crate::device::Storage;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tape::Tape;
use crate::tensor::Tensor;

/// What an elementwise derivative reads, so a backward keeps only that alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DfUses {
    /// Nothing: the derivative is a constant (`x + c`, `−x`); backward keeps no buffer.
    Nothing,
    /// The input `x`.
    X,
    /// The output `f(x)` (cheaper for `exp`, `tanh`, `sigmoid`, ...).
    Fx,
}

/// An elementwise function and its derivative: the one row every device builds its forward
/// and backward kernels from.
pub trait UnaryOp<E: Dtype>: 'static + Clone + Send + Sync + core::fmt::Debug {
    /// The op's name in messages.
    const NAME: &'static str;
    /// What [`df`](Self::df) reads; backward keeps that buffer and nothing else.
    const DF_USES: DfUses;
    /// `f` as a CUDA C expression of `x` (element type `T`, the op's parameters by the names
    /// in [`PARAMS`](Self::PARAMS)), from which a CUDA device generates its forward kernel.
    const CUDA_F: &'static str;
    /// `df` as a CUDA C expression of `v` (`x` or `f(x)`, as [`DF_USES`](Self::DF_USES) says).
    const CUDA_DF: &'static str;
    /// The names of the op's parameters, as the CUDA expressions use them.
    const PARAMS: &'static [&'static str] = &[];
    /// The function.
    fn f(&self, x: E) -> E;
    /// The derivative, given `x` or `f(x)` as [`DF_USES`](Self::DF_USES) says (any value when
    /// it uses nothing).
    fn df(&self, v: E) -> E;
    /// The function over lanes (see [`Lanes`]): SIMD kernels call this; the default applies
    /// [`f`](Self::f) lane by lane.
    #[inline(always)]
    fn f_lanes<L: Lanes<E>>(&self, x: L) -> L {
        x.map(|v| self.f(v))
    }
    /// The derivative over lanes, given `x` or `f(x)` lanes as [`DF_USES`](Self::DF_USES)
    /// says: SIMD backward kernels call this; the default applies [`df`](Self::df) lane by lane.
    #[inline(always)]
    fn df_lanes<L: Lanes<E>>(&self, v: L) -> L {
        v.map(|v| self.df(v))
    }
    /// The parameters' values, in the order of [`PARAMS`](Self::PARAMS).
    fn param_values(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// The elementwise-unary kernel family.
pub trait UnaryKernel<E: Dtype>: Storage<E> {
    /// `f` over every element of the view, into a contiguous buffer.
    fn try_unary_fwd<Op: UnaryOp<E>>(
        &self,
        op: &Op,
        inp: &Self::Vec,
        layout: &Layout,
    ) -> Result<Self::Vec>;
    /// `buf[i] = f(buf[i])` in place, over a whole contiguous buffer (an input no one else
    /// holds, or a parameter updated in place).
    fn try_unary_assign<Op: UnaryOp<E>>(&self, op: &Op, buf: &mut Self::Vec) -> Result<()>;
    /// `grad_inp[i] += df(saved[i]) * grad_out[i]`, `saved` being `x` or `f(x)` under its
    /// layout, or `None` when the derivative reads nothing.
    fn try_unary_bwd<Op: UnaryOp<E>>(
        &self,
        op: &Op,
        saved: Option<(&Self::Vec, &Layout)>,
        grad_inp: &mut Self::Vec,
        grad_out: &Self::Vec,
    ) -> Result<()>;
}

impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// Applies any [`UnaryOp`] and records its backward.
    pub fn try_unary<Op: UnaryOp<E>>(self, op: Op) -> Result<Self> {
        let (mut inp, mut tape) = self.split_tape();
        let layout = inp.layout();
        // an input no one else holds is overwritten, unless its backward must read it
        let keeps_input = tape.records() && Op::DF_USES == DfUses::X;
        let dev = inp.device.clone();
        let out = match inp.whole_buf_mut().filter(|_| !keeps_input) {
            Some(buf) => {
                dev.try_unary_assign(&op, buf)?;
                inp.with_same_buffer(inp.shape.clone())
            }
            None => {
                let out_buf = inp.device.try_unary_fwd(&op, &inp.data, &layout)?;
                inp.with_new_buffer(out_buf, inp.shape.clone())
            }
        };
        if tape.records() {
            let (inp_id, out_id, len) = (inp.id, out.id, inp.num_elements());
            let saved = match Op::DF_USES {
                DfUses::Nothing => None,
                DfUses::X => Some((inp.data.clone(), layout)),
                DfUses::Fx => Some((out.data.clone(), out.layout())),
            };
            tape.add_backward_op(out_id, move |grads| {
                let Some(g) = grads.take::<E, D>(out_id)? else {
                    return Ok(());
                };
                let gi = grads.get_or_alloc_mut::<E, D>(inp_id, &dev, len)?;
                let saved = saved.as_ref().map(|(b, l)| (&**b, l));
                dev.try_unary_bwd(&op, saved, gi, &g)
            });
        }
        Ok(out.put_tape(tape))
    }
}

impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// `x` limited to `[min, max]`; the gradient passes where `min ≤ x ≤ max`. Panics when
    /// `min > max`; see [`try_clamp`](Self::try_clamp).
    #[track_caller]
    pub fn clamp(self, min: E, max: E) -> Self {
        self.try_clamp(min, max).unwrap()
    }

    /// `x` limited to `[min, max]`; `Err` when `min > max`.
    pub fn try_clamp(self, min: E, max: E) -> Result<Self> {
        if min > max {
            return Err(Error::argument(
                "clamp",
                format!("min {min} is above max {max}"),
            ));
        }
        self.try_clamp_unchecked(min, max)
    }
}
