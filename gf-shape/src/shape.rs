//! Shapes: tuples of dims (rank 0..=6) and the dynamic-rank [`DynShape`].

use core::fmt::Debug;

use crate::arith::{Computed, DimTn, Dyn, ToDim};
use crate::dim::{Const, ConstDim, Dim};

/// The dimensions of a tensor: a tuple of [`Dim`]s, or [`DynShape`] when even the rank is only
/// known at run time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tensor shape",
    label = "a shape is a tuple of up to 6 dims (`Const<N>` or `usize`) or a `DynShape`"
)]
pub trait Shape: 'static + Debug + Clone + Send + Sync + PartialEq + Eq {
    /// The sizes (or strides) as a plain array: `[usize; RANK]`, or `Vec<usize>` for `DynShape`.
    type Concrete: AsRef<[usize]>
        + AsMut<[usize]>
        + Clone
        + Debug
        + Send
        + Sync
        + PartialEq
        + Eq
        + 'static;

    /// `true` for [`DynShape`], whose rank is chosen at run time and whose binary ops broadcast
    /// the way numpy does.
    const DYNAMIC: bool = false;

    /// The sizes of the dimensions, outermost first.
    fn concrete(&self) -> Self::Concrete;

    /// Builds the shape from sizes; `None` when the rank differs or a `Const` dim gets another size.
    fn from_concrete(dims: &[usize]) -> Option<Self>;

    /// The number of dimensions.
    fn num_dims(&self) -> usize {
        self.concrete().as_ref().len()
    }

    /// The number of elements (1 for a scalar), saturating at `usize::MAX` when the product
    /// overflows, so it never panics or wraps round to a small count. Code that allocates or
    /// must reject such a shape uses [`checked_num_elements`](Self::checked_num_elements).
    fn num_elements(&self) -> usize {
        saturating_product(self.concrete().as_ref())
    }

    /// The number of elements, `None` when the product overflows `usize` (a 0 dim anywhere
    /// makes it `Some(0)`, whatever the other dims are).
    fn checked_num_elements(&self) -> Option<usize> {
        checked_product(self.concrete().as_ref())
    }

    /// Row-major (C order) strides for a contiguous tensor of this shape. A stride past
    /// `usize::MAX` saturates: that only happens left of a 0 dim (an empty tensor, whose strides
    /// address nothing) or for a shape whose element count overflows, which no tensor has.
    fn strides(&self) -> Self::Concrete {
        let mut strides = self.concrete();
        let mut acc = 1usize;
        for (s, d) in strides
            .as_mut()
            .iter_mut()
            .rev()
            .zip(self.concrete().as_ref().iter().rev())
        {
            *s = acc;
            acc = acc.saturating_mul(*d);
        }
        strides
    }
}

/// A shape whose every dim is `Const`, so the whole shape is known when compiling.
pub trait ConstShape: Shape + Default {
    /// The number of elements.
    const NUM_ELEMENTS: usize;
}

/// Anything that has a shape (tensors, shapes themselves).
pub trait HasShape {
    /// The shape type.
    type Shape: Shape;
    /// The shape.
    fn shape(&self) -> &Self::Shape;
}

/// A shape whose rank is only known at run time. Binary ops on it broadcast like numpy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DynShape(pub Vec<usize>);

impl DynShape {
    /// A dynamic shape with these sizes.
    pub fn new(dims: impl Into<Vec<usize>>) -> Self {
        DynShape(dims.into())
    }
}

impl Shape for DynShape {
    type Concrete = Vec<usize>;
    const DYNAMIC: bool = true;
    fn concrete(&self) -> Vec<usize> {
        self.0.clone()
    }
    fn from_concrete(dims: &[usize]) -> Option<Self> {
        Some(DynShape(dims.to_vec()))
    }
    fn num_dims(&self) -> usize {
        self.0.len()
    }
    fn num_elements(&self) -> usize {
        saturating_product(&self.0)
    }
    fn checked_num_elements(&self) -> Option<usize> {
        checked_product(&self.0)
    }
}

