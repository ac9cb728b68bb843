use gf_shape::*;

// The bound the elementwise ops use, and the comparison they evaluate when building.
fn add<S: Shape, S2: SameShapeAs<S>>() {
    #[allow(clippy::let_unit_value)]
    let () = <S2 as SameShapeAs<S>>::CHECK;
}

// 512·16·16 = 131,072 is above the `Const` table: flatten gives an exact `Computed` dim.
type Flat = <(usize, Const<512>, Const<16>, Const<16>) as FlattenShape<Axis<1>>>::Flat;

fn main() {
    // one short of the flattened size: compared when building, so `cargo build` fails here
    add::<(usize, Const<131071>), Flat>();
}
