//! Binary losses on probabilities or logits: BCE, BCE-with-logits and the sigmoid focal loss.

use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{HasShape, Shape};
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use super::{check_arg, check_same_dims, constant, reduce, Reduction};

/// `−(y·ln p + (1 − y)·ln(1 − p))` elementwise on probabilities, each log clamped at −100
/// as in PyTorch, so `p = 0` or `1` gives a finite loss.
pub fn binary_cross_entropy_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    prob: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
) -> Result<Tensor<S, E, D, T>> {
    let floor = E::from_f64(-100.0);
    let log_p = prob.clone().try_ln()?.try_clamp(floor, E::infinity())?;
    let log_q = prob
        .try_neg()?
        .try_add_scalar(E::one())?
        .try_ln()?
        .try_clamp(floor, E::infinity())?;
    let y = target.clone();
    let not_y = target.clone().try_neg()?.try_add_scalar(E::one())?;
    log_p.try_mul(y)?.try_add(log_q.try_mul(not_y)?)?.try_neg()
}

/// `nn.BCELoss`.
pub fn binary_cross_entropy<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    prob: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(binary_cross_entropy_none(prob, target)?, reduction)
}

/// BCE of `σ(logit)` elementwise, computed from the logit without a log of 0:
/// `(1 − y)·x + (1 + (w − 1)·y)·(log(1 + e^−|x|) + max(−x, 0))`, where `w` is the positive
/// class's weight (`pos_weight`, 1 when `None`), broadcast from `(C,)` over the leading axes.
pub fn binary_cross_entropy_with_logits_none<S, E, D, T>(
    logit: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    pos_weight: Option<&Tensor<S, E, D>>,
) -> Result<Tensor<S, E, D, T>>
where
    S: Shape,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    let y = target.clone();
    let not_y = y.clone().try_neg()?.try_add_scalar(E::one())?;
    let soft = logit
        .clone()
        .try_abs()?
        .try_neg()?
        .try_softplus()?
        .try_add(logit.clone().try_neg()?.try_relu()?)?;
    let scale = match pos_weight {
        None => None,
        Some(w) => Some(
            w.clone()
                .try_sub_scalar(E::one())?
                .try_mul(y)?
                .try_add_scalar(E::one())?,
        ),
    };
    let soft = match scale {
        None => soft,
        Some(s) => soft.try_mul(s)?,
    };
    logit.try_mul(not_y)?.try_add(soft)
}

/// `nn.BCEWithLogitsLoss(pos_weight = ...)`; `pos_weight` is given at the input's shape (use
/// `broadcast_like` for a per-class `(C,)` weight).
pub fn binary_cross_entropy_with_logits<S, E, D, T>(
    logit: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    pos_weight: Option<&Tensor<S, E, D>>,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>>
where
    S: Shape,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    reduce(
        binary_cross_entropy_with_logits_none(logit, target, pos_weight)?,
        reduction,
    )
}

/// Options of [`sigmoid_focal_loss`], with torchvision's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FocalOpts {
    /// The positive class's weight `α` in `[0, 1]` (negatives weigh `1 − α`); `None` weighs
    /// both 1 (torchvision's negative `alpha`). `Some(0.25)` by default.
    pub alpha: Option<f64>,
    /// The focusing exponent `γ ≥ 0` of `(1 − p_t)^γ`; `2` by default (0 gives plain BCE).
    pub gamma: f64,
    /// Mean or sum. torchvision's default is `"none"`, which is
    /// [`sigmoid_focal_loss_none`].
    pub reduction: Reduction,
}

impl Default for FocalOpts {
    /// `alpha = 0.25`, `gamma = 2`, mean.
    fn default() -> Self {
        FocalOpts {
            alpha: Some(0.25),
            gamma: 2.0,
            reduction: Reduction::Mean,
        }
    }
}

/// The focal loss of Lin et al. (RetinaNet) elementwise, as `torchvision.ops.sigmoid_focal_loss`:
/// `α_t · (1 − p_t)^γ · BCE(σ(x), y)` with `p = σ(x)`, `p_t = p·y + (1 − p)·(1 − y)` and
/// `α_t = α·y + (1 − α)·(1 − y)`. The BCE is [`binary_cross_entropy_with_logits_none`], so a
/// large logit never takes the log of 0. `Err` for `α` outside `[0, 1]`, `γ` negative or not
/// finite, or run-time dims that differ.
pub fn sigmoid_focal_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logit: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    opts: &FocalOpts,
) -> Result<Tensor<S, E, D, T>> {
    const OP: &str = "sigmoid_focal_loss";
    let gamma = opts.gamma;
    check_arg(
        OP,
        "gamma",
        gamma,
        gamma >= 0.0 && gamma.is_finite(),
        "finite and >= 0",
    )?;
    if let Some(alpha) = opts.alpha {
        check_arg(
            OP,
            "alpha",
            alpha,
            (0.0..=1.0).contains(&alpha),
            "in [0, 1]",
        )?;
    }
    check_same_dims(
        OP,
        ("logit", logit.dims().as_ref()),
        ("target", target.dims().as_ref()),
    )?;
    let one = E::one();
    let y = target.clone();
    let not_y = y.clone().try_neg()?.try_add_scalar(one)?;
    let p = logit.clone().try_sigmoid()?;
    let ce = binary_cross_entropy_with_logits_none(logit, target, None)?;
    let mut loss = ce;
    // γ = 0 leaves the BCE; skipping the factor also keeps 0·x⁻¹ out of the backward
    if gamma != 0.0 {
        let p_t = p
            .clone()
            .try_mul(y)?
            .try_add(p.try_neg()?.try_add_scalar(one)?.try_mul(not_y.clone())?)?;
        let factor = p_t
            .try_neg()?
            .try_add_scalar(one)?
            .try_powf(E::from_f64(gamma))?;
        loss = loss.try_mul(factor)?;
    }
    if let Some(alpha) = opts.alpha {
        // α_t depends on the target only: a constant
        let alpha_t: Vec<E> = target
            .try_to_vec()?
            .into_iter()
            .map(|v| {
                let y = v.as_f64();
                E::from_f64(alpha * y + (1.0 - alpha) * (1.0 - y))
            })
            .collect();
        loss = loss.try_mul(constant(target.device(), target.shape().clone(), &alpha_t)?)?;
    }
    Ok(loss)
}

/// `torchvision.ops.sigmoid_focal_loss` reduced by `opts.reduction`; see
/// [`sigmoid_focal_loss_none`].
pub fn sigmoid_focal_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logit: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    opts: &FocalOpts,
) -> Result<Tensor<(), E, D, T>> {
    reduce(
        sigmoid_focal_loss_none(logit, target, opts)?,
        opts.reduction,
    )
}
