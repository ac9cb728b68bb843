//! Elementwise binary ops, each written once as `f`, `∂f/∂x` and `∂f/∂y`.
//!
//! Typed tensors must have the same shape (checked by the type checker, and at run time for
//! `usize` dims); broadcast one operand first with `.broadcast()`. `DynShape` tensors broadcast
//! like numpy, through the same broadcast view whose backward sums over the broadcast axes.

mod cpu_kernel;

use gf_shape::{broadcast_shapes, SameShapeAs, Shape};

use crate::device::lanes::{max_nan, min_nan, Lanes};
use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tape::{Merge, Recording, Tape};
use crate::tensor::Tensor;

/// Which operands a partial derivative reads, so a backward keeps only those alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operands {
    /// Reads the left operand `x`.
    pub x: bool,
    /// Reads the right operand `y`.
    pub y: bool,
}

impl Operands {
    /// Reads neither (`∂(x + y)/∂x = 1`).
    pub const NONE: Operands = Operands { x: false, y: false };
    /// Reads `x` only.
    pub const X: Operands = Operands { x: true, y: false };
    /// Reads `y` only (`∂(x·y)/∂x = y`).
    pub const Y: Operands = Operands { x: false, y: true };
    /// Reads both.
    pub const BOTH: Operands = Operands { x: true, y: true };

    /// What the backward of an op keeps when the operands that record are `rec`.
    pub fn kept<E: Dtype, Op: BinaryOp<E>>(rec: Recording) -> Operands {
        let pick = |on: bool, u: Operands| if on { u } else { Operands::NONE };
        let (a, b) = (pick(rec.lhs, Op::DFDX_USES), pick(rec.rhs, Op::DFDY_USES));
        Operands {
            x: a.x || b.x,
            y: a.y || b.y,
        }
    }
}

/// An elementwise function of two arguments and its partial derivatives.
pub trait BinaryOp<E: Dtype>: 'static + Clone + Send + Sync + core::fmt::Debug {
    /// The op's name in messages.
    const NAME: &'static str;
    /// What `∂f/∂x` reads.
    const DFDX_USES: Operands;
    /// What `∂f/∂y` reads.
    const DFDY_USES: Operands;
    /// The function.
    fn f(&self, x: E, y: E) -> E;
    /// `∂f/∂x` (an operand it does not read is passed as any value).
    fn dfdx(&self, x: E, y: E) -> E;
    /// `∂f/∂y` (an operand it does not read is passed as any value).
    fn dfdy(&self, x: E, y: E) -> E;
    /// `f` as a CUDA C expression of `x` and `y` (element type `T`), from which a CUDA device
    /// generates its forward kernel.
    const CUDA_F: &'static str;
    /// `∂f/∂x` as a CUDA C expression of `x` and `y`.
    const CUDA_DFDX: &'static str;
    /// `∂f/∂y` as a CUDA C expression of `x` and `y`.
    const CUDA_DFDY: &'static str;
    /// The function over lanes (see [`Lanes`]): SIMD kernels call this; the default applies
    /// [`f`](Self::f) lane by lane.
    #[inline(always)]
    fn f_lanes<L: Lanes<E>>(&self, x: L, y: L) -> L {
        x.zip_map(y, |a, b| self.f(a, b))
    }
    /// `∂f/∂x` over lanes (SIMD backward kernels call this); the default applies
    /// [`dfdx`](Self::dfdx) lane by lane.
    #[inline(always)]
    fn dfdx_lanes<L: Lanes<E>>(&self, x: L, y: L) -> L {
        x.zip_map(y, |a, b| self.dfdx(a, b))
    }
    /// `∂f/∂y` over lanes; the default applies [`dfdy`](Self::dfdy) lane by lane.
    #[inline(always)]
    fn dfdy_lanes<L: Lanes<E>>(&self, x: L, y: L) -> L {
        x.zip_map(y, |a, b| self.dfdy(a, b))
    }
}

/// A kept operand of a backward: its buffer and layout.
pub type Saved<'a, V> = Option<(&'a V, &'a Layout)>;

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
    /// `lhs[i] = f(lhs[i], rhs[i])` in place; `lhs` is a whole contiguous buffer (an operand no
    /// one else holds, or a parameter updated in place).
    fn try_binary_assign<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &mut Self::Vec,
        rhs: &Self::Vec,
        rhs_layout: &Layout,
    ) -> Result<()>;
    /// Adds `∂f/∂x · g` into `grad_lhs` and `∂f/∂y · g` into `grad_rhs` (contiguous buffers of
    /// `grad_out.len()` elements); an operand the partials do not read is `None`.
    fn try_binary_bwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: Saved<'_, Self::Vec>,
        rhs: Saved<'_, Self::Vec>,
        grad_lhs: Option<&mut Self::Vec>,
        grad_rhs: Option<&mut Self::Vec>,
        grad_out: &Self::Vec,
    ) -> Result<()>;
}