/// The product of `dims`, `None` on overflow; exact (0) when a dim is 0, whatever the others.
fn checked_product(dims: &[usize]) -> Option<usize> {
    if dims.contains(&0) {
        return Some(0);
    }
    dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// The product of `dims`, saturating at `usize::MAX`; exact (0) when a dim is 0.
fn saturating_product(dims: &[usize]) -> usize {
    checked_product(dims).unwrap_or(usize::MAX)
}

impl HasShape for DynShape {
    type Shape = Self;
    fn shape(&self) -> &Self {
        self
    }
}

/// The numpy broadcast of two shapes: `None` when a pair of sizes is neither equal nor 1.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let da = if i < rank - a.len() {
            1
        } else {
            a[i - (rank - a.len())]
        };
        let db = if i < rank - b.len() {
            1
        } else {
            b[i - (rank - b.len())]
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// Two shapes that elementwise ops may combine: the same type (the same sizes are checked at run
/// time for `usize` dims; `DynShape` broadcasts).
///
/// `Self` is the right operand and `S` the left one, as in `S2: SameShapeAs<S>` on `lhs.add(rhs)`;
/// the error message names them in that written order.
#[diagnostic::on_unimplemented(
    message = "cannot combine tensors of shapes `{S}` and `{Self}` elementwise: the shapes differ",
    label = "elementwise ops need the same shape",
    note = "broadcast one operand first (`.broadcast()` / `.broadcast_like(&other)`) or reshape it"
)]
pub trait SameShapeAs<S: Shape>: Shape {
    /// Each dim pair's [`SameDim::CHECK`]; the ops that use the relation evaluate it.
    const CHECK: () = ();
}
impl<S: Shape> SameShapeAs<S> for S {}
// Shapes of different types that hold the same sizes: the first dims where the two differ are
// a computed size above the `Const` table and a `Const`, and every later pair is `SameDim`.
// Keyed by that first differing position, the impls never overlap each other or the one above.
include!(concat!(env!("OUT_DIR"), "/same_shape.rs"));

/// Two dims that stand for one size where an op keeps sizes (the operands of an elementwise op,
/// the other axes of a concat): the same dim, or a computed size above the `Const` table
/// ([`Computed`]) and the `Const<N>` of the same value. Types cannot tell whether those two are
/// equal, so [`CHECK`](SameDim::CHECK) compares them when building: a mismatch fails
/// `cargo build` (not `cargo check`).
#[diagnostic::on_unimplemented(
    message = "the sizes `{D}` and `{Self}` differ",
    label = "these dims must be equal: the operands of an elementwise op, or the axes of a concat other than the joined one"
)]
pub trait SameDim<D: Dim>: Dim {
    /// A compile-time comparison of the sizes where the types alone cannot tell.
    const CHECK: () = ();
}
impl<D: Dim> SameDim<D> for D {}
impl<T, const N: usize> SameDim<Const<N>> for Computed<T>
where
    Computed<T>: ConstDim,
{
    const CHECK: () = assert!(
        <Computed<T> as ConstDim>::SIZE == N,
        "a computed dimension and a `Const` dimension that must be equal differ in size"
    );
}
impl<T, const N: usize> SameDim<Computed<T>> for Const<N>
where
    Computed<T>: ConstDim,
{
    const CHECK: () = <Computed<T> as SameDim<Const<N>>>::CHECK;
}

/// The element count of a shape as a typenum number ([`Dyn`] when a dim is `usize`).
pub trait NumelTn: Shape {
    /// The element count, type-level.
    type Numel;
}

impl NumelTn for DynShape {
    type Numel = Dyn;
}

/// Element counts, as dims, that agree: the same `Const` (or `Computed`) dim, or one of them a
/// run-time `usize`.
#[diagnostic::on_unimplemented(
    message = "cannot reshape: the two shapes hold a different number of elements",
    label = "a reshape keeps every element; the products of the dims must be equal"
)]
pub trait NumelAgree {}
impl<B: Dim> NumelAgree for (usize, B) {}
impl<const N: usize> NumelAgree for (Const<N>, usize) {}
impl<T> NumelAgree for (crate::arith::Computed<T>, usize) {}
impl<const N: usize> NumelAgree for (Const<N>, Const<N>) {}
impl<T> NumelAgree for (crate::arith::Computed<T>, crate::arith::Computed<T>) {}

