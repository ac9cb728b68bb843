//! Finite-difference gradient checks (f64) for convolutions, pooling and dropout.

use gf_core::ops::conv::ConvArgs;
use gf_core::ops::pool::PoolKind;
use gf_core::prelude::*;
use gf_grad::prelude::*;

type Traced = Tensor<DynShape, f64, Cpu, OwnedTape>;
type Scalar = Tensor<(), f64, Cpu, OwnedTape>;

fn randn(dims: &[usize]) -> Tensor<DynShape, f64, Cpu> {
    Cpu::seed_from_u64(7).randn_like(&DynShape::new(dims))
}

fn weighted_sum(t: Traced) -> Scalar {
    let w = Cpu::seed_from_u64(99).randn_like(t.shape());
    let r = t.dims().len();
    (t * w)
        .try_reduce_axes::<()>(ReduceOp::Sum, &(0..r).collect::<Vec<_>>())
        .unwrap()
}

fn args(stride: usize, padding: usize, dilation: usize, groups: usize) -> ConvArgs {
    ConvArgs {
        stride: [stride; 2],
        padding: [padding; 2],
        dilation: [dilation; 2],
        groups,
        output_padding: 0,
    }
}

#[test]
fn conv2d_stride_padding_dilation_groups() {
    let cases = [
        (
            "plain",
            vec![2, 2, 5, 5],
            vec![3, 2, 3, 3],
            args(1, 0, 1, 1),
        ),
        (
            "stride 2 padding 1",
            vec![1, 2, 6, 5],
            vec![2, 2, 3, 3],
            args(2, 1, 1, 1),
        ),
        (
            "dilation 2",
            vec![1, 1, 7, 7],
            vec![2, 1, 3, 3],
            args(1, 1, 2, 1),
        ),
        (
            "groups 2",
            vec![2, 4, 4, 4],
            vec![4, 2, 2, 2],
            args(1, 0, 1, 2),
        ),
        (
            "unbatched",
            vec![2, 4, 4],
            vec![3, 2, 2, 2],
            args(1, 1, 1, 1),
        ),
    ];
    for (name, x, w, a) in cases {
        gradcheck(&[randn(&x), randn(&w)], |xs| {
            weighted_sum(xs[0].clone().try_conv2d_args(xs[1].clone(), a).unwrap())
        })
        .unwrap_or_else(|e| panic!("conv2d {name}: {e}"));
    }
    // a non-contiguous (permuted) input: (B, H, W, C) data read as (B, C, H, W)
    gradcheck(&[randn(&[1, 4, 5, 2]), randn(&[2, 2, 3, 3])], |xs| {
        let x = xs[0]
            .clone()
            .try_permute_axes::<DynShape>(&[0, 3, 1, 2])
            .unwrap();
        weighted_sum(x.try_conv2d_args(xs[1].clone(), args(1, 1, 1, 1)).unwrap())
    })
    .unwrap();
}

#[test]
fn conv1d_and_conv_transpose2d() {
    let a1 = ConvArgs {
        stride: [1, 2],
        padding: [0, 1],
        dilation: [1, 1],
        groups: 1,
        output_padding: 0,
    };
    gradcheck(&[randn(&[2, 3, 7]), randn(&[2, 3, 3])], |xs| {
        weighted_sum(xs[0].clone().try_conv1d_args(xs[1].clone(), a1).unwrap())
    })
    .unwrap();
    let cases = [
        (
            "plain",
            vec![1, 2, 3, 3],
            vec![2, 3, 2, 2],
            args(1, 0, 1, 1),
        ),
        (
            "stride 2 padding 1",
            vec![2, 2, 3, 4],
            vec![2, 2, 3, 3],
            args(2, 1, 1, 1),
        ),
        (
            "output padding",
            vec![1, 2, 3, 3],
            vec![2, 1, 3, 3],
            ConvArgs {
                output_padding: 1,
                ..args(2, 1, 1, 1)
            },
        ),
        (
            "groups 2",
            vec![1, 4, 3, 3],
            vec![4, 1, 2, 2],
            args(1, 0, 1, 2),
        ),
    ];
    for (name, x, w, a) in cases {
        gradcheck(&[randn(&x), randn(&w)], |xs| {
            weighted_sum(
                xs[0]
                    .clone()
                    .try_conv_transpose2d_args(xs[1].clone(), a)
                    .unwrap(),
            )
        })
        .unwrap_or_else(|e| panic!("conv_transpose2d {name}: {e}"));
    }
}

#[test]
fn pooling() {
    let x = randn(&[2, 2, 5, 6]);
    let cases = [
        ("max 2", PoolKind::Max, [2, 2], [2, 2], [0, 0], [0, 0]),
        (
            "max 3 stride 2 padding 1",
            PoolKind::Max,
            [3, 3],
            [2, 2],
            [1, 1],
            [0, 0],
        ),
        ("avg 2", PoolKind::Avg, [2, 2], [2, 2], [0, 0], [0, 0]),
        (
            "avg 3 stride 1 padding 1",
            PoolKind::Avg,
            [3, 3],
            [1, 1],
            [1, 1],
            [0, 0],
        ),
        (
            "adaptive 3×4",
            PoolKind::AdaptiveAvg,
            [0, 0],
            [0, 0],
            [0, 0],
            [3, 4],
        ),
        (
            "adaptive 1×1",
            PoolKind::AdaptiveAvg,
            [0, 0],
            [0, 0],
            [0, 0],
            [1, 1],
        ),
    ];
    for (name, kind, k, s, p, o) in cases {
        gradcheck(std::slice::from_ref(&x), |xs| {
            weighted_sum(xs[0].clone().try_pool2d_args(kind, k, s, p, o).unwrap())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // a non-contiguous input
    gradcheck(&[randn(&[4, 4, 3])], |xs| {
        let x = xs[0]
            .clone()
            .try_permute_axes::<DynShape>(&[2, 0, 1])
            .unwrap();
        weighted_sum(
            x.try_pool2d_args(PoolKind::Max, [2, 2], [2, 2], [0, 0], [0, 0])
                .unwrap(),
        )
    })
    .unwrap();
}

#[test]
fn dropout_gradient_is_its_forward_mask() {
    // randomness cannot be replayed by central differences: check the gradient against the mask
    let dev = Cpu::seed_from_u64(5);
    let x: Tensor<(usize,), f64, Cpu> = dev.randn_like(&(200,));
    let y = x.trace().dropout(0.3);
    let kept: Vec<f64> = y
        .to_vec()
        .iter()
        .zip(x.to_vec())
        .map(|(y, x)| y / x)
        .collect();
    let g = y.sum::<Axis<0>>().backward();
    for (g, k) in g.get(&x).unwrap().to_vec().iter().zip(&kept) {
        assert!((g - k).abs() < 1e-9, "gradient {g} vs mask {k}");
    }
}
