//! Multi-class losses: cross entropy and NLL against class indices, cross entropy against
//! class probabilities (soft labels), and the Kullback–Leibler divergence.

use gf_core::ops::reduce::{MergeSelf, ReduceOp};
use gf_core::shape::{Dim, HasShape, Shape};
use gf_core::{Device, Dtype, Error, Result, Tape, Tensor};

use super::{check_same_dims, constant, reduce, Reduction};

/// Options of [`cross_entropy`], [`cross_entropy_probs`] and [`nll_loss`], with PyTorch's
/// defaults.
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

/// Per-row cross entropy against class probabilities (`reduction='none'`): `F.cross_entropy`
/// with a float target of the scores' shape `(B, C)`. Row `i` loses
/// `−Σ_c w_c·q_ic·log_softmax(x)_ic` with `q = (1 − ε)·target + ε/C` (label smoothing `ε`)
/// and class weights `w` (1 when `None`), as PyTorch does for probability targets.
///
/// The target is not checked to be a distribution (PyTorch does not either). `Err` when the
/// target's run-time dims differ from the scores', for `ignore_index` (PyTorch does not
/// support it with probability targets), a weight count other than `C`, or label smoothing
/// outside `[0, 1]`.
pub fn cross_entropy_probs_none<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logits: Tensor<(B, C), E, D, T>,
    target: &Tensor<(B, C), E, D>,
    opts: &CrossEntropyOpts,
) -> Result<Tensor<(B,), E, D, T>> {
    const OP: &str = "cross_entropy_probs";
    check_same_dims(
        OP,
        ("logits", logits.dims().as_ref()),
        ("target", target.dims().as_ref()),
    )?;
    let smoothing = opts.label_smoothing;
    if !(0.0..=1.0).contains(&smoothing) {
        return Err(Error::Argument {
            op: OP,
            message: format!("label_smoothing = {smoothing} must be in [0, 1]"),
        });
    }
    if let Some(i) = opts.ignore_index {
        return Err(Error::Argument {
            op: OP,
            message: format!("ignore_index = {i} is not supported with class-probability targets"),
        });
    }
    let [b, c] = logits.dims();
    // the weighted, smoothed target is a constant: built on the host in PyTorch's order
    // (smooth first, then weigh)
    let mut q: Vec<f64> = target
        .try_to_vec()?
        .into_iter()
        .map(|v| v.as_f64())
        .collect();
    if smoothing > 0.0 {
        for v in &mut q {
            *v = *v * (1.0 - smoothing) + smoothing / c as f64;
        }
    }
    if let Some(w) = &opts.weight {
        if w.len() != c {
            return Err(Error::Shape {
                op: OP,
                message: format!("{} class weights for {c} classes", w.len()),
            });
        }
        for (k, v) in q.iter_mut().enumerate() {
            *v *= w[k % c];
        }
    }
    debug_assert_eq!(q.len(), b * c);
    let q: Vec<E> = q.into_iter().map(E::from_f64).collect();
    let q = constant(target.device(), *target.shape(), &q)?;
    logits
        .try_log_softmax_axis(1)?
        .try_mul(q)?
        .try_reduce_axes(ReduceOp::Sum, &[1])?
        .try_neg()
}

/// Cross entropy against class probabilities `(B, C)`: `F.cross_entropy(x, probs, weight=,
/// label_smoothing=)`. The mean divides by the batch size `B` (not by the weights, unlike
/// [`cross_entropy`] with indices), as PyTorch does. See [`cross_entropy_probs_none`].
pub fn cross_entropy_probs<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    logits: Tensor<(B, C), E, D, T>,
    target: &Tensor<(B, C), E, D>,
    opts: &CrossEntropyOpts,
) -> Result<Tensor<(), E, D, T>> {
    reduce(
        cross_entropy_probs_none(logits, target, opts)?,
        opts.reduction,
    )
}
