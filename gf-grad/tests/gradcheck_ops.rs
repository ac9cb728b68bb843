//! A finite-difference gradient check (f64) for every differentiable op, at several shapes,
//! with broadcast operands and non-contiguous (permuted / narrowed) inputs.

use gf_core::prelude::*;
use gf_grad::prelude::*;

type Traced = Tensor<DynShape, f64, Cpu, OwnedTape<f64, Cpu>>;
type Scalar = Tensor<(), f64, Cpu, OwnedTape<f64, Cpu>>;

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
        gradcheck(&[x.clone()], |xs| weighted_sum(op(xs[0].clone())))
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
