//! Size arithmetic between dimensions, done by the type checker when the dimensions are `Const`.
//!
//! Stable Rust cannot write `Const<{A * B}>` for generic `A`, `B`. GhostFlow therefore maps each
//! `Const<N>` to a [typenum] number ([`DimTn`]), lets typenum do the arithmetic, and maps the result
//! back to a dimension ([`ToDim`]):
//!
//! * results up to [`REVERSE_MAX`] (65,536) come back as plain `Const<N>`, so they unify with what
//!   users write (`Const<24>` out of a 28-wide convolution with a 5-wide kernel, `Const<3136>` out
//!   of flattening (64, 7, 7));
//! * larger results come back as [`Computed<T>`], an exact compile-time dim of another spelling;
//! * a run-time `usize` anywhere in a formula makes the result a `usize` (the [`Dyn`] marker).
//!
//! A `Const<N>` takes part in the arithmetic for N up to [`FORWARD_MAX`] (8192): that direction is
//! one impl per N, which rustc's coherence check compares pairwise (16,384 cost 53 s per clean
//! build, 65,536 over 3 minutes). Larger `Const` dims work in every op that keeps sizes
//! (elementwise, matmul, reductions, the last axis of a flatten) and use `usize` where a new size
//! is computed from them; a flatten multiplies as typenum numbers, so only its inputs need the
//! table, not its intermediate products.

use core::marker::PhantomData;
use core::ops::{Add, Div, Mul, Rem, Sub};

use typenum::{Bit, IsLessOrEqual, LeEq, UInt, UTerm, Unsigned, B0, B1};

use crate::dim::{Const, ConstDim, Dim};

/// The type-level stand-in for a run-time size: every arithmetic with it gives `Dyn`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dyn;

macro_rules! dyn_arith {
    ($($tr:ident $f:ident),*) => {$(
        impl<X> $tr<X> for Dyn {
            type Output = Dyn;
            fn $f(self, _: X) -> Dyn { Dyn }
        }
        impl<U, B> $tr<Dyn> for UInt<U, B> {
            type Output = Dyn;
            fn $f(self, _: Dyn) -> Dyn { Dyn }
        }
        impl $tr<Dyn> for UTerm {
            type Output = Dyn;
            fn $f(self, _: Dyn) -> Dyn { Dyn }
        }
    )*};
}
dyn_arith!(Add add, Sub sub, Mul mul, Div div, Rem rem);

/// A dimension with a type-level size: a typenum number, or [`Dyn`] for `usize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is too large for compile-time size arithmetic",
    label = "sizes are computed when compiling for `Const<N>` with N up to 8192 (`gf_shape::arith::FORWARD_MAX`)",
    note = "use a run-time `usize` dimension here; the size is then checked when running"
)]
pub trait DimTn: Dim {
    /// The size as a typenum number ([`Dyn`] for `usize`).
    type Tn;
}

impl DimTn for usize {
    type Tn = Dyn;
}

/// An exact compile-time dimension that is too large to be spelled `Const<N>` by the type checker.
///
/// `Computed<T>` has the size of the typenum number `T`; it behaves like any other const dim.
pub struct Computed<T>(PhantomData<T>);

impl<T> Clone for Computed<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Computed<T> {}
impl<T> Default for Computed<T> {
    fn default() -> Self {
        Computed(PhantomData)
    }
}
impl<T> PartialEq for Computed<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Computed<T> {}
impl<T: Unsigned> core::fmt::Debug for Computed<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Computed<{}>", T::USIZE)
    }
}
impl<T: Unsigned + Send + Sync + 'static> Dim for Computed<T> {
    fn size(&self) -> usize {
        T::USIZE
    }
    fn from_size(size: usize) -> Option<Self> {
        (size == T::USIZE).then(Self::default)
    }
}
impl<T: Unsigned + Send + Sync + 'static> ConstDim for Computed<T> {
    const SIZE: usize = T::USIZE;
}
impl<T: Unsigned + Send + Sync + 'static> DimTn for Computed<T> {
    type Tn = T;
}

/// Maps a typenum number (or [`Dyn`]) back to a dimension type.
pub trait ToDim {
    /// `Const<N>` for N up to [`REVERSE_MAX`], `Computed<T>` above, `usize` for [`Dyn`].
    type Output: Dim;
}

impl ToDim for Dyn {
    type Output = usize;
}

impl ToDim for UTerm {
    type Output = Const<0>;
}

