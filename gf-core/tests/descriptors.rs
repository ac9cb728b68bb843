//! The elementwise op rows: the lane (SIMD) forms and the per-dtype CPU loops agree with the
//! scalar function on every value class, and each row's CUDA expressions read what the row says
//! its derivative reads.

use gf_core::ops::binary::{self, BinaryOp, Operands};
use gf_core::ops::unary::{self as u, DfUses, UnaryOp};
use gf_core::Dtype;

/// Zero of both signs, the infinities, NaN, tiny, huge and ordinary values; 37 of them, so the
/// 16- and 8-wide lane loops run whole lanes and a tail.
fn values<E: Dtype>() -> Vec<E> {
    let mut v: Vec<f64> = vec![0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-30, -1e-30, 1e30, -1e30];
    v.extend([
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        3.0,
        -3.0,
        20.5,
        -20.5,
    ]);
    v.extend((0..20).map(|i| (i as f64 - 9.5) * 0.37));
    v.into_iter().map(E::from_f64).collect()
}

fn same<E: Dtype>(a: E, b: E) -> bool {
    (a.is_nan() && b.is_nan())
        || a.to_acc() == b.to_acc() && a.is_sign_negative() == b.is_sign_negative()
}

/// `same`, or within `ulps` units in the last place of `b` when both are finite and nonzero
/// with one sign: the allowance for lane forms that are polynomials rather than libm's.
fn near<E: Dtype>(a: E, b: E, ulps: f64) -> bool {
    let (x, y) = (a.as_f64(), b.as_f64());
    let finite = a.is_finite() && b.is_finite() && x * y > 0.0;
    same(a, b) || finite && (x - y).abs() <= ulps * E::epsilon().as_f64() * y.abs()
}

fn check_unary<E: Dtype, Op: UnaryOp<E>>(op: Op) {
    check_unary_within(op, 0.0)
}

fn check_unary_within<E: Dtype, Op: UnaryOp<E>>(op: Op, ulps: f64) {
    let xs = values::<E>();
    let mut out = vec![E::zero(); xs.len()];
    E::unary_into(&op, &xs, &mut out);
    let mut in_place = xs.clone();
    E::unary_in_place(&op, &mut in_place);
    for (i, &x) in xs.iter().enumerate() {
        let want = op.f(x);
        assert!(
            near(out[i], want, ulps) && near(in_place[i], want, ulps),
            "{} on {x:?} ({}): lanes give {:?} / {:?}, scalar {want:?}",
            Op::NAME,
            E::NAME,
            out[i],
            in_place[i]
        );
    }
}

fn check_cuda_unary<Op: UnaryOp<f64>>() {
    let (f, df) = (Op::CUDA_F, Op::CUDA_DF);
    assert!(f.contains('x'), "{}: CUDA f must read x: {f}", Op::NAME);
    assert_eq!(
        df.contains('v'),
        Op::DF_USES != DfUses::Nothing,
        "{}: CUDA df {df:?} disagrees with df_reads {:?}",
        Op::NAME,
        Op::DF_USES
    );
    for p in Op::PARAMS {
        assert!(
            f.contains(p) || df.contains(p),
            "{}: parameter {p} unused",
            Op::NAME
        );
    }
}

macro_rules! unary_cases {
    ($($op:expr),* $(,)?) => {{
        $(
            check_unary::<f32, _>($op);
            check_unary::<f64, _>($op);
        )*
    }};
}

#[test]
fn lane_loops_equal_the_scalar_function_for_every_unary_op() {
    unary_cases!(
        u::Neg::new(),
        u::Abs::new(),
        u::Sqrt::new(),
        u::Square::new(),
        u::PowI::new(3),
        u::PowF::new(1.5),
        u::Recip::new(),
        u::Sin::new(),
        u::Cos::new(),
        u::Relu::new(),
        u::LeakyRelu::new(0.01),
        u::Elu::new(1.0),
        u::Selu::new(),
        u::Gelu::new(),
        u::GeluTanh::new(),
        u::Mish::new(),
        u::Softplus::new(),
        u::Clamp::new(-1.0, 2.0),
        u::ScalarAdd::new(0.25),
        u::ScalarSub::new(0.25),
        u::ScalarRsub::new(0.25),
        u::ScalarMul::new(-3.0),
        u::ScalarDiv::new(4.0),
    );
}

/// The rows whose lane forms are the SIMD layer's polynomials: within a few ulps of libm (the
/// bounds `simd::math` documents, plus the rounding of the formula around them), and exactly
/// libm's on zeros, infinities and NaN.
#[test]
fn polynomial_lane_forms_stay_within_a_few_ulps_of_the_scalar_function() {
    macro_rules! approx {
        ($($op:expr),* $(,)?) => {{
            $(
                check_unary_within::<f32, _>($op, 4.0);
                check_unary_within::<f64, _>($op, 4.0);
            )*
        }};
    }
    approx!(
        u::Exp::new(),
        u::Ln::new(),
        u::Tanh::new(),
        u::Sigmoid::new(),
        u::Silu::new()
    );
}

