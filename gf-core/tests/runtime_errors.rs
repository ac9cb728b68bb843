//! With run-time (`usize`) dims or `DynShape`, every `try_` op reports a mismatch as `Err` and
//! never panics.

use gf_core::prelude::*;

type M = Tensor<(usize, usize), f32, Cpu>;
type Dy = Tensor<DynShape, f32, Cpu>;

fn m(r: usize, c: usize) -> M {
    Cpu::default().zeros_like(&(r, c))
}

fn dy(dims: &[usize]) -> Dy {
    Cpu::default().zeros_like(&DynShape::new(dims))
}

/// Runs `f`, failing the test if it panics, and returns what it returned.
fn no_panic<R>(what: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what} panicked instead of returning Err"))
}

fn expect_err<R: core::fmt::Debug>(what: &str, f: impl FnOnce() -> Result<R>) {
    let r = no_panic(what, f);
    assert!(r.is_err(), "{what} should be Err, got {r:?}");
}

#[test]
fn mismatched_runtime_dims_are_errs() {
    expect_err("add", || m(2, 3).try_add(m(3, 2)));
    expect_err("maximum", || m(2, 3).try_maximum(m(2, 4)));
    expect_err("matmul", || m(2, 3).try_matmul(m(4, 2)));
    expect_err("reshape", || m(2, 3).try_reshape_like(&(5usize,)));
    expect_err("broadcast", || {
        m(2, 3).try_broadcast_like::<_, Axis<0>>(&(4usize, 3usize, 2usize))
    });
    expect_err("narrow", || m(2, 3).try_narrow::<Axis<0>>(1, 2));
    expect_err("select", || m(2, 3).try_select::<Axis<1>>(3));
    expect_err("tensor_from_vec", || {
        Cpu::default().try_tensor_from_vec(vec![0.0f32; 5], (2usize, 3usize))
    });
    expect_err("clamp", || m(2, 3).try_clamp(1.0, 0.0));
    expect_err("sample_uniform", || {
        Cpu::default().try_sample_uniform_like(&(3usize,), 1.0f32, 1.0)
    });
    expect_err("sample_normal", || {
        Cpu::default().try_sample_normal_like(&(3usize,), 0.0f32, -1.0)
    });
    expect_err("arange", || Cpu::default().try_arange(0.0f32, 1.0, 0.0));
}

#[test]
fn dyn_shape_errors_are_errs() {
    expect_err("add without broadcast", || dy(&[2, 3]).try_add(dy(&[4])));
    expect_err("matmul ranks", || dy(&[2, 3]).try_matmul(dy(&[2])));
    expect_err("matmul batch", || dy(&[2, 2, 3]).try_matmul(dy(&[3, 3, 2])));
    expect_err("reduce axis", || {
        dy(&[2, 3]).try_reduce_axes::<DynShape>(ReduceOp::Sum, &[2])
    });
    expect_err("reduce order", || {
        dy(&[2, 3]).try_reduce_axes::<DynShape>(ReduceOp::Sum, &[1, 0])
    });
    expect_err("max of empty axis", || {
        dy(&[2, 0]).try_reduce_axes::<DynShape>(ReduceOp::Max, &[1])
    });
    expect_err("var without dof", || {
        dy(&[2, 1]).try_var_axes::<DynShape>(&[1], 1)
    });
    expect_err("permute", || {
        dy(&[2, 3]).try_permute_axes::<DynShape>(&[0, 0])
    });
    expect_err("transpose rank 1", || dy(&[3]).try_transpose());
    expect_err("softmax axis", || dy(&[2, 3]).try_softmax_axis(2));
    expect_err("argmax axis", || {
        dy(&[2, 3]).try_arg_reduce_axis::<DynShape>(true, 5)
    });
    expect_err("flatten axis", || dy(&[2, 3]).try_flatten::<Axis<4>>());
    expect_err("into_shape", || dy(&[2, 3]).try_into_shape::<Rank2<3, 2>>());
    expect_err("numpy broadcast", || {
        dy(&[2, 3]).try_broadcast_numpy::<DynShape>(&[3, 3])
    });
}

#[test]
fn matching_runtime_dims_succeed() {
    assert_eq!(
        no_panic("add", || m(2, 3).try_add(m(2, 3))).unwrap().dims(),
        [2, 3]
    );
    assert_eq!(
        no_panic("matmul", || m(2, 3).try_matmul(m(3, 5)))
            .unwrap()
            .dims(),
        [2, 5]
    );
    assert_eq!(
        no_panic("sum of empty", || dy(&[2, 0])
            .try_reduce_axes::<DynShape>(ReduceOp::Sum, &[1]))
        .unwrap()
        .to_vec(),
        vec![0.0, 0.0]
    );
}
