//! Which shapes multiply as matrices, and the shape of the product.

use crate::arith::Computed;
use crate::dim::{Const, ConstDim, Dim};
use crate::shape::{DynShape, SameDim, Shape};

/// Inner dimensions of a product that fit: the same dim; a run-time `usize` against any dim
/// (compared when running); or a computed size above the `Const` table against the `Const<N>`
/// of the same value, compared when building ([`CHECK`](InnerDims::CHECK) fails `cargo build`,
/// not `cargo check`, on a mismatch).
#[diagnostic::on_unimplemented(
    message = "cannot multiply over inner dimensions `{Self}` and `{R}`: they differ",
    label = "(…, M, K) · (…, K, N) needs the last dim of the left to equal the second-to-last of the right"
)]
pub trait InnerDims<R: Dim>: Dim {
    /// Evaluated by the ops that use the relation: a compile-time comparison of the sizes
    /// where the types alone cannot tell.
    const CHECK: () = ();
}
impl<D: Dim> InnerDims<D> for D {}
impl<const N: usize> InnerDims<Const<N>> for usize {}
impl<const N: usize> InnerDims<usize> for Const<N> {}
impl<T> InnerDims<usize> for Computed<T> where Computed<T>: Dim {}
impl<T> InnerDims<Computed<T>> for usize where Computed<T>: Dim {}
impl<T, const N: usize> InnerDims<Const<N>> for Computed<T>
where
    Computed<T>: ConstDim,
{
    const CHECK: () = <Computed<T> as SameDim<Const<N>>>::CHECK;
}
impl<T, const N: usize> InnerDims<Computed<T>> for Const<N>
where
    Computed<T>: ConstDim,
{
    const CHECK: () = <Computed<T> as SameDim<Const<N>>>::CHECK;
}

/// `Self · Rhs` as matrices: the inner dimensions must fit ([`InnerDims`]: the same dim, a
/// `usize` compared when running, or a computed size against the equal `Const`). Batched forms broadcast a rank-2 right operand over the batch.
#[diagnostic::on_unimplemented(
    message = "cannot matmul `{Self}` by `{Rhs}`: the inner dimensions differ or the ranks do not combine",
    label = "(…, M, K) · (…, K, N) needs the last dim of the left to equal the second-to-last of the right",
    note = "supported: (K)·(K, N), (M, K)·(K), (M, K)·(K, N), (B, M, K)·(B, K, N), (B, M, K)·(K, N), (B, H, M, K)·(B, H, K, N), (B, H, M, K)·(K, N)"
)]
pub trait MatMulShape<Rhs: Shape>: Shape {
    /// The product's shape.
    type Output: Shape;
    /// The inner dimensions' [`InnerDims::CHECK`]; the matmul op evaluates it.
    const CHECK: () = ();
}

impl<K: InnerDims<K2>, K2: Dim, N: Dim> MatMulShape<(K2, N)> for (K,) {
    type Output = (N,);
    const CHECK: () = K::CHECK;
}
impl<M: Dim, K: InnerDims<K2>, K2: Dim> MatMulShape<(K2,)> for (M, K) {
    type Output = (M,);
    const CHECK: () = K::CHECK;
}
impl<M: Dim, K: InnerDims<K2>, K2: Dim, N: Dim> MatMulShape<(K2, N)> for (M, K) {
    type Output = (M, N);
    const CHECK: () = K::CHECK;
}
impl<B: Dim, M: Dim, K: InnerDims<K2>, K2: Dim, N: Dim> MatMulShape<(B, K2, N)> for (B, M, K) {
    type Output = (B, M, N);
    const CHECK: () = K::CHECK;
}
impl<B: Dim, M: Dim, K: InnerDims<K2>, K2: Dim, N: Dim> MatMulShape<(K2, N)> for (B, M, K) {
    type Output = (B, M, N);
    const CHECK: () = K::CHECK;
}
impl<B: Dim, H: Dim, M: Dim, K: InnerDims<K2>, K2: Dim, N: Dim> MatMulShape<(B, H, K2, N)>
    for (B, H, M, K)
{
    type Output = (B, H, M, N);
    const CHECK: () = K::CHECK;
}
impl<B: Dim, H: Dim, M: Dim, K: InnerDims<K2>, K2: Dim, N: Dim> MatMulShape<(K2, N)>
    for (B, H, M, K)
{
    type Output = (B, H, M, N);
    const CHECK: () = K::CHECK;
}
impl MatMulShape<DynShape> for DynShape {
    type Output = DynShape;
}
