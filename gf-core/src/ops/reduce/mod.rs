//! Reductions over any set of axes, and the ops composed from them.
//!
//! `sum`, `max` and `min` are kernels; `mean`, `var` and `std` are compositions of
//! differentiable ops, so their gradients come for free and stay correct. `logsumexp`,
//! `softmax` and `log_softmax` along the last axis are fused row kernels with their own
//! backward (the hot case: attention and classifier heads); along other axes they are
//! compositions too, which the tests compare the fused kernels against.

mod cpu_kernel;
#[cfg(test)]
mod tests;

use gf_shape::{Axes, ReduceShape, Shape};

use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::{buffer_len, Layout};
use crate::ops::binary::BinaryKernel;
use crate::ops::unary::UnaryKernel;
use crate::tape::{Merge, NoneTape, Tape};
use crate::tensor::Tensor;

/// Which reduction a kernel computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceOp {
    /// The sum.
    Sum,
    /// The maximum.
    Max,
    /// The minimum.
    Min,
}

/// The reduction kernel family.
pub trait ReduceKernel<E: Dtype>: Storage<E> + Storage<usize> {
    /// Reduces the view over `axes` (sorted, distinct) into a contiguous buffer of the kept dims.
    fn try_reduce(
        &self,
        op: ReduceOp,
        inp: &<Self as Storage<E>>::Vec,
        layout: &Layout,
        axes: &[usize],
    ) -> Result<<Self as Storage<E>>::Vec>;
    /// Backward of max/min: the gradient goes to the elements equal to the result, split evenly
    /// among ties (like `torch.amax`).
    #[allow(clippy::too_many_arguments)]
    fn try_extremum_bwd(
        &self,
        inp: &<Self as Storage<E>>::Vec,
        layout: &Layout,
        axes: &[usize],
        out: &<Self as Storage<E>>::Vec,
        grad_inp: &mut <Self as Storage<E>>::Vec,
        grad_out: &<Self as Storage<E>>::Vec,
    ) -> Result<()>;
    /// Softmax (`log = false`) or log-softmax along the last axis of the view (whose last dim
    /// is not 0), into a contiguous buffer of the view's dims.
    fn try_softmax_last(
        &self,
        log: bool,
        inp: &<Self as Storage<E>>::Vec,
        layout: &Layout,
    ) -> Result<<Self as Storage<E>>::Vec>;
    /// Adds the backward of [`try_softmax_last`](Self::try_softmax_last) into `grad_inp`,
    /// given its output `out`; every buffer is contiguous, in rows of `n`.
    fn try_softmax_last_bwd(
        &self,
        log: bool,
        out: &<Self as Storage<E>>::Vec,
        grad_out: &<Self as Storage<E>>::Vec,
        grad_inp: &mut <Self as Storage<E>>::Vec,
        n: usize,
    ) -> Result<()>;
    /// `ln Σ e^x` along the last axis of the view (whose last dim is not 0), one value per
    /// row, without overflow.
    fn try_logsumexp_last(
        &self,
        inp: &<Self as Storage<E>>::Vec,
        layout: &Layout,
    ) -> Result<<Self as Storage<E>>::Vec>;
    /// Adds the backward of [`try_logsumexp_last`](Self::try_logsumexp_last) into `grad_inp`
    /// (contiguous), given the input view, the output `out` and its gradient (one per row).
    fn try_logsumexp_last_bwd(
        &self,
        inp: &<Self as Storage<E>>::Vec,
        layout: &Layout,
        out: &<Self as Storage<E>>::Vec,
        grad_out: &<Self as Storage<E>>::Vec,
        grad_inp: &mut <Self as Storage<E>>::Vec,
    ) -> Result<()>;
    /// The index of the largest (`max = true`) or smallest element along `axis`; the first wins
    /// ties, as in PyTorch.
    fn try_arg_reduce(
        &self,
        max: bool,
        inp: &<Self as Storage<E>>::Vec,
        layout: &Layout,
        axis: usize,
    ) -> Result<<Self as Storage<usize>>::Vec>;
}

/// The layout with the `axes` moved last: each run of `prod(reduced dims)` consecutive logical
/// elements then belongs to one output element.
pub(crate) fn reduced_last(layout: &Layout, axes: &[usize]) -> (Layout, usize) {
    let kept = (0..layout.dims.len()).filter(|a| !axes.contains(a));
    let order: Vec<usize> = kept.chain(axes.iter().copied()).collect();
    // saturates only when another dim is 0, for a layout with no elements to walk
    let n = axes
        .iter()
        .try_fold(1usize, |acc, &a| acc.checked_mul(layout.dims[a]))
        .unwrap_or(usize::MAX);
    let l = Layout {
        dims: order.iter().map(|&a| layout.dims[a]).collect(),
        strides: order.iter().map(|&a| layout.strides[a]).collect(),
        offset: layout.offset,
    };
    (l, n)
}

