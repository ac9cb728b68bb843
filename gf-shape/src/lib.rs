//! Tensor shapes whose rank and dimensions live in the type system.
//!
//! A dimension is [`Const<N>`] (known when compiling) or `usize` (known when running); a shape is
//! a tuple of up to six dims, or [`DynShape`] for any rank chosen at run time. Relations between
//! shapes (reduce, broadcast, permute, flatten, concat, matmul, convolution sizes) are traits, so
//! a wrong shape is a compile error that names the problem:
//!
//! ```compile_fail
//! use gf_shape::*;
//! fn reduce<S: ReduceShape<Ax>, Ax: Axes>() {}
//! reduce::<Rank2<2, 3>, Axis<2>>(); // a matrix has no axis 2
//! ```
//!
//! Output sizes computed from `Const` dims come out as `Const` again (see [`arith`]):
//!
//! ```
//! use gf_shape::*;
//! let conv: <Const<28> as ConvDim<Const<5>, Const<1>, Const<0>, Const<1>>>::Output = Const::<24>;
//! let flat: <Rank3<4, 5, 5> as FlattenShape<Axis<0>>>::Flat = (Const::<100>,);
//! # let _ = (conv, flat);
//! ```
#![forbid(unsafe_code)]

pub mod arith;
mod axes;
mod dim;
mod matmul;
mod shape;

pub use arith::{
    conv_out_size, conv_transpose_out_size, Computed, ConvDim, ConvTransposeDim, DimAdd, DimMul,
    DimMultipleOf, DimTn, DividesBy, Dyn, SplitsInto, TransposedWindowFits, WindowFits,
    FORWARD_MAX, REVERSE_MAX,
};
pub use axes::{
    Axes, Axis, BroadcastShapeFrom, ConcatShape, FlattenShape, InsertAxis, PermuteShape,
    ReduceShape, ReplaceDim, TransposeShape,
};
pub use dim::{Const, ConstDim, Dim};
pub use matmul::{InnerDims, MatMulShape};
pub use shape::{
    broadcast_shapes, ConstShape, DynShape, Either, HasShape, KnownWhen, NumelAgree, NumelTn,
    Rank0, Rank1, Rank2, Rank3, Rank4, Rank5, Rank6, ReshapeTo, ReshapeWhen, SameDim, SameNumel,
    SameShapeAs, Shape, WhenCompiling, WhenRunning,
};
