//! Per-element-type hooks for the CPU's elementwise loops and its GEMM.
//!
//! Every [`Dtype`] is a [`CpuDtype`]. The default methods are the scalar loops; f32 and f64
//! override them with lane loops over each op's lane form. This is where an f32 AVX-512 path
//! goes beside the generic one, chosen by the type system on stable Rust (no `TypeId` casts).

use super::lanes::{Chunk, Lanes};
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

/// The lane loops: whole lanes through the op's lane form, the tail through its scalar form.
fn unary_lanes<E: Dtype, L: Lanes<E>, Op: UnaryOp<E>>(op: &Op, src: &[E], dst: &mut [E]) {
    let w = L::WIDTH;
    let mut s = src.chunks_exact(w);
    let mut d = dst.chunks_exact_mut(w);
    for (s, d) in (&mut s).zip(&mut d) {
        op.f_lanes(L::load(s)).store(d);
    }
    for (d, &x) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *d = op.f(x);
    }
}

fn unary_lanes_in_place<E: Dtype, L: Lanes<E>, Op: UnaryOp<E>>(op: &Op, buf: &mut [E]) {
    let mut c = buf.chunks_exact_mut(L::WIDTH);
    for c in &mut c {
        op.f_lanes(L::load(c)).store(c);
    }
    for x in c.into_remainder() {
        *x = op.f(*x);
    }
}

fn binary_lanes<E: Dtype, L: Lanes<E>, Op: BinaryOp<E>>(op: &Op, a: &[E], b: &[E], dst: &mut [E]) {
    let w = L::WIDTH;
    let (mut ca, mut cb) = (a.chunks_exact(w), b.chunks_exact(w));
    let mut cd = dst.chunks_exact_mut(w);
    for ((x, y), d) in (&mut ca).zip(&mut cb).zip(&mut cd) {
        op.f_lanes(L::load(x), L::load(y)).store(d);
    }
    let tail = ca.remainder().iter().zip(cb.remainder());
    for (d, (&x, &y)) in cd.into_remainder().iter_mut().zip(tail) {
        *d = op.f(x, y);
    }
}

fn binary_lanes_in_place<E: Dtype, L: Lanes<E>, Op: BinaryOp<E>>(op: &Op, a: &mut [E], b: &[E]) {
    let w = L::WIDTH;
    let mut ca = a.chunks_exact_mut(w);
    let mut cb = b.chunks_exact(w);
    for (x, y) in (&mut ca).zip(&mut cb) {
        op.f_lanes(L::load(x), L::load(y)).store(x);
    }
    for (x, &y) in ca.into_remainder().iter_mut().zip(cb.remainder()) {
        *x = op.f(*x, y);
    }
}

/// Overrides the four loops with lane loops of type `$lanes`.
macro_rules! lane_loops {
    ($e:ty, $lanes:ty) => {
        impl CpuDtype for $e {
            fn unary_into<Op: UnaryOp<$e>>(op: &Op, src: &[$e], dst: &mut [$e]) {
                unary_lanes::<$e, $lanes, Op>(op, src, dst)
            }
            fn unary_in_place<Op: UnaryOp<$e>>(op: &Op, buf: &mut [$e]) {
                unary_lanes_in_place::<$e, $lanes, Op>(op, buf)
            }
            fn binary_into<Op: BinaryOp<$e>>(op: &Op, a: &[$e], b: &[$e], dst: &mut [$e]) {
                binary_lanes::<$e, $lanes, Op>(op, a, b, dst)
            }
            fn binary_in_place<Op: BinaryOp<$e>>(op: &Op, a: &mut [$e], b: &[$e]) {
                binary_lanes_in_place::<$e, $lanes, Op>(op, a, b)
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

// 64 bytes of each: one AVX-512 register, two AVX2 ones, four NEON ones
lane_loops!(f32, Chunk<f32, 16>);
lane_loops!(f64, Chunk<f64, 8>);