fn check_axes(op: &'static str, rank: usize, axes: &[usize]) -> Result<()> {
    if let Some(a) = axes.iter().find(|&&a| a >= rank) {
        return Err(Error::shape(
            op,
            format!("axis {a} is out of range for a rank-{rank} tensor"),
        ));
    }
    if axes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::shape(
            op,
            format!("axes {axes:?} must be distinct and increasing"),
        ));
    }
    Ok(())
}

impl ReduceOp {
    /// The op's name in messages (`"max"`).
    pub const fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Max => "max",
            ReduceOp::Min => "min",
        }
    }
}

/// A tape that can meet itself and untraced tensors in binary ops: what composite ops need.
pub trait MergeSelf: Sized + Merge<NoneTape, Output = Self> + Merge<Self, Output = Self> {}
impl<T: Merge<NoneTape, Output = T> + Merge<T, Output = T>> MergeSelf for T {}

impl<S: Shape, E: Dtype, D: ReduceKernel<E> + AccumulateKernel<E> + ViewKernel<E>, T: Tape>
    Tensor<S, E, D, T>
{
    /// Reduces over run-time `axes` (sorted, distinct) into shape `S2`; the engine behind every
    /// typed reduction, and the form the dynamic (Python) layer calls.
    pub fn try_reduce_axes<S2: Shape>(
        self,
        op: ReduceOp,
        axes: &[usize],
    ) -> Result<Tensor<S2, E, D, T>> {
        self.try_reduce_named(op.name(), op, axes)
    }

    /// [`try_reduce_axes`](Self::try_reduce_axes) whose errors name `name`, the op the user
    /// called (`"mean"` reduces with a sum).
    fn try_reduce_named<S2: Shape>(
        self,
        name: &'static str,
        op: ReduceOp,
        axes: &[usize],
    ) -> Result<Tensor<S2, E, D, T>> {
        let dims = self.dims().as_ref().to_vec();
        check_axes(name, dims.len(), axes)?;
        let kept = kept_dims(&dims, axes);
        let shape = S2::from_concrete(&kept)
            .ok_or_else(|| Error::shape(name, format!("{kept:?} does not fit the output type")))?;
        if op != ReduceOp::Sum && axes.iter().any(|&a| dims[a] == 0) {
            return Err(Error::shape(
                name,
                format!("cannot take the {} of an empty axis of {dims:?}", op.name()),
            ));
        }
        // reducing an empty axis of an empty tensor can make a large output: check it first
        buffer_len::<E>(name, &kept)?;
        let (inp, mut tape) = self.split_tape();
        let layout = inp.layout();
        let buf = inp.device.try_reduce(op, &inp.data, &layout, axes)?;
        let out = inp.with_new_buffer::<S2, E>(buf, shape);
        if tape.records() {
            let (iid, oid, n, dev) = (inp.id, out.id, inp.num_elements(), inp.device.clone());
            let axes = axes.to_vec();
            // only max/min read values in their backward; a sum frees its input right away
            let saved = (op != ReduceOp::Sum).then(|| (inp.data.clone(), out.data.clone()));
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                let gi = grads.get_or_alloc_mut::<E, D>(iid, &dev, n)?;
                if let Some((idata, odata)) = &saved {
                    return dev.try_extremum_bwd(idata, &layout, &axes, odata, gi, &g);
                }
                // every input element receives the gradient of the output it summed into
                let mut strides =
                    crate::layout::contiguous_strides(&kept_dims(&layout.dims, &axes));
                for &a in &axes {
                    strides.insert(a, 0);
                }
                let view = Layout {
                    dims: layout.dims.clone(),
                    strides,
                    offset: 0,
                };
                let spread = dev.try_contiguous(&g, &view)?;
                dev.try_scatter_add(gi, &Layout::contiguous(&layout.dims), &spread)
            });
        }
        Ok(out.put_tape(tape))
    }
}

fn kept_dims(dims: &[usize], axes: &[usize]) -> Vec<usize> {
    (0..dims.len())
        .filter(|a| !axes.contains(a))
        .map(|a| dims[a])
        .collect()
}

