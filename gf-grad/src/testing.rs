//! The device-parity suite: one set of op bodies that any device runs, compared with the CPU's
//! results, values and gradients alike. A device crate stamps it into its own tests with
//! [`device_tests!`](crate::device_tests); gf-grad runs it on the CPU itself, so the suite is
//! always exercised.
//!
//! ```ignore
//! // in a device crate's tests/parity.rs, for its own device type:
//! gf_grad::device_tests!(my_backend::Device::new(0).unwrap());
//! ```
//!
//! Each body is a generic function, instantiated once for the device under test and once for
//! [`Cpu`], from the same host inputs.

use gf_core::device::Device;
use gf_core::ops::conv::Conv2dOpts;
use gf_core::prelude::*;

use crate::backward::Backward;
use crate::tape::OwnedTape;

pub use gf_core::testing::{test_device, TestDevice, TestDtype};

/// A traced input of a parity case.
pub type Traced<D> = Tensor<DynShape, f64, D, OwnedTape>;
/// The scalar a parity case returns.
pub type Loss<D> = Tensor<(), f64, D, OwnedTape>;

/// Inputs of `shapes`, deterministic and spread over [−2, 2] without ties or zeros.
fn inputs(shapes: &[&[usize]]) -> Vec<Vec<f64>> {
    let mut k = 0u64;
    shapes
        .iter()
        .map(|s| {
            (0..s.iter().product::<usize>())
                .map(|_| {
                    k += 1;
                    let v = ((k * 7919) % 4001) as f64 / 1000.0 - 2.0005;
                    if v.abs() < 0.05 {
                        v + 0.1
                    } else {
                        v
                    }
                })
                .collect()
        })
        .collect()
}

fn run<D: Device<f64>>(
    dev: &D,
    shapes: &[&[usize]],
    data: &[Vec<f64>],
    f: fn(&[Traced<D>]) -> Loss<D>,
) -> (f64, Vec<Vec<f64>>) {
    let tape = OwnedTape::new();
    let xs: Vec<Tensor<DynShape, f64, D>> = shapes
        .iter()
        .zip(data)
        .map(|(s, v)| dev.tensor_from_vec(v.clone(), DynShape::new(*s)))
        .collect();
    let traced: Vec<Traced<D>> = xs.iter().map(|x| x.watched(&tape)).collect();
    let loss = f(&traced);
    let value = loss.scalar();
    let grads = loss.backward();
    let g = xs
        .iter()
        .map(|x| {
            grads
                .get(x)
                .map_or_else(|| vec![0.0; x.num_elements()], |g| g.to_vec())
        })
        .collect();
    (value, g)
}

/// Runs `on_dev` on `dev` and `on_cpu` on the CPU with the same inputs of `shapes`, and
/// asserts that the losses and every input's gradient agree within `tol` (relative).
pub fn assert_parity<D: Device<f64>>(
    name: &str,
    dev: &D,
    shapes: &[&[usize]],
    on_dev: fn(&[Traced<D>]) -> Loss<D>,
    on_cpu: fn(&[Traced<Cpu>]) -> Loss<Cpu>,
    tol: f64,
) {
    let data = inputs(shapes);
    let (lv, lg) = run(dev, shapes, &data, on_dev);
    let (cv, cg) = run(&Cpu::default(), shapes, &data, on_cpu);
    let close =
        |a: f64, b: f64| (a - b).abs() <= tol * (1.0 + b.abs()) || (a.is_nan() && b.is_nan());
    assert!(
        close(lv, cv),
        "{name}: loss {lv} on {}, {cv} on the CPU",
        dev.name()
    );
    for (i, (a, b)) in lg.iter().zip(&cg).enumerate() {
        for (e, (&x, &y)) in a.iter().zip(b).enumerate() {
            assert!(
                close(x, y),
                "{name}: gradient of input {i} at {e}: {x} on {}, {y} on the CPU",
                dev.name()
            );
        }
    }
}

fn sum_all<D: Device<f64>>(t: Traced<D>) -> Loss<D> {
    let axes: Vec<usize> = (0..t.dims().len()).collect();
    t.try_reduce_axes(ReduceOp::Sum, &axes).unwrap()
}

