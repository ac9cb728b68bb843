//! Joining and indexing: concat, stack, index_select, gather, scatter_add and one_hot.
//!
//! Every op here is differentiable in its float tensors and never in its indices; indices are
//! `usize` tensors (`Tensor<S, usize, D>`), and an index past the end of its axis is an
//! [`Error::Index`] from the `try_` form, never a panic inside a kernel.
//!
//! The typed forms take the axis as a value, in PyTorch's argument order
//! (`x.index_select(Axis::<0>, &rows)`, `x.gather(Axis::<1>, &index)`): the other type
//! parameters come from the operands, so no `::<_, _>` turbofish is needed. Where the output
//! type depends on the axis it is computed from gf-shape's relations: [`ConcatShape`] for
//! [`concat_along`](Tensor::concat_along) (sizes add at compile time for `Const` dims),
//! [`InsertAxis`] for [`stack`](Tensor::stack), [`ReplaceDim`] for
//! [`index_select`](Tensor::index_select). The run-time forms (`try_concat_axis`,
//! `try_stack_axis`, `try_index_select_axis`, `try_gather_axis`, `try_scatter_add_axis`) take a
//! `usize` axis and, like [`try_narrow_axis`](Tensor::try_narrow_axis), an output shape type
//! `S2` when the output is not the input's or the index's shape type; they serve `DynShape`.
//!
//! ```
//! use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let a = dev.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
//! let b = dev.tensor([[5.0f32], [6.0]]);
//! let c: Tensor<Rank2<2, 3>, f32, _> = a.clone().concat_along(b, Axis::<1>);
//! assert_eq!(c.to_vec(), vec![1.0, 2.0, 5.0, 3.0, 4.0, 6.0]);
//!
//! let rows = dev.tensor([1usize, 1, 0]);
//! let picked: Tensor<Rank2<3, 2>, f32, _> = a.clone().index_select(Axis::<0>, &rows);
//! assert_eq!(picked.to_vec(), vec![3.0, 4.0, 3.0, 4.0, 1.0, 2.0]);
//!
//! let s: Tensor<Rank3<2, 2, 2>, f32, _> = Tensor::stack_array([a.clone(), a]);
//! assert_eq!(s.dims(), [2, 2, 2]);
//! ```
//!
//! Joining tensors whose other dims differ does not compile:
//!
//! ```compile_fail
//! use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let a: Tensor<Rank2<2, 3>, f32, _> = dev.zeros();
//! let b: Tensor<Rank2<3, 5>, f32, _> = dev.zeros();
//! let c = a.concat_along(b, Axis::<1>); // 2 rows cannot sit beside 3
//! ```
//!
//! Nor does indexing along an axis the tensor does not have:
//!
//! ```compile_fail
//! use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let a: Tensor<Rank2<2, 3>, f32, _> = dev.zeros();
//! let rows = dev.tensor([0usize, 1]);
//! let c = a.index_select(Axis::<2>, &rows);
//! ```

mod cpu_kernel;

use std::sync::Arc;

use gf_shape::{Axes, Axis, ConcatShape, Const, Dim, InsertAxis, ReplaceDim, Shape};

use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::{buffer_len, contiguous_strides, Layout};
use crate::tape::{Merge, NoneTape, Recording, Tape, UniqueId};
use crate::tensor::Tensor;

/// The joining and indexing kernel family. Index buffers hold `usize`; every method returns
/// [`Error::Index`] for an index outside its axis (and then writes nothing).
pub trait IndexKernel<E: Dtype>: Storage<E> + Storage<usize> {
    /// The views joined along `axis` into a contiguous buffer. The views have the same rank and
    /// the same dims except along `axis`.
    fn try_concat(
        &self,
        inputs: &[(&<Self as Storage<E>>::Vec, &Layout)],
        axis: usize,
    ) -> Result<<Self as Storage<E>>::Vec>;

    /// `out[p] = inp[p with p[axis] = index[p]]` for every position `p` of `index_layout`, into a
    /// contiguous buffer of the index's dims (`torch.gather`). The index has the input's rank and,
    /// off `axis`, dims no larger than the input's.
    fn try_gather(
        &self,
        inp: &<Self as Storage<E>>::Vec,
        inp_layout: &Layout,
        axis: usize,
        index: &<Self as Storage<usize>>::Vec,
        index_layout: &Layout,
    ) -> Result<<Self as Storage<E>>::Vec>;