/// A shape that can be reshaped to `Dst`: same element count (checked at run time with `usize`).
///
/// When either shape has a run-time dim the counts are compared when running, whatever the
/// sizes of its `Const` dims (so `(usize, usize, Const<50257>)` reshapes to
/// `(usize, Const<50257>)`); when both are all compile-time the counts are compared now.
#[diagnostic::on_unimplemented(
    message = "cannot reshape `{Self}` into `{Dst}`: the element counts differ",
    label = "a reshape keeps every element; the products of the dims must be equal"
)]
pub trait ReshapeTo<Dst: Shape>: Shape {}
impl<Src: Shape + KnownWhen, Dst: Shape + KnownWhen> ReshapeTo<Dst> for Src
where
    Src::When: Either<Dst::When>,
    (<Src::When as Either<Dst::When>>::Out, Dst): ReshapeWhen<Src>,
{
}

/// Where a reshape's element counts are compared: `(WhenRunning, Dst)` when either shape has a
/// run-time dim, `(WhenCompiling, Dst)` when both are known now.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "cannot reshape `{Src}` into `{Self}`: the element counts differ",
    label = "a reshape keeps every element; the products of the dims must be equal"
)]
pub trait ReshapeWhen<Src> {}
impl<Src: Shape, Dst: Shape> ReshapeWhen<Src> for (WhenRunning, Dst) {}
impl<Src: NumelTn, Dst: NumelTn> ReshapeWhen<Src> for (WhenCompiling, Dst)
where
    Src::Numel: ToDim,
    Dst::Numel: ToDim,
    Src: SameNumel<Dst, NumelDim<Src>, NumelDim<Dst>>,
{
}

/// Marks a dim or shape whose sizes are all known when compiling.
#[derive(Clone, Copy, Debug)]
pub struct WhenCompiling;
/// Marks a dim or shape with a size known only when running.
#[derive(Clone, Copy, Debug)]
pub struct WhenRunning;

/// `WhenRunning` if either marker is.
pub trait Either<B> {
    /// The combined marker.
    type Out;
}
impl Either<WhenCompiling> for WhenCompiling {
    type Out = WhenCompiling;
}
impl Either<WhenRunning> for WhenCompiling {
    type Out = WhenRunning;
}
impl<B> Either<B> for WhenRunning {
    type Out = WhenRunning;
}

/// When a dim's or a shape's sizes are known: [`WhenRunning`] for `usize` (and any shape with
/// a `usize` dim, and `DynShape`), [`WhenCompiling`] otherwise.
pub trait KnownWhen {
    /// [`WhenCompiling`] or [`WhenRunning`].
    type When;
}
impl KnownWhen for usize {
    type When = WhenRunning;
}
impl<const N: usize> KnownWhen for Const<N> {
    type When = WhenCompiling;
}
impl<T> KnownWhen for crate::arith::Computed<T> {
    type When = WhenCompiling;
}
impl KnownWhen for () {
    type When = WhenCompiling;
}
impl KnownWhen for DynShape {
    type When = WhenRunning;
}

macro_rules! known_when_for {
    ($($d:ident),+) => {
        known_when_for!(@go [$($d),+] [] [WhenCompiling] $($d),+);
    };
    (@go [$($all:ident),+] [$($b:tt)*] [$acc:ty] $h:ident $(, $t:ident)*) => {
        known_when_for!(
            @go [$($all),+]
            [$($b)* $acc: Either<<$h as KnownWhen>::When>,]
            [<$acc as Either<<$h as KnownWhen>::When>>::Out]
            $($t),*
        );
    };
    (@go [$($all:ident),+] [$($b:tt)*] [$acc:ty]) => {
        impl<$($all: Dim + KnownWhen),+> KnownWhen for ($($all,)+)
        where
            $($b)*
        {
            type When = $acc;
        }
    };
}

