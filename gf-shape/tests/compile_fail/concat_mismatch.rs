use gf_shape::*;

fn concat<A: ConcatShape<B, Axis<1>>, B: Shape>() -> A::Output
where
    A::Output: Default,
{
    Default::default()
}

fn main() {
    let _ = concat::<(Const<2>, Const<1024>, Const<28>), (Const<2>, Const<1024>, Const<14>)>();
}
