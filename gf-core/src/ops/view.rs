//! Views: reshape, permute, transpose, broadcast, narrow, select, unsqueeze, flatten, contiguous.
//!
//! A view is a new layout over the same buffer. Every view's backward is the same: apply the
//! view's layout map to the contiguous layout of the input's gradient and scatter-add the output
//! gradient through it (broadcast strides of 0 sum up, permuted strides put values back).

use gf_shape::{
    Axes, BroadcastShapeFrom, ConstShape, FlattenShape, InsertAxis, PermuteShape, ReduceShape,
    ReplaceDim, ReshapeTo, Shape, TransposeShape,
};

use crate::device::{AccumulateKernel, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tape::Tape;
use crate::tensor::Tensor;

impl<S: Shape, E: Dtype, D: ViewKernel<E> + AccumulateKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// The shared mechanism: a new layout `map(layout)` over the same buffer, with the backward
    /// that scatters through `map(contiguous)`.
    pub(crate) fn try_view<S2: Shape>(
        self,
        shape: S2,
        map: impl Fn(&Layout) -> Layout,
    ) -> Result<Tensor<S2, E, D, T>> {
        let (inp, mut tape) = self.split_tape();
        let out_layout = map(&inp.layout());
        let mut strides = shape.strides();
        strides.as_mut().copy_from_slice(&out_layout.strides);
        let out = Tensor::from_parts(
            inp.device.clone(),
            inp.data.clone(),
            shape,
            strides,
            out_layout.offset,
            crate::NoneTape,
        )?;
        if tape.records() {
            let grad_layout = map(&Layout::contiguous(&inp.layout().dims));
            record_scatter_backward(&mut tape, &inp, out.id, grad_layout);
        }
        Ok(out.put_tape(tape))
    }

    /// A contiguous copy (shared when the tensor is already contiguous and whole).
    pub fn try_contiguous(self) -> Result<Self> {
        if self.offset == 0
            && self.is_contiguous()
            && self.device.buf_len(&self.data) == self.num_elements()
        {
            return Ok(self);
        }
        let (inp, mut tape) = self.split_tape();
        let buf = inp.device.try_contiguous(&inp.data, &inp.layout())?;
        let out = inp.with_new_buffer(buf, inp.shape.clone());
        if tape.records() {
            record_scatter_backward(
                &mut tape,
                &inp,
                out.id,
                Layout::contiguous(&inp.layout().dims),
            );
        }
        Ok(out.put_tape(tape))
    }

    /// See [`try_contiguous`](Self::try_contiguous).
    #[track_caller]
    pub fn contiguous(self) -> Self {
        self.try_contiguous().unwrap()
    }

    /// Reshapes to `shape`, sharing the buffer when the tensor is contiguous; `Err` when the
    /// element counts differ.
    pub fn try_reshape_like<S2: Shape>(self, shape: &S2) -> Result<Tensor<S2, E, D, T>>
    where
        S: ReshapeTo<S2>,
    {
        if shape.checked_num_elements() != Some(self.num_elements()) {
            let count = |n: Option<usize>| n.map_or("too many".into(), |n| n.to_string());
            return Err(Error::shape(
                "reshape",
                format!(
                    "cannot reshape {:?} ({} elements) to {:?} ({} elements)",
                    self.dims().as_ref(),
                    self.num_elements(),
                    shape.concrete().as_ref(),
                    count(shape.checked_num_elements())
                ),
            ));
        }
        let t = self.try_contiguous()?;
        let dims = shape.concrete().as_ref().to_vec();
        t.try_view(shape.clone(), move |l| Layout {
            strides: crate::layout::contiguous_strides(&dims),
            dims: dims.clone(),
            offset: l.offset,
        })
    }

    /// See [`try_reshape_like`](Self::try_reshape_like).
    #[track_caller]
    pub fn reshape_like<S2: Shape>(self, shape: &S2) -> Tensor<S2, E, D, T>
    where
        S: ReshapeTo<S2>,
    {
        self.try_reshape_like(shape).unwrap()
    }

    /// Reshapes to a const shape with the same element count (checked when compiling).
    ///
    /// ```compile_fail
    /// # use gf_core::prelude::*;
    /// let t: Tensor<Rank2<2, 3>, f32, _> = Cpu::default().zeros();
    /// let r: Tensor<Rank1<5>, f32, _> = t.reshape(); // 6 elements do not fill 5
    /// ```
    pub fn reshape<S2: ConstShape>(self) -> Tensor<S2, E, D, T>
    where
        S: ReshapeTo<S2>,
    {
        self.reshape_like(&S2::default())
    }

    /// Folds the axes from `Ax` to the last into one: `(B, C, H, W)` → `(B, C·H·W)`.
    pub fn try_flatten<Ax: Axes>(self) -> Result<Tensor<S::Flat, E, D, T>>
    where
        S: FlattenShape<Ax>,
    {
        let dims = self.dims();
        let dims = dims.as_ref();
        let k = Ax::INDICES[0];
        if k >= dims.len() {
            return Err(axis_out_of_range("flatten", k, dims.len()));
        }
        let mut new: Vec<usize> = dims[..k].to_vec();
        // an empty tensor may have dims whose product overflows
        let folded = Layout::contiguous(&dims[k..])
            .try_num_elements()
            .ok_or_else(|| {
                Error::shape(
                    "flatten",
                    format!("the axes from {k} of {dims:?} hold more elements than usize counts"),
                )
            })?;
        new.push(folded);
        let shape = S::Flat::from_concrete(&new).ok_or_else(|| {
            Error::shape("flatten", format!("{dims:?} does not flatten to {new:?}"))
        })?;
        let t = self.try_contiguous()?;
        t.try_view(shape, move |l| Layout {
            strides: crate::layout::contiguous_strides(&new),
            dims: new.clone(),
            offset: l.offset,
        })
    }

    /// See [`try_flatten`](Self::try_flatten).
    #[track_caller]
    pub fn flatten<Ax: Axes>(self) -> Tensor<S::Flat, E, D, T>
    where
        S: FlattenShape<Ax>,
    {
        self.try_flatten::<Ax>().unwrap()
    }

    /// Reorders run-time axes into shape `S2`; `axes[i]` is the input axis that becomes axis `i`.
    pub fn try_permute_axes<S2: Shape>(self, axes: &[usize]) -> Result<Tensor<S2, E, D, T>> {
        let dims = self.dims();
        let dims = dims.as_ref();
        let mut seen = vec![false; dims.len()];
        if axes.len() != dims.len()
            || axes
                .iter()
                .any(|&a| a >= dims.len() || std::mem::replace(&mut seen[a], true))
        {
            return Err(Error::shape(
                "permute",
                format!("{axes:?} is not a permutation of the axes of {dims:?}"),
            ));
        }
        let new: Vec<usize> = axes.iter().map(|&a| dims[a]).collect();
        let shape = S2::from_concrete(&new).ok_or_else(|| {
            Error::shape("permute", format!("{new:?} does not fit the output type"))
        })?;
        let axes = axes.to_vec();
        self.try_view(shape, move |l| Layout {
            dims: axes.iter().map(|&a| l.dims[a]).collect(),
            strides: axes.iter().map(|&a| l.strides[a]).collect(),
            offset: l.offset,
        })
    }

    /// Reorders the axes as `Ax` lists them, without copying.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let t = Cpu::default().tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// let p: Tensor<Rank2<3, 2>, f32, _> = t.permute::<(Axis<1>, Axis<0>)>();
    /// assert_eq!(p.to_vec(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    /// ```
    #[track_caller]
    pub fn permute<Ax: Axes>(self) -> Tensor<S::Permuted, E, D, T>
    where
        S: PermuteShape<Ax>,
    {
        self.try_permute_axes(Ax::INDICES).unwrap()
    }

    /// Swaps the last two axes, without copying.
    #[track_caller]
    pub fn transpose(self) -> Tensor<S::Transposed, E, D, T>
    where
        S: TransposeShape,
    {
        self.try_transpose().unwrap()
    }

    /// See [`transpose`](Self::transpose); `Err` for a `DynShape` of rank below 2.
    pub fn try_transpose(self) -> Result<Tensor<S::Transposed, E, D, T>>
    where
        S: TransposeShape,
    {
        let r = self.shape.num_dims();
        if r < 2 {
            return Err(Error::shape(
                "transpose",
                format!("a rank-{r} tensor has no two axes to swap"),
            ));
        }
        let mut axes: Vec<usize> = (0..r).collect();
        axes.swap(r - 1, r - 2);
        self.try_permute_axes(&axes)
    }

    /// Broadcasts to `dst` by repeating along the run-time axes `new_axes` (stride 0, no copy).
    pub fn try_broadcast_axes<S2: Shape>(
        self,
        dst: S2,
        new_axes: &[usize],
    ) -> Result<Tensor<S2, E, D, T>> {
        let (src, out) = (self.dims(), dst.concrete());
        let (src, out) = (src.as_ref(), out.as_ref());
        let kept: Vec<usize> = (0..out.len()).filter(|a| !new_axes.contains(a)).collect();
        let fits = kept.len() == src.len() && kept.iter().zip(src).all(|(&a, &s)| out[a] == s);
        if !fits || new_axes.iter().any(|&a| a >= out.len()) {
            return Err(Error::shape(
                "broadcast",
                format!("cannot broadcast {src:?} to {out:?} along axes {new_axes:?}"),
            ));
        }
        let (out_dims, kept) = (out.to_vec(), kept);
        self.try_view(dst, move |l| {
            let mut strides = vec![0; out_dims.len()];
            for (i, &a) in kept.iter().enumerate() {
                strides[a] = l.strides[i];
            }
            Layout {
                dims: out_dims.clone(),
                strides,
                offset: l.offset,
            }
        })
    }

    /// Broadcasts to a const shape, repeating along the axes `Ax` that the target adds.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let b = Cpu::default().tensor([1.0f32, 2.0]);
    /// let m: Tensor<Rank2<3, 2>, f32, _> = b.broadcast::<_, Axis<0>>();
    /// assert_eq!(m.to_vec(), vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn broadcast<Dst: ConstShape + BroadcastShapeFrom<S, Ax>, Ax: Axes>(
        self,
    ) -> Tensor<Dst, E, D, T> {
        self.try_broadcast_axes(Dst::default(), Ax::INDICES)
            .unwrap()
    }

    /// Broadcasts to `dst` (which may hold `usize` dims) along the axes `Ax`.
    pub fn try_broadcast_like<Dst: BroadcastShapeFrom<S, Ax>, Ax: Axes>(
        self,
        dst: &Dst,
    ) -> Result<Tensor<Dst, E, D, T>> {
        self.try_broadcast_axes(dst.clone(), Ax::INDICES)
    }

    /// See [`try_broadcast_like`](Self::try_broadcast_like).
    #[track_caller]
    pub fn broadcast_like<Dst: BroadcastShapeFrom<S, Ax>, Ax: Axes>(
        self,
        dst: &Dst,
    ) -> Tensor<Dst, E, D, T> {
        self.try_broadcast_like::<Dst, Ax>(dst).unwrap()
    }

    /// Broadcasts by numpy's rules (align trailing dims, expand size-1 dims) to `dims`.
    pub fn try_broadcast_numpy<S2: Shape>(self, dims: &[usize]) -> Result<Tensor<S2, E, D, T>> {
        let src = self.dims().as_ref().to_vec();
        let lead = dims.len().checked_sub(src.len());
        let fits = lead.is_some_and(|lead| {
            src.iter()
                .enumerate()
                .all(|(i, &s)| s == dims[lead + i] || s == 1)
        });
        let shape = S2::from_concrete(dims);
        let (Some(lead), true, Some(shape)) = (lead, fits, shape) else {
            return Err(Error::shape(
                "broadcast",
                format!("cannot broadcast {src:?} to {dims:?}"),
            ));
        };
        let out = dims.to_vec();
        self.try_view(shape, move |l| {
            let mut strides = vec![0; out.len()];
            for i in 0..l.dims.len() {
                strides[lead + i] = if l.dims[i] == out[lead + i] {
                    l.strides[i]
                } else {
                    0
                };
            }
            Layout {
                dims: out.clone(),
                strides,
                offset: l.offset,
            }
        })
    }

    /// The elements `start..start + len` along a run-time `axis`, as a view of shape `S2`.
    pub fn try_narrow_axis<S2: Shape>(
        self,
        axis: usize,
        start: usize,
        len: usize,
    ) -> Result<Tensor<S2, E, D, T>> {
        let mut dims = self.dims().as_ref().to_vec();
        let size = *dims
            .get(axis)
            .ok_or_else(|| axis_out_of_range("narrow", axis, dims.len()))?;
        match start.checked_add(len) {
            Some(end) if end <= size => {}
            end => {
                return Err(Error::Index {
                    op: "narrow",
                    index: end.unwrap_or(usize::MAX),
                    size,
                })
            }
        }
        dims[axis] = len;
        let shape = S2::from_concrete(&dims).ok_or_else(|| {
            Error::shape("narrow", format!("{dims:?} does not fit the output type"))
        })?;
        self.try_view(shape, move |l| {
            let mut n = l.clone();
            n.dims[axis] = len;
            n.offset = shifted(l, start, axis);
            n
        })
    }

    /// The elements `start..start + len` along axis `Ax`, without copying; the axis becomes a
    /// run-time dim. `Err` when the range runs past the axis.
    pub fn try_narrow<Ax: Axes>(
        self,
        start: usize,
        len: usize,
    ) -> Result<Tensor<Narrowed<S, Ax>, E, D, T>>
    where
        S: ReplaceDim<Ax, usize>,
    {
        self.try_narrow_axis(Ax::INDICES[0], start, len)
    }

    /// See [`try_narrow`](Self::try_narrow).
    #[track_caller]
    pub fn narrow<Ax: Axes>(self, start: usize, len: usize) -> Tensor<Narrowed<S, Ax>, E, D, T>
    where
        S: ReplaceDim<Ax, usize>,
    {
        self.try_narrow::<Ax>(start, len).unwrap()
    }

    /// The slice at `index` along a run-time `axis`, which disappears, as a view of shape `S2`.
    pub fn try_select_axis<S2: Shape>(
        self,
        axis: usize,
        index: usize,
    ) -> Result<Tensor<S2, E, D, T>> {
        let mut dims = self.dims().as_ref().to_vec();
        let size = *dims
            .get(axis)
            .ok_or_else(|| axis_out_of_range("select", axis, dims.len()))?;
        if index >= size {
            return Err(Error::Index {
                op: "select",
                index,
                size,
            });
        }
        dims.remove(axis);
        let shape = S2::from_concrete(&dims).ok_or_else(|| {
            Error::shape("select", format!("{dims:?} does not fit the output type"))
        })?;
        self.try_view(shape, move |l| {
            let mut n = l.clone();
            n.offset = shifted(l, index, axis);
            n.dims.remove(axis);
            n.strides.remove(axis);
            n
        })
    }

    /// The slice at `index` along axis `Ax`, which disappears (`x[:, i]` in numpy).
    pub fn try_select<Ax: Axes>(self, index: usize) -> Result<Tensor<S::Reduced, E, D, T>>
    where
        S: ReduceShape<Ax>,
    {
        self.try_select_axis(Ax::INDICES[0], index)
    }

    /// See [`try_select`](Self::try_select).
    #[track_caller]
    pub fn select<Ax: Axes>(self, index: usize) -> Tensor<S::Reduced, E, D, T>
    where
        S: ReduceShape<Ax>,
    {
        self.try_select::<Ax>(index).unwrap()
    }

    /// Inserts an axis of size 1 at `Ax` (`unsqueeze` in PyTorch).
    ///
    /// Panics for a `DynShape` of rank below `Ax`; see [`try_unsqueeze`](Self::try_unsqueeze).
    #[track_caller]
    pub fn unsqueeze<Ax: Axes>(self) -> Tensor<Unsqueezed<S, Ax>, E, D, T>
    where
        S: InsertAxis<Ax, gf_shape::Const<1>>,
    {
        self.try_unsqueeze::<Ax>().unwrap()
    }

    /// Fallible form of [`unsqueeze`](Self::unsqueeze): `Err` when `Ax` is past the rank of a
    /// `DynShape` (typed shapes check it when compiling).
    pub fn try_unsqueeze<Ax: Axes>(self) -> Result<Tensor<Unsqueezed<S, Ax>, E, D, T>>
    where
        S: InsertAxis<Ax, gf_shape::Const<1>>,
    {
        match Ax::INDICES {
            [axis] => self.try_unsqueeze_axis(*axis),
            many => Err(Error::shape(
                "unsqueeze",
                format!("expects a single axis, got axes {many:?}"),
            )),
        }
    }

    /// Inserts an axis of size 1 at run-time position `axis` (0 to the rank) into shape type
    /// `S2`; `Err` when `axis` is past the rank or the result does not fit `S2`.
    pub fn try_unsqueeze_axis<S2: Shape>(self, axis: usize) -> Result<Tensor<S2, E, D, T>> {
        let mut dims = self.dims().as_ref().to_vec();
        if axis > dims.len() {
            return Err(Error::shape(
                "unsqueeze",
                format!(
                    "axis {axis} is out of range for a rank-{} tensor (a new axis goes at 0..={})",
                    dims.len(),
                    dims.len()
                ),
            ));
        }
        dims.insert(axis, 1);
        let shape = S2::from_concrete(&dims).ok_or_else(|| {
            Error::shape(
                "unsqueeze",
                format!("{dims:?} does not fit the output type"),
            )
        })?;
        self.try_view(shape, move |l| {
            let mut n = l.clone();
            n.dims.insert(axis, 1);
            n.strides.insert(axis, 0);
            n
        })
    }
}

