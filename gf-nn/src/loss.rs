//! Losses with PyTorch's names, defaults and formulas. Each `foo` reduces to a scalar by
//! [`Reduction::Mean`] or [`Reduction::Sum`]; `foo_none` returns the unreduced losses
//! (PyTorch's `reduction='none'`). Predictions may record a tape; targets do not.
//!
//! All are numerically stable: cross entropy goes through log-softmax (log-sum-exp with the
//! maximum subtracted), BCE-with-logits never takes the log of 0, and BCE clamps its logs at
//! −100 as PyTorch does.

use gf_core::ops::reduce::{MergeSelf, ReduceOp};
use gf_core::shape::{Dim, HasShape, Shape};
use gf_core::{Device, Dtype, Error, Result, Tape, Tensor};

/// How per-element losses become one number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// The mean over the elements (for weighted cross entropy and NLL: over the weights).
    #[default]
    Mean,
    /// The sum over the elements.
    Sum,
}

fn reduce<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    x: Tensor<S, E, D, T>,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    let axes: Vec<usize> = (0..x.shape().num_dims()).collect();
    match reduction {
        Reduction::Mean => x.try_mean_axes(&axes),
        Reduction::Sum => x.try_reduce_axes(ReduceOp::Sum, &axes),
    }
}

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

/// Options of [`cross_entropy`] and [`nll_loss`], with PyTorch's defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossEntropyOpts {
    /// A weight per class (`weight=`); every class weighs 1 when `None`.
    pub weight: Option<Vec<f64>>,
    /// Targets equal to this are skipped and do not count in the mean (`ignore_index=`).
    pub ignore_index: Option<usize>,
    /// Mixes `label_smoothing / C` of a uniform distribution into the target (cross entropy
    /// only).
    pub label_smoothing: f64,
    /// Mean (over the weights of the counted targets) or sum.
    pub reduction: Reduction,
}

/// Per-row losses and the mean's denominator.
type RowsAndDenominator<B, E, D, T> = (Tensor<(B,), E, D, T>, f64);

/// The (B, C) matrix `Q` with `loss_i = −Σ_c Q[i, c]·logp[i, c]`, and the mean's denominator
/// `Σ_i w[y_i]` over the targets that count.
fn target_matrix(
    targets: &[usize],
    classes: usize,
    opts: &CrossEntropyOpts,
    smoothing: f64,
) -> Result<(Vec<f64>, f64)> {
    let w = |c: usize| opts.weight.as_ref().map_or(1.0, |w| w[c]);
    if let Some(wv) = &opts.weight {
        if wv.len() != classes {
            return Err(Error::Shape {
                op: "cross_entropy",
                message: format!("{} class weights for {classes} classes", wv.len()),
            });
        }
    }
    let mut q = vec![0.0; targets.len() * classes];
    let mut denom = 0.0;
    for (i, &y) in targets.iter().enumerate() {
        if Some(y) == opts.ignore_index {
            continue;
        }
        if y >= classes {
            return Err(Error::Index {
                op: "cross_entropy",
                index: y,
                size: classes,
            });
        }
        denom += w(y);
        let row = &mut q[i * classes..(i + 1) * classes];
        row[y] += (1.0 - smoothing) * w(y);
        for (c, r) in row.iter_mut().enumerate() {
            *r += smoothing / classes as f64 * w(c);
        }
    }
    Ok((q, denom))
}

fn nll_from_log_probs<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    log_probs: Tensor<(B, C), E, D, T>,
    targets: &Tensor<(B,), usize, D>,
    opts: &CrossEntropyOpts,
    smoothing: f64,
) -> Result<RowsAndDenominator<B, E, D, T>> {
    let [b, c] = log_probs.dims();
    if targets.dims()[0] != b {
        return Err(Error::Shape {
            op: "cross_entropy",
            message: format!("{b} rows of scores but {} targets", targets.dims()[0]),
        });
    }
    let (q, denom) = target_matrix(&targets.try_to_vec()?, c, opts, smoothing)?;
    let q: Vec<E> = q.into_iter().map(E::from_f64).collect();
    let dev = log_probs.device().clone();
    let q = Tensor::<(B, C), E, D>::from_parts(
        dev.clone(),
        std::sync::Arc::new(dev.try_from_host(&q)?),
        *log_probs.shape(),
        log_probs.shape().strides(),
        0,
        gf_core::NoneTape,
    )?;
    let per_row: Tensor<(B,), E, D, T> = log_probs
        .try_mul(q)?
        .try_reduce_axes(ReduceOp::Sum, &[1])?
        .try_neg()?;
    Ok((per_row, denom))
}

