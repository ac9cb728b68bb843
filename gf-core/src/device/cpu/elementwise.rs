//! Per-element-type hooks for the CPU's elementwise loops and its GEMM.
//!
//! Every [`Dtype`] is a [`CpuDtype`]. The default methods are the scalar loops; f32 and f64
//! override them with the lane loops of [`simd::elementwise`] over each op's lane form, in the
//! registers of the path [`simd::path`] chose; the type system picks the override on stable
//! Rust (no `TypeId` casts).

use super::simd;
use super::simd::elementwise::Run;
use crate::dtype::Dtype;
use crate::error::Result;
use crate::ops::binary::BinaryOp;
use crate::ops::matmul::{GemmDims, MatView};
use crate::ops::unary::UnaryOp;

/// How the CPU runs contiguous elementwise loops for one element type (sealed with [`Dtype`]).
pub trait CpuDtype: Sized + Copy {
    /// `dst[i] = f(src[i])` for slices of one length.
    fn unary_into<Op: UnaryOp<Self>>(op: &Op, src: &[Self], dst: &mut [Self])
    where
        Self: Dtype,
    {
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = op.f(x);
        }
    }

    /// `buf[i] = f(buf[i])`.
    fn unary_in_place<Op: UnaryOp<Self>>(op: &Op, buf: &mut [Self])
    where
        Self: Dtype,
    {
        for x in buf {
            *x = op.f(*x);
        }
    }

    /// `grad_inp[i] += df(saved[i]) · grad_out[i]` for slices of one length, `saved` being `x`
    /// or `f(x)` as the op's `DF_USES` says.
    fn unary_bwd_into<Op: UnaryOp<Self>>(
        op: &Op,
        saved: &[Self],
        grad_out: &[Self],
        grad_inp: &mut [Self],
    ) where
        Self: Dtype,
    {
        for ((gi, &go), &v) in grad_inp.iter_mut().zip(grad_out).zip(saved) {
            *gi += op.df(v) * go;
        }
    }

    /// `dst[i] = f(a[i], b[i])` for slices of one length.
    fn binary_into<Op: BinaryOp<Self>>(op: &Op, a: &[Self], b: &[Self], dst: &mut [Self])
    where
        Self: Dtype,
    {
        for ((d, &x), &y) in dst.iter_mut().zip(a).zip(b) {
            *d = op.f(x, y);
        }
    }

    /// `a[i] = f(a[i], b[i])`.
    fn binary_in_place<Op: BinaryOp<Self>>(op: &Op, a: &mut [Self], b: &[Self])
    where
        Self: Dtype,
    {
        for (x, &y) in a.iter_mut().zip(b) {
            *x = op.f(*x, y);
        }
    }

    /// `dst[i] = f(a[i], b[i])` where either operand may be one value broadcast along the run.
    fn binary_run_into<Op: BinaryOp<Self>>(
        op: &Op,
        a: Run<'_, Self>,
        b: Run<'_, Self>,
        dst: &mut [Self],
    ) where
        Self: Dtype,
    {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = op.f(a.get(i), b.get(i));
        }
    }

    /// `a[i] = f(a[i], b[i])` where `b` may be one value broadcast along the run.
    fn binary_run_in_place<Op: BinaryOp<Self>>(op: &Op, a: &mut [Self], b: Run<'_, Self>)
    where
        Self: Dtype,
    {
        for (i, x) in a.iter_mut().enumerate() {
            *x = op.f(*x, b.get(i));
        }
    }

    /// `acc[i] += ∂f/∂x(x[i], y[i]) · g[i]` (`by_x`), or the partial by `y`; an operand the
    /// partial does not read may be any run.
    fn binary_bwd_into<Op: BinaryOp<Self>>(
        op: &Op,
        by_x: bool,
        x: Run<'_, Self>,
        y: Run<'_, Self>,
        g: &[Self],
        acc: &mut [Self],
    ) where
        Self: Dtype,
    {
        for (i, (a, &g)) in acc.iter_mut().zip(g).enumerate() {
            let (x, y) = (x.get(i), y.get(i));
            *a += if by_x { op.dfdx(x, y) } else { op.dfdy(x, y) } * g;
        }
    }

    /// `c[b] += a[b]·b[b]` for each matrix of the batch (C with contiguous rows, every view
    /// checked against its buffer). The default is the portable loop; f32 and f64 use the
    /// packed SIMD kernels of [`gemm`](crate::device::gemm).
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        dims: GemmDims,
        a: &[Self],
        av: MatView,
        b: &[Self],
        bv: MatView,
        c: &mut [Self],
        cv: MatView,
    ) -> Result<()>
    where
        Self: Dtype,
    {
        super::gemm::gemm_portable(dims, a, av, b, bv, c, cv)
    }
}

/// Overrides the loops with the lane loops of [`simd::elementwise`] on the chosen path.
macro_rules! lane_loops {
    ($e:ty) => {
        impl CpuDtype for $e {
            fn unary_into<Op: UnaryOp<$e>>(op: &Op, src: &[$e], dst: &mut [$e]) {
                simd::elementwise::unary_into(simd::path(), op, src, dst)
            }
            fn unary_in_place<Op: UnaryOp<$e>>(op: &Op, buf: &mut [$e]) {
                simd::elementwise::unary_in_place(simd::path(), op, buf)
            }
            fn unary_bwd_into<Op: UnaryOp<$e>>(
                op: &Op,
                saved: &[$e],
                grad_out: &[$e],
                grad_inp: &mut [$e],
            ) {
                simd::elementwise::unary_bwd(simd::path(), op, saved, grad_out, grad_inp)
            }
            fn binary_into<Op: BinaryOp<$e>>(op: &Op, a: &[$e], b: &[$e], dst: &mut [$e]) {
                simd::elementwise::binary_into(simd::path(), op, a, b, dst)
            }
            fn binary_in_place<Op: BinaryOp<$e>>(op: &Op, a: &mut [$e], b: &[$e]) {
                simd::elementwise::binary_in_place(simd::path(), op, a, b)
            }
            fn binary_run_into<Op: BinaryOp<$e>>(
                op: &Op,
                a: Run<'_, $e>,
                b: Run<'_, $e>,
                dst: &mut [$e],
            ) {
                simd::elementwise::binary_run_into(simd::path(), op, a, b, dst)
            }
            fn binary_run_in_place<Op: BinaryOp<$e>>(op: &Op, a: &mut [$e], b: Run<'_, $e>) {
                simd::elementwise::binary_run_in_place(simd::path(), op, a, b)
            }
            fn binary_bwd_into<Op: BinaryOp<$e>>(
                op: &Op,
                by_x: bool,
                x: Run<'_, $e>,
                y: Run<'_, $e>,
                g: &[$e],
                acc: &mut [$e],
            ) {
                simd::elementwise::binary_bwd(simd::path(), op, by_x, x, y, g, acc)
            }
            fn gemm(
                dims: GemmDims,
                a: &[$e],
                av: MatView,
                b: &[$e],
                bv: MatView,
                c: &mut [$e],
                cv: MatView,
            ) -> Result<()> {
                super::gemm::gemm(dims, a, av, b, bv, c, cv)
            }
        }
    };
}

lane_loops!(f32);
lane_loops!(f64);
