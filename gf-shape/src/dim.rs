//! Dimensions: `Const<N>` (known when compiling) and `usize` (known when running).

use core::fmt::Debug;

/// One dimension of a shape: either a compile-time [`Const`] or a run-time `usize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tensor dimension",
    label = "a dimension is `Const<N>` (known when compiling) or `usize` (known when running)"
)]
pub trait Dim: 'static + Copy + Clone + Debug + Send + Sync + PartialEq + Eq {
    /// The number of elements along this dimension.
    fn size(&self) -> usize;
    /// Builds the dimension from a size; `None` when a `Const` dimension is given another size.
    fn from_size(size: usize) -> Option<Self>;
}

/// A dimension whose size is part of its type.
pub trait ConstDim: Dim + Default {
    /// The size of the dimension.
    const SIZE: usize;
}

/// A dimension of compile-time size `N`: `Tensor<(Const<2>, Const<3>), f32, Cpu>`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Const<const N: usize>;

impl<const N: usize> Debug for Const<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Const<{N}>")
    }
}

impl<const N: usize> Dim for Const<N> {
    #[inline(always)]
    fn size(&self) -> usize {
        N
    }
    #[inline(always)]
    fn from_size(size: usize) -> Option<Self> {
        (size == N).then_some(Const)
    }
}

impl<const N: usize> ConstDim for Const<N> {
    const SIZE: usize = N;
}

impl Dim for usize {
    #[inline(always)]
    fn size(&self) -> usize {
        *self
    }
    #[inline(always)]
    fn from_size(size: usize) -> Option<Self> {
        Some(size)
    }
}
