//! A finite-difference gradient check (f64) for every differentiable op, at several shapes,
//! with broadcast operands and non-contiguous (permuted / narrowed) inputs.

use gf_core::prelude::*;
use gf_grad::prelude::*;

type Traced = Tensor<DynShape, f64, Cpu, OwnedTape>;
type Scalar = Tensor<(), f64, Cpu, OwnedTape>;

fn dev() -> Cpu {
    Cpu::seed_from_u64(1234)
}

fn randn(dims: &[usize]) -> Tensor<DynShape, f64, Cpu> {
    dev().randn_like(&DynShape::new(dims))
}

/// Positive samples in [0.5, 2), for ops defined only there (ln, sqrt, pow).
fn positive(dims: &[usize]) -> Tensor<DynShape, f64, Cpu> {
    dev()
        .try_sample_uniform_like(&DynShape::new(dims), 0.5, 2.0)
        .unwrap()
}

/// Sums with weights so every output element gets a distinct upstream gradient.
fn weighted_sum(t: Traced) -> Scalar {
    let w = dev().randn_like(t.shape());
    let r = t.dims().len();
    (t * w)
        .try_reduce_axes::<()>(ReduceOp::Sum, &(0..r).collect::<Vec<_>>())
        .unwrap()
}

/// The shapes each op is checked at: a vector, a matrix, a rank-3 tensor, and a scalar.
const SHAPES: [&[usize]; 4] = [&[5], &[3, 4], &[2, 3, 2], &[]];

/// A non-contiguous view of the same elements: the input permuted (or sliced, for rank 1).
fn non_contiguous(x: Traced) -> Traced {
    match x.dims().len() {
        0 => x,
        1 => {
            let n = x.dims()[0];
            let doubled = x
                .try_broadcast_numpy::<DynShape>(&[2, n])
                .unwrap()
                .try_permute_axes::<DynShape>(&[1, 0])
                .unwrap();
            doubled.try_select_axis::<DynShape>(1, 0).unwrap()
        }
        r => {
            let mut axes: Vec<usize> = (0..r).collect();
            axes.reverse();
            x.try_permute_axes::<DynShape>(&axes).unwrap()
        }
    }
}

fn check_unary(
    name: &str,
    make: fn(&[usize]) -> Tensor<DynShape, f64, Cpu>,
    op: impl Fn(Traced) -> Traced,
) {
    for dims in SHAPES {
        let x = make(dims);
        gradcheck(std::slice::from_ref(&x), |xs| {
            weighted_sum(op(xs[0].clone()))
        })
        .unwrap_or_else(|e| panic!("{name} at {dims:?}: {e}"));
        gradcheck(&[x], |xs| weighted_sum(op(non_contiguous(xs[0].clone()))))
            .unwrap_or_else(|e| panic!("{name} at {dims:?}, non-contiguous: {e}"));
    }
}

/// Samples away from the kinks of relu-like ops so central differences stay valid.
fn away_from_zero(dims: &[usize]) -> Tensor<DynShape, f64, Cpu> {
    let v: Vec<f64> = randn(dims)
        .to_vec()
        .into_iter()
        .map(|x| if x.abs() < 0.1 { x + 0.3 } else { x })
        .collect();
    dev().tensor_from_vec(v, DynShape::new(dims))
}

#[test]
fn unary_ops() {
    check_unary("neg", randn, |x| x.neg());
    check_unary("abs", away_from_zero, |x| x.abs());
    check_unary("exp", randn, |x| x.exp());
    check_unary("ln", positive, |x| x.ln());
    check_unary("sqrt", positive, |x| x.sqrt());
    check_unary("square", randn, |x| x.square());
    check_unary("powi", randn, |x| x.powi(3));
    check_unary("powf", positive, |x| x.powf(1.7));
    check_unary("recip", positive, |x| x.recip());
    check_unary("sin", randn, |x| x.sin());
    check_unary("cos", randn, |x| x.cos());
    check_unary("tanh", randn, |x| x.tanh());
    check_unary("sigmoid", randn, |x| x.sigmoid());
    check_unary("relu", away_from_zero, |x| x.relu());
    check_unary("leaky_relu", away_from_zero, |x| x.leaky_relu(0.1));
    check_unary("elu", away_from_zero, |x| x.elu(1.3));
    check_unary("selu", away_from_zero, |x| x.selu());
    check_unary("gelu", randn, |x| x.gelu());
    check_unary("gelu_tanh", randn, |x| x.gelu_tanh());
    check_unary("silu", randn, |x| x.silu());
    check_unary("mish", randn, |x| x.mish());
    check_unary("softplus", randn, |x| x.softplus());
    check_unary("clamp", randn, |x| x.clamp(-0.5, 0.5));
    check_unary("add_scalar", randn, |x| x + 2.5);
    check_unary("sub_scalar", randn, |x| x - 2.5);
    check_unary("rsub_scalar", randn, |x| x.rsub_scalar(1.5));
    check_unary("mul_scalar", randn, |x| x * -3.0);
    check_unary("div_scalar", randn, |x| x / 4.0);
}

