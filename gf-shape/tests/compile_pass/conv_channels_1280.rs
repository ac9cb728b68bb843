use gf_shape::*;

fn groups_fit<C: DimMultipleOf<CW>, CW: Dim>() {}

fn conv_out<H: ConvDim<K, Const<1>, Const<1>, Const<1>>, K: Dim>() -> H::Output
where
    H::Output: Default,
{
    Default::default()
}

fn main() {
    // A 1280-channel convolution (EfficientNet's head), plain and depthwise.
    groups_fit::<Const<1280>, Const<1280>>();
    groups_fit::<Const<1280>, Const<1>>();
    let _: Const<7> = conv_out::<Const<7>, Const<3>>();
}
