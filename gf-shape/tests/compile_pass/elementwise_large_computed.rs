use gf_shape::*;

// The bound the elementwise ops use, and the comparison they evaluate when building.
fn add<S: Shape, S2: SameShapeAs<S>>() {
    #[allow(clippy::let_unit_value)]
    let () = <S2 as SameShapeAs<S>>::CHECK;
}

// 512·16·16 = 131,072 is above the `Const` table: flatten gives an exact `Computed` dim.
type Flat = <(usize, Const<512>, Const<16>, Const<16>) as FlattenShape<Axis<1>>>::Flat;

fn main() {
    // a flattened feature map added to a `Const<131072>` bias, in either order
    add::<(usize, Const<131072>), Flat>();
    add::<Flat, (usize, Const<131072>)>();
}