impl<U: Unsigned, B: Bit> ToDim for UInt<U, B>
where
    UInt<U, B>: IsLessOrEqual<ReverseMax>,
    (UInt<U, B>, LeEq<UInt<U, B>, ReverseMax>): PickDim,
{
    type Output = <(UInt<U, B>, LeEq<UInt<U, B>, ReverseMax>) as PickDim>::Output;
}

/// Chooses between the `Const` table (numbers up to [`REVERSE_MAX`]) and `Computed` (larger ones).
#[doc(hidden)]
pub trait PickDim {
    type Output: Dim;
}

impl<T: table::Peel> PickDim for (T, B1)
where
    table::High<T>: table::Row,
    table::Byte<T>: table::Column<table::High<T>>,
{
    type Output = <table::Byte<T> as table::Column<table::High<T>>>::Const;
}

impl<T: Unsigned + Send + Sync + 'static> PickDim for (T, B0) {
    type Output = Computed<T>;
}

use table::ReverseMax;
pub use table::{FORWARD_MAX, REVERSE_MAX};

/// The generated tables between `Const<N>` and typenum numbers.
///
/// `Const<N> → typenum` is one `DimTn` impl per N up to [`FORWARD_MAX`]. The way back splits a
/// number into its low byte (a tuple of eight bits, [`table::Byte`]) and the rest
/// ([`table::High`]): the rest picks a [`table::Row`] of 256 `Const` dims, the byte picks the
/// [`table::Column`]. Each trait then has at most a few hundred impls on one type, which keeps
/// rustc's coherence check linear and every lookup cheap (a flat table of 65,536 impls is
/// compared pairwise).
#[doc(hidden)]
pub mod table {
    use typenum::{Bit, UInt, UTerm, B0, B1};

    use super::DimTn;
    use crate::dim::{Const, Dim};

    /// Splits off the least significant bit of a typenum number (zero bits past the top).
    pub trait Peel {
        /// The least significant bit.
        type Bit: Bit;
        /// The number shifted right by one.
        type Rest: Peel;
    }
    impl Peel for UTerm {
        type Bit = B0;
        type Rest = UTerm;
    }
    impl<U: Peel, B: Bit> Peel for UInt<U, B> {
        type Bit = B;
        type Rest = U;
    }

    type R<T> = <T as Peel>::Rest;
    type R2<T> = R<R<T>>;
    type R4<T> = R2<R2<T>>;
    type Lsb<T> = <T as Peel>::Bit;

    /// The low byte of `T`, least significant bit first.
    pub type Byte<T> = (
        Lsb<T>,
        Lsb<R<T>>,
        Lsb<R2<T>>,
        Lsb<R<R2<T>>>,
        Lsb<R4<T>>,
        Lsb<R<R4<T>>>,
        Lsb<R2<R4<T>>>,
        Lsb<R<R2<R4<T>>>>,
    );
    /// `T` shifted right by eight bits.
    pub type High<T> = R4<R4<T>>;

    /// The low byte picks its `Const` out of a [`Row`].
    pub trait Column<Rw: Row> {
        /// The dimension `Rw · 256 + Self`.
        type Const: Dim;
    }

    include!(concat!(env!("OUT_DIR"), "/const_table.rs"));
}

/// Marks a remainder that is zero, or unknown until run time.
#[diagnostic::on_unimplemented(
    message = "the sizes do not divide evenly",
    label = "the input channels must be a multiple of the kernel's input channels (groups × kernel channels)"
)]
pub trait ZeroOrDyn {}
impl ZeroOrDyn for UTerm {}
impl ZeroOrDyn for Dyn {}

/// `A + B` as a dimension.
pub trait DimAdd<B: Dim>: Dim {
    /// The dimension of the sum.
    type Output: Dim;
}
impl<A: DimTn, B: DimTn> DimAdd<B> for A
where
    A::Tn: Add<B::Tn>,
    <A::Tn as Add<B::Tn>>::Output: ToDim,
{
    type Output = <<A::Tn as Add<B::Tn>>::Output as ToDim>::Output;
}

/// `A * B` as a dimension.
pub trait DimMul<B: Dim>: Dim {
    /// The dimension of the product.
    type Output: Dim;
}
impl<A: DimTn, B: DimTn> DimMul<B> for A
where
    A::Tn: Mul<B::Tn>,
    <A::Tn as Mul<B::Tn>>::Output: ToDim,
{
    type Output = <<A::Tn as Mul<B::Tn>>::Output as ToDim>::Output;
}

