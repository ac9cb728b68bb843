//! Comparisons that make masks, and selection by mask.
//!
//! `eq`, `ne`, `lt`, `le`, `gt` and `ge` compare two tensors elementwise, under the same shape
//! rule as the binary ops (typed tensors have the same shape, checked at run time for `usize`
//! dims; `DynShape` tensors broadcast like numpy), or a tensor with a scalar (`gt_scalar(0.5)`).
//! The result is a mask, `Tensor<S, bool, D>`. Comparisons are not differentiable: they borrow
//! their operands and return an untraced tensor whatever tapes the operands carry. They work for
//! every element type, so `pred.argmax::<Axis<1>>().eq(&labels)` counts hits.
//!
//! [`Tensor::where_`] picks elements from two tensors by a mask (`torch.where(mask, a, b)`), and
//! [`Tensor::masked_fill`] overwrites the elements where the mask holds. Both are differentiable
//! in their float tensors: the gradient of an output element goes to the tensor it was taken from.
//!
//! ```
//! use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let x = dev.tensor([-1.0f32, 2.0, -3.0, 4.0]);
//! let positive = x.gt_scalar(0.0);
//! assert_eq!(positive.to_vec(), vec![false, true, false, true]);
//! let relu = Tensor::where_(&positive, x.clone(), dev.zeros::<Rank1<4>>());
//! assert_eq!(relu.to_vec(), vec![0.0, 2.0, 0.0, 4.0]);
//! assert_eq!(x.masked_fill(&positive, 9.0).to_vec(), vec![-1.0, 9.0, -3.0, 9.0]);
//! ```

mod cpu_kernel;

use gf_shape::{broadcast_shapes, SameShapeAs, Shape};

use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::{Dtype, Unit};
use crate::error::{Error, Result};
use crate::layout::{buffer_len, Layout};
use crate::tape::{Gradients, Merge, Recording, Tape, UniqueId};
use crate::tensor::Tensor;

/// Which comparison a kernel computes. With NaN every comparison but `Ne` is false, as in IEEE 754.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `x == y`.
    Eq,
    /// `x != y`.
    Ne,
    /// `x < y`.
    Lt,
    /// `x <= y`.
    Le,
    /// `x > y`.
    Gt,
    /// `x >= y`.
    Ge,
}

impl CmpOp {
    /// The op's name in messages (`"lt"`).
    pub const fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
        }
    }
}

/// The comparison-and-selection kernel family. All views given to one call have the same dims;
/// broadcast views (stride 0) are allowed.
pub trait CompareKernel<E: Unit>: Storage<E> + Storage<bool> {
    /// `op(lhs[i], rhs[i])` into a contiguous mask.
    fn try_compare(
        &self,
        op: CmpOp,
        lhs: &<Self as Storage<E>>::Vec,
        lhs_layout: &Layout,
        rhs: &<Self as Storage<E>>::Vec,
        rhs_layout: &Layout,
    ) -> Result<<Self as Storage<bool>>::Vec>;

    /// `if mask[i] { on_true[i] } else { on_false[i] }` into a contiguous buffer.
    fn try_select(
        &self,
        mask: &<Self as Storage<bool>>::Vec,
        mask_layout: &Layout,
        on_true: &<Self as Storage<E>>::Vec,
        true_layout: &Layout,
        on_false: &<Self as Storage<E>>::Vec,
        false_layout: &Layout,
    ) -> Result<<Self as Storage<E>>::Vec>;
}

/// The layout that reads `layout` broadcast to `dims` by numpy's rules (align trailing dims,
/// repeat size-1 dims with stride 0); `None` when it does not broadcast.
pub(crate) fn broadcast_layout(layout: &Layout, dims: &[usize]) -> Option<Layout> {
    let lead = dims.len().checked_sub(layout.dims.len())?;
    let mut strides = vec![0; dims.len()];
    for (i, (&d, &s)) in layout.dims.iter().zip(&layout.strides).enumerate() {
        if d == dims[lead + i] {
            strides[lead + i] = s;
        } else if d != 1 {
            return None;
        }
    }
    Some(Layout {
        dims: dims.to_vec(),
        strides,
        offset: layout.offset,
    })
}

/// The dims an elementwise op over operands of these dims produces: all equal, or (for
/// `DynShape`) their numpy broadcast.
fn common_dims<S: Shape>(op: &'static str, operands: &[&[usize]]) -> Result<Vec<usize>> {
    let first = operands[0];
    if operands.iter().all(|d| *d == first) {
        return Ok(first.to_vec());
    }
    let broadcast = if S::DYNAMIC {
        operands[1..]
            .iter()
            .try_fold(first.to_vec(), |acc, d| broadcast_shapes(&acc, d))
    } else {
        None
    };
    broadcast.ok_or_else(|| {
        let shapes: Vec<String> = operands.iter().map(|d| format!("{d:?}")).collect();
        Error::shape(
            op,
            format!("operand shapes {} differ", shapes.join(" and ")),
        )
    })
}

