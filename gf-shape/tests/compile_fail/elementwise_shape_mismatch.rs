use gf_shape::*;

// The bound the elementwise ops use: `S2: SameShapeAs<S>`, with `S` the left operand.
fn add<S: Shape, S2: SameShapeAs<S>>() {}

fn main() {
    add::<Rank2<2, 3>, Rank2<3, 2>>();
}
