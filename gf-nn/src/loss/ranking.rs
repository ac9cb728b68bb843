//! Losses on pairs and triplets: margin ranking, triplet margin and cosine embedding, as
//! PyTorch's `nn.MarginRankingLoss`, `nn.TripletMarginLoss` and `nn.CosineEmbeddingLoss`.
//!
//! Every input may record (all on one tape); the ±1 labels do not.

use gf_core::ops::reduce::{MergeSelf, ReduceOp};
use gf_core::shape::{Dim, HasShape, Shape};
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use super::{check_arg, check_same_dims, check_signs, constant, reduce, Reduction};

/// `max(0, −y·(x1 − x2) + margin)` elementwise, `y = ±1` saying which input should rank
/// higher. `Err` for a negative or non-finite margin (PyTorch accepts a negative one; it
/// rewards a wrong order), a label other than ±1, or run-time dims that differ.
pub fn margin_ranking_loss_none<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input1: Tensor<S, E, D, T>,
    input2: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    margin: f64,
) -> Result<Tensor<S, E, D, T>> {
    const OP: &str = "margin_ranking_loss";
    check_arg(
        OP,
        "margin",
        margin,
        margin >= 0.0 && margin.is_finite(),
        "finite and >= 0",
    )?;
    let d1 = input1.dims();
    check_same_dims(
        OP,
        ("input1", d1.as_ref()),
        ("input2", input2.dims().as_ref()),
    )?;
    check_same_dims(
        OP,
        ("input1", d1.as_ref()),
        ("target", target.dims().as_ref()),
    )?;
    check_signs(OP, &target.try_to_vec()?)?;
    // clamp, not relu: at an exact tie the gradient passes, as PyTorch's clamp_min's does
    input1
        .try_sub(input2)?
        .try_mul(target.clone().try_neg()?)?
        .try_add_scalar(E::from_f64(margin))?
        .try_clamp(E::zero(), E::infinity())
}

/// `nn.MarginRankingLoss(margin)` (PyTorch's default margin is 0); see
/// [`margin_ranking_loss_none`].
pub fn margin_ranking_loss<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input1: Tensor<S, E, D, T>,
    input2: Tensor<S, E, D, T>,
    target: &Tensor<S, E, D>,
    margin: f64,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(
        margin_ranking_loss_none(input1, input2, target, margin)?,
        reduction,
    )
}

/// Options of [`triplet_margin_loss`], with PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TripletOpts {
    /// How much nearer the positive must be than the negative, `> 0`; 1 by default.
    pub margin: f64,
    /// The norm's order `p > 0` of the distances; 2 by default.
    pub p: f64,
    /// Added to every difference before the norm (PyTorch's `pairwise_distance`), so equal
    /// rows do not put a 0 under the norm's derivative; `1e-6`.
    pub eps: f64,
    /// Uses the smaller of `d(a, n)` and `d(p, n)` as the negative distance (the distance
    /// swap of Balntas et al.); `false` by default.
    pub swap: bool,
    /// Mean over the batch (the default) or sum.
    pub reduction: Reduction,
}

impl Default for TripletOpts {
    /// `margin = 1`, `p = 2`, `eps = 1e-6`, no swap, mean: `nn.TripletMarginLoss()`.
    fn default() -> Self {
        TripletOpts {
            margin: 1.0,
            p: 2.0,
            eps: 1e-6,
            swap: false,
            reduction: Reduction::Mean,
        }
    }
}

/// `‖x1 − x2 + eps‖_p` per row: PyTorch's `F.pairwise_distance`.
fn pairwise_distance<B: Dim, F: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    x1: Tensor<(B, F), E, D, T>,
    x2: Tensor<(B, F), E, D, T>,
    p: f64,
    eps: f64,
) -> Result<Tensor<(B,), E, D, T>> {
    let diff = x1.try_sub(x2)?.try_add_scalar(E::from_f64(eps))?;
    if p == 2.0 {
        // the Euclidean norm as PyTorch computes it: the square root of the sum of squares
        diff.try_square()?
            .try_reduce_axes(ReduceOp::Sum, &[1])?
            .try_sqrt()
    } else if p == 1.0 {
        diff.try_abs()?.try_reduce_axes(ReduceOp::Sum, &[1])
    } else {
        diff.try_abs()?
            .try_powf(E::from_f64(p))?
            .try_reduce_axes(ReduceOp::Sum, &[1])?
            .try_powf(E::from_f64(1.0 / p))
    }
}