known_when_for!(D0);
known_when_for!(D0, D1);
known_when_for!(D0, D1, D2);
known_when_for!(D0, D1, D2, D3);
known_when_for!(D0, D1, D2, D3, D4);
known_when_for!(D0, D1, D2, D3, D4, D5);

/// The element count of a shape as a dimension (`usize` when a dim is `usize`).
type NumelDim<S> = <<S as NumelTn>::Numel as ToDim>::Output;

/// The comparison behind [`ReshapeTo`]: the element counts `SrcNumel` of `Self` and `DstNumel`
/// of `Dst` agree. The counts are parameters, so a dim without one (above the arithmetic bound)
/// fails only in [`DimTn`], with that reason.
#[diagnostic::on_unimplemented(
    message = "cannot reshape `{Self}` into `{Dst}`: the element counts differ (`{SrcNumel}` and `{DstNumel}`)",
    label = "a reshape keeps every element; the products of the dims must be equal"
)]
pub trait SameNumel<Dst: Shape, SrcNumel: Dim, DstNumel: Dim>: Shape {}
#[diagnostic::do_not_recommend]
impl<Src: Shape, Dst: Shape, A: Dim, B: Dim> SameNumel<Dst, A, B> for Src where (A, B): NumelAgree {}

macro_rules! tuple_shape {
    ($n:literal; $($d:ident $i:tt),*) => {
        impl<$($d: Dim),*> Shape for ($($d,)*) {
            type Concrete = [usize; $n];
            fn concrete(&self) -> [usize; $n] {
                [$(self.$i.size()),*]
            }
            #[allow(unused_variables)]
            fn from_concrete(dims: &[usize]) -> Option<Self> {
                if dims.len() != $n {
                    return None;
                }
                Some(($($d::from_size(dims[$i])?,)*))
            }
            fn num_dims(&self) -> usize {
                $n
            }
        }
        impl<$($d: ConstDim),*> ConstShape for ($($d,)*) {
            const NUM_ELEMENTS: usize = 1 $(* $d::SIZE)*;
        }
        impl<$($d: Dim),*> HasShape for ($($d,)*) {
            type Shape = Self;
            fn shape(&self) -> &Self {
                self
            }
        }
    };
}

tuple_shape!(0;);
tuple_shape!(1; D0 0);
tuple_shape!(2; D0 0, D1 1);
tuple_shape!(3; D0 0, D1 1, D2 2);
tuple_shape!(4; D0 0, D1 1, D2 2, D3 3);
tuple_shape!(5; D0 0, D1 1, D2 2, D3 3, D4 4);
tuple_shape!(6; D0 0, D1 1, D2 2, D3 3, D4 4, D5 5);

impl NumelTn for () {
    type Numel = typenum::U1;
}

macro_rules! numel_for {
    ($($d:ident),+) => {
        numel_for!(@go [$($d),+] [] [typenum::U1] $($d),+);
    };
    (@go [$($all:ident),+] [$($b:tt)*] [$acc:ty] $h:ident $(, $t:ident)*) => {
        numel_for!(
            @go [$($all),+]
            [$($b)* $acc: core::ops::Mul<<$h as DimTn>::Tn>,]
            [<$acc as core::ops::Mul<<$h as DimTn>::Tn>>::Output]
            $($t),*
        );
    };
    (@go [$($all:ident),+] [$($b:tt)*] [$acc:ty]) => {
        impl<$($all: DimTn),+> NumelTn for ($($all,)+)
        where
            $($b)*
        {
            type Numel = $acc;
        }
    };
}

numel_for!(D0);
numel_for!(D0, D1);
numel_for!(D0, D1, D2);
numel_for!(D0, D1, D2, D3);
numel_for!(D0, D1, D2, D3, D4);
numel_for!(D0, D1, D2, D3, D4, D5);

