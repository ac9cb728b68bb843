//! The `Const` ↔ typenum tables round-trip: every `Const<N>` with arithmetic maps to the typenum
//! number N and back to the same `Const<N>`, and every computed size up to `REVERSE_MAX` comes
//! back as a plain `Const`. A dense sample, listed by gf-shape's build script
//! (`round_trip_cases`): every N up to 1100, a stride through the forward table with the sizes
//! models use, and five columns of every row of the reverse table.

use core::any::TypeId;
use core::ops::{Add, Mul};

use gf_shape::arith::ToDim;
use gf_shape::*;
use typenum::{Unsigned, U256};

fn forward<const N: usize>()
where
    Const<N>: DimTn,
    <Const<N> as DimTn>::Tn: Unsigned + ToDim,
{
    assert_eq!(
        <<Const<N> as DimTn>::Tn as Unsigned>::USIZE,
        N,
        "Const<{N}> maps to another number"
    );
    assert_eq!(
        TypeId::of::<<<Const<N> as DimTn>::Tn as ToDim>::Output>(),
        TypeId::of::<Const<N>>(),
        "the number {N} does not map back to Const<{N}>"
    );
}

type Tn<D> = <D as DimTn>::Tn;
type Composed<H, L> = <<Tn<H> as Mul<U256>>::Output as Add<Tn<L>>>::Output;

fn reverse<const HI: usize, const LO: usize, const N: usize>()
where
    Const<HI>: DimTn,
    Const<LO>: DimTn,
    Tn<Const<HI>>: Mul<U256>,
    <Tn<Const<HI>> as Mul<U256>>::Output: Add<Tn<Const<LO>>>,
    Composed<Const<HI>, Const<LO>>: ToDim,
{
    assert_eq!(
        TypeId::of::<<Composed<Const<HI>, Const<LO>> as ToDim>::Output>(),
        TypeId::of::<Const<N>>(),
        "{HI}·256 + {LO} does not come back as Const<{N}>"
    );
}

macro_rules! forward_all { ($($n:literal),*) => {{ $(forward::<$n>();)* }}; }
macro_rules! reverse_all { ($(($h:literal, $l:literal)),*) => {{ $(reverse::<$h, $l, { $h * 256 + $l }>();)* }}; }

#[test]
fn const_to_typenum_and_back_is_the_identity() {
    include!(concat!(env!("OUT_DIR"), "/forward_cases.rs"));
}

#[test]
fn computed_sizes_up_to_the_bound_come_back_as_plain_const() {
    include!(concat!(env!("OUT_DIR"), "/reverse_cases.rs"));
    assert_eq!(REVERSE_MAX, 65536);
}

#[test]
fn sizes_above_the_bound_stay_exact_computed_dims() {
    type Big = <Const<257> as DimMul<Const<256>>>::Output;
    assert_eq!(<Big as ConstDim>::SIZE, 65792);
    assert_ne!(TypeId::of::<Big>(), TypeId::of::<Const<65792>>());
}