    /// `dst[p with p[axis] = index[p]] += src[p]` for every position `p` of `index_layout`
    /// (`torch.Tensor.scatter_add_`); repeated indices add up. `src_layout` has the index's dims;
    /// off `axis`, the index dims are no larger than `dst`'s.
    #[allow(clippy::too_many_arguments)]
    fn try_scatter_add_axis(
        &self,
        dst: &mut <Self as Storage<E>>::Vec,
        dst_layout: &Layout,
        axis: usize,
        index: &<Self as Storage<usize>>::Vec,
        index_layout: &Layout,
        src: &<Self as Storage<E>>::Vec,
        src_layout: &Layout,
    ) -> Result<()>;

    /// A contiguous buffer of the index's dims followed by `num_classes`, holding 1 at each
    /// index's class and 0 elsewhere.
    fn try_one_hot(
        &self,
        index: &<Self as Storage<usize>>::Vec,
        index_layout: &Layout,
        num_classes: usize,
    ) -> Result<<Self as Storage<E>>::Vec>;
}

/// One input of a join: whose gradient it is, its buffer, its layout (with the new axis
/// already inserted, for stack), and whether it records (only those get a gradient).
struct Part<E: Dtype, D: Storage<E>> {
    id: UniqueId,
    data: Arc<D::Vec>,
    layout: Layout,
    records: bool,
    device: D,
}

impl<E: Dtype, D: Storage<E>> Part<E, D> {
    fn of<S: Shape>((t, records): &(Tensor<S, E, D>, bool)) -> Self {
        Part {
            id: t.id,
            data: t.data.clone(),
            layout: t.layout(),
            records: *records,
            device: t.device.clone(),
        }
    }
}

/// Joins `parts` along `axis` into a tensor of shape type `S2`; the engine behind concat and
/// stack. Its backward hands each part the slab of the output gradient it filled.
fn try_join<
    S2: Shape,
    E: Dtype,
    D: IndexKernel<E> + ViewKernel<E> + AccumulateKernel<E>,
    Tp: Tape,
>(
    op: &'static str,
    device: D,
    parts: Vec<Part<E, D>>,
    axis: usize,
    mut tape: Tp,
) -> Result<Tensor<S2, E, D, Tp>> {
    let first = &parts
        .first()
        .ok_or_else(|| Error::argument(op, "needs at least one tensor"))?
        .layout
        .dims;
    if let Some(p) = parts.iter().find(|p| !device.same_device(&p.device)) {
        return Err(Error::DeviceMismatch {
            op,
            lhs: device.name(),
            rhs: p.device.name(),
        });
    }
    let rank = first.len();
    if axis >= rank {
        return Err(axis_out_of_range(op, axis, first));
    }
    let mut out_dims = first.clone();
    out_dims[axis] = 0;
    for p in &parts {
        let dims = &p.layout.dims;
        let fits = dims.len() == rank && (0..rank).all(|a| a == axis || dims[a] == first[a]);
        if !fits {
            return Err(Error::shape(
                op,
                format!(
                    "cannot join shapes {first:?} and {dims:?} along axis {axis}: the other dims differ"
                ),
            ));
        }
        // only empty tensors can be long enough along the axis to overflow the sum
        out_dims[axis] = out_dims[axis].checked_add(dims[axis]).ok_or_else(|| {
            Error::shape(
                op,
                format!("the joined sizes along axis {axis} overflow usize"),
            )
        })?;
    }
    let shape = S2::from_concrete(&out_dims)
        .ok_or_else(|| Error::shape(op, format!("{out_dims:?} does not fit the output type")))?;
    let out_len = buffer_len::<E>(op, &out_dims)?;
    let inputs: Vec<_> = parts.iter().map(|p| (&*p.data, &p.layout)).collect();
    let buf = device.try_concat(&inputs, axis)?;
    let out = Tensor::from_buffer(device, buf, shape, NoneTape);
    // an empty output has no gradient to hand out (and its strides may be saturated)
    if tape.records() && out_len > 0 {
        // each part's gradient is the slab of the output gradient it filled: its own dims, read
        // with the output's strides from where it starts along the axis
        let out_strides = contiguous_strides(&out_dims);
        let mut start = 0;
        let slabs: Vec<(UniqueId, Layout)> = parts
            .iter()
            .map(|p| {
                let slab = Layout {
                    dims: p.layout.dims.clone(),
                    strides: out_strides.clone(),
                    offset: start * out_strides[axis],
                };
                start += p.layout.dims[axis];
                (p, slab)
            })
            .filter(|(p, slab)| p.records && slab.num_elements() > 0)
            .map(|(p, slab)| (p.id, slab))
            .collect();
        let (oid, dev) = (out.id, out.device.clone());
        tape.add_backward_op(oid, move |grads| {
            let Some(g) = grads.take::<E, D>(oid)? else {
                return Ok(());
            };
            for (id, slab) in &slabs {
                let piece = dev.try_contiguous(&g, slab)?;
                let gl = Layout::contiguous(&slab.dims);
                let gi = grads.get_or_alloc_mut::<E, D>(*id, &dev, gl.num_elements())?;
                dev.try_scatter_add(gi, &gl, &piece)?;
            }
            Ok(())
        });
    }
    Ok(out.put_tape(tape))
}

