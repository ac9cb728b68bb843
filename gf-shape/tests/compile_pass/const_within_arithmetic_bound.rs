use gf_shape::*;

fn reshape<S: ReshapeTo<D>, D: Shape>() {}

fn main() {
    reshape::<Rank2<2, 8192>, Rank3<2, 2, 4096>>();
}