/// `A` is a multiple of `B` (or one of them is only known at run time).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a multiple of `{B}`",
    label = "the input channels must be the kernel's input channels (times the groups)"
)]
pub trait DimMultipleOf<B: Dim>: Dim {}
impl<A: DimTn + DividesBy<B>, B: DimTn> DimMultipleOf<B> for A {}

/// The arithmetic behind [`DimMultipleOf`]: the remainder of `Self / B` is zero (or unknown until
/// run time).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a multiple of `{B}`",
    label = "the input channels must be the kernel's input channels (times the groups)"
)]
pub trait DividesBy<B: Dim>: Dim {}
#[diagnostic::do_not_recommend]
impl<A: DimTn, B: DimTn> DividesBy<B> for A
where
    A::Tn: Rem<B::Tn>,
    <A::Tn as Rem<B::Tn>>::Output: ZeroOrDyn,
{
}

/// `Self` splits into `G` equal parts (the out-channels of a grouped convolution): a multiple
/// of `G` when compiling, or either one a run-time `usize`. One part takes any size, so an
/// ungrouped layer's `Const` out-channels need no compile-time arithmetic (and may exceed
/// [`FORWARD_MAX`]); zero parts is never a split.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not split into `{G}` equal groups",
    label = "a grouped convolution needs out-channels that are a multiple of the groups"
)]
pub trait SplitsInto<G: Dim>: Dim {}
#[diagnostic::do_not_recommend]
impl<D: Dim, G: DimTn> SplitsInto<G> for D where G::Tn: PartsOf<D, G> {}

/// The split behind [`SplitsInto`], chosen by the parts' typenum number: one part (`U1`), a
/// run-time count ([`Dyn`]), or two or more, which must divide `D`.
#[doc(hidden)]
pub trait PartsOf<D: Dim, G: Dim> {}
impl<D: Dim, G: Dim> PartsOf<D, G> for Dyn {}
impl<D: Dim, G: Dim> PartsOf<D, G> for UInt<UTerm, B1> {}
impl<D: DimMultipleOf<G>, G: Dim, U, B, B2> PartsOf<D, G> for UInt<UInt<U, B>, B2> {}

type Tn<D> = <D as DimTn>::Tn;
type TAdd<A, B> = <A as Add<B>>::Output;
type TSub<A, B> = <A as Sub<B>>::Output;
type TMul<A, B> = <A as Mul<B>>::Output;
type TDiv<A, B> = <A as Div<B>>::Output;
type U1 = typenum::U1;
type U2 = typenum::U2;

/// The output size of a convolution or pooling window along one axis:
/// `(size + 2·padding − dilation·(kernel − 1) − 1) / stride + 1`.
///
/// Implemented for every combination of `Const` and `usize` dims; a kernel wider than the padded
/// input is a compile error when both are `Const`.
#[diagnostic::on_unimplemented(
    message = "cannot slide a window of size `{K}` (stride `{S}`, padding `{P}`, dilation `{L}`) over an axis of size `{Self}`",
    label = "the padded input must be at least as large as the dilated kernel"
)]
pub trait ConvDim<K: Dim, S: Dim, P: Dim, L: Dim>: Dim {
    /// The output dimension.
    type Output: Dim;
}

impl<H, K, S, P, L> ConvDim<K, S, P, L> for H
where
    H: DimTn + WindowFits<K, S, P, L>,
    K: DimTn,
    S: DimTn,
    P: DimTn,
    L: DimTn,
{
    type Output = <H as WindowFits<K, S, P, L>>::Output;
}

/// The arithmetic behind [`ConvDim`]: holds when the dilated kernel fits in the padded axis
/// (or a size is only known at run time).
#[diagnostic::on_unimplemented(
    message = "the window of size `{K}` (dilation `{L}`) is larger than the axis of size `{Self}` with padding `{P}` on each side",
    label = "a convolution or pooling window must fit in its padded input",
    note = "use a smaller kernel, more padding, or a larger input"
)]
pub trait WindowFits<K: Dim, S: Dim, P: Dim, L: Dim>: Dim {
    /// The output dimension.
    type Output: Dim;
}

