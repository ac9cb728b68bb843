//! Elementwise binary ops, each written once as `f`, `∂f/∂x` and `∂f/∂y`.
//!
//! Typed tensors must have the same shape (checked by the type checker, and at run time for
//! `usize` dims); broadcast one operand first with `.broadcast()`. `DynShape` tensors broadcast
//! like numpy, through the same broadcast view whose backward sums over the broadcast axes.

mod cpu_kernel;

use gf_shape::{broadcast_shapes, SameShapeAs, Shape};

use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tape::{Merge, Tape};
use crate::tensor::Tensor;

/// An elementwise function of two arguments and its partial derivatives.
pub trait BinaryOp<E: Dtype>: 'static + Clone + Send + Sync + core::fmt::Debug {
    /// The op's name in messages.
    const NAME: &'static str;
    /// The function.
    fn f(&self, x: E, y: E) -> E;
    /// `∂f/∂x`.
    fn dfdx(&self, x: E, y: E) -> E;
    /// `∂f/∂y`.
    fn dfdy(&self, x: E, y: E) -> E;
}

/// The elementwise-binary kernel family. Both views have the same logical dims.
pub trait BinaryKernel<E: Dtype>: Storage<E> {
    /// `f(lhs[i], rhs[i])` into a contiguous buffer.
    fn try_binary_fwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &Self::Vec,
        lhs_layout: &Layout,
        rhs: &Self::Vec,
        rhs_layout: &Layout,
    ) -> Result<Self::Vec>;
    /// Adds `∂f/∂x · g` into `grad_lhs` and `∂f/∂y · g` into `grad_rhs` (contiguous buffers).
    #[allow(clippy::too_many_arguments)]
    fn try_binary_bwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &Self::Vec,
        lhs_layout: &Layout,
        rhs: &Self::Vec,
        rhs_layout: &Layout,
        grad_lhs: Option<&mut Self::Vec>,
        grad_rhs: Option<&mut Self::Vec>,
        grad_out: &Self::Vec,
    ) -> Result<()>;
}

