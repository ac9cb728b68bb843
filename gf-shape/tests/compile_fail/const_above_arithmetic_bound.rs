use gf_shape::*;

fn reshape<S: ReshapeTo<D>, D: Shape>() {}

fn main() {
    reshape::<Rank2<2, 9000>, Rank3<2, 3, 3000>>();
}