macro_rules! parity_cases {
    ($($(#[$doc:meta])* $name:ident, shapes: $shapes:expr, |$xs:ident| $body:expr;)*) => {
        $(
            $(#[$doc])*
            fn $name<D: Device<f64>>($xs: &[Traced<D>]) -> Loss<D> {
                $body
            }
        )*

        /// Every parity case on `dev`, compared with the CPU within `tol` (relative).
        pub fn all_cases<D: Device<f64>>(dev: &D, tol: f64) {
            $(assert_parity(stringify!($name), dev, $shapes, $name::<D>, $name::<Cpu>, tol);)*
        }
    };
}

parity_cases! {
    /// The smooth unary rows, chained so each one's derivative is exercised.
    unary_smooth, shapes: &[&[3, 5]], |xs| {
        let x = xs[0].clone();
        let a = x.clone().tanh() + x.clone().sigmoid() + x.clone().sin() + x.clone().cos();
        let b = x.clone().exp() + x.clone().abs().add_scalar(0.5).ln() + x.clone().square().add_scalar(1.0).sqrt();
        let c = x.clone().gelu() + x.clone().gelu_tanh() + x.clone().silu() + x.clone().mish();
        let d = x.clone().softplus() + x.clone().elu(1.0) + x.clone().selu() + x.clone().recip();
        let e = x.clone().powi(3) + x.clone().abs().add_scalar(0.1).powf(1.5) + x.clone().neg();
        sum_all(a + b + c + d + e)
    };
    /// The piecewise unary rows and the scalar ones.
    unary_piecewise, shapes: &[&[4, 4]], |xs| {
        let x = xs[0].clone();
        let a = x.clone().relu() + x.clone().leaky_relu(0.1) + x.clone().clamp(-1.0, 1.0);
        let b = x.clone().mul_scalar(3.0).sub_scalar(1.0).div_scalar(2.0).rsub_scalar(0.5);
        sum_all(a * b)
    };
    /// The binary rows, with numpy broadcasting of DynShape operands.
    binary, shapes: &[&[2, 3], &[3]], |xs| {
        let (x, y) = (xs[0].clone(), xs[1].clone());
        let a = x.clone() + y.clone() - y.clone() * x.clone();
        let b = x.clone() / y.clone().abs().add_scalar(0.5);
        let c = x.clone().maximum(y.clone()) + x.clone().minimum(y.clone());
        let d = x.clone().abs().add_scalar(0.5).pow(y.clone());
        sum_all(a + b + c + d)
    };
    /// Matrix products, plain and batched with a broadcast right operand, through a transpose.
    matmul, shapes: &[&[2, 3, 4], &[4, 5], &[5, 3]], |xs| {
        let p = xs[0].clone().matmul(xs[1].clone());
        let q = p.matmul(xs[2].clone().try_permute_axes::<DynShape>(&[1, 0]).unwrap().try_permute_axes(&[1, 0]).unwrap());
        sum_all(q.tanh())
    };
    /// Reductions over run-time axes.
    reductions, shapes: &[&[3, 4, 2]], |xs| {
        let x = xs[0].clone();
        let m = x.clone().try_reduce_axes::<DynShape>(ReduceOp::Max, &[1]).unwrap();
        let s = x.clone().try_softmax_axis(2).unwrap().try_reduce_axes::<DynShape>(ReduceOp::Sum, &[1]).unwrap();
        let l = x.clone().try_logsumexp_axes::<DynShape>(&[0, 2]).unwrap();
        let v = x.try_var_axes::<DynShape>(&[0, 1], 1).unwrap();
        sum_all(m.square()) + sum_all(s.square()) + sum_all(l) + sum_all(v)
    };
    /// Views: permute, reshape, narrow and broadcast, then a contiguous copy.
    views, shapes: &[&[2, 3, 4]], |xs| {
        let x = xs[0].clone().try_permute_axes::<DynShape>(&[2, 0, 1]).unwrap();
        let x = x.try_narrow_axis::<DynShape>(0, 1, 2).unwrap();
        let x = x.try_reshape_like(&DynShape::new([2, 6])).unwrap().try_contiguous().unwrap();
        sum_all(x.clone().square() * x.try_broadcast_numpy::<DynShape>(&[3, 2, 6]).unwrap().tanh())
    };
    /// Convolution and the three poolings.
    conv_pool, shapes: &[&[2, 2, 6, 6], &[3, 2, 3, 3]], |xs| {
        let y: Traced<D> = xs[0].clone().try_conv2d_args(xs[1].clone(), Conv2dOpts::new().to_args()).unwrap();
        let m: Traced<D> = y.clone().try_pool2d_args(gf_core::ops::pool::PoolKind::Max, [2, 2], [2, 2], [0, 0], [0, 0]).unwrap();
        let a: Traced<D> = y.clone().try_pool2d_args(gf_core::ops::pool::PoolKind::Avg, [2, 2], [1, 1], [1, 1], [0, 0]).unwrap();
        let g: Traced<D> = y.try_pool2d_args(gf_core::ops::pool::PoolKind::AdaptiveAvg, [0, 0], [0, 0], [0, 0], [3, 2]).unwrap();
        sum_all(m.square()) + sum_all(a.tanh()) + sum_all(g)
    };
}

/// Stamps the device-parity suite into the calling test crate for the device `$dev` (an
/// expression evaluated per test): every case's loss and gradients on that device must match
/// the CPU's within `$tol` (relative; `1e-12` when omitted).
#[macro_export]
macro_rules! device_tests {
    ($dev:expr) => {
        $crate::device_tests!($dev, 1e-12);
    };
    ($dev:expr, $tol:expr) => {
        #[test]
        fn every_op_matches_the_cpu_in_values_and_gradients() {
            $crate::testing::all_cases(&$dev, $tol);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square<D: Device<f64>>(xs: &[Traced<D>]) -> Loss<D> {
        sum_all(xs[0].clone().square())
    }

    fn cube<D: Device<f64>>(xs: &[Traced<D>]) -> Loss<D> {
        sum_all(xs[0].clone().powi(3))
    }

    #[test]
    #[should_panic(expected = "a wrong kernel: loss")]
    fn a_device_that_computes_something_else_fails_the_suite() {
        assert_parity(
            "a wrong kernel",
            &test_device(),
            &[&[4]],
            cube::<Cpu>,
            square::<Cpu>,
            1e-12,
        );
    }
}