macro_rules! binary_ops {
    ($($(#[$doc:meta])* $name:ident $method:ident $try_method:ident, |$x:ident, $y:ident| $f:expr, $dfdx:expr, $dfdy:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $name;

        impl<E: Dtype> BinaryOp<E> for $name {
            const NAME: &'static str = stringify!($method);
            #[inline(always)]
            fn f(&self, $x: E, $y: E) -> E { $f }
            #[inline(always)]
            #[allow(unused_variables)]
            fn dfdx(&self, $x: E, $y: E) -> E { $dfdx }
            #[inline(always)]
            #[allow(unused_variables)]
            fn dfdy(&self, $x: E, $y: E) -> E { $dfdy }
        }

        impl<S: Shape, E: Dtype, D: BinaryKernel<E> + AccumulateKernel<E> + ViewKernel<E>, T: Tape<E, D>> Tensor<S, E, D, T> {
            $(#[$doc])*
            ///
            /// Panics on a run-time shape mismatch; see the `try_` form.
            #[allow(clippy::should_implement_trait)] // the std operator forwards here
            pub fn $method<S2: SameShapeAs<S>, R>(self, rhs: Tensor<S2, E, D, R>) -> Tensor<S, E, D, T::Output>
            where
                T: Merge<R>,
                T::Output: Tape<E, D>,
                R: Tape<E, D>,
            {
                self.$try_method(rhs).unwrap()
            }
            #[doc = concat!("Fallible form of [`", stringify!($method), "`](Self::", stringify!($method), "): `Err` when run-time dims differ (or, for `DynShape`, do not broadcast).")]
            pub fn $try_method<S2: SameShapeAs<S>, R>(self, rhs: Tensor<S2, E, D, R>) -> Result<Tensor<S, E, D, T::Output>>
            where
                T: Merge<R>,
                T::Output: Tape<E, D>,
                R: Tape<E, D>,
            {
                self.try_binary($name, rhs)
            }
        }
    )*};
}

binary_ops! {
    /// Elementwise `x + y`.
    Add add try_add, |x, y| x + y, E::one(), E::one();
    /// Elementwise `x − y`.
    Sub sub try_sub, |x, y| x - y, E::one(), -E::one();
    /// Elementwise `x · y`.
    Mul mul try_mul, |x, y| x * y, y, x;
    /// Elementwise `x / y`.
    Div div try_div, |x, y| x / y, E::one() / y, -x / (y * y);
    /// Elementwise maximum; ties split the gradient evenly, as in PyTorch.
    Maximum maximum try_maximum, |x, y| if x >= y { x } else { y },
        if x > y { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() },
        if y > x { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() };
    /// Elementwise minimum; ties split the gradient evenly, as in PyTorch.
    Minimum minimum try_minimum, |x, y| if x <= y { x } else { y },
        if x < y { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() },
        if y < x { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() };
    /// Elementwise `x^y`.
    Pow pow try_pow, |x, y| x.powf(y), y * x.powf(y - E::one()),
        if x > E::zero() { x.powf(y) * x.ln() } else { E::zero() };
}

impl<
        S: Shape,
        E: Dtype,
        D: BinaryKernel<E> + AccumulateKernel<E> + ViewKernel<E>,
        T: Tape<E, D>,
    > Tensor<S, E, D, T>
{
    /// Applies any [`BinaryOp`] elementwise and records its backward.
    pub fn try_binary<Op: BinaryOp<E>, S2: SameShapeAs<S>, R: Tape<E, D>>(
        self,
        op: Op,
        rhs: Tensor<S2, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape<E, D>,
    {
        let (ld, rd) = (self.dims(), rhs.dims());
        if ld.as_ref() != rd.as_ref() {
            let common = match broadcast_shapes(ld.as_ref(), rd.as_ref()) {
                Some(c) if S::DYNAMIC => c,
                _ => {
                    return Err(Error::shape(
                        Op::NAME,
                        format!(
                            "operand shapes {:?} and {:?} differ",
                            ld.as_ref(),
                            rd.as_ref()
                        ),
                    ))
                }
            };
            let lhs = self.try_broadcast_numpy(&common)?;
            let rhs = rhs.try_broadcast_numpy(&common)?;
            return lhs.try_binary_same(op, rhs);
        }
        let shape = self.shape.clone();
        let rhs = rhs.retype(shape);
        self.try_binary_same(op, rhs)
    }

    fn try_binary_same<Op: BinaryOp<E>, R: Tape<E, D>>(
        self,
        op: Op,
        rhs: Tensor<S, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape<E, D>,
    {
        let (lhs, lt) = self.split_tape();
        let (rhs, rt) = rhs.split_tape();
        let mut tape = lt.merge(rt);
        let (ll, rl) = (lhs.layout(), rhs.layout());
        let buf = lhs
            .device
            .try_binary_fwd(&op, &lhs.data, &ll, &rhs.data, &rl)?;
        let out = lhs.with_new_buffer(buf, lhs.shape.clone());
        if <T::Output as Tape<E, D>>::OWNS_TAPE {
            let (lid, rid, oid, n, dev) = (
                lhs.id,
                rhs.id,
                out.id,
                out.num_elements(),
                lhs.device.clone(),
            );
            let (ldata, rdata) = (lhs.data.clone(), rhs.data.clone());
            tape.add_backward_op(move |grads| {
                let Some(g) = grads.take(oid) else {
                    return Ok(());
                };
                if lid == rid {
                    // x op x: both partials land on the same gradient
                    let mut tmp = dev.try_alloc_zeros(n)?;
                    dev.try_binary_bwd(&op, &ldata, &ll, &rdata, &rl, Some(&mut tmp), None, &g)?;
                    dev.try_binary_bwd(&op, &ldata, &ll, &rdata, &rl, None, Some(&mut tmp), &g)?;
                    let gl = grads.get_or_alloc_mut(lid, &dev, n)?;
                    return dev.try_scatter_add(gl, &Layout::contiguous(&ll.dims), &tmp);
                }
                let mut gl = grads.take(lid).map_or_else(|| dev.try_alloc_zeros(n), Ok)?;
                let gr = grads.get_or_alloc_mut(rid, &dev, n)?;
                dev.try_binary_bwd(&op, &ldata, &ll, &rdata, &rl, Some(&mut gl), Some(gr), &g)?;
                grads.insert(lid, gl);
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn typed_runtime_mismatch_is_an_error() {
        let dev = Cpu::default();
        let a = dev.zeros_like(&(2usize, 3usize));
        let b: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(3usize, 2usize));
        let err = a.try_add(b).unwrap_err();
        assert!(err.to_string().contains("[2, 3] and [3, 2]"), "{err}");
    }

    #[test]
    fn dyn_shapes_broadcast_like_numpy() {
        let dev = Cpu::default();
        let a = dev.tensor_from_vec(vec![1.0f32, 2.0, 3.0], DynShape::new([3, 1]));
        let b = dev.tensor_from_vec(vec![10.0f32, 20.0], DynShape::new([2]));
        let c = a.add(b);
        assert_eq!(c.dims(), vec![3, 2]);
        assert_eq!(c.to_vec(), vec![11.0, 21.0, 12.0, 22.0, 13.0, 23.0]);
    }
}