/// The kernel families the composite reductions use.
pub trait CompositeKernels<E: Dtype>:
    ReduceKernel<E> + AccumulateKernel<E> + ViewKernel<E> + UnaryKernel<E> + BinaryKernel<E>
{
}
impl<
        E: Dtype,
        D: ReduceKernel<E> + AccumulateKernel<E> + ViewKernel<E> + UnaryKernel<E> + BinaryKernel<E>,
    > CompositeKernels<E> for D
{
}

impl<S: Shape, E: Dtype, D: CompositeKernels<E>, T: Tape + MergeSelf> Tensor<S, E, D, T> {
    /// The number of elements each output element of a reduction over `axes` sums (checked
    /// axes). It saturates only when the input has no elements, where nothing divides by it.
    fn reduced_count(&self, name: &'static str, axes: &[usize]) -> Result<usize> {
        let dims = self.dims();
        check_axes(name, dims.as_ref().len(), axes)?;
        let sizes: Vec<usize> = axes.iter().map(|&a| dims.as_ref()[a]).collect();
        Ok(Layout::contiguous(&sizes).num_elements())
    }

    /// The mean over run-time `axes`.
    pub fn try_mean_axes<S2: Shape>(self, axes: &[usize]) -> Result<Tensor<S2, E, D, T>> {
        let n = self.reduced_count("mean", axes)?;
        self.try_reduce_named::<S2>("mean", ReduceOp::Sum, axes)?
            .try_div_scalar(E::from_usize(n))
    }

    /// The variance over run-time `axes`, dividing by `count − correction` (1 is PyTorch's
    /// unbiased default, 0 numpy's).
    pub fn try_var_axes<S2: Shape>(
        self,
        axes: &[usize],
        correction: usize,
    ) -> Result<Tensor<S2, E, D, T>> {
        let n = self.reduced_count("var", axes)?;
        if n <= correction {
            return Err(Error::shape(
                "var",
                format!("{n} elements leave no degrees of freedom with correction {correction}"),
            ));
        }
        let shape = self.shape.clone();
        let mean = self
            .clone()
            .try_mean_axes::<gf_shape::DynShape>(axes)?
            .try_broadcast_axes(shape, axes)?;
        self.try_sub(mean)?
            .try_square()?
            .try_reduce_named::<S2>("var", ReduceOp::Sum, axes)?
            .try_div_scalar(E::from_usize(n - correction))
    }

    /// The length of the last axis when `axes` is just that axis and it is not empty: the
    /// case the fused row kernels take.
    fn last_axis_rows(&self, axes: &[usize]) -> Option<usize> {
        let dims = self.dims();
        let dims = dims.as_ref();
        let n = *dims.last()?;
        (axes == [dims.len() - 1] && n > 0).then_some(n)
    }

