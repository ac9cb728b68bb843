use gf_shape::*;

fn permute<S: PermuteShape<Ax>, Ax: Axes>() -> S::Permuted
where
    S::Permuted: Default,
{
    Default::default()
}

fn main() {
    let _ = permute::<Rank3<2, 3, 4>, (Axis<3>, Axis<0>, Axis<1>)>();
}