fn check_binary(
    name: &str,
    make: fn(&[usize]) -> Tensor<DynShape, f64, Cpu>,
    op: impl Fn(Traced, Traced) -> Traced,
) {
    // same shapes, numpy broadcasting (both sides), a scalar operand, and non-contiguous operands
    let cases: [(&[usize], &[usize]); 5] = [
        (&[4], &[4]),
        (&[3, 4], &[3, 4]),
        (&[2, 3, 4], &[3, 1]),
        (&[1, 4], &[3, 1]),
        (&[2, 3], &[]),
    ];
    for (a, b) in cases {
        let (x, y) = (make(a), make(b));
        gradcheck(&[x.clone(), y.clone()], |xs| {
            weighted_sum(op(xs[0].clone(), xs[1].clone()))
        })
        .unwrap_or_else(|e| panic!("{name} {a:?} with {b:?}: {e}"));
        if a == b {
            gradcheck(&[x, y], |xs| {
                weighted_sum(op(
                    non_contiguous(xs[0].clone()),
                    non_contiguous(xs[1].clone()),
                ))
            })
            .unwrap_or_else(|e| panic!("{name} {a:?}, non-contiguous: {e}"));
        }
    }
    // the same tensor on both sides: both partials land on one gradient
    let x = make(&[3, 2]);
    gradcheck(&[x], |xs| weighted_sum(op(xs[0].clone(), xs[0].clone())))
        .unwrap_or_else(|e| panic!("{name}(x, x): {e}"));
}

#[test]
fn binary_ops() {
    check_binary("add", randn, |a, b| a + b);
    check_binary("sub", randn, |a, b| a - b);
    check_binary("mul", randn, |a, b| a * b);
    check_binary("div", positive, |a, b| a / b);
    check_binary("maximum", randn, |a, b| a.maximum(b));
    check_binary("minimum", randn, |a, b| a.minimum(b));
    check_binary("pow", positive, |a, b| a.pow(b));
}

#[test]
fn typed_broadcast_then_binary() {
    let (x, b) = (randn(&[3, 4]), randn(&[4]));
    gradcheck(&[x, b], |xs| {
        let x = xs[0].clone().try_into_shape::<(usize, Const<4>)>().unwrap();
        let b = xs[1].clone().try_into_shape::<(Const<4>,)>().unwrap();
        let bb = b.broadcast_like::<_, Axis<0>>(&(3usize, Const::<4>));
        weighted_sum((x * bb).into_dyn())
    })
    .unwrap();
}

fn check_reduction(name: &str, op: impl Fn(Traced, &[usize]) -> Traced) {
    let cases: [(&[usize], &[usize]); 6] = [
        (&[5], &[0]),
        (&[3, 4], &[0]),
        (&[3, 4], &[1]),
        (&[3, 4], &[0, 1]),
        (&[2, 3, 4], &[0, 2]),
        (&[2, 3, 4], &[1]),
    ];
    for (dims, axes) in cases {
        let x = randn(dims);
        gradcheck(std::slice::from_ref(&x), |xs| {
            weighted_sum(op(xs[0].clone(), axes))
        })
        .unwrap_or_else(|e| panic!("{name} of {dims:?} over {axes:?}: {e}"));
        if dims.len() > 1 {
            // the same reduction over the permuted tensor, with the axes renamed accordingly
            let r = dims.len();
            let renamed: Vec<usize> = {
                let mut v: Vec<usize> = axes.iter().map(|&a| r - 1 - a).collect();
                v.sort();
                v
            };
            gradcheck(&[x], |xs| {
                weighted_sum(op(non_contiguous(xs[0].clone()), &renamed))
            })
            .unwrap_or_else(|e| panic!("{name} of {dims:?} over {axes:?}, non-contiguous: {e}"));
        }
    }
}