/// The triplet margin loss per row: `max(d(a, p) − d(a, n) + margin, 0)` with
/// `d(x, y) = ‖x − y + eps‖_p` (PyTorch's `pairwise_distance`); with `swap`, `d(a, n)` becomes
/// `min(d(a, n), d(p, n))`. Rows are `(B, F)` embeddings. `Err` for `margin ≤ 0`, `p ≤ 0`,
/// `eps < 0` (or any not finite), or run-time dims that differ.
pub fn triplet_margin_loss_none<B: Dim, F: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    anchor: Tensor<(B, F), E, D, T>,
    positive: Tensor<(B, F), E, D, T>,
    negative: Tensor<(B, F), E, D, T>,
    opts: &TripletOpts,
) -> Result<Tensor<(B,), E, D, T>> {
    const OP: &str = "triplet_margin_loss";
    let TripletOpts {
        margin,
        p,
        eps,
        swap,
        ..
    } = *opts;
    check_arg(
        OP,
        "margin",
        margin,
        margin > 0.0 && margin.is_finite(),
        "finite and > 0",
    )?;
    check_arg(OP, "p", p, p > 0.0 && p.is_finite(), "finite and > 0")?;
    check_arg(
        OP,
        "eps",
        eps,
        eps >= 0.0 && eps.is_finite(),
        "finite and >= 0",
    )?;
    let da = anchor.dims();
    check_same_dims(
        OP,
        ("anchor", da.as_ref()),
        ("positive", positive.dims().as_ref()),
    )?;
    check_same_dims(
        OP,
        ("anchor", da.as_ref()),
        ("negative", negative.dims().as_ref()),
    )?;
    let d_pos = pairwise_distance(anchor.clone(), positive.clone(), p, eps)?;
    let mut d_neg = pairwise_distance(anchor, negative.clone(), p, eps)?;
    if swap {
        d_neg = d_neg.try_minimum(pairwise_distance(positive, negative, p, eps)?)?;
    }
    d_pos
        .try_add_scalar(E::from_f64(margin))?
        .try_sub(d_neg)?
        .try_clamp(E::zero(), E::infinity())
}

/// `nn.TripletMarginLoss(margin, p, eps, swap)`; see [`triplet_margin_loss_none`].
pub fn triplet_margin_loss<B: Dim, F: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    anchor: Tensor<(B, F), E, D, T>,
    positive: Tensor<(B, F), E, D, T>,
    negative: Tensor<(B, F), E, D, T>,
    opts: &TripletOpts,
) -> Result<Tensor<(), E, D, T>> {
    reduce(
        triplet_margin_loss_none(anchor, positive, negative, opts)?,
        opts.reduction,
    )
}

/// The cosine embedding loss per row, for `(B, F)` pairs and labels `y = ±1` of shape `(B,)`:
/// `1 − cos(x1, x2)` where `y = 1` and `max(0, cos(x1, x2) − margin)` where `y = −1`, with
/// PyTorch's cosine `Σx1·x2 / √((Σx1² + 1e-12)·(Σx2² + 1e-12))`. `Err` for a margin outside
/// `[−1, 1]`, a label other than ±1 (PyTorch silently gives such rows 0), or run-time dims
/// that differ.
pub fn cosine_embedding_loss_none<B: Dim, F: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input1: Tensor<(B, F), E, D, T>,
    input2: Tensor<(B, F), E, D, T>,
    target: &Tensor<(B,), E, D>,
    margin: f64,
) -> Result<Tensor<(B,), E, D, T>> {
    const OP: &str = "cosine_embedding_loss";
    check_arg(
        OP,
        "margin",
        margin,
        (-1.0..=1.0).contains(&margin),
        "in [-1, 1]",
    )?;
    let d1 = input1.dims();
    check_same_dims(
        OP,
        ("input1", d1.as_ref()),
        ("input2", input2.dims().as_ref()),
    )?;
    check_same_dims(
        OP,
        ("target", target.dims().as_ref()),
        ("input1's rows", &d1.as_ref()[..1]),
    )?;
    let labels = target.try_to_vec()?;
    check_signs(OP, &labels)?;
    // PyTorch's EPSILON in cosine_embedding_loss
    let tiny = E::from_f64(1e-12);
    let dot: Tensor<(B,), E, D, T> = input1
        .clone()
        .try_mul(input2.clone())?
        .try_reduce_axes(ReduceOp::Sum, &[1])?;
    let sq1: Tensor<(B,), E, D, T> = input1
        .clone()
        .try_mul(input1)?
        .try_reduce_axes(ReduceOp::Sum, &[1])?
        .try_add_scalar(tiny)?;
    let sq2: Tensor<(B,), E, D, T> = input2
        .clone()
        .try_mul(input2)?
        .try_reduce_axes(ReduceOp::Sum, &[1])?
        .try_add_scalar(tiny)?;
    let cos = dot.try_div(sq1.try_mul(sq2)?.try_sqrt()?)?;
    let pos = cos.clone().try_neg()?.try_add_scalar(E::one())?;
    let neg = cos
        .try_sub_scalar(E::from_f64(margin))?
        .try_clamp(E::zero(), E::infinity())?;
    // the labels pick one branch per row: 0/1 masks, constants
    let mask = |want: f64| -> Vec<E> {
        labels
            .iter()
            .map(|&v| {
                if v.as_f64() == want {
                    E::one()
                } else {
                    E::zero()
                }
            })
            .collect()
    };
    let shape = *target.shape();
    let dev = target.device();
    pos.try_mul(constant(dev, shape, &mask(1.0))?)?
        .try_add(neg.try_mul(constant(dev, shape, &mask(-1.0))?)?)
}

/// `nn.CosineEmbeddingLoss(margin)` (PyTorch's default margin is 0); see
/// [`cosine_embedding_loss_none`].
pub fn cosine_embedding_loss<B: Dim, F: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    input1: Tensor<(B, F), E, D, T>,
    input2: Tensor<(B, F), E, D, T>,
    target: &Tensor<(B,), E, D>,
    margin: f64,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>> {
    reduce(
        cosine_embedding_loss_none(input1, input2, target, margin)?,
        reduction,
    )
}
