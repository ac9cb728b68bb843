//! Regression losses: squared, absolute, Huber, smooth L1 and Poisson negative log-likelihood.

use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{HasShape, Shape};
use gf_core::{Device, Dtype, Error, Result, Tape, Tensor};

use super::{check_arg, check_same_dims, constant, reduce, Reduction};

/// `(pred − target)²` elementwise.
pub fn mse_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
) -> Result<Tensor<S, E, D, T>> {
    pred.try_sub(target.clone())?.try_square()
}

/// Mean (or summed) squared error: `nn.MSELoss`.
pub fn mse_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(mse_loss_none(pred, target)?, reduction)
}

/// `|pred − target|` elementwise.
pub fn l1_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
) -> Result<Tensor<S, E, D, T>> {
    pred.try_sub(target.clone())?.try_abs()
}

/// Mean (or summed) absolute error: `nn.L1Loss`.
pub fn l1_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(l1_loss_none(pred, target)?, reduction)
}

/// Huber loss elementwise: `½d²` where `|d| ≤ delta`, `delta·(|d| − ½delta)` beyond.
/// Written as `½·min(|d|, δ)² + δ·(|d| − min(|d|, δ))`, which is the same function.
pub fn huber_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    delta: f64,
) -> Result<Tensor<S, E, D, T>> {
    if delta.partial_cmp(&0.0) != Some(core::cmp::Ordering::Greater) {
        return Err(Error::Argument {
            op: "huber_loss",
            message: format!("delta = {delta} must be positive"),
        });
    }
    let a = pred.try_sub(target.clone())?.try_abs()?;
    let small = a.clone().try_clamp(E::zero(), E::from_f64(delta))?;
    let quad = small
        .clone()
        .try_square()?
        .try_mul_scalar(E::from_f64(0.5))?;
    let lin = a.try_sub(small)?.try_mul_scalar(E::from_f64(delta))?;
    quad.try_add(lin)
}

/// `nn.HuberLoss(delta = 1.0)`.
pub fn huber_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    delta: f64,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(huber_loss_none(pred, target, delta)?, reduction)
}

/// Smooth L1 elementwise: `½d²/β` where `|d| < β`, `|d| − ½β` beyond (Huber divided by β).
pub fn smooth_l1_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    beta: f64,
) -> Result<Tensor<S, E, D, T>> {
    huber_loss_none(pred, target, beta)?.try_mul_scalar(E::from_f64(1.0 / beta))
}

/// `nn.SmoothL1Loss(beta = 1.0)`.
pub fn smooth_l1_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    pred: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    beta: f64,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(smooth_l1_loss_none(pred, target, beta)?, reduction)
}

/// Options of [`poisson_nll_loss`], with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonNllOpts {
    /// The input is the log of the rate (`exp(x) − y·x`) rather than the rate itself
    /// (`x − y·ln(x + eps)`); `true` by default.
    pub log_input: bool,
    /// Adds Stirling's approximation of `ln(y!)`, `y·ln y − y + ½·ln(2πy)`, where `y > 1`
    /// (0 elsewhere); `false` by default.
    pub full: bool,
    /// Keeps `ln(x + eps)` finite at a zero rate when `log_input` is `false`; `1e-8`.
    pub eps: f64,
    /// Mean over every element (the default) or sum.
    pub reduction: Reduction,
}

impl Default for PoissonNllOpts {
    /// `log_input = true`, `full = false`, `eps = 1e-8`, mean: `nn.PoissonNLLLoss()`.
    fn default() -> Self {
        PoissonNllOpts {
            log_input: true,
            full: false,
            eps: 1e-8,
            reduction: Reduction::Mean,
        }
    }
}

/// Poisson negative log-likelihood elementwise (`F.poisson_nll_loss(reduction='none')`):
/// `exp(x) − y·x` for a log-rate input, `x − y·ln(x + eps)` for a rate, plus Stirling's term
/// for `ln(y!)` when `full`. `Err` for `eps` negative or not finite, or when the input's and
/// the target's run-time dims differ.
pub fn poisson_nll_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    opts: &PoissonNllOpts,
) -> Result<Tensor<S, E, D, T>> {
    const OP: &str = "poisson_nll_loss";
    let eps = opts.eps;
    check_arg(
        OP,
        "eps",
        eps,
        eps >= 0.0 && eps.is_finite(),
        "finite and >= 0",
    )?;
    check_same_dims(
        OP,
        ("input", input.dims().as_ref()),
        ("target", target.dims().as_ref()),
    )?;
    let y = target.clone();
    let loss = if opts.log_input {
        input.clone().try_exp()?.try_sub(input.try_mul(y)?)?
    } else {
        let log_rate = input.clone().try_add_scalar(E::from_f64(eps))?.try_ln()?;
        input.try_sub(log_rate.try_mul(y)?)?
    };
    if !opts.full {
        return Ok(loss);
    }
    // the Stirling term depends on the target only: a constant, computed on the host in
    // PyTorch's order and masked to 0 where y ≤ 1 as PyTorch does
    let stirling: Vec<E> = target
        .try_to_vec()?
        .into_iter()
        .map(|v| {
            let y = v.as_f64();
            let s = if y > 1.0 {
                y * y.ln() - y + 0.5 * (2.0 * core::f64::consts::PI * y).ln()
            } else {
                0.0
            };
            E::from_f64(s)
        })
        .collect();
    loss.try_add(constant(
        target.device(),
        target.shape().clone(),
        &stirling,
    )?)
}

/// `nn.PoissonNLLLoss(log_input, full, eps, reduction)`; see [`poisson_nll_loss_none`].
pub fn poisson_nll_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    opts: &PoissonNllOpts,
) -> Result<Tensor<(), E, D, T>> {
    reduce(poisson_nll_loss_none(input, target, opts)?, opts.reduction)
}
