use gf_shape::*;

fn conv_out<H: ConvDim<K, Const<1>, Const<0>, Const<1>>, K: Dim>() -> H::Output
where
    H::Output: Default,
{
    Default::default()
}

fn main() {
    let _: Const<1> = conv_out::<Const<5>, Const<5>>();
}