    /// Softmax or log-softmax along the last axis by the fused row kernel; its backward reads
    /// only the output.
    fn try_softmax_rows(self, log: bool, n: usize) -> Result<Self> {
        let (inp, mut tape) = self.split_tape();
        let buf = inp.device.try_softmax_last(log, &inp.data, &inp.layout())?;
        let out = inp.with_new_buffer::<S, E>(buf, inp.shape.clone());
        if tape.records() {
            let (iid, oid, len, dev) = (inp.id, out.id, inp.num_elements(), inp.device.clone());
            let saved = out.data.clone();
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                let gi = grads.get_or_alloc_mut::<E, D>(iid, &dev, len)?;
                dev.try_softmax_last_bwd(log, &saved, &g, gi, n)
            });
        }
        Ok(out.put_tape(tape))
    }

    /// Logsumexp along the last axis by the fused row kernel.
    fn try_logsumexp_rows<S2: Shape>(self) -> Result<Tensor<S2, E, D, T>> {
        let dims = self.dims().as_ref().to_vec();
        let kept = &dims[..dims.len() - 1];
        let shape = S2::from_concrete(kept).ok_or_else(|| {
            Error::shape(
                "logsumexp",
                format!("{kept:?} does not fit the output type"),
            )
        })?;
        let (inp, mut tape) = self.split_tape();
        let layout = inp.layout();
        let buf = inp.device.try_logsumexp_last(&inp.data, &layout)?;
        let out = inp.with_new_buffer::<S2, E>(buf, shape);
        if tape.records() {
            let (iid, oid, len, dev) = (inp.id, out.id, inp.num_elements(), inp.device.clone());
            let (idata, odata) = (inp.data.clone(), out.data.clone());
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                let gi = grads.get_or_alloc_mut::<E, D>(iid, &dev, len)?;
                dev.try_logsumexp_last_bwd(&idata, &layout, &odata, &g, gi)
            });
        }
        Ok(out.put_tape(tape))
    }

    /// `log Σ exp(x)` over run-time `axes`, computed without overflow. Over the last axis
    /// alone it is one fused row kernel; otherwise a composition of differentiable ops.
    pub fn try_logsumexp_axes<S2: Shape>(self, axes: &[usize]) -> Result<Tensor<S2, E, D, T>> {
        if self.last_axis_rows(axes).is_some() {
            return self.try_logsumexp_rows();
        }
        let shape = self.shape.clone();
        let m = self
            .detach()
            .try_reduce_named::<S2>("logsumexp", ReduceOp::Max, axes)?;
        let m = m.try_unary(FiniteOrZero)?;
        let mb = m.clone().try_broadcast_axes(shape, axes)?;
        self.try_sub(mb)?
            .try_exp()?
            .try_reduce_axes::<S2>(ReduceOp::Sum, axes)?
            .try_ln()?
            .try_add(m)
    }

    /// Softmax along run-time `axis`: a fused row kernel along the last axis, a composition of
    /// differentiable ops along the others.
    pub fn try_softmax_axis(self, axis: usize) -> Result<Self> {
        if let Some(n) = self.last_axis_rows(&[axis]) {
            return self.try_softmax_rows(false, n);
        }
        let shape = self.shape.clone();
        let m = self
            .detach()
            .try_reduce_named::<gf_shape::DynShape>("softmax", ReduceOp::Max, &[axis])?
            .try_unary(FiniteOrZero)?;
        let e = self
            .try_sub(m.try_broadcast_axes(shape.clone(), &[axis])?)?
            .try_exp()?;
        let s = e
            .clone()
            .try_reduce_axes::<gf_shape::DynShape>(ReduceOp::Sum, &[axis])?
            .try_broadcast_axes(shape, &[axis])?;
        e.try_div(s)
    }

    /// Log-softmax along run-time `axis` (fused along the last axis, as softmax).
    pub fn try_log_softmax_axis(self, axis: usize) -> Result<Self> {
        if let Some(n) = self.last_axis_rows(&[axis]) {
            return self.try_softmax_rows(true, n);
        }
        let shape = self.shape.clone();
        let m = self
            .detach()
            .try_reduce_named::<gf_shape::DynShape>("log_softmax", ReduceOp::Max, &[axis])?
            .try_unary(FiniteOrZero)?;
        let shifted = self.try_sub(m.try_broadcast_axes(shape.clone(), &[axis])?)?;
        let lse = shifted
            .clone()
            .try_exp()?
            .try_reduce_axes::<gf_shape::DynShape>(ReduceOp::Sum, &[axis])?
            .try_ln()?;
        shifted.try_sub(lse.try_broadcast_axes(shape, &[axis])?)
    }
}

/// Replaces ±∞ (the max of an all −∞ row) by 0 so the shift in logsumexp and softmax stays finite.
#[derive(Clone, Copy, Debug)]
struct FiniteOrZero;
impl<E: Dtype> crate::ops::unary::UnaryOp<E> for FiniteOrZero {
    const NAME: &'static str = "finite_or_zero";
    const DF_USES: crate::ops::unary::DfUses = crate::ops::unary::DfUses::Nothing;
    const CUDA_F: &'static str = "isfinite(x) ? x : T(0)";
    const CUDA_DF: &'static str = "T(0)";
    fn f(&self, x: E) -> E {
        if x.is_finite() {
            x
        } else {
            E::zero()
        }
    }
    fn df(&self, _: E) -> E {
        E::zero()
    }
}