#[test]
fn reductions() {
    check_reduction("sum", |x, a| x.try_reduce_axes(ReduceOp::Sum, a).unwrap());
    check_reduction("max", |x, a| x.try_reduce_axes(ReduceOp::Max, a).unwrap());
    check_reduction("min", |x, a| x.try_reduce_axes(ReduceOp::Min, a).unwrap());
    check_reduction("mean", |x, a| x.try_mean_axes(a).unwrap());
    check_reduction("var", |x, a| x.try_var_axes(a, 1).unwrap());
    check_reduction("var (biased)", |x, a| x.try_var_axes(a, 0).unwrap());
    check_reduction("std", |x, a| {
        x.try_var_axes::<DynShape>(a, 1).unwrap().sqrt()
    });
    check_reduction("logsumexp", |x, a| x.try_logsumexp_axes(a).unwrap());
    check_reduction("softmax", |x, a| x.try_softmax_axis(a[0]).unwrap());
    check_reduction("log_softmax", |x, a| x.try_log_softmax_axis(a[0]).unwrap());
}

#[test]
fn max_splits_the_gradient_among_ties() {
    let x = dev().tensor([1.0f64, 3.0, 3.0, 2.0]);
    let g = x.trace().max::<Axis<0>>().backward();
    assert_eq!(g.get(&x).unwrap().to_vec(), vec![0.0, 0.5, 0.5, 0.0]);
}

#[test]
fn typed_reductions_match_the_runtime_forms() {
    let x = randn(&[2, 3]);
    gradcheck(&[x], |xs| {
        let t = xs[0].clone().try_into_shape::<Rank2<2, 3>>().unwrap();
        let a = t.clone().std::<Axis<1>>().sum::<Axis<0>>();
        let b = t.clone().logsumexp::<Axis<0>>().sum::<Axis<0>>();
        let c = t.log_softmax::<Axis<1>>().mean::<(Axis<0>, Axis<1>)>();
        a + b + c
    })
    .unwrap();
}

#[test]
fn matmul_every_rank_combination() {
    let cases: [(&[usize], &[usize]); 7] = [
        (&[3], &[3, 2]),
        (&[2, 3], &[3]),
        (&[2, 3], &[3, 4]),
        (&[2, 2, 3], &[2, 3, 4]),
        (&[2, 2, 3], &[3, 4]),
        (&[2, 2, 2, 3], &[2, 2, 3, 2]),
        (&[2, 2, 2, 3], &[3, 2]),
    ];
    for (a, b) in cases {
        let (x, y) = (randn(a), randn(b));
        gradcheck(&[x.clone(), y.clone()], |xs| {
            weighted_sum(xs[0].clone().try_matmul(xs[1].clone()).unwrap())
        })
        .unwrap_or_else(|e| panic!("matmul {a:?}·{b:?}: {e}"));
    }
    // transposed (non-contiguous) operands: xᵀ·y and x·yᵀ through strides
    let (x, y) = (randn(&[3, 2]), randn(&[4, 3]));
    gradcheck(&[x, y], |xs| {
        let xt = xs[0].clone().try_transpose().unwrap();
        let yt = xs[1].clone().try_transpose().unwrap();
        weighted_sum(xt.try_matmul(yt).unwrap())
    })
    .unwrap();
    // a permuted batch whose batch dims do not collapse into one stride
    let (x, y) = (randn(&[3, 2, 2, 2]), randn(&[2, 3]));
    gradcheck(&[x, y], |xs| {
        let xp = xs[0]
            .clone()
            .try_permute_axes::<DynShape>(&[1, 0, 2, 3])
            .unwrap();
        weighted_sum(xp.try_matmul(xs[1].clone()).unwrap())
    })
    .unwrap();
}

