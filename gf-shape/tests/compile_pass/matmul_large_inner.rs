use gf_shape::*;

fn matmul<A: MatMulShape<B>, B: Shape>() -> A::Output
where
    A::Output: Default,
{
    Default::default()
}

fn main() {
    let _: Rank2<4, 10> = matmul::<Rank2<4, 3072>, Rank2<3072, 10>>();
    // A GPT-2 head over a 50257-token vocabulary.
    let _: Rank3<2, 128, 50257> = matmul::<Rank3<2, 128, 768>, Rank2<768, 50257>>();
}
