//! A ResNet-18 shape chain (224 → 112 → 56 → 28 → 14 → 7, channels 64..512, flatten 512,
//! fc 1000) type-checked through gf-shape's traits, with the bounds the ops use.

use gf_shape::*;

type C<const N: usize> = Const<N>;

/// The spatial size after a square conv (kernel `K`, stride `S`, padding `P`).
type Conv<H, K, S, P> = <H as ConvDim<K, S, P, C<1>>>::Output;

/// The output shape of a conv layer over (B, _, H, H).
type ConvOut<B, CO, H, K, S, P> = (B, CO, Conv<H, K, S, P>, Conv<H, K, S, P>);

/// A conv layer's shape: `x` is (B, CI, H, H), the weight (CO, CI, K, K).
fn conv<B: Dim, CI: DimMultipleOf<CI>, CO: Dim, H: ConvDim<K, S, P, C<1>>, K: Dim, S: Dim, P: Dim>(
) -> ConvOut<B, CO, H, K, S, P>
where
    ConvOut<B, CO, H, K, S, P>: Default,
{
    Default::default()
}

/// A residual add: the block's output and the shortcut must have the same shape.
fn add<S: Shape, S2: SameShapeAs<S>>(a: S, _: S2) -> S {
    a
}

/// Flatten from axis 1, then a fully connected layer.
fn flatten_fc<S: FlattenShape<Axis<1>>, W: Shape>() -> <S::Flat as MatMulShape<W>>::Output
where
    S::Flat: MatMulShape<W>,
    <S::Flat as MatMulShape<W>>::Output: Default,
{
    Default::default()
}

type B = C<8>;

/// Two 3×3 convs (the first with stride `S`) and the shortcut (a strided 1×1 conv when the size
/// or channel count changes).
macro_rules! basic_block {
    ($ci:literal -> $co:literal, $h:literal / $s:literal -> $o:literal) => {{
        let _first: (B, C<$co>, C<$o>, C<$o>) =
            conv::<B, C<$ci>, C<$co>, C<$h>, C<3>, C<$s>, C<1>>();
        let y: (B, C<$co>, C<$o>, C<$o>) = conv::<B, C<$co>, C<$co>, C<$o>, C<3>, C<1>, C<1>>();
        let shortcut: (B, C<$co>, C<$o>, C<$o>) =
            conv::<B, C<$ci>, C<$co>, C<$h>, C<1>, C<$s>, C<0>>();
        add(y, shortcut)
    }};
}

#[test]
fn resnet18_shapes_type_check() {
    // Stem: 7×7/2 conv, 3×3/2 max pool.
    let _: (B, C<64>, C<112>, C<112>) = conv::<B, C<3>, C<64>, C<224>, C<7>, C<2>, C<3>>();
    let _: C<56> = <C<112> as ConvDim<C<3>, C<2>, C<1>, C<1>>>::Output::default();
    // Four stages of two blocks each.
    let _: (B, C<64>, C<56>, C<56>) = basic_block!(64 -> 64, 56 / 1 -> 56);
    let _: (B, C<64>, C<56>, C<56>) = basic_block!(64 -> 64, 56 / 1 -> 56);
    let _: (B, C<128>, C<28>, C<28>) = basic_block!(64 -> 128, 56 / 2 -> 28);
    let _: (B, C<128>, C<28>, C<28>) = basic_block!(128 -> 128, 28 / 1 -> 28);
    let _: (B, C<256>, C<14>, C<14>) = basic_block!(128 -> 256, 28 / 2 -> 14);
    let _: (B, C<256>, C<14>, C<14>) = basic_block!(256 -> 256, 14 / 1 -> 14);
    let _: (B, C<512>, C<7>, C<7>) = basic_block!(256 -> 512, 14 / 2 -> 7);
    let last: (B, C<512>, C<7>, C<7>) = basic_block!(512 -> 512, 7 / 1 -> 7);
    // Global average pool (7×7), flatten 512, fc 1000.
    let _: C<1> = <C<7> as ConvDim<C<7>, C<1>, C<0>, C<1>>>::Output::default();
    let logits: (B, C<1000>) = flatten_fc::<(B, C<512>, C<1>, C<1>), Rank2<512, 1000>>();
    assert_eq!(last.num_elements(), 8 * 512 * 7 * 7);
    assert_eq!(logits.concrete(), [8, 1000]);
    // Without the pool, the flattened features are 512·7·7 = 25088, a plain `Const` too.
    let _: (B, C<1000>) = flatten_fc::<(B, C<512>, C<7>, C<7>), Rank2<25088, 1000>>();
}

#[test]
fn flatten_multiplies_as_typenum_so_intermediates_need_no_forward_table() {
    // 2048·7·7 = 100352 is above the reverse table: an exact computed dim of that size. Its
    // intermediate product 2048·7 = 14336 is above the forward table, which flatten never needs.
    type Flat = <(B, C<2048>, C<7>, C<7>) as FlattenShape<Axis<1>>>::Flat;
    assert_eq!(Flat::default().concrete(), [8, 100352]);
    let _: (B, C<50176>) = <(B, C<256>, C<14>, C<14>) as FlattenShape<Axis<1>>>::Flat::default();
}