#[diagnostic::do_not_recommend]
impl<H, K, S, P, L> WindowFits<K, S, P, L> for H
where
    H: DimTn,
    K: DimTn,
    S: DimTn,
    P: DimTn,
    L: DimTn,
    U2: Mul<Tn<P>>,
    Tn<H>: Add<TMul<U2, Tn<P>>>,
    Tn<K>: Sub<U1>,
    Tn<L>: Mul<TSub<Tn<K>, U1>>,
    TMul<Tn<L>, TSub<Tn<K>, U1>>: Add<U1>,
    TAdd<Tn<H>, TMul<U2, Tn<P>>>: Sub<TAdd<TMul<Tn<L>, TSub<Tn<K>, U1>>, U1>>,
    TSub<TAdd<Tn<H>, TMul<U2, Tn<P>>>, TAdd<TMul<Tn<L>, TSub<Tn<K>, U1>>, U1>>: Div<Tn<S>>,
    TDiv<TSub<TAdd<Tn<H>, TMul<U2, Tn<P>>>, TAdd<TMul<Tn<L>, TSub<Tn<K>, U1>>, U1>>, Tn<S>>:
        Add<U1>,
    TAdd<
        TDiv<TSub<TAdd<Tn<H>, TMul<U2, Tn<P>>>, TAdd<TMul<Tn<L>, TSub<Tn<K>, U1>>, U1>>, Tn<S>>,
        U1,
    >: ToDim,
{
    type Output = <TAdd<
        TDiv<TSub<TAdd<Tn<H>, TMul<U2, Tn<P>>>, TAdd<TMul<Tn<L>, TSub<Tn<K>, U1>>, U1>>, Tn<S>>,
        U1,
    > as ToDim>::Output;
}

/// The output size of a transposed convolution along one axis:
/// `(size − 1)·stride + dilation·(kernel − 1) + 1 − 2·padding` (no output padding).
#[diagnostic::on_unimplemented(
    message = "cannot compute the transposed-convolution size of `{Self}` with kernel `{K}`, stride `{S}`, padding `{P}`, dilation `{L}`",
    label = "the padding removes more than the output has"
)]
pub trait ConvTransposeDim<K: Dim, S: Dim, P: Dim, L: Dim>: Dim {
    /// The output dimension.
    type Output: Dim;
}

impl<H, K, S, P, L> ConvTransposeDim<K, S, P, L> for H
where
    H: DimTn + TransposedWindowFits<K, S, P, L>,
    K: DimTn,
    S: DimTn,
    P: DimTn,
    L: DimTn,
{
    type Output = <H as TransposedWindowFits<K, S, P, L>>::Output;
}

/// The arithmetic behind [`ConvTransposeDim`]: holds when the padding leaves a non-empty output
/// (or a size is only known at run time).
#[diagnostic::on_unimplemented(
    message = "the padding `{P}` removes more than the transposed convolution of size `{Self}` with kernel `{K}` produces",
    label = "the transposed convolution's output must be larger than twice the padding",
    note = "use less padding or a larger kernel"
)]
pub trait TransposedWindowFits<K: Dim, S: Dim, P: Dim, L: Dim>: Dim {
    /// The output dimension.
    type Output: Dim;
}

#[diagnostic::do_not_recommend]
impl<H, K, S, P, L> TransposedWindowFits<K, S, P, L> for H
where
    H: DimTn,
    K: DimTn,
    S: DimTn,
    P: DimTn,
    L: DimTn,
    Tn<H>: Sub<U1>,
    TSub<Tn<H>, U1>: Mul<Tn<S>>,
    Tn<K>: Sub<U1>,
    Tn<L>: Mul<TSub<Tn<K>, U1>>,
    TMul<TSub<Tn<H>, U1>, Tn<S>>: Add<TMul<Tn<L>, TSub<Tn<K>, U1>>>,
    TAdd<TMul<TSub<Tn<H>, U1>, Tn<S>>, TMul<Tn<L>, TSub<Tn<K>, U1>>>: Add<U1>,
    U2: Mul<Tn<P>>,
    TAdd<TAdd<TMul<TSub<Tn<H>, U1>, Tn<S>>, TMul<Tn<L>, TSub<Tn<K>, U1>>>, U1>:
        Sub<TMul<U2, Tn<P>>>,
    TSub<
        TAdd<TAdd<TMul<TSub<Tn<H>, U1>, Tn<S>>, TMul<Tn<L>, TSub<Tn<K>, U1>>>, U1>,
        TMul<U2, Tn<P>>,
    >: ToDim,
{
    type Output = <TSub<
        TAdd<TAdd<TMul<TSub<Tn<H>, U1>, Tn<S>>, TMul<Tn<L>, TSub<Tn<K>, U1>>>, U1>,
        TMul<U2, Tn<P>>,
    > as ToDim>::Output;
}