/// A layout of `dims` that reads one element over and over: a scalar broadcast to a shape.
fn repeat_layout(dims: &[usize]) -> Layout {
    Layout {
        dims: dims.to_vec(),
        strides: vec![0; dims.len()],
        offset: 0,
    }
}

impl<S: Shape, E: Unit, D: CompareKernel<E>, T> Tensor<S, E, D, T> {
    /// Compares elementwise with any [`CmpOp`]; the engine behind `eq`, `lt`, ... `Err` when
    /// run-time dims differ (or, for `DynShape`, do not broadcast).
    pub fn try_compare<S2: SameShapeAs<S>, R>(
        &self,
        op: CmpOp,
        rhs: &Tensor<S2, E, D, R>,
    ) -> Result<Tensor<S, bool, D>> {
        // a computed size above the `Const` table against a `Const`: compared when building
        #[allow(clippy::let_unit_value)]
        let () = <S2 as SameShapeAs<S>>::CHECK;
        self.check_same_device(op.name(), rhs)?;
        let (ld, rd) = (self.dims(), rhs.dims());
        let dims = common_dims::<S>(op.name(), &[ld.as_ref(), rd.as_ref()])?;
        let bad = || Error::shape(op.name(), format!("cannot broadcast to {dims:?}"));
        let ll = broadcast_layout(&self.layout(), &dims).ok_or_else(bad)?;
        let rl = broadcast_layout(&rhs.layout(), &dims).ok_or_else(bad)?;
        let shape = S::from_concrete(&dims).ok_or_else(bad)?;
        // broadcasting can multiply small operands into a result too large to hold
        buffer_len::<bool>(op.name(), &dims)?;
        let mask = self
            .device
            .try_compare(op, &self.data, &ll, &rhs.data, &rl)?;
        Ok(self.with_new_buffer(mask, shape))
    }

    /// Compares every element with the scalar `rhs` with any [`CmpOp`].
    pub fn try_compare_scalar(&self, op: CmpOp, rhs: E) -> Result<Tensor<S, bool, D>> {
        let scalar = <D as Storage<E>>::try_from_host(&self.device, &[rhs])?;
        let layout = self.layout();
        let mask = self.device.try_compare(
            op,
            &self.data,
            &layout,
            &scalar,
            &repeat_layout(&layout.dims),
        )?;
        Ok(self.with_new_buffer(mask, self.shape.clone()))
    }
}

macro_rules! comparisons {
    ($($op:ident $sym:literal $method:ident $try_method:ident $scalar:ident $try_scalar:ident;)*) => {
        impl<S: Shape, E: Unit, D: CompareKernel<E>, T> Tensor<S, E, D, T> {$(
            #[doc = concat!("The mask of `x ", $sym, " y`, elementwise.")]
            ///
            /// Panics on a run-time shape mismatch; see the `try_` form.
            #[track_caller]
            pub fn $method<S2: SameShapeAs<S>, R>(&self, rhs: &Tensor<S2, E, D, R>) -> Tensor<S, bool, D> {
                self.$try_method(rhs).unwrap()
            }

            #[doc = concat!("Fallible form of [`", stringify!($method), "`](Self::", stringify!($method), "): `Err` when run-time dims differ (or, for `DynShape`, do not broadcast).")]
            pub fn $try_method<S2: SameShapeAs<S>, R>(&self, rhs: &Tensor<S2, E, D, R>) -> Result<Tensor<S, bool, D>> {
                self.try_compare(CmpOp::$op, rhs)
            }

            #[doc = concat!("The mask of `x ", $sym, " c` for a scalar `c`.")]
            pub fn $scalar(&self, rhs: E) -> Tensor<S, bool, D> {
                self.$try_scalar(rhs).unwrap()
            }

            #[doc = concat!("Fallible form of [`", stringify!($scalar), "`](Self::", stringify!($scalar), "): `Err` only when the device fails.")]
            pub fn $try_scalar(&self, rhs: E) -> Result<Tensor<S, bool, D>> {
                self.try_compare_scalar(CmpOp::$op, rhs)
            }
        )*}
    };
}

