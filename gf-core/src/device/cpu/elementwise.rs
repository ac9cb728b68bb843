//! Per-element-type hooks for the CPU's elementwise loops and its GEMM.
//!
//! Every [`Dtype`] is a [`CpuDtype`]. The default methods are the scalar loops; f32 and f64
//! override them with the lane loops of [`simd::elementwise`] over each op's lane form, in the
//! registers of the path [`simd::path`] chose; the type system picks the override on stable
//! Rust (no `TypeId` casts).

use super::lanes::{max_nan, min_nan};
use super::simd;
use super::simd::elementwise::Run;
use crate::dtype::Dtype;
use crate::error::Result;
use crate::ops::binary::BinaryOp;
use crate::ops::matmul::{GemmDims, MatView};
use crate::ops::reduce::ReduceOp;
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

    /// The sum, maximum or minimum of a contiguous row (NaN propagates through max and min;
    /// an empty row gives 0, −∞ or +∞).
    fn reduce_row(op: ReduceOp, x: &[Self]) -> Self
    where
        Self: Dtype,
    {
        match op {
            ReduceOp::Sum => x.iter().fold(Self::zero(), |a, &b| a + b),
            ReduceOp::Max => x.iter().copied().fold(Self::neg_infinity(), max_nan),
            ReduceOp::Min => x.iter().copied().fold(Self::infinity(), min_nan),
        }
    }

    /// Softmax (`log = false`) or log-softmax of one contiguous row into `y`; a row whose
    /// maximum is not finite is shifted by 0.
    fn softmax_row(log: bool, x: &[Self], y: &mut [Self])
    where
        Self: Dtype,
    {
        let lse = Self::logsumexp_row(x);
        for (y, &x) in y.iter_mut().zip(x) {
            *y = if log { x - lse } else { (x - lse).exp() };
        }
    }

    /// `ln Σ e^x` of one contiguous row, shifted by its maximum when that is finite.
    fn logsumexp_row(x: &[Self]) -> Self
    where
        Self: Dtype,
    {
        let m = Self::reduce_row(ReduceOp::Max, x);
        let m = if m.is_finite() { m } else { Self::zero() };
        m + x
            .iter()
            .map(|&v| (v - m).exp())
            .fold(Self::zero(), |a, b| a + b)
            .ln()
    }

    /// The backward of [`softmax_row`](Self::softmax_row) given its output `y`:
    /// `gi += y·(g − Σ g·y)` for softmax, `gi += g − e^y·Σ g` for log-softmax.
    fn softmax_row_bwd(log: bool, y: &[Self], g: &[Self], gi: &mut [Self])
    where
        Self: Dtype,
    {
        let rows = y.iter().zip(g);
        if log {
            let s = g.iter().fold(Self::zero(), |a, &b| a + b);
            for (gi, (&y, &g)) in gi.iter_mut().zip(rows) {
                *gi += g - y.exp() * s;
            }
        } else {
            let d = rows.clone().fold(Self::zero(), |a, (&y, &g)| a + y * g);
            for (gi, (&y, &g)) in gi.iter_mut().zip(rows) {
                *gi += (g - d) * y;
            }
        }
    }

    /// The backward of [`logsumexp_row`](Self::logsumexp_row) given its output `lse` and the
    /// row's gradient `g`: `gi += g · e^(x − lse)`.
    fn logsumexp_row_bwd(x: &[Self], lse: Self, g: Self, gi: &mut [Self])
    where
        Self: Dtype,
    {
        for (gi, &x) in gi.iter_mut().zip(x) {
            *gi += g * (x - lse).exp();
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

    /// [`gemm`](CpuDtype::gemm) on the calling thread only, for kernels that share their work
    /// out over threads themselves. The portable loop never threads, so it is the default.
    #[allow(clippy::too_many_arguments)]
    fn gemm_serial(
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
            fn reduce_row(op: ReduceOp, x: &[$e]) -> $e {
                let p = simd::path();
                match op {
                    ReduceOp::Sum => simd::sum(p, x),
                    ReduceOp::Max => simd::max(p, x),
                    ReduceOp::Min => simd::min(p, x),
                }
            }
            fn softmax_row(log: bool, x: &[$e], y: &mut [$e]) {
                if log {
                    simd::softmax::log_softmax_row(simd::path(), x, y)
                } else {
                    simd::softmax::softmax_row(simd::path(), x, y)
                }
            }
            fn logsumexp_row(x: &[$e]) -> $e {
                simd::softmax::logsumexp_row(simd::path(), x)
            }
            fn softmax_row_bwd(log: bool, y: &[$e], g: &[$e], gi: &mut [$e]) {
                if log {
                    simd::softmax::log_softmax_row_bwd(simd::path(), y, g, gi)
                } else {
                    simd::softmax::softmax_row_bwd(simd::path(), y, g, gi)
                }
            }
            fn logsumexp_row_bwd(x: &[$e], lse: $e, g: $e, gi: &mut [$e]) {
                simd::softmax::logsumexp_row_bwd(simd::path(), x, lse, g, gi)
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
            fn gemm_serial(
                dims: GemmDims,
                a: &[$e],
                av: MatView,
                b: &[$e],
                bv: MatView,
                c: &mut [$e],
                cv: MatView,
            ) -> Result<()> {
                super::gemm::gemm_serial(dims, a, av, b, bv, c, cv)
            }
        }
    };
}

lane_loops!(f32);
lane_loops!(f64);
