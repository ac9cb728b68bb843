use gf_shape::*;

fn reshape<S: ReshapeTo<D>, D: Shape>() {}

fn main() {
    reshape::<Rank4<8, 64, 7, 7>, Rank2<8, 3137>>();
}
