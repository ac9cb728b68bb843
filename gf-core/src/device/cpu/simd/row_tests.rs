//! Every available path against the scalar one for the op-row loops of [`super::elementwise`]
//! and the row kernels of [`super::softmax`], on lengths around every lane width.

use super::elementwise::{binary_in_place, binary_into, unary_bwd, unary_in_place, unary_into};
use super::softmax::{
    log_softmax_row, log_softmax_row_bwd, logsumexp_row, logsumexp_row_bwd, softmax_row,
    softmax_row_bwd,
};
use super::tests::{data, LENGTHS};
use super::{min, SimdElem, SimdPath};
use crate::ops::binary::{Add, Div, Maximum, Mul, Sub};
use crate::ops::unary::{Exp, Ln, Relu, Sigmoid, Silu, Tanh, UnaryOp};

/// `|got − want| ≤ tol · max(1, |want|)` element by element, or both NaN.
fn assert_close<E: SimdElem>(got: &[E], want: &[E], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let (g, w) = (g.as_f64(), w.as_f64());
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= tol * w.abs().max(1.0);
        assert!(ok, "{what}, element {i}: got {g}, scalar gives {w}");
    }
}

/// The tolerance of a few ulps, or of a row of `n` terms summed in another order.
fn tol<E: SimdElem>(n: usize) -> f64 {
    E::epsilon().as_f64() * (8.0 + n as f64)
}

fn unary_op_matches_scalar<E: SimdElem, Op: UnaryOp<E>>(op: Op, positive: bool) {
    for path in SimdPath::available() {
        for n in LENGTHS {
            let at = |what: &str| format!("{} {what} on {path}, length {n}", Op::NAME);
            let mut x = data::<E>(n, 5);
            if positive {
                x.iter_mut().for_each(|v| *v = v.abs() + E::from_f64(0.01));
            }
            // guard elements past `n` catch a tail that writes too far
            let (mut y, mut want) = (vec![E::from_f64(7.0); n + 3], vec![E::from_f64(7.0); n + 3]);
            unary_into(path, &op, &x, &mut y[..n]);
            unary_into(SimdPath::Scalar, &op, &x, &mut want[..n]);
            assert_close(&y, &want, tol::<E>(0), &at("forward"));
            let mut z = x.clone();
            unary_in_place(path, &op, &mut z);
            assert_close(&z, &want[..n], tol::<E>(0), &at("in place"));
            let g = data::<E>(n, 6);
            let (mut gi, mut gi_want) = (data::<E>(n + 3, 7), data::<E>(n + 3, 7));
            unary_bwd(path, &op, &x, &g, &mut gi[..n]);
            unary_bwd(SimdPath::Scalar, &op, &x, &g, &mut gi_want[..n]);
            assert_close(&gi, &gi_want, tol::<E>(0), &at("backward"));
        }
    }
}

fn unary_ops_match_scalar<E: SimdElem>() {
    unary_op_matches_scalar::<E, _>(Exp::new(), false);
    unary_op_matches_scalar::<E, _>(Ln::new(), true);
    unary_op_matches_scalar::<E, _>(Tanh::new(), false);
    unary_op_matches_scalar::<E, _>(Sigmoid::new(), false);
    unary_op_matches_scalar::<E, _>(Silu::new(), false);
    unary_op_matches_scalar::<E, _>(Relu::new(), false);
}

#[test]
fn unary_rows_match_scalar_on_every_path_f32() {
    unary_ops_match_scalar::<f32>();
}

#[test]
fn unary_rows_match_scalar_on_every_path_f64() {
    unary_ops_match_scalar::<f64>();
}

#[test]
fn relu_rows_keep_nan_and_zero_the_derivative_at_zero() {
    for path in SimdPath::available() {
        let x = [f32::NAN, -0.0, 0.0, -1.0, 2.0, f32::NAN, -3.0, 0.5, 1.0];
        let mut y = [0.0; 9];
        unary_into(path, &Relu::new(), &x, &mut y);
        assert!(y[0].is_nan() && y[5].is_nan(), "relu(NaN) on {path}: {y:?}");
        assert_eq!(&y[1..5], &[0.0, 0.0, 0.0, 2.0]);
        let mut gi = [0.0; 9];
        unary_bwd(path, &Relu::new(), &x, &[1.0; 9], &mut gi);
        assert_eq!(
            gi,
            [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0],
            "on {path}"
        );
    }
}

fn binary_ops_match_scalar<E: SimdElem>() {
    fn one<E: SimdElem, Op: crate::ops::binary::BinaryOp<E>>(op: Op) {
        for path in SimdPath::available() {
            for n in LENGTHS {
                let (a, b) = (data::<E>(n, 8), data::<E>(n, 9));
                let (mut y, mut want) = (vec![E::zero(); n + 3], vec![E::zero(); n + 3]);
                binary_into(path, &op, &a, &b, &mut y[..n]);
                binary_into(SimdPath::Scalar, &op, &a, &b, &mut want[..n]);
                let what = format!("{} on {path}, length {n}", Op::NAME);
                assert_close(&y, &want, 0.0, &what);
                let mut z = a.clone();
                binary_in_place(path, &op, &mut z, &b);
                assert_close(&z, &want[..n], 0.0, &format!("{what}, in place"));
            }
        }
    }
    one::<E, _>(Add);
    one::<E, _>(Sub);
    one::<E, _>(Mul);
    one::<E, _>(Div);
    one::<E, _>(Maximum);
}