/// A scalar shape.
pub type Rank0 = ();
/// A vector of `M` elements.
pub type Rank1<const M: usize> = (Const<M>,);
/// An `M × N` matrix.
pub type Rank2<const M: usize, const N: usize> = (Const<M>, Const<N>);
/// A rank-3 shape of const dims.
pub type Rank3<const M: usize, const N: usize, const O: usize> = (Const<M>, Const<N>, Const<O>);
/// A rank-4 shape of const dims.
pub type Rank4<const M: usize, const N: usize, const O: usize, const P: usize> =
    (Const<M>, Const<N>, Const<O>, Const<P>);
/// A rank-5 shape of const dims.
pub type Rank5<const M: usize, const N: usize, const O: usize, const P: usize, const Q: usize> =
    (Const<M>, Const<N>, Const<O>, Const<P>, Const<Q>);
/// A rank-6 shape of const dims.
pub type Rank6<
    const M: usize,
    const N: usize,
    const O: usize,
    const P: usize,
    const Q: usize,
    const R: usize,
> = (Const<M>, Const<N>, Const<O>, Const<P>, Const<Q>, Const<R>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_strides_are_row_major() {
        let s = (Const::<2>, 3usize, Const::<4>);
        assert_eq!(s.concrete(), [2, 3, 4]);
        assert_eq!(s.strides(), [12, 4, 1]);
        assert_eq!(s.num_elements(), 24);
        assert_eq!(().num_elements(), 1);
        assert_eq!(DynShape::new([5, 2]).strides(), vec![2, 1]);
    }

    #[test]
    fn from_concrete_checks_const_sizes_and_rank() {
        assert_eq!(
            <(Const<2>, usize)>::from_concrete(&[2, 7]),
            Some((Const, 7))
        );
        assert_eq!(<(Const<2>, usize)>::from_concrete(&[3, 7]), None);
        assert_eq!(<(Const<2>, usize)>::from_concrete(&[2]), None);
    }

    #[test]
    fn numpy_broadcasting() {
        assert_eq!(broadcast_shapes(&[3, 1, 5], &[4, 1]), Some(vec![3, 4, 5]));
        assert_eq!(broadcast_shapes(&[], &[2]), Some(vec![2]));
        assert_eq!(broadcast_shapes(&[3], &[4]), None);
    }

    #[test]
    fn element_counts_never_overflow_silently() {
        let huge = DynShape::new([usize::MAX, 2]);
        assert_eq!(huge.checked_num_elements(), None);
        assert_eq!(
            huge.num_elements(),
            usize::MAX,
            "saturates, does not wrap to usize::MAX - 1"
        );
        // a 0 dim makes the count exact whatever comes before it
        let empty = DynShape::new([usize::MAX, usize::MAX, 0]);
        assert_eq!(empty.checked_num_elements(), Some(0));
        assert_eq!(empty.num_elements(), 0);
        let t = (1usize << 32, 1usize << 32);
        assert_eq!(t.checked_num_elements(), None, "2^64 does not wrap to 0");
        assert_eq!(t.num_elements(), usize::MAX);
        assert_eq!(().checked_num_elements(), Some(1));
        // strides left of a 0 dim saturate instead of overflowing
        let s = DynShape::new([0, usize::MAX, usize::MAX]).strides();
        assert_eq!(s, vec![usize::MAX, usize::MAX, 1]);
    }

    fn reshapes<A: ReshapeTo<B>, B: Shape>() {}

    #[test]
    fn reshape_relation_accepts_equal_counts_and_runtime_dims() {
        reshapes::<Rank2<2, 6>, Rank3<3, 2, 2>>();
        reshapes::<(usize, Const<4>), Rank1<12>>();
        reshapes::<DynShape, Rank1<12>>();
        // a run-time dim makes it a run-time check, whatever the size of the Const dims
        reshapes::<(usize, usize, Const<50257>), (usize, Const<50257>)>();
        reshapes::<(Const<8>, Const<128>, usize), (usize, Const<50257>)>();
    }
}