fn reduce_weighted<B: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    per_row: Tensor<(B,), E, D, T>,
    denom: f64,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    let sum: Tensor<(), E, D, T> = per_row.try_reduce_axes(ReduceOp::Sum, &[0])?;
    match reduction {
        Reduction::Sum => Ok(sum),
        // PyTorch gives NaN when every target is ignored; so does 0/0 here
        Reduction::Mean => sum.try_mul_scalar(E::from_f64(1.0 / denom)),
    }
}

/// Cross entropy of class scores `(B, C)` against class indices `(B,)`: `nn.CrossEntropyLoss`
/// with `weight`, `ignore_index` and `label_smoothing`. Goes through log-softmax, so large
/// scores do not overflow. An index outside `0..C` (other than `ignore_index`) is an `Err`.
pub fn cross_entropy<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logits: Tensor<(B, C), E, D, T>,
    targets: &Tensor<(B,), usize, D>,
    opts: &CrossEntropyOpts,
) -> Result<Tensor<(), E, D, T>> {
    let (per_row, denom) = cross_entropy_parts(logits, targets, opts)?;
    reduce_weighted(per_row, denom, opts.reduction)
}

/// Per-row cross entropy (`reduction='none'`): 0 for ignored rows.
pub fn cross_entropy_none<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logits: Tensor<(B, C), E, D, T>,
    targets: &Tensor<(B,), usize, D>,
    opts: &CrossEntropyOpts,
) -> Result<Tensor<(B,), E, D, T>> {
    Ok(cross_entropy_parts(logits, targets, opts)?.0)
}

fn cross_entropy_parts<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logits: Tensor<(B, C), E, D, T>,
    targets: &Tensor<(B,), usize, D>,
    opts: &CrossEntropyOpts,
) -> Result<RowsAndDenominator<B, E, D, T>> {
    if !(0.0..=1.0).contains(&opts.label_smoothing) {
        return Err(Error::Argument {
            op: "cross_entropy",
            message: format!(
                "label_smoothing = {} must be in [0, 1]",
                opts.label_smoothing
            ),
        });
    }
    let log_probs = logits.try_log_softmax_axis(1)?;
    nll_from_log_probs(log_probs, targets, opts, opts.label_smoothing)
}

/// Negative log-likelihood of log-probabilities `(B, C)` against class indices: `nn.NLLLoss`
/// with `weight` and `ignore_index` (`label_smoothing` is not used).
pub fn nll_loss<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    log_probs: Tensor<(B, C), E, D, T>,
    targets: &Tensor<(B,), usize, D>,
    opts: &CrossEntropyOpts,
) -> Result<Tensor<(), E, D, T>> {
    let (per_row, denom) = nll_from_log_probs(log_probs, targets, opts, 0.0)?;
    reduce_weighted(per_row, denom, opts.reduction)
}

/// `target · (ln target − input)` elementwise, 0 where the target is 0: the pointwise
/// Kullback–Leibler divergence of `nn.KLDivLoss` (input log-probabilities, target
/// probabilities; `log_target = False`).
pub fn kl_div_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
) -> Result<Tensor<S, E, D, T>> {
    // target·ln(target) is a constant (targets do not record): computed on the host, with
    // PyTorch's xlogy convention 0·ln 0 = 0
    let t = target.try_to_vec()?;
    let ent: Vec<E> = t
        .iter()
        .map(|&v| {
            if v == E::zero() {
                E::zero()
            } else {
                v * v.ln()
            }
        })
        .collect();
    let dev = target.device().clone();
    let shape = target.shape().clone();
    let strides = shape.strides();
    let ent = Tensor::<S, E, D>::from_parts(
        dev.clone(),
        std::sync::Arc::new(dev.try_from_host(&ent)?),
        shape,
        strides,
        0,
        gf_core::NoneTape,
    )?;
    input.try_mul(target.clone())?.try_neg()?.try_add(ent)
}

/// `nn.KLDivLoss` with reduction `mean` (over every element, PyTorch's default) or `sum`;
/// PyTorch's `batchmean` is the `Sum` divided by the batch size.
pub fn kl_div<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(kl_div_none(input, target)?, reduction)
}