#[test]
fn binary_rows_match_scalar_on_every_path() {
    binary_ops_match_scalar::<f32>();
    binary_ops_match_scalar::<f64>();
}

fn broadcast_runs_match_scalar<E: SimdElem>() {
    use super::elementwise::{binary_bwd, binary_run_in_place, binary_run_into, Run};
    let s = SimdPath::Scalar;
    for path in SimdPath::available() {
        for n in LENGTHS {
            let (a, b, g) = (data::<E>(n, 14), data::<E>(n, 15), data::<E>(n, 16));
            let c = E::from_f64(0.75);
            let what = |w: &str| format!("{w} on {path}, length {n}");
            let runs = [
                (Run::Slice(&a[..]), Run::Splat(c)),
                (Run::Splat(c), Run::Slice(&b[..])),
                (Run::Slice(&a[..]), Run::Slice(&b[..])),
            ];
            for (x, y) in runs {
                let (mut out, mut want) = (vec![E::zero(); n + 3], vec![E::zero(); n + 3]);
                binary_run_into(path, &Div, x, y, &mut out[..n]);
                binary_run_into(s, &Div, x, y, &mut want[..n]);
                assert_close(&out, &want, 0.0, &what("div over runs"));
                for by_x in [true, false] {
                    let (mut acc, mut acc_want) = (data::<E>(n + 3, 17), data::<E>(n + 3, 17));
                    binary_bwd(path, &Div, by_x, x, y, &g, &mut acc[..n]);
                    binary_bwd(s, &Div, by_x, x, y, &g, &mut acc_want[..n]);
                    assert_close(
                        &acc,
                        &acc_want,
                        tol::<E>(0),
                        &what("div backward over runs"),
                    );
                }
            }
            let (mut z, mut z_want) = (a.clone(), a.clone());
            binary_run_in_place(path, &Sub, &mut z, Run::Splat(c));
            binary_run_in_place(s, &Sub, &mut z_want, Run::Splat(c));
            assert_close(&z, &z_want, 0.0, &what("sub of a repeated value in place"));
        }
    }
}

#[test]
fn broadcast_runs_match_scalar_on_every_path() {
    broadcast_runs_match_scalar::<f32>();
    broadcast_runs_match_scalar::<f64>();
}

fn softmax_rows_match_scalar<E: SimdElem>() {
    for path in SimdPath::available() {
        for n in LENGTHS.into_iter().filter(|&n| n > 0) {
            let at = |what: &str| format!("{what} on {path}, length {n}");
            let x: Vec<E> = data::<E>(n, 10)
                .iter()
                .map(|&v| v * E::from_f64(20.0))
                .collect();
            let s = SimdPath::Scalar;
            for log in [false, true] {
                let f = if log {
                    log_softmax_row::<E>
                } else {
                    softmax_row::<E>
                };
                let (mut y, mut want) = (vec![E::zero(); n + 3], vec![E::zero(); n + 3]);
                f(path, &x, &mut y[..n]);
                f(s, &x, &mut want[..n]);
                assert_close(
                    &y,
                    &want,
                    tol::<E>(n),
                    &at(if log { "log_softmax" } else { "softmax" }),
                );
                let b = if log {
                    log_softmax_row_bwd::<E>
                } else {
                    softmax_row_bwd::<E>
                };
                let g = data::<E>(n, 11);
                let (mut gi, mut gi_want) = (data::<E>(n, 12), data::<E>(n, 12));
                b(path, &want[..n], &g, &mut gi);
                b(s, &want[..n], &g, &mut gi_want);
                assert_close(&gi, &gi_want, tol::<E>(n), &at("softmax backward"));
            }
            let lse = logsumexp_row(path, &x);
            assert_close(
                &[lse],
                &[logsumexp_row(s, &x)],
                tol::<E>(n),
                &at("logsumexp"),
            );
            let (mut gi, mut gi_want) = (data::<E>(n, 13), data::<E>(n, 13));
            logsumexp_row_bwd(path, &x, lse, E::from_f64(0.5), &mut gi);
            logsumexp_row_bwd(s, &x, lse, E::from_f64(0.5), &mut gi_want);
            assert_close(&gi, &gi_want, tol::<E>(0), &at("logsumexp backward"));
            assert_eq!(min(path, &x), min(s, &x), "{}", at("min"));
        }
    }
}

#[test]
fn softmax_rows_match_scalar_on_every_path() {
    softmax_rows_match_scalar::<f32>();
    softmax_rows_match_scalar::<f64>();
}

#[test]
fn softmax_rows_sum_to_one_and_shift_infinite_maxima_by_zero() {
    for path in SimdPath::available() {
        let x: Vec<f32> = (0..37).map(|i| i as f32 * 3.0).collect();
        let mut y = vec![0.0; 37];
        softmax_row(path, &x, &mut y);
        let total: f32 = y.iter().sum();
        assert!((total - 1.0).abs() < 1e-5, "on {path}: sums to {total}");
        let all_neg_inf = [f32::NEG_INFINITY; 9];
        let mut y = [0.0; 9];
        softmax_row(path, &all_neg_inf, &mut y);
        assert!(y.iter().all(|v| v.is_nan()), "on {path}: {y:?}");
        assert_eq!(logsumexp_row(path, &[f32::NEG_INFINITY, 0.0]), 0.0);
    }
}