comparisons! {
    Eq "==" eq try_eq eq_scalar try_eq_scalar;
    Ne "!=" ne try_ne ne_scalar try_ne_scalar;
    Lt "<" lt try_lt lt_scalar try_lt_scalar;
    Le "<=" le try_le le_scalar try_le_scalar;
    Gt ">" gt try_gt gt_scalar try_gt_scalar;
    Ge ">=" ge try_ge ge_scalar try_ge_scalar;
}

/// `t` as shape type `S2` broadcast to `dims`: a plain retype when the dims already match, so no
/// view (and no backward op) is added in the common case.
fn broadcast_to<S: Shape, S2: Shape, E: Dtype, D: ViewKernel<E> + AccumulateKernel<E>, T: Tape>(
    t: Tensor<S, E, D, T>,
    dims: &[usize],
) -> Result<Tensor<S2, E, D, T>> {
    if t.dims().as_ref() == dims {
        let shape = S2::from_concrete(dims).ok_or_else(|| {
            Error::shape(
                "broadcast",
                format!("{dims:?} does not fit the output type"),
            )
        })?;
        Ok(t.retype(shape))
    } else {
        t.try_broadcast_numpy(dims)
    }
}

/// Adds `g` into the gradient of `id` where the mask equals `branch` (the elements that branch
/// supplied); `g` and the gradient are contiguous over `dims`.
#[allow(clippy::too_many_arguments)]
fn accumulate_branch<E: Dtype, D: CompareKernel<E> + AccumulateKernel<E>>(
    grads: &mut Gradients,
    dev: &D,
    id: UniqueId,
    branch: bool,
    mask: &<D as Storage<bool>>::Vec,
    mask_layout: &Layout,
    g: &<D as Storage<E>>::Vec,
    dims: &[usize],
) -> Result<()> {
    let (gl, zl) = (Layout::contiguous(dims), repeat_layout(dims));
    let zero = <D as Storage<E>>::try_alloc_zeros(dev, 1)?;
    let part = if branch {
        dev.try_select(mask, mask_layout, g, &gl, &zero, &zl)?
    } else {
        dev.try_select(mask, mask_layout, &zero, &zl, g, &gl)?
    };
    let n = gl.num_elements();
    let gi = grads.get_or_alloc_mut::<E, D>(id, dev, n)?;
    dev.try_scatter_add(gi, &gl, &part)
}

