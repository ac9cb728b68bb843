use gf_shape::*;

fn matmul<A: MatMulShape<B>, B: Shape>() -> A::Output
where
    A::Output: Default,
{
    Default::default()
}

fn main() {
    let _ = matmul::<Rank2<4, 3136>, Rank2<3072, 10>>();
}
