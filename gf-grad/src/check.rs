//! Finite-difference gradient checking.

use gf_core::device::Cpu;
use gf_core::prelude::*;

use crate::backward::{Backward, Trace};
use crate::tape::OwnedTape;

/// A traced f64 tensor of any rank on the CPU: what [`gradcheck`] feeds the function.
pub type Traced = Tensor<DynShape, f64, Cpu, OwnedTape>;

/// Where the analytic gradient and central differences disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct GradcheckError {
    /// Which input.
    pub input: usize,
    /// Which element of it (row-major).
    pub element: usize,
    /// The gradient from `backward()`.
    pub analytic: f64,
    /// The central-difference estimate.
    pub numeric: f64,
}

impl core::fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "gradient of input {} at element {}: backward gives {:.8e}, central differences give {:.8e}",
            self.input, self.element, self.analytic, self.numeric
        )
    }
}

impl std::error::Error for GradcheckError {}

/// The step and tolerances of a gradient check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradcheckOpts {
    /// The central-difference step.
    pub h: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Tolerance relative to the numeric estimate.
    pub rtol: f64,
}

impl Default for GradcheckOpts {
    /// h = 1e-6, atol = 1e-6, rtol = 1e-4: for smooth f64 compositions.
    fn default() -> Self {
        GradcheckOpts {
            h: 1e-6,
            atol: 1e-6,
            rtol: 1e-4,
        }
    }
}

/// Compares `backward()` of `f` with central differences `(f(x + h) − f(x − h)) / 2h`, in f64,
/// for every element of every input. Passes when `|analytic − numeric| ≤ atol + rtol·|numeric|`
/// everywhere (h = 1e-6, atol = 1e-6, rtol = 1e-4).
///
/// `f` receives the inputs traced on one tape and returns a scalar; it may permute, slice or
/// broadcast them to test non-contiguous cases.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_grad::gradcheck;
/// let dev = Cpu::seed_from_u64(0);
/// let x = dev.randn_like(&DynShape::new([3, 4]));
/// gradcheck(&[x], |xs| xs[0].clone().tanh().square().try_reduce_axes(ReduceOp::Sum, &[0, 1]).unwrap()).unwrap();
/// ```
pub fn gradcheck<F>(inputs: &[Tensor<DynShape, f64, Cpu>], f: F) -> Result<(), GradcheckError>
where
    F: Fn(&[Traced]) -> Tensor<(), f64, Cpu, OwnedTape>,
{
    gradcheck_with(inputs, f, GradcheckOpts::default())
}

/// [`gradcheck`] with another step and tolerances: a larger, exactly representable step checks
/// functions that round through f32 (central differences are exact for quadratics).
pub fn gradcheck_with<F>(
    inputs: &[Tensor<DynShape, f64, Cpu>],
    f: F,
    opts: GradcheckOpts,
) -> Result<(), GradcheckError>
where
    F: Fn(&[Traced]) -> Tensor<(), f64, Cpu, OwnedTape>,
{
    let GradcheckOpts { h, atol, rtol } = opts;
    let trace_all = |xs: &[Tensor<DynShape, f64, Cpu>]| {
        let tape = OwnedTape::new();
        xs.iter().map(|x| x.trace_into(&tape)).collect::<Vec<_>>()
    };
    let grads = f(&trace_all(inputs)).backward();
    let dev = Cpu::default();
    for (i, x) in inputs.iter().enumerate() {
        let analytic = grads
            .get(x)
            .map_or_else(|| vec![0.0; x.num_elements()], |g| g.to_vec());
        let base = x.to_vec();
        for e in 0..base.len() {
            let eval = |delta: f64| {
                let mut v = base.clone();
                v[e] += delta;
                let mut xs: Vec<_> = inputs.to_vec();
                xs[i] = dev.tensor_from_vec(v, x.shape().clone());
                f(&trace_all(&xs)).scalar()
            };
            let numeric = (eval(h) - eval(-h)) / (2.0 * h);
            if (analytic[e] - numeric).abs() > atol + rtol * numeric.abs() || analytic[e].is_nan() {
                return Err(GradcheckError {
                    input: i,
                    element: e,
                    analytic: analytic[e],
                    numeric,
                });
            }
        }
    }
    Ok(())
}
