use gf_shape::*;

fn permute<S: PermuteShape<Ax>, Ax: Axes>() -> S::Permuted
where
    S::Permuted: Default,
{
    Default::default()
}

fn main() {
    let _: Rank3<4, 2, 3> = permute::<Rank3<2, 3, 4>, (Axis<2>, Axis<0>, Axis<1>)>();
}