/// A view op under test.
type ViewOp = Box<dyn Fn(Traced) -> Traced>;

#[test]
fn views() {
    let x = randn(&[2, 3, 4]);
    let cases: Vec<(&str, ViewOp)> = vec![
        (
            "reshape",
            Box::new(|t| t.try_reshape_like(&DynShape::new([4, 6])).unwrap()),
        ),
        (
            "reshape non-contiguous",
            Box::new(|t| {
                non_contiguous(t)
                    .try_reshape_like(&DynShape::new([6, 4]))
                    .unwrap()
            }),
        ),
        (
            "permute",
            Box::new(|t| t.try_permute_axes::<DynShape>(&[2, 0, 1]).unwrap()),
        ),
        ("transpose", Box::new(|t| t.try_transpose().unwrap())),
        (
            "broadcast",
            Box::new(|t| {
                t.try_broadcast_axes(DynShape::new([2, 5, 3, 4]), &[1])
                    .unwrap()
            }),
        ),
        (
            "broadcast numpy",
            Box::new(|t| {
                t.try_narrow_axis::<DynShape>(1, 0, 1)
                    .unwrap()
                    .try_broadcast_numpy::<DynShape>(&[3, 2, 3, 4])
                    .unwrap()
            }),
        ),
        (
            "narrow",
            Box::new(|t| t.try_narrow_axis::<DynShape>(2, 1, 2).unwrap()),
        ),
        (
            "select",
            Box::new(|t| t.try_select_axis::<DynShape>(1, 2).unwrap()),
        ),
        (
            "flatten",
            Box::new(|t| non_contiguous(t).try_flatten::<Axis<1>>().unwrap()),
        ),
        (
            "contiguous",
            Box::new(|t| non_contiguous(t).try_contiguous().unwrap()),
        ),
        (
            "narrow of permute",
            Box::new(|t| {
                non_contiguous(t)
                    .try_narrow_axis::<DynShape>(0, 1, 3)
                    .unwrap()
                    .try_select_axis::<DynShape>(2, 1)
                    .unwrap()
            }),
        ),
    ];
    for (name, op) in cases {
        gradcheck(std::slice::from_ref(&x), |xs| {
            weighted_sum(op(xs[0].clone()))
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // typed views
    let y = randn(&[2, 3]);
    gradcheck(&[y], |xs| {
        let t = xs[0].clone().try_into_shape::<Rank2<2, 3>>().unwrap();
        let u = t.clone().unsqueeze::<Axis<1>>().reshape::<Rank2<3, 2>>();
        let v = t.permute::<(Axis<1>, Axis<0>)>();
        weighted_sum((u + v).into_dyn())
    })
    .unwrap();
}

#[test]
fn shared_tape_records_several_inputs_and_gradients_accumulate() {
    let d = dev();
    let (a, b) = (d.tensor([1.0f64, 2.0]), d.tensor([3.0f64, -1.0]));
    let tape = OwnedTape::new();
    let (ta, tb) = (a.trace_into(&tape), b.trace_into(&tape));
    // a used three times: a·b + a² ; d/da = b + 2a, d/db = a
    let loss = (ta.clone() * tb + ta.clone() * ta).sum::<Axis<0>>();
    let g = loss.backward();
    assert_eq!(g.get(&a).unwrap().to_vec(), vec![5.0, 3.0]);
    assert_eq!(g.get(&b).unwrap().to_vec(), vec![1.0, 2.0]);
    // intermediate gradients are freed as their producers run: only the leaves remain
    assert_eq!(g.len(), 2);
}

#[test]
fn separate_tapes_merge_when_their_tensors_meet() {
    let d = dev();
    let (a, b) = (d.tensor([2.0f64]), d.tensor([5.0f64]));
    let (ta, tb) = (a.trace().exp(), b.trace().ln());
    let loss = (ta * tb).sum::<Axis<0>>();
    let g = loss.backward();
    assert!((g.get(&a).unwrap().to_vec()[0] - 2.0f64.exp() * 5.0f64.ln()).abs() < 1e-12);
    assert!((g.get(&b).unwrap().to_vec()[0] - 2.0f64.exp() / 5.0).abs() < 1e-12);
}