/// The tensors without their tapes, each with whether it recorded, and their tapes merged
/// into one.
#[allow(clippy::type_complexity)]
fn split_tapes<S: Shape, E: Dtype, D: Storage<E>, T: Tape + Merge<T, Output = T>>(
    tensors: Vec<Tensor<S, E, D, T>>,
) -> (Vec<(Tensor<S, E, D>, bool)>, T) {
    let mut tape: Option<T> = None;
    let untaped = tensors
        .into_iter()
        .map(|t| {
            let (t, tp) = t.split_tape();
            let records = tp.records();
            tape = Some(match tape.take() {
                Some(acc) => acc.merge(tp),
                None => tp,
            });
            (t, records)
        })
        .collect();
    (untaped, tape.unwrap_or_default())
}

/// The one axis `Ax` names (`DynShape` accepts any [`Axes`], so a tuple is caught here).
fn single_axis<Ax: Axes>(op: &'static str) -> Result<usize> {
    match Ax::INDICES {
        [a] => Ok(*a),
        many => Err(Error::shape(
            op,
            format!("expects a single axis, got axes {many:?}"),
        )),
    }
}

fn check_axis(op: &'static str, dims: &[usize], axis: usize) -> Result<()> {
    if axis < dims.len() {
        Ok(())
    } else {
        Err(axis_out_of_range(op, axis, dims))
    }
}

fn axis_out_of_range(op: &'static str, axis: usize, dims: &[usize]) -> Error {
    Error::shape(
        op,
        format!(
            "axis {axis} is out of range for a rank-{} tensor of shape {dims:?}",
            dims.len()
        ),
    )
}

/// Names `op` in an index error raised by a kernel shared between ops.
fn renamed(op: &'static str) -> impl FnOnce(Error) -> Error {
    move |e| match e {
        Error::Index { index, size, .. } => Error::Index { op, index, size },
        e => e,
    }
}

/// Gathers through an index layout of the input's rank; the engine of gather and
/// index_select. Its backward scatter-adds the output gradient through the same index.
fn try_gather_layout<
    S: Shape,
    S2: Shape,
    E: Dtype,
    D: IndexKernel<E> + AccumulateKernel<E>,
    T: Tape,