/// The run-time value of [`ConvDim`]; `None` when the window does not fit, the stride is 0, or
/// a size on the way overflows `usize` (a huge padding or dilation), so it never panics.
pub fn conv_out_size(
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Option<usize> {
    let span = dilation
        .checked_mul(kernel.checked_sub(1)?)?
        .checked_add(1)?;
    let padded = size.checked_add(padding.checked_mul(2)?)?;
    if stride == 0 {
        return None;
    }
    Some(padded.checked_sub(span)? / stride + 1)
}

/// The run-time value of [`ConvTransposeDim`] with an extra `output_padding`; `None` when the
/// input or kernel is empty, the padding removes more than the rest makes, or a size on the
/// way overflows `usize`.
pub fn conv_transpose_out_size(
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
    output_padding: usize,
) -> Option<usize> {
    let strided = size.checked_sub(1)?.checked_mul(stride)?;
    let span = dilation.checked_mul(kernel.checked_sub(1)?)?;
    let full = strided.checked_add(span)?.checked_add(1)?;
    full.checked_add(output_padding)?
        .checked_sub(padding.checked_mul(2)?)
}

/// Two dims that can stand for the same size: the same compile-time dim, or either one a
/// run-time `usize` (then the sizes are compared when running).
#[diagnostic::on_unimplemented(
    message = "`{Self}` and `{B}` are different sizes",
    label = "these two sizes must be equal"
)]
pub trait DimAgree<B: Dim>: Dim {}
impl<const N: usize> DimAgree<Const<N>> for Const<N> {}
impl<T: Unsigned + Send + Sync + 'static> DimAgree<Computed<T>> for Computed<T> {}
impl<B: Dim> DimAgree<B> for usize {}
impl<const N: usize> DimAgree<usize> for Const<N> {}
impl<T: Unsigned + Send + Sync + 'static> DimAgree<usize> for Computed<T> {}

/// A size known only when running, given to an op option: `Runtime(n)`.
///
/// It becomes a `usize` dimension, so every size computed from it is a `usize` too and is
/// checked when running. See [`OptDim`] for why a bare number is not accepted instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Runtime(pub usize);

/// A size given to an op option (a stride, a padding, a window, a number of groups) that says
/// when it is known: `Const::<N>` when compiling, [`Runtime(n)`](Runtime) when running.
///
/// A bare integer is deliberately neither: `padding(1)` would infer `usize` and silently turn
/// every output size computed from it into a run-time `usize`, so the mismatch would surface
/// ops later. It fails where it is written instead:
///
/// ```compile_fail
/// use gf_shape::arith::OptDim;
/// fn padding<P: OptDim>(p: P) -> P::Dim { p.into_dim() }
/// let p = padding(1); // a size known when compiling or when running?
/// ```
///
/// ```
/// use gf_shape::{arith::{OptDim, Runtime}, Const};
/// fn padding<P: OptDim>(p: P) -> P::Dim { p.into_dim() }
/// let typed: Const<1> = padding(Const::<1>);
/// let run_time: usize = padding(Runtime(1));
/// # let _ = (typed, run_time);
/// ```
#[diagnostic::on_unimplemented(
    message = "a bare number does not say whether this size is known when compiling or when running",
    label = "write `Const::<N>` for a size known when compiling, or `Runtime(n)` for one known when running",
    note = "a bare number would make every size computed from it a run-time `usize`, and a mismatch would surface ops later"
)]
pub trait OptDim: Copy {
    /// The dimension the option holds: `Const<N>`, or `usize` for [`Runtime`].
    type Dim: Dim;
    /// The size as that dimension.
    fn into_dim(self) -> Self::Dim;
}

impl<const N: usize> OptDim for Const<N> {
    type Dim = Const<N>;
    fn into_dim(self) -> Const<N> {
        self
    }
}

