use gf_shape::*;

fn reshape<S: ReshapeTo<D>, D: Shape>() {}

fn flatten_then_matmul<S: FlattenShape<Axis<1>>, W: Shape>() -> <S::Flat as MatMulShape<W>>::Output
where
    S::Flat: MatMulShape<W>,
    <S::Flat as MatMulShape<W>>::Output: Default,
{
    Default::default()
}

fn main() {
    // (B, 64, 7, 7) flattens to 3136 features, which meet a `Const<3136>` weight.
    reshape::<Rank4<8, 64, 7, 7>, Rank2<8, 3136>>();
    let _: Rank2<8, 10> = flatten_then_matmul::<Rank4<8, 64, 7, 7>, Rank2<3136, 10>>();
    // A ResNet-50 head: (B, 2048, 1, 1) → 2048.
    let _: Rank2<8, 1000> = flatten_then_matmul::<Rank4<8, 2048, 1, 1>, Rank2<2048, 1000>>();
    // CIFAR images as 3072 features.
    let _: Rank2<8, 10> = flatten_then_matmul::<Rank4<8, 3, 32, 32>, Rank2<3072, 10>>();
}