>(
    x: Tensor<S, E, D, T>,
    op: &'static str,
    shape: S2,
    axis: usize,
    index: &Arc<<D as Storage<usize>>::Vec>,
    index_layout: Layout,
) -> Result<Tensor<S2, E, D, T>> {
    let (inp, mut tape) = x.split_tape();
    let layout = inp.layout();
    let buf = inp
        .device
        .try_gather(&inp.data, &layout, axis, index, &index_layout)
        .map_err(renamed(op))?;
    let out = inp.with_new_buffer(buf, shape);
    if tape.records() {
        let (iid, oid, dev) = (inp.id, out.id, inp.device.clone());
        let grad_layout = Layout::contiguous(&layout.dims);
        let index = index.clone();
        tape.add_backward_op(oid, move |grads| {
            let Some(g) = grads.take::<E, D>(oid)? else {
                return Ok(());
            };
            let gi = grads.get_or_alloc_mut::<E, D>(iid, &dev, grad_layout.num_elements())?;
            let gl = Layout::contiguous(&index_layout.dims);
            dev.try_scatter_add_axis(gi, &grad_layout, axis, &index, &index_layout, &g, &gl)
        });
    }
    Ok(out.put_tape(tape))
}

impl<S: Shape, E: Dtype, D: IndexKernel<E> + ViewKernel<E> + AccumulateKernel<E>, T: Tape>
    Tensor<S, E, D, T>
{
    /// Joins `self` and `rhs` along `axis`; the output dim is the sum, computed when compiling
    /// for `Const` dims ([`ConcatShape`]). The tapes merge as in binary ops.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let a: Tensor<Rank2<2, 3>, f32, _> = dev.zeros();
    /// let b: Tensor<Rank2<2, 5>, f32, _> = dev.ones();
    /// let c: Tensor<Rank2<2, 8>, f32, _> = a.concat_along(b, Axis::<1>);
    /// ```
    ///
    /// Panics when run-time dims differ; see [`try_concat_along`](Self::try_concat_along).
    #[track_caller]
    pub fn concat_along<S2: Shape, R: Tape, Ax: Axes>(
        self,
        rhs: Tensor<S2, E, D, R>,
        axis: Ax,
    ) -> Tensor<S::Output, E, D, T::Output>
    where
        S: ConcatShape<S2, Ax>,
        T: Merge<R>,
        T::Output: Tape,
    {
        self.try_concat_along(rhs, axis).unwrap()
    }

    /// Fallible form of [`concat_along`](Self::concat_along): `Err` when run-time dims other
    /// than the axis differ.
    pub fn try_concat_along<S2: Shape, R: Tape, Ax: Axes>(
        self,
        rhs: Tensor<S2, E, D, R>,
        _axis: Ax,
    ) -> Result<Tensor<S::Output, E, D, T::Output>>
    where
        S: ConcatShape<S2, Ax>,
        T: Merge<R>,
        T::Output: Tape,
    {
        // a computed size above the `Const` table against a `Const`: compared when building
        #[allow(clippy::let_unit_value)]
        let () = <S as ConcatShape<S2, Ax>>::CHECK;
        let axis = single_axis::<Ax>("concat")?;
        let (a, at) = self.split_tape();
        let (b, bt) = rhs.split_tape();
        let rec = Recording::of(&at, &bt);
        let device = a.device.clone();
        let parts = vec![Part::of(&(a, rec.lhs)), Part::of(&(b, rec.rhs))];
        try_join("concat", device, parts, axis, at.merge(bt))
    }

    /// Joins tensors of one shape type along `axis`, which becomes a run-time (`usize`) dim;
    /// the sizes along the axis may differ when it is a `usize` dim (`torch.cat`).
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let rows = vec![dev.tensor([[1.0f32, 2.0]]), dev.tensor([[3.0f32, 4.0]])];
    /// let m: Tensor<(usize, Const<2>), f32, _> = Tensor::concat(rows, Axis::<0>);
    /// assert_eq!(m.dims(), [2, 2]);
    /// ```
    ///
    /// Panics when the list is empty or run-time dims differ; see [`try_concat`](Self::try_concat).
    pub fn concat<Ax: Axes>(tensors: Vec<Self>, axis: Ax) -> Tensor<S::Output, E, D, T>
    where
        S: ReplaceDim<Ax, usize>,
        T: Merge<T, Output = T>,
    {
        Self::try_concat(tensors, axis).unwrap()
    }

    /// Fallible form of [`concat`](Self::concat): `Err` for an empty list or dims that differ
    /// off the axis.
    pub fn try_concat<Ax: Axes>(tensors: Vec<Self>, _axis: Ax) -> Result<Tensor<S::Output, E, D, T>>
    where
        S: ReplaceDim<Ax, usize>,
        T: Merge<T, Output = T>,
    {
        Self::try_concat_axis(tensors, single_axis::<Ax>("concat")?)
    }

    /// Joins tensors along a run-time `axis` into shape type `S2` (`DynShape`, or any type
    /// the joined dims fit). `Err` for an empty list, a missing axis, dims that differ off the
    /// axis, or joined dims that do not fit `S2`.
    pub fn try_concat_axis<S2: Shape>(
        tensors: Vec<Self>,
        axis: usize,
    ) -> Result<Tensor<S2, E, D, T>>
    where
        T: Merge<T, Output = T>,
    {
        let (tensors, tape) = split_tapes(tensors);
        let device = tensors
            .first()
            .ok_or_else(|| Error::argument("concat", "needs at least one tensor"))?
            .0
            .device
            .clone();
        let parts = tensors.iter().map(Part::of).collect();
        try_join("concat", device, parts, axis, tape)
    }

    /// Stacks tensors of one shape along a new axis at `axis`, of run-time size (the count).
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let cols = vec![dev.tensor([1.0f32, 2.0]), dev.tensor([3.0f32, 4.0])];
    /// let m: Tensor<(Const<2>, usize), f32, _> = Tensor::stack(cols, Axis::<1>);
    /// assert_eq!(m.to_vec(), vec![1.0, 3.0, 2.0, 4.0]);
    /// ```
    ///
    /// Panics when the list is empty or the shapes differ; see [`try_stack`](Self::try_stack).
    pub fn stack<Ax: Axes>(tensors: Vec<Self>, axis: Ax) -> Tensor<S::Output, E, D, T>
    where
        S: InsertAxis<Ax, usize>,
        T: Merge<T, Output = T>,
    {
        Self::try_stack(tensors, axis).unwrap()
    }

    /// Fallible form of [`stack`](Self::stack): `Err` for an empty list or shapes that differ.
    pub fn try_stack<Ax: Axes>(tensors: Vec<Self>, _axis: Ax) -> Result<Tensor<S::Output, E, D, T>>
    where
        S: InsertAxis<Ax, usize>,
        T: Merge<T, Output = T>,
    {
        Self::try_stack_axis(tensors, single_axis::<Ax>("stack")?)
    }

    /// Stacks `N` tensors of one shape along a new leading axis of size `Const<N>`.
    ///
    /// Panics when `N` is 0 or run-time shapes differ; see
    /// [`try_stack_array`](Self::try_stack_array).
    pub fn stack_array<const N: usize>(tensors: [Self; N]) -> Tensor<S::Output, E, D, T>
    where
        S: InsertAxis<Axis<0>, Const<N>>,
        T: Merge<T, Output = T>,
    {
        Self::try_stack_array(tensors).unwrap()
    }

    /// Fallible form of [`stack_array`](Self::stack_array): `Err` when `N` is 0 or run-time
    /// shapes differ.
    pub fn try_stack_array<const N: usize>(tensors: [Self; N]) -> Result<Tensor<S::Output, E, D, T>>
    where
        S: InsertAxis<Axis<0>, Const<N>>,
        T: Merge<T, Output = T>,
    {
        Self::try_stack_axis(tensors.into(), 0)
    }

    /// Stacks tensors of one shape along a new axis at run-time position `axis` (0 to the rank)
    /// into shape type `S2`. `Err` for an empty list, shapes that differ, a position past the
    /// rank, or a stacked shape that does not fit `S2`.
    pub fn try_stack_axis<S2: Shape>(tensors: Vec<Self>, axis: usize) -> Result<Tensor<S2, E, D, T>>
    where
        T: Merge<T, Output = T>,
    {
        let (tensors, tape) = split_tapes(tensors);
        let first = tensors
            .first()
            .ok_or_else(|| Error::argument("stack", "needs at least one tensor"))?
            .0
            .clone();
        let dims = first.layout().dims;
        if axis > dims.len() {
            return Err(Error::shape(
                "stack",
                format!(
                    "axis {axis} is out of range for stacking rank-{} tensors of shape {dims:?} (a new axis goes at 0..={})",
                    dims.len(),
                    dims.len()
                ),
            ));
        }
        let device = first.device.clone();
        let mut parts = Vec::with_capacity(tensors.len());
        for t in &tensors {
            let mut part = Part::of(t);
            if part.layout.dims != dims {
                return Err(Error::shape(
                    "stack",
                    format!(
                        "cannot stack shapes {dims:?} and {:?}: stacked tensors have one shape",
                        part.layout.dims
                    ),
                ));
            }
            part.layout.dims.insert(axis, 1);
            part.layout.strides.insert(axis, 0);
            parts.push(part);
        }
        try_join("stack", device, parts, axis, tape)
    }

    /// The slices at `indices` along `axis`, in order and with repeats (`torch.index_select`);
    /// the axis takes the index count's dim type (`Const<3>` for a `Rank1<3>` index tensor,
    /// `usize` for `(usize,)`). The backward adds each output slice's gradient into the slice it
    /// came from, so repeated indices accumulate.
    ///
    /// Panics on an index past the axis; see [`try_index_select`](Self::try_index_select).
    #[track_caller]
    pub fn index_select<Ax: Axes, I: Dim>(
        self,
        axis: Ax,
        indices: &Tensor<(I,), usize, D>,
    ) -> Tensor<S::Output, E, D, T>
    where
        S: ReplaceDim<Ax, I>,
    {
        self.try_index_select(axis, indices).unwrap()
    }

    /// Fallible form of [`index_select`](Self::index_select): [`Error::Index`] for an index past
    /// the axis.
    pub fn try_index_select<Ax: Axes, I: Dim>(
        self,
        _axis: Ax,
        indices: &Tensor<(I,), usize, D>,
    ) -> Result<Tensor<S::Output, E, D, T>>
    where
        S: ReplaceDim<Ax, I>,
    {
        self.try_index_select_axis(single_axis::<Ax>("index_select")?, indices)
    }

    /// [`index_select`](Self::index_select) along a run-time `axis`, with any 1-D index tensor,
    /// into shape type `S2`. `Err` for a missing axis, indices that are not 1-D, an output that
    /// does not fit `S2`, or ([`Error::Index`]) an index past the axis.
    pub fn try_index_select_axis<S2: Shape, SI: Shape>(
        self,
        axis: usize,
        indices: &Tensor<SI, usize, D>,
    ) -> Result<Tensor<S2, E, D, T>> {
        let op = "index_select";
        self.check_same_device(op, indices)?;
        let dims = self.layout().dims;
        check_axis(op, &dims, axis)?;
        let il = indices.layout();
        if il.dims.len() != 1 {
            return Err(Error::shape(
                op,
                format!("the indices must be 1-D, got shape {:?}", il.dims),
            ));
        }
        let mut out_dims = dims.clone();
        out_dims[axis] = il.dims[0];
        let shape = S2::from_concrete(&out_dims).ok_or_else(|| {
            Error::shape(op, format!("{out_dims:?} does not fit the output type"))
        })?;
        // an empty input (a 0 off the axis) with a long index list can ask for a large output
        buffer_len::<E>(op, &out_dims)?;
        // the 1-D indices laid along `axis` and repeated over the other axes make a gather index
        let mut strides = vec![0; dims.len()];
        strides[axis] = il.strides[0];
        let index_layout = Layout {
            dims: out_dims,
            strides,
            offset: il.offset,
        };
        try_gather_layout(self, op, shape, axis, &indices.data, index_layout)
    }

    /// Picks along `axis` by an index tensor of the input's rank, like `torch.gather`:
    /// `out[i][j] = x[index[i][j]][j]` along `Axis<0>`, `x[i][index[i][j]]` along `Axis<1>`. The
    /// output has the index's shape; the backward scatter-adds into the picked positions.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let x = dev.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// let index = dev.tensor([[2usize, 0], [1, 1]]);
    /// assert_eq!(x.gather(Axis::<1>, &index).to_vec(), vec![3.0, 1.0, 5.0, 5.0]);
    /// ```
    ///
    /// Panics on a bad index; see [`try_gather`](Self::try_gather).
    #[track_caller]
    pub fn gather<Ax: Axes, SI: Shape>(
        self,
        axis: Ax,
        index: &Tensor<SI, usize, D>,
    ) -> Tensor<SI, E, D, T>
    where
        S: ReplaceDim<Ax, usize>,
    {
        self.try_gather(axis, index).unwrap()
    }

    /// Fallible form of [`gather`](Self::gather); see [`try_gather_axis`](Self::try_gather_axis).
    pub fn try_gather<Ax: Axes, SI: Shape>(
        self,
        _axis: Ax,
        index: &Tensor<SI, usize, D>,
    ) -> Result<Tensor<SI, E, D, T>>
    where
        S: ReplaceDim<Ax, usize>,
    {
        self.try_gather_axis(single_axis::<Ax>("gather")?, index)
    }

    /// [`gather`](Self::gather) along a run-time `axis`. `Err` for a missing axis, an index of
    /// another rank or larger than the input off the axis, or ([`Error::Index`]) an index past
    /// the axis.
    pub fn try_gather_axis<SI: Shape>(
        self,
        axis: usize,
        index: &Tensor<SI, usize, D>,
    ) -> Result<Tensor<SI, E, D, T>> {
        let op = "gather";
        self.check_same_device(op, index)?;
        let (dims, il) = (self.layout().dims, index.layout());
        check_axis(op, &dims, axis)?;
        let fits = il.dims.len() == dims.len()
            && (0..dims.len()).all(|a| a == axis || il.dims[a] <= dims[a]);
        if !fits {
            return Err(Error::shape(
                op,
                format!(
                    "an index of shape {:?} does not fit an input of shape {dims:?}: it needs the same rank and no larger dims off axis {axis}",
                    il.dims
                ),
            ));
        }
        try_gather_layout(self, op, index.shape.clone(), axis, &index.data, il)
    }

    /// `self` with `src` added at `index` along `axis`, like `torch.Tensor.scatter_add`:
    /// `out[index[i][j]][j] += src[i][j]` along `Axis<0>`. Repeated indices add up. Only the
    /// leading index-shaped block of `src` is read. Differentiable in `self` and `src`; the tapes
    /// merge as in binary ops.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let x = dev.tensor([0.0f32, 0.0, 0.0]);
    /// let index = dev.tensor([2usize, 0, 2]);
    /// let src = dev.tensor([1.0f32, 2.0, 3.0]);
    /// assert_eq!(x.scatter_add(Axis::<0>, &index, src).to_vec(), vec![2.0, 0.0, 4.0]);
    /// ```
    ///
    /// Panics on a bad index; see [`try_scatter_add`](Self::try_scatter_add).
    #[track_caller]
    pub fn scatter_add<Ax: Axes, SI: Shape, S3: Shape, R: Tape>(
        self,
        axis: Ax,
        index: &Tensor<SI, usize, D>,
        src: Tensor<S3, E, D, R>,
    ) -> Tensor<S, E, D, T::Output>
    where
        S: ReplaceDim<Ax, usize>,
        T: Merge<R>,
        T::Output: Tape,
    {
        self.try_scatter_add(axis, index, src).unwrap()
    }

    /// Fallible form of [`scatter_add`](Self::scatter_add); see
    /// [`try_scatter_add_axis`](Self::try_scatter_add_axis).
    pub fn try_scatter_add<Ax: Axes, SI: Shape, S3: Shape, R: Tape>(
        self,
        _axis: Ax,
        index: &Tensor<SI, usize, D>,
        src: Tensor<S3, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        S: ReplaceDim<Ax, usize>,
        T: Merge<R>,
        T::Output: Tape,
    {
        self.try_scatter_add_axis(single_axis::<Ax>("scatter_add")?, index, src)
    }

    /// [`scatter_add`](Self::scatter_add) along a run-time `axis`. `Err` for a missing axis,
    /// ranks that differ, an index larger than `src` (or than `self` off the axis), or
    /// ([`Error::Index`]) an index past the axis.
    pub fn try_scatter_add_axis<SI: Shape, S3: Shape, R: Tape>(
        self,
        axis: usize,
        index: &Tensor<SI, usize, D>,
        src: Tensor<S3, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        let op = "scatter_add";
        self.check_same_device(op, index)?;
        let (dims, il, sl) = (self.layout().dims, index.layout(), src.layout());
        check_axis(op, &dims, axis)?;
        let rank = dims.len();
        let fits = il.dims.len() == rank
            && sl.dims.len() == rank
            && (0..rank).all(|a| il.dims[a] <= sl.dims[a] && (a == axis || il.dims[a] <= dims[a]));
        if !fits {
            return Err(Error::shape(
                op,
                format!(
                    "an index of shape {:?} does not fit an input of shape {dims:?} and a source of shape {:?}: it needs their rank, no larger dims than the source, and no larger dims than the input off axis {axis}",
                    il.dims, sl.dims
                ),
            ));
        }
        let src_block = Layout {
            dims: il.dims.clone(),
            strides: sl.strides.clone(),
            offset: sl.offset,
        };
        let (x, xt) = self.split_tape();
        let (s, st) = src.split_tape();
        x.check_same_device("scatter_add", &s)?;
        let rec = Recording::of(&xt, &st);
        let mut tape = xt.merge(st);
        let out_layout = Layout::contiguous(&dims);
        let mut buf = x.device.try_contiguous(&x.data, &x.layout())?;
        x.device.try_scatter_add_axis(
            &mut buf,
            &out_layout,
            axis,
            &index.data,
            &il,
            &s.data,
            &src_block,
        )?;
        let out = x.with_new_buffer(buf, x.shape.clone());
        if rec.any() {
            let (xid, sid, oid, dev) = (x.id, s.id, out.id, x.device.clone());
            let src_grad_len = sl.num_elements();
            // the block of src's (contiguous) gradient that the index covers
            let src_grad_block = Layout {
                dims: il.dims.clone(),
                strides: contiguous_strides(&sl.dims),
                offset: 0,
            };
            let index = index.data.clone();
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                if rec.rhs {
                    // each src element moved into out[index]: it receives that element's gradient
                    let picked = dev.try_gather(&g, &out_layout, axis, &index, &il)?;
                    let gs = grads.get_or_alloc_mut::<E, D>(sid, &dev, src_grad_len)?;
                    dev.try_scatter_add(gs, &src_grad_block, &picked)?;
                }
                if rec.lhs {
                    let gx =
                        grads.get_or_alloc_mut::<E, D>(xid, &dev, out_layout.num_elements())?;
                    dev.try_scatter_add(gx, &out_layout, &g)?;
                }
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }
}

impl<S: Shape, D: Storage<usize>, T> Tensor<S, usize, D, T> {
    /// One-hot encoding: a float tensor with a new last axis of `num_classes`, 1 at each
    /// element's class and 0 elsewhere (`torch.nn.functional.one_hot`, as floats). The output
    /// shape type `S2` is the input's dims plus the class axis, usually known from context.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let labels = Cpu::default().tensor([2usize, 0]);
    /// let y: Tensor<Rank2<2, 3>, f32, _> = labels.one_hot(3);
    /// assert_eq!(y.to_vec(), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    /// ```
    ///
    /// Panics on a class past `num_classes`; see [`try_one_hot`](Self::try_one_hot).
    #[track_caller]
    pub fn one_hot<S2: Shape, E: Dtype>(&self, num_classes: usize) -> Tensor<S2, E, D>
    where
        D: IndexKernel<E>,
    {
        self.try_one_hot(num_classes).unwrap()
    }

    /// Fallible form of [`one_hot`](Self::one_hot): [`Error::Index`] for a class past
    /// `num_classes`, `Err` when the output does not fit `S2`.
    pub fn try_one_hot<S2: Shape, E: Dtype>(&self, num_classes: usize) -> Result<Tensor<S2, E, D>>
    where
        D: IndexKernel<E>,
    {
        let mut dims = self.layout().dims;
        dims.push(num_classes);
        let shape = S2::from_concrete(&dims).ok_or_else(|| {
            Error::shape("one_hot", format!("{dims:?} does not fit the output type"))
        })?;
        buffer_len::<E>("one_hot", &dims)?;
        let buf = self
            .device
            .try_one_hot(&self.data, &self.layout(), num_classes)?;
        Ok(self.with_new_buffer(buf, shape))
    }
}

#[cfg(test)]
mod tests;
