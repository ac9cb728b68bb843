use gf_shape::*;

fn concat<A: ConcatShape<B, Axis<1>>, B: Shape>() -> A::Output
where
    A::Output: Default,
{
    Default::default()
}

fn main() {
    // A U-Net skip connection: 1024 + 1024 channels meet a plain `Const<2048>`.
    let _: (Const<2>, Const<2048>, Const<28>) =
        concat::<(Const<2>, Const<1024>, Const<28>), (Const<2>, Const<1024>, Const<28>)>();
}