/// The error for a run-time `axis` that a rank-`rank` tensor does not have.
fn axis_out_of_range(op: &'static str, axis: usize, rank: usize) -> Error {
    Error::shape(
        op,
        format!("axis {axis} is out of range for a rank-{rank} tensor"),
    )
}

/// The offset of `l` moved `by` steps along `axis`. The product cannot overflow when the view
/// holds an element (the step stays inside its validated span); an empty view's strides may be
/// saturated, and its offset is never read, so it stays where it was.
fn shifted(l: &Layout, by: usize, axis: usize) -> usize {
    by.checked_mul(l.strides[axis])
        .and_then(|step| l.offset.checked_add(step))
        .unwrap_or(l.offset)
}

/// The shape of a tensor with a new axis of size 1 at `Ax`.
pub type Unsqueezed<S, Ax> = <S as InsertAxis<Ax, gf_shape::Const<1>>>::Output;

/// The shape of a tensor narrowed along `Ax`: that dim becomes `usize`.
pub type Narrowed<S, Ax> = <S as ReplaceDim<Ax, usize>>::Output;

/// Records the backward shared by every view and copy: scatter-add the output's gradient into
/// the input's gradient through `grad_layout`.
pub(crate) fn record_scatter_backward<S: Shape, E: Dtype, D: AccumulateKernel<E>, T: Tape>(
    tape: &mut T,
    inp: &Tensor<S, E, D>,
    out_id: crate::UniqueId,
    grad_layout: Layout,
) {
    let (inp_id, len, dev) = (inp.id, inp.num_elements(), inp.device.clone());
    tape.add_backward_op(out_id, move |grads| {
        let Some(g) = grads.take::<E, D>(out_id)? else {
            return Ok(());
        };
        let gi = grads.get_or_alloc_mut::<E, D>(inp_id, &dev, len)?;
        dev.try_scatter_add(gi, &grad_layout, &g)
    });
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn views_share_the_buffer_and_read_right() {
        let dev = Cpu::default();
        let t = dev.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let c = t.clone().narrow::<Axis<1>>(1, 2);
        assert_eq!(c.dims(), [2, 2]);
        assert_eq!(c.to_vec(), vec![2.0, 3.0, 5.0, 6.0]);
        assert!(std::sync::Arc::ptr_eq(c.data(), t.data()));
        assert_eq!(t.clone().select::<Axis<0>>(1).to_vec(), vec![4.0, 5.0, 6.0]);
        assert_eq!(
            t.clone().transpose().reshape::<Rank1<6>>().to_vec(),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
        assert_eq!(t.clone().unsqueeze::<Axis<0>>().dims(), [1, 2, 3]);
        let f = dev.zeros::<Rank4<2, 3, 4, 5>>().flatten::<Axis<1>>();
        let _: Tensor<Rank2<2, 60>, f32, Cpu> = f;
    }

    #[test]
    fn runtime_view_errors_are_errs() {
        let dev = Cpu::default();
        let t: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(2, 3));
        assert!(t.clone().try_narrow::<Axis<1>>(2, 2).is_err());
        assert!(t.clone().try_select::<Axis<0>>(2).is_err());
        assert!(t.clone().try_reshape_like(&(4usize,)).is_err());
        assert!(t
            .try_broadcast_like::<_, Axis<0>>(&(4usize, 2usize, 2usize))
            .is_err());
    }
}