impl OptDim for Runtime {
    type Dim = usize;
    fn into_dim(self) -> usize {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dim_of<D: Dim + Default>() -> D {
        D::default()
    }

    #[test]
    fn const_arithmetic_gives_plain_const() {
        let _: Const<7> = dim_of::<<Const<3> as DimAdd<Const<4>>>::Output>();
        let _: Const<12> = dim_of::<<Const<3> as DimMul<Const<4>>>::Output>();
        let _: Const<24> =
            dim_of::<<Const<28> as ConvDim<Const<5>, Const<1>, Const<0>, Const<1>>>::Output>();
        let _: Const<14> =
            dim_of::<<Const<28> as ConvDim<Const<3>, Const<2>, Const<1>, Const<1>>>::Output>();
        let _: Const<56> = dim_of::<
            <Const<28> as ConvTransposeDim<Const<4>, Const<2>, Const<1>, Const<1>>>::Output,
        >();
    }

    #[test]
    fn results_up_to_the_reverse_bound_are_plain_const() {
        let _: Const<3136> = dim_of::<<Const<64> as DimMul<Const<49>>>::Output>();
        let _: Const<2048> = dim_of::<<Const<1024> as DimAdd<Const<1024>>>::Output>();
        let _: Const<50257> = dim_of::<<Const<29> as DimMul<Const<1733>>>::Output>();
    }

    #[test]
    fn results_above_the_reverse_bound_are_exact_computed_dims() {
        let d = dim_of::<<Const<512> as DimMul<Const<512>>>::Output>();
        assert_eq!(d.size(), 262144);
        assert_eq!(
            <<Const<512> as DimMul<Const<512>>>::Output as ConstDim>::SIZE,
            262144
        );
    }

    #[test]
    fn runtime_dims_make_runtime_results() {
        let d: <usize as DimMul<Const<4>>>::Output = 12usize;
        assert_eq!(d, 12);
        let d: <Const<28> as ConvDim<usize, Const<1>, Const<0>, Const<1>>>::Output = 3usize;
        assert_eq!(d, 3);
    }

    fn agree<A: DimAgree<B>, B: Dim>() {}

    #[test]
    fn dims_agree_when_equal_or_known_only_when_running() {
        agree::<Const<8>, Const<8>>();
        agree::<usize, Const<8>>();
        agree::<Const<8>, usize>();
        agree::<usize, usize>();
        agree::<Const<8>, <Const<4> as DimMul<Const<2>>>::Output>();
    }

    #[test]
    fn option_sizes_keep_their_kind() {
        let _: Const<3> = Const::<3>.into_dim();
        assert_eq!(Runtime(3).into_dim(), 3usize);
    }

    #[test]
    fn runtime_sizes_follow_pytorch_formulas() {
        assert_eq!(conv_out_size(28, 5, 1, 0, 1), Some(24));
        assert_eq!(conv_out_size(7, 3, 2, 1, 2), Some(3));
        assert_eq!(conv_out_size(2, 5, 1, 0, 1), None);
        assert_eq!(conv_transpose_out_size(28, 4, 2, 1, 1, 0), Some(56));
        assert_eq!(conv_transpose_out_size(3, 3, 2, 1, 1, 1), Some(6));
    }

    #[test]
    fn runtime_sizes_that_overflow_are_none_not_panics() {
        let max = usize::MAX;
        assert_eq!(
            conv_out_size(1, 1, 1, max / 2 + 1, 1),
            None,
            "2 · padding overflows"
        );
        assert_eq!(
            conv_out_size(max, 1, 1, 1, 1),
            None,
            "size + 2 · padding overflows"
        );
        assert_eq!(
            conv_out_size(max, 2, 1, 0, max),
            None,
            "dilation · (kernel − 1) + 1"
        );
        assert_eq!(conv_out_size(8, 0, 1, 0, 1), None, "an empty kernel");
        assert_eq!(conv_out_size(8, 3, 0, 0, 1), None, "a zero stride");
        assert_eq!(conv_out_size(max, 1, 1, 0, 1), Some(max));
        assert_eq!(
            conv_transpose_out_size(max, 1, 2, 0, 1, 0),
            None,
            "(size − 1) · stride"
        );
        assert_eq!(
            conv_transpose_out_size(2, max, 1, 0, 2, 0),
            None,
            "dilation · (kernel − 1)"
        );
        assert_eq!(
            conv_transpose_out_size(2, 1, max, 0, 1, 0),
            None,
            "+ 1 overflows"
        );
        assert_eq!(
            conv_transpose_out_size(2, 2, 1, 0, 1, max),
            None,
            "+ output_padding"
        );
        assert_eq!(
            conv_transpose_out_size(2, 2, 1, max, 1, 0),
            None,
            "2 · padding"
        );
        assert_eq!(
            conv_transpose_out_size(0, 2, 1, 0, 1, 0),
            None,
            "an empty input"
        );
    }
}
