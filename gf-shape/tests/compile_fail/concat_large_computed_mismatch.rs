use gf_shape::*;

fn concat<A: ConcatShape<B, Axis<0>>, B: Shape>() -> A::Output
where
    A::Output: Default,
{
    #[allow(clippy::let_unit_value)]
    let () = <A as ConcatShape<B, Axis<0>>>::CHECK;
    Default::default()
}

// 512·16·16 = 131,072 is above the `Const` table: flatten gives an exact `Computed` dim.
type Flat = <(Const<4>, Const<512>, Const<16>, Const<16>) as FlattenShape<Axis<1>>>::Flat;

fn main() {
    // the widths differ by one: compared when building, so `cargo build` fails here
    let _ = concat::<(Const<2>, Const<131073>), Flat>();
}