macro_rules! binary_ops {
    ($(
        $(#[$doc:meta])*
        $name:ident {
            method: $method:ident / $try_method:ident,
            f: |$x:ident, $y:ident| $f:expr,
            dfdx: $dfdx:expr,
            dfdx_reads: $xu:ident,
            dfdy: $dfdy:expr,
            dfdy_reads: $yu:ident,
            cuda_f: $cuda_f:literal,
            cuda_dfdx: $cuda_dfdx:literal,
            cuda_dfdy: $cuda_dfdy:literal,
            $(lanes: |$lx:ident, $ly:ident| $lanes:expr,)?
            $(dfdx_lanes: |$dxx:ident, $dxy:ident| $dfdx_lanes:expr,)?
            $(dfdy_lanes: |$dyx:ident, $dyy:ident| $dfdy_lanes:expr,)?
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $name;

        impl<E: Dtype> BinaryOp<E> for $name {
            const NAME: &'static str = stringify!($method);
            const DFDX_USES: Operands = Operands::$xu;
            const DFDY_USES: Operands = Operands::$yu;
            const CUDA_F: &'static str = $cuda_f;
            const CUDA_DFDX: &'static str = $cuda_dfdx;
            const CUDA_DFDY: &'static str = $cuda_dfdy;
            #[inline(always)]
            fn f(&self, $x: E, $y: E) -> E { $f }
            #[inline(always)]
            #[allow(unused_variables)]
            fn dfdx(&self, $x: E, $y: E) -> E { $dfdx }
            #[inline(always)]
            #[allow(unused_variables)]
            fn dfdy(&self, $x: E, $y: E) -> E { $dfdy }
            $(
                #[inline(always)]
                fn f_lanes<L: Lanes<E>>(&self, $lx: L, $ly: L) -> L { $lanes }
            )?
            $(
                #[inline(always)]
                #[allow(unused_variables)]
                fn dfdx_lanes<L: Lanes<E>>(&self, $dxx: L, $dxy: L) -> L { $dfdx_lanes }
            )?
            $(
                #[inline(always)]
                #[allow(unused_variables)]
                fn dfdy_lanes<L: Lanes<E>>(&self, $dyx: L, $dyy: L) -> L { $dfdy_lanes }
            )?
        }

        impl<S: Shape, E: Dtype, D: BinaryKernel<E> + AccumulateKernel<E> + ViewKernel<E>, T: Tape> Tensor<S, E, D, T> {
            $(#[$doc])*
            ///
            /// Panics on a run-time shape mismatch; see the `try_` form.
            #[allow(clippy::should_implement_trait)] // the std operator forwards here
            #[track_caller]
            pub fn $method<S2: SameShapeAs<S>, R>(self, rhs: Tensor<S2, E, D, R>) -> Tensor<S, E, D, T::Output>
            where
                T: Merge<R>,
                T::Output: Tape,
                R: Tape,
            {
                self.$try_method(rhs).unwrap()
            }
            #[doc = concat!("Fallible form of [`", stringify!($method), "`](Self::", stringify!($method), "): `Err` when run-time dims differ (or, for `DynShape`, do not broadcast).")]
            pub fn $try_method<S2: SameShapeAs<S>, R>(self, rhs: Tensor<S2, E, D, R>) -> Result<Tensor<S, E, D, T::Output>>
            where
                T: Merge<R>,
                T::Output: Tape,
                R: Tape,
            {
                self.try_binary($name, rhs)
            }
        }
    )*};
}

binary_ops! {
    /// Elementwise `x + y`.
    Add {
        method: add / try_add,
        f: |x, y| x + y,
        dfdx: E::one(),
        dfdx_reads: NONE,
        dfdy: E::one(),
        dfdy_reads: NONE,
        cuda_f: "x + y",
        cuda_dfdx: "T(1)",
        cuda_dfdy: "T(1)",
        lanes: |x, y| x.add(y),
        dfdx_lanes: |x, y| L::splat(E::one()),
        dfdy_lanes: |x, y| L::splat(E::one()),
    }
    /// Elementwise `x − y`.
    Sub {
        method: sub / try_sub,
        f: |x, y| x - y,
        dfdx: E::one(),
        dfdx_reads: NONE,
        dfdy: -E::one(),
        dfdy_reads: NONE,
        cuda_f: "x - y",
        cuda_dfdx: "T(1)",
        cuda_dfdy: "T(-1)",
        lanes: |x, y| x.sub(y),
        dfdx_lanes: |x, y| L::splat(E::one()),
        dfdy_lanes: |x, y| L::splat(-E::one()),
    }
    /// Elementwise `x · y`.
    Mul {
        method: mul / try_mul,
        f: |x, y| x * y,
        dfdx: y,
        dfdx_reads: Y,
        dfdy: x,
        dfdy_reads: X,
        cuda_f: "x * y",
        cuda_dfdx: "y",
        cuda_dfdy: "x",
        lanes: |x, y| x.mul(y),
        dfdx_lanes: |x, y| y,
        dfdy_lanes: |x, y| x,
    }
    /// Elementwise `x / y`.
    Div {
        method: div / try_div,
        f: |x, y| x / y,
        dfdx: E::one() / y,
        dfdx_reads: Y,
        dfdy: -x / (y * y),
        dfdy_reads: BOTH,
        cuda_f: "x / y",
        cuda_dfdx: "T(1) / y",
        cuda_dfdy: "-x / (y * y)",
        lanes: |x, y| x.div(y),
        dfdx_lanes: |x, y| L::splat(E::one()).div(y),
        dfdy_lanes: |x, y| L::splat(E::zero()).sub(x).div(y.mul(y)),
    }
    /// Elementwise maximum; NaN in either operand gives NaN, and ties split the gradient
    /// evenly, as in PyTorch.
    Maximum {
        method: maximum / try_maximum,
        f: |x, y| max_nan(x, y),
        dfdx: if x > y { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() },
        dfdx_reads: BOTH,
        dfdy: if y > x { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() },
        dfdy_reads: BOTH,
        cuda_f: "(x != x || x >= y) ? x : y",
        cuda_dfdx: "(x > y) ? T(1) : ((x == y) ? T(0.5) : T(0))",
        cuda_dfdy: "(y > x) ? T(1) : ((x == y) ? T(0.5) : T(0))",
        lanes: |x, y| x.max(y),
    }
    /// Elementwise minimum; NaN in either operand gives NaN, and ties split the gradient
    /// evenly, as in PyTorch.
    Minimum {
        method: minimum / try_minimum,
        f: |x, y| min_nan(x, y),
        dfdx: if x < y { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() },
        dfdx_reads: BOTH,
        dfdy: if y < x { E::one() } else if x == y { E::from_f64(0.5) } else { E::zero() },
        dfdy_reads: BOTH,
        cuda_f: "(x != x || x <= y) ? x : y",
        cuda_dfdx: "(x < y) ? T(1) : ((x == y) ? T(0.5) : T(0))",
        cuda_dfdy: "(y < x) ? T(1) : ((x == y) ? T(0.5) : T(0))",
        lanes: |x, y| x.min(y),
    }
    /// Elementwise `x^y`.
    Pow {
        method: pow / try_pow,
        f: |x, y| x.powf(y),
        dfdx: y * x.powf(y - E::one()),
        dfdx_reads: BOTH,
        dfdy: if x > E::zero() { x.powf(y) * x.ln() } else { E::zero() },
        dfdy_reads: BOTH,
        cuda_f: "pow(x, y)",
        cuda_dfdx: "y * pow(x, y - T(1))",
        cuda_dfdy: "(x > T(0)) ? pow(x, y) * log(x) : T(0)",
    }
}

impl<S: Shape, E: Dtype, D: BinaryKernel<E> + AccumulateKernel<E> + ViewKernel<E>, T: Tape>
    Tensor<S, E, D, T>
{
    /// Applies any [`BinaryOp`] elementwise and records its backward.
    pub fn try_binary<Op: BinaryOp<E>, S2: SameShapeAs<S>, R: Tape>(
        self,
        op: Op,
        rhs: Tensor<S2, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        // a computed size above the `Const` table against a `Const`: compared when building
        #[allow(clippy::let_unit_value)]
        let () = <S2 as SameShapeAs<S>>::CHECK;
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

    fn try_binary_same<Op: BinaryOp<E>, R: Tape>(
        self,
        op: Op,
        rhs: Tensor<S, E, D, R>,
    ) -> Result<Tensor<S, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        let (mut lhs, lt) = self.split_tape();
        let (rhs, rt) = rhs.split_tape();
        lhs.check_same_device(Op::NAME, &rhs)?;
        let rec = Recording::of(&lt, &rt);
        let mut tape = lt.merge(rt);
        let (ll, rl) = (lhs.layout(), rhs.layout());
        let kept = Operands::kept::<E, Op>(rec);
        // a left operand no one else holds is overwritten, unless its backward must read it
        let dev = lhs.device.clone();
        let out = match lhs.whole_buf_mut().filter(|_| !kept.x) {
            Some(buf) => {
                dev.try_binary_assign(&op, buf, &rhs.data, &rl)?;
                lhs.with_same_buffer(lhs.shape.clone())
            }
            None => {
                let buf = dev.try_binary_fwd(&op, &lhs.data, &ll, &rhs.data, &rl)?;
                lhs.with_new_buffer(buf, lhs.shape.clone())
            }
        };
        if rec.any() {
            let (lid, rid, oid, n) = (lhs.id, rhs.id, out.id, out.num_elements());
            let lsaved = kept.x.then(|| (lhs.data.clone(), ll));
            let rsaved = kept.y.then(|| (rhs.data.clone(), rl));
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                let l = lsaved.as_ref().map(|(b, l)| (&**b, l));
                let r = rsaved.as_ref().map(|(b, l)| (&**b, l));
                if rec.lhs && rec.rhs && lid == rid {
                    // x op x: both partials land on the same gradient
                    let gl = grads.get_or_alloc_mut::<E, D>(lid, &dev, n)?;
                    dev.try_binary_bwd(&op, l, r, Some(&mut *gl), None, &g)?;
                    return dev.try_binary_bwd(&op, l, r, None, Some(gl), &g);
                }
                let mut gl = match rec.lhs {
                    true => Some(
                        grads
                            .take::<E, D>(lid)?
                            .map_or_else(|| dev.try_alloc_zeros(n), Ok)?,
                    ),
                    false => None,
                };
                let gr = match rec.rhs {
                    true => Some(grads.get_or_alloc_mut::<E, D>(rid, &dev, n)?),
                    false => None,
                };
                dev.try_binary_bwd(&op, l, r, gl.as_mut(), gr, &g)?;
                if let Some(gl) = gl {
                    grads.insert::<E, D>(lid, gl);
                }
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::testing::{test_device, TestDevice};

    #[test]
    fn typed_runtime_mismatch_is_an_error() {
        let dev = test_device();
        let a = dev.zeros_like(&(2usize, 3usize));
        let b: Tensor<(usize, usize), f32, TestDevice> = dev.zeros_like(&(3usize, 2usize));
        let err = a.try_add(b).unwrap_err();
        assert!(err.to_string().contains("[2, 3] and [3, 2]"), "{err}");
    }

    #[test]
    fn a_computed_size_above_the_const_table_meets_an_equal_const() {
        // 512·16·16 = 131072 is above the table, so flatten gives an exact `Computed` dim
        let dev = TestDevice::default();
        let x: Tensor<(usize, Const<512>, Const<16>, Const<16>), f32, TestDevice> =
            dev.ones_like(&(2, Const, Const, Const));
        let bias: Tensor<(usize, Const<131072>), f32, TestDevice> = dev.ones_like(&(2, Const));
        let y = x.flatten::<Axis<1>>() + bias.clone();
        assert!(y.to_vec().iter().all(|&v| v == 2.0));
        // in the other order the result takes the `Const` spelling of the left operand
        let z: Tensor<(usize, Const<131072>), f32, TestDevice> = bias - y;
        assert!(z.to_vec().iter().all(|&v| v == -1.0));
    }

    #[test]
    fn dyn_shapes_broadcast_like_numpy() {
        let dev = test_device();
        let a = dev.tensor_from_vec(vec![1.0f32, 2.0, 3.0], DynShape::new([3, 1]));
        let b = dev.tensor_from_vec(vec![10.0f32, 20.0], DynShape::new([2]));
        let c = a.add(b);
        assert_eq!(c.dims(), vec![3, 2]);
        assert_eq!(c.to_vec(), vec![11.0, 21.0, 12.0, 22.0, 13.0, 23.0]);
    }
}