macro_rules! typed_reductions {
    ($($(#[$doc:meta])* $method:ident $try_method:ident => |$t:ident, $axes:ident| $body:expr;)*) => {
        impl<S: Shape, E: Dtype, D: CompositeKernels<E>, T: Tape + MergeSelf> Tensor<S, E, D, T> {$(
            $(#[$doc])*
            #[track_caller]
            pub fn $method<Ax: Axes>(self) -> Tensor<S::Reduced, E, D, T>
            where
                S: ReduceShape<Ax>,
            {
                self.$try_method::<Ax>().unwrap()
            }
            #[doc = concat!("Fallible form of [`", stringify!($method), "`](Self::", stringify!($method), ").")]
            pub fn $try_method<Ax: Axes>(self) -> Result<Tensor<S::Reduced, E, D, T>>
            where
                S: ReduceShape<Ax>,
            {
                let ($t, $axes) = (self, Ax::INDICES);
                $body
            }
        )*}
    };
}

typed_reductions! {
    /// The sum over the axes `Ax`.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let t = Cpu::default().tensor([[1.0f32, 2.0], [3.0, 4.0]]);
    /// assert_eq!(t.clone().sum::<Axis<0>>().to_vec(), vec![4.0, 6.0]);
    /// assert_eq!(t.sum::<(Axis<0>, Axis<1>)>().scalar(), 10.0);
    /// ```
    sum try_sum => |t, axes| t.try_reduce_axes(ReduceOp::Sum, axes);
    /// The maximum over the axes `Ax`; the gradient is split among ties.
    max try_max => |t, axes| t.try_reduce_axes(ReduceOp::Max, axes);
    /// The minimum over the axes `Ax`; the gradient is split among ties.
    min try_min => |t, axes| t.try_reduce_axes(ReduceOp::Min, axes);
    /// The mean over the axes `Ax`.
    mean try_mean => |t, axes| t.try_mean_axes(axes);
    /// The unbiased variance over `Ax` (divides by `n − 1`, like `torch.var`).
    var try_var => |t, axes| t.try_var_axes(axes, 1);
    /// The unbiased standard deviation over `Ax` (like `torch.std`).
    std try_std => |t, axes| t.try_var_axes(axes, 1)?.try_sqrt();
    /// `log Σ exp(x)` over `Ax`, stable for large inputs.
    logsumexp try_logsumexp => |t, axes| t.try_logsumexp_axes(axes);
}

impl<S: Shape, E: Dtype, D: CompositeKernels<E>, T: Tape + MergeSelf> Tensor<S, E, D, T> {
    /// Softmax along the axis `Ax`.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let p = Cpu::default().tensor([[1.0f32, 2.0, 3.0]]).softmax::<Axis<1>>();
    /// assert!((p.to_vec().iter().sum::<f32>() - 1.0).abs() < 1e-6);
    /// ```
    #[track_caller]
    pub fn softmax<Ax: Axes>(self) -> Self
    where
        S: ReduceShape<Ax>,
    {
        self.try_softmax_axis(Ax::INDICES[0]).unwrap()
    }

    /// Log-softmax along the axis `Ax`.
    #[track_caller]
    pub fn log_softmax<Ax: Axes>(self) -> Self
    where
        S: ReduceShape<Ax>,
    {
        self.try_log_softmax_axis(Ax::INDICES[0]).unwrap()
    }
}

impl<S: Shape, E: Dtype, D: ReduceKernel<E>, T> Tensor<S, E, D, T> {
    /// The index of the largest element along `Ax` (the first of ties).
    #[track_caller]
    pub fn argmax<Ax: Axes>(&self) -> Tensor<S::Reduced, usize, D>
    where
        S: ReduceShape<Ax>,
    {
        self.try_arg_reduce_axis(true, Ax::INDICES[0]).unwrap()
    }

    /// The index of the smallest element along `Ax` (the first of ties).
    #[track_caller]
    pub fn argmin<Ax: Axes>(&self) -> Tensor<S::Reduced, usize, D>
    where
        S: ReduceShape<Ax>,
    {
        self.try_arg_reduce_axis(false, Ax::INDICES[0]).unwrap()
    }

    /// Arg-max (`max = true`) or arg-min along a run-time `axis`, into shape `S2`.
    pub fn try_arg_reduce_axis<S2: Shape>(
        &self,
        max: bool,
        axis: usize,
    ) -> Result<Tensor<S2, usize, D>> {
        let name = if max { "argmax" } else { "argmin" };
        let dims = self.dims().as_ref().to_vec();
        check_axes(name, dims.len(), &[axis])?;
        if dims[axis] == 0 {
            return Err(Error::shape(
                name,
                format!("axis {axis} of {dims:?} is empty"),
            ));
        }
        let kept = kept_dims(&dims, &[axis]);
        let shape = S2::from_concrete(&kept)
            .ok_or_else(|| Error::shape(name, format!("{kept:?} does not fit the output type")))?;
        let buf = self
            .device
            .try_arg_reduce(max, &self.data, &self.layout(), axis)?;
        Ok(Tensor::from_buffer(
            self.device.clone(),
            buf,
            shape,
            NoneTape,
        ))
    }
}