#[test]
fn unary_cuda_expressions_read_what_the_row_says() {
    check_cuda_unary::<u::Neg<f64>>();
    check_cuda_unary::<u::Abs<f64>>();
    check_cuda_unary::<u::Exp<f64>>();
    check_cuda_unary::<u::Ln<f64>>();
    check_cuda_unary::<u::Sqrt<f64>>();
    check_cuda_unary::<u::Square<f64>>();
    check_cuda_unary::<u::PowI<f64>>();
    check_cuda_unary::<u::PowF<f64>>();
    check_cuda_unary::<u::Recip<f64>>();
    check_cuda_unary::<u::Sin<f64>>();
    check_cuda_unary::<u::Cos<f64>>();
    check_cuda_unary::<u::Tanh<f64>>();
    check_cuda_unary::<u::Sigmoid<f64>>();
    check_cuda_unary::<u::Relu<f64>>();
    check_cuda_unary::<u::LeakyRelu<f64>>();
    check_cuda_unary::<u::Elu<f64>>();
    check_cuda_unary::<u::Selu<f64>>();
    check_cuda_unary::<u::Gelu<f64>>();
    check_cuda_unary::<u::GeluTanh<f64>>();
    check_cuda_unary::<u::Silu<f64>>();
    check_cuda_unary::<u::Mish<f64>>();
    check_cuda_unary::<u::Softplus<f64>>();
    check_cuda_unary::<u::Clamp<f64>>();
    check_cuda_unary::<u::ScalarAdd<f64>>();
    check_cuda_unary::<u::ScalarSub<f64>>();
    check_cuda_unary::<u::ScalarRsub<f64>>();
    check_cuda_unary::<u::ScalarMul<f64>>();
    check_cuda_unary::<u::ScalarDiv<f64>>();
    assert_eq!(<u::Clamp<f64> as UnaryOp<f64>>::PARAMS, ["min", "max"]);
    assert_eq!(u::Clamp::new(-1.0, 2.0).param_values(), vec![-1.0, 2.0]);
    assert_eq!(
        <u::PowI<f64> as UnaryOp<f64>>::param_values(&u::PowI::new(3)),
        vec![3.0]
    );
}

fn check_binary<E: Dtype, Op: BinaryOp<E>>(op: Op) {
    let xs = values::<E>();
    let ys: Vec<E> = xs.iter().rev().copied().collect();
    let mut out = vec![E::zero(); xs.len()];
    E::binary_into(&op, &xs, &ys, &mut out);
    let mut in_place = xs.clone();
    E::binary_in_place(&op, &mut in_place, &ys);
    for i in 0..xs.len() {
        let want = op.f(xs[i], ys[i]);
        assert!(
            same(out[i], want) && same(in_place[i], want),
            "{}({:?}, {:?}) ({}): lanes give {:?}, scalar {want:?}",
            Op::NAME,
            xs[i],
            ys[i],
            E::NAME,
            out[i]
        );
    }
}

fn check_cuda_binary<Op: BinaryOp<f64>>() {
    let reads = |e: &str| Operands {
        x: e.contains('x'),
        y: e.contains('y'),
    };
    assert!(Op::CUDA_F.contains('x') && Op::CUDA_F.contains('y'));
    assert_eq!(reads(Op::CUDA_DFDX), Op::DFDX_USES, "{} ∂x", Op::NAME);
    assert_eq!(reads(Op::CUDA_DFDY), Op::DFDY_USES, "{} ∂y", Op::NAME);
}

#[test]
fn binary_rows_agree_between_lanes_scalar_and_cuda() {
    macro_rules! each {
        ($($op:ident),*) => {$(
            check_binary::<f32, _>(binary::$op);
            check_binary::<f64, _>(binary::$op);
        )*};
    }
    each!(Add, Sub, Mul, Div, Maximum, Minimum, Pow);
    check_cuda_binary::<binary::Add>();
    check_cuda_binary::<binary::Sub>();
    check_cuda_binary::<binary::Mul>();
    check_cuda_binary::<binary::Div>();
    check_cuda_binary::<binary::Maximum>();
    check_cuda_binary::<binary::Minimum>();
    check_cuda_binary::<binary::Pow>();
}

#[test]
fn relu_maximum_and_minimum_propagate_nan_as_pytorch() {
    // torch.relu(nan) = nan, torch.maximum(nan, 1) = nan, torch.minimum(1, nan) = nan
    assert!(u::Relu::new().f(f64::NAN).is_nan());
    assert!(BinaryOp::<f64>::f(&binary::Maximum, f64::NAN, 1.0).is_nan());
    assert!(BinaryOp::<f64>::f(&binary::Maximum, 1.0, f64::NAN).is_nan());
    assert!(BinaryOp::<f32>::f(&binary::Minimum, 1.0, f32::NAN).is_nan());
    assert!(BinaryOp::<f32>::f(&binary::Minimum, f32::NAN, 1.0).is_nan());
}
