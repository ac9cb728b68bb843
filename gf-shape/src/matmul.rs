//! Which shapes multiply as matrices, and the shape of the product.

use crate::dim::Dim;
use crate::shape::{DynShape, Shape};

/// `Self · Rhs` as matrices: the inner dimensions must be the same dim type (and, for `usize`,
/// the same size at run time). Batched forms broadcast a rank-2 right operand over the batch.
#[diagnostic::on_unimplemented(
    message = "cannot matmul `{Self}` by `{Rhs}`: the inner dimensions differ or the ranks do not combine",
    label = "(…, M, K) · (…, K, N) needs the last dim of the left to equal the second-to-last of the right",
    note = "supported: (K)·(K, N), (M, K)·(K), (M, K)·(K, N), (B, M, K)·(B, K, N), (B, M, K)·(K, N), (B, H, M, K)·(B, H, K, N), (B, H, M, K)·(K, N)"
)]
pub trait MatMulShape<Rhs: Shape>: Shape {
    /// The product's shape.
    type Output: Shape;
}

impl<K: Dim, N: Dim> MatMulShape<(K, N)> for (K,) {
    type Output = (N,);
}
impl<M: Dim, K: Dim> MatMulShape<(K,)> for (M, K) {
    type Output = (M,);
}
impl<M: Dim, K: Dim, N: Dim> MatMulShape<(K, N)> for (M, K) {
    type Output = (M, N);
}
impl<B: Dim, M: Dim, K: Dim, N: Dim> MatMulShape<(B, K, N)> for (B, M, K) {
    type Output = (B, M, N);
}
impl<B: Dim, M: Dim, K: Dim, N: Dim> MatMulShape<(K, N)> for (B, M, K) {
    type Output = (B, M, N);
}
impl<B: Dim, H: Dim, M: Dim, K: Dim, N: Dim> MatMulShape<(B, H, K, N)> for (B, H, M, K) {
    type Output = (B, H, M, N);
}
impl<B: Dim, H: Dim, M: Dim, K: Dim, N: Dim> MatMulShape<(K, N)> for (B, H, M, K) {
    type Output = (B, H, M, N);
}
impl MatMulShape<DynShape> for DynShape {
    type Output = DynShape;
}