impl<S: Shape, E: Dtype, D: CompareKernel<E> + ViewKernel<E> + AccumulateKernel<E>, T: Tape>
    Tensor<S, E, D, T>
{
    /// Picks `on_true` where `mask` holds and `on_false` elsewhere: `torch.where(mask, on_true,
    /// on_false)`. The gradient of each output element goes to the tensor it was taken from; the
    /// two tapes merge as in binary ops.
    ///
    /// Typed operands have the same shape; `DynShape` operands (the mask too) broadcast like numpy.
    /// Panics on a run-time shape mismatch; see [`try_where_`](Self::try_where_).
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let a = dev.tensor([1.0f32, 2.0, 3.0]);
    /// let b = dev.tensor([10.0f32, 20.0, 30.0]);
    /// let picked = Tensor::where_(&a.ge_scalar(2.0), a, b);
    /// assert_eq!(picked.to_vec(), vec![10.0, 2.0, 3.0]);
    /// ```
    pub fn where_<SM: SameShapeAs<S>, S2: SameShapeAs<S>, R: Tape>(
        mask: &Tensor<SM, bool, D>,
        on_true: Self,
        on_false: Tensor<S2, E, D, R>,
    ) -> Tensor<S, E, D, T::Output>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        Self::try_where_(mask, on_true, on_false).unwrap()
    }

    /// Fallible form of [`where_`](Self::where_): `Err` when run-time dims differ (or, for
    /// `DynShape`, do not broadcast).
    pub fn try_where_<SM: SameShapeAs<S>, S2: SameShapeAs<S>, R: Tape>(
        mask: &Tensor<SM, bool, D>,
        on_true: Self,
        on_false: Tensor<S2, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        #[allow(clippy::let_unit_value)]
        let ((), ()) = (<SM as SameShapeAs<S>>::CHECK, <S2 as SameShapeAs<S>>::CHECK);
        let (md, td, fd) = (mask.dims(), on_true.dims(), on_false.dims());
        let dims = common_dims::<S>("where", &[md.as_ref(), td.as_ref(), fd.as_ref()])?;
        buffer_len::<E>("where", &dims)?;
        let on_true: Tensor<S, E, D, T> = broadcast_to(on_true, &dims)?;
        let on_false: Tensor<S, E, D, R> = broadcast_to(on_false, &dims)?;
        let mask_layout = broadcast_layout(&mask.layout(), &dims)
            .ok_or_else(|| Error::shape("where", format!("cannot broadcast to {dims:?}")))?;

        let (t, tt) = on_true.split_tape();
        let (f, ft) = on_false.split_tape();
        t.check_same_device("where", &f)?;
        t.check_same_device("where", mask)?;
        let rec = Recording::of(&tt, &ft);
        let mut tape = tt.merge(ft);
        let (tl, fl) = (t.layout(), f.layout());
        let buf = t
            .device
            .try_select(&mask.data, &mask_layout, &t.data, &tl, &f.data, &fl)?;
        let out = t.with_new_buffer(buf, t.shape.clone());
        if rec.any() {
            let (tid, fid, oid, dev) = (t.id, f.id, out.id, t.device.clone());
            let mask = mask.data.clone();
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                if rec.lhs {
                    accumulate_branch(grads, &dev, tid, true, &mask, &mask_layout, &g, &dims)?;
                }
                if rec.rhs {
                    accumulate_branch(grads, &dev, fid, false, &mask, &mask_layout, &g, &dims)?;
                }
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }

    /// `value` where `mask` holds, the tensor's own elements elsewhere (`torch.masked_fill`).
    /// Differentiable in the tensor: filled elements pass no gradient.
    ///
    /// Typed tensors and masks have the same shape; `DynShape` ones broadcast like numpy.
    /// Panics on a run-time shape mismatch; see [`try_masked_fill`](Self::try_masked_fill).
    #[track_caller]
    pub fn masked_fill<SM: SameShapeAs<S>>(self, mask: &Tensor<SM, bool, D>, value: E) -> Self {
        self.try_masked_fill(mask, value).unwrap()
    }

    /// Fallible form of [`masked_fill`](Self::masked_fill): `Err` when run-time dims differ (or,
    /// for `DynShape`, do not broadcast).
    pub fn try_masked_fill<SM: SameShapeAs<S>>(
        self,
        mask: &Tensor<SM, bool, D>,
        value: E,
    ) -> Result<Self> {
        #[allow(clippy::let_unit_value)]
        let () = <SM as SameShapeAs<S>>::CHECK;
        let (md, xd) = (mask.dims(), self.dims());
        let dims = common_dims::<S>("masked_fill", &[md.as_ref(), xd.as_ref()])?;
        buffer_len::<E>("masked_fill", &dims)?;
        let x: Self = broadcast_to(self, &dims)?;
        let mask_layout = broadcast_layout(&mask.layout(), &dims)
            .ok_or_else(|| Error::shape("masked_fill", format!("cannot broadcast to {dims:?}")))?;

        let (x, mut tape) = x.split_tape();
        x.check_same_device("masked_fill", mask)?;
        let fill = <D as Storage<E>>::try_from_host(&x.device, &[value])?;
        let xl = x.layout();
        let buf = x.device.try_select(
            &mask.data,
            &mask_layout,
            &fill,
            &repeat_layout(&dims),
            &x.data,
            &xl,
        )?;
        let out = x.with_new_buffer(buf, x.shape.clone());
        if tape.records() {
            let (xid, oid, dev) = (x.id, out.id, x.device.clone());
            let mask = mask.data.clone();
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                accumulate_branch(grads, &dev, xid, false, &mask, &mask_layout, &g, &dims)
            });
        }
        Ok(out.put_tape(tape))
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn comparisons_with_tensors_and_scalars() {
        let dev = Cpu::default();
        let a = dev.tensor([1.0f32, 2.0, 3.0, f32::NAN]);
        let b = dev.tensor([3.0f32, 2.0, 1.0, f32::NAN]);
        assert_eq!(a.eq(&b).to_vec(), vec![false, true, false, false]);
        assert_eq!(a.ne(&b).to_vec(), vec![true, false, true, true]);
        assert_eq!(a.lt(&b).to_vec(), vec![true, false, false, false]);
        assert_eq!(a.le(&b).to_vec(), vec![true, true, false, false]);
        assert_eq!(a.gt(&b).to_vec(), vec![false, false, true, false]);
        assert_eq!(a.ge(&b).to_vec(), vec![false, true, true, false]);
        assert_eq!(a.gt_scalar(1.5).to_vec(), vec![false, true, true, false]);
        assert_eq!(a.le_scalar(2.0).to_vec(), vec![true, true, false, false]);
        assert_eq!(a.eq_scalar(3.0).to_vec(), vec![false, false, true, false]);
        assert_eq!(a.ne_scalar(3.0).to_vec(), vec![true, true, false, true]);
        assert_eq!(a.lt_scalar(2.0).to_vec(), vec![true, false, false, false]);
        assert_eq!(a.ge_scalar(2.0).to_vec(), vec![false, true, true, false]);
        let m: Tensor<Rank1<4>, bool, Cpu> = a.gt(&b);
        assert_eq!(m.dims(), [4]);
    }

    #[test]
    fn comparisons_work_on_indices_and_strided_views() {
        let dev = Cpu::default();
        let logits = dev.tensor([[0.1f32, 0.9], [0.8, 0.2], [0.3, 0.7]]);
        let labels = dev.tensor([1usize, 1, 1]);
        let hits = logits.argmax::<Axis<1>>().eq(&labels);
        assert_eq!(hits.to_vec(), vec![true, false, true]);
        let t = dev.tensor([[1.0f64, 5.0], [3.0, 2.0]]);
        let tt = t.clone().transpose(); // [[1, 3], [5, 2]]
        assert_eq!(tt.gt(&t).to_vec(), vec![false, false, true, false]);
        assert_eq!(tt.gt_scalar(2.5).to_vec(), vec![false, true, true, false]);
    }

    #[test]
    fn dyn_comparisons_broadcast_and_typed_mismatches_are_errors() {
        let dev = Cpu::default();
        let a = dev.tensor_from_vec(vec![1.0f32, 2.0, 3.0], DynShape::new([3, 1]));
        let b = dev.tensor_from_vec(vec![2.0f32, 1.0], DynShape::new([2]));
        let m = a.lt(&b);
        assert_eq!(m.dims(), vec![3, 2]);
        assert_eq!(m.to_vec(), vec![true, false, false, false, false, false]);
        let c = dev.tensor_from_vec(vec![0.0f32; 3], DynShape::new([3]));
        assert!(c.try_lt(&b).is_err());
        let x: Tensor<(usize,), f32, Cpu> = dev.zeros_like(&(3,));
        let y: Tensor<(usize,), f32, Cpu> = dev.zeros_like(&(4,));
        let err = x.try_eq(&y).unwrap_err();
        assert!(err.to_string().contains("[3] and [4]"), "{err}");
    }

    #[test]
    fn where_and_masked_fill_pick_by_mask() {
        let dev = Cpu::default();
        let a = dev.tensor([[1.0f64, 2.0], [3.0, 4.0]]);
        let b = dev.tensor([[-1.0f64, -2.0], [-3.0, -4.0]]);
        let mask = dev.tensor([[true, false], [false, true]]);
        let w = Tensor::where_(&mask, a.clone(), b.clone());
        assert_eq!(w.to_vec(), vec![1.0, -2.0, -3.0, 4.0]);
        let w = Tensor::where_(&mask, a.clone().transpose(), b);
        assert_eq!(w.to_vec(), vec![1.0, -2.0, -3.0, 4.0]);
        let f = a.masked_fill(&mask, 0.0);
        assert_eq!(f.to_vec(), vec![0.0, 2.0, 3.0, 0.0]);
    }

    #[test]
    fn dyn_where_broadcasts_mask_and_branches() {
        let dev = Cpu::default();
        let mask = dev.tensor_from_vec(vec![true, false], DynShape::new([2]));
        let a = dev.tensor_from_vec(vec![1.0f32, 2.0, 3.0], DynShape::new([3, 1]));
        let b = dev.tensor_from_vec(vec![0.0f32], DynShape::new([]));
        let w = Tensor::where_(&mask, a.clone(), b);
        assert_eq!(w.dims(), vec![3, 2]);
        assert_eq!(w.to_vec(), vec![1.0, 0.0, 2.0, 0.0, 3.0, 0.0]);
        let f = a.masked_fill(&mask, 7.0);
        assert_eq!(f.to_vec(), vec![7.0, 1.0, 7.0, 2.0, 7.0, 3.0]);
        let bad = dev.tensor_from_vec(vec![true; 4], DynShape::new([4]));
        let c = dev.tensor_from_vec(vec![0.0f32; 3], DynShape::new([3]));
        assert!(Tensor::try_where_(&bad, c.clone(), c.clone()).is_err());
        assert!(c.try_masked_fill(&bad, 1.0).is_err());
    }

    #[test]
    fn typed_where_runtime_mismatch_is_an_error() {
        let dev = Cpu::default();
        let mask: Tensor<(usize,), bool, Cpu> = dev.zeros_like(&(2,));
        let a: Tensor<(usize,), f32, Cpu> = dev.zeros_like(&(3,));
        assert!(Tensor::try_where_(&mask, a.clone(), a.clone()).is_err());
        assert!(a.try_masked_fill(&mask, 1.0).is_err());
    }
}
