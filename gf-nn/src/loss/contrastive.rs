//! InfoNCE, the contrastive loss of CPC, MoCo and SimCLR-style training; its definition is on
//! [`info_nce_loss_none`].

use gf_core::ops::reduce::{MergeSelf, ReduceOp};
use gf_core::shape::{Dim, HasShape};
use gf_core::tape::Merge;
use gf_core::{Device, Dtype, NoneTape, Result, Tape, Tensor};

use super::{check_arg, check_same_dims, cross_entropy, cross_entropy_none};
use super::{CrossEntropyOpts, Reduction};

/// The default temperature of [`info_nce_loss`].
pub const INFO_NCE_TEMPERATURE: f64 = 0.1;

/// `x / max(‖x‖₂, 1e-12)` per row: PyTorch's `F.normalize(x, dim=1)`.
fn normalize_rows<B: Dim, F: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    x: Tensor<(B, F), E, D, T>,
) -> Result<Tensor<(B, F), E, D, T>> {
    let shape = *x.shape();
    let norm: Tensor<(B,), E, D, T> = x
        .clone()
        .try_square()?
        .try_reduce_axes(ReduceOp::Sum, &[1])?
        // max(‖x‖, 1e-12) as √max(Σx², 1e-24): the same value, but a zero row's gradient
        // through its norm is 0 (as PyTorch's), not 0·∞
        .try_clamp(E::from_f64(1e-24), E::infinity())?
        .try_sqrt()?;
    x.try_div(norm.try_broadcast_axes(shape, &[1])?)
}

/// The `(B, B)` similarity logits and the diagonal targets `0..B`, after the checks.
type LogitsAndTargets<B, E, D, T> = (Tensor<(B, B), E, D, T>, Tensor<(B,), usize, D>);

fn logits_and_targets<B, F, E, D, T, K>(
    query: Tensor<(B, F), E, D, T>,
    keys: Tensor<(B, F), E, D, K>,
    temperature: f64,
) -> Result<LogitsAndTargets<B, E, D, T>>
where
    B: Dim,
    F: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf + Merge<K, Output = T>,
    K: Tape + MergeSelf,
{
    const OP: &str = "info_nce_loss";
    check_arg(
        OP,
        "temperature",
        temperature,
        temperature > 0.0 && temperature.is_finite(),
        "finite and > 0",
    )?;
    check_same_dims(
        OP,
        ("query", query.dims().as_ref()),
        ("keys", keys.dims().as_ref()),
    )?;
    let rows = (query.shape().0,);
    let dev = query.device().clone();
    let logits = normalize_rows(query)?
        .try_matmul(normalize_rows(keys)?.try_transpose()?)?
        .try_div_scalar(E::from_f64(temperature))?;
    let diagonal: Vec<usize> = (0..rows.0.size()).collect();
    let strides = gf_core::shape::Shape::strides(&rows);
    let targets = Tensor::from_parts(
        dev.clone(),
        std::sync::Arc::new(<D as gf_core::device::Storage<usize>>::try_from_host(
            &dev, &diagonal,
        )?),
        rows,
        strides,
        0,
        NoneTape,
    )?;
    Ok((logits, targets))
}

/// InfoNCE per query (`reduction='none'`).
///
/// **Definition.** For queries `q` and keys `k`, both `(B, F)`, where key `i` is the positive
/// of query `i` and the other `B − 1` keys are its negatives:
///
/// ```text
/// logits[i, j] = ⟨q̂_i, k̂_j⟩ / τ,   x̂ = x / max(‖x‖₂, 1e-12)   (F.normalize)
/// loss_i       = −ln softmax(logits[i, ·])_i = cross_entropy(logits, targets = [0, 1, …, B−1])_i
/// ```
///
/// `τ` is the temperature ([`INFO_NCE_TEMPERATURE`] = 0.1 is the usual one). This is the
/// one-directional (query to key) form; the symmetric SimCLR/CLIP form is the mean of
/// `info_nce_loss(q, k)` and `info_nce_loss(k, q)`. In PyTorch it is
/// `F.cross_entropy(F.normalize(q) @ F.normalize(k).T / τ, torch.arange(B))`.
///
/// The keys may record on the query's tape or not at all (a momentum encoder's detached keys,
/// as in MoCo).
///
/// `Err` for a temperature that is not finite and `> 0`, or when the query's and keys'
/// run-time dims differ. A zero row normalises to 0 with a finite gradient, as in
/// `F.normalize`.
pub fn info_nce_loss_none<B, F, E, D, T, K>(
    query: Tensor<(B, F), E, D, T>,
    keys: Tensor<(B, F), E, D, K>,
    temperature: f64,
) -> Result<Tensor<(B,), E, D, T>>
where
    B: Dim,
    F: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf + Merge<K, Output = T>,
    K: Tape + MergeSelf,
{
    let (logits, targets) = logits_and_targets(query, keys, temperature)?;
    cross_entropy_none(logits, &targets, &CrossEntropyOpts::default())
}

/// InfoNCE over the batch, mean or sum; the definition is on [`info_nce_loss_none`].
pub fn info_nce_loss<B, F, E, D, T, K>(
    query: Tensor<(B, F), E, D, T>,
    keys: Tensor<(B, F), E, D, K>,
    temperature: f64,
    reduction: Reduction,
) -> Result<Tensor<(), E, D, T>>
where
    B: Dim,
    F: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf + Merge<K, Output = T>,
    K: Tape + MergeSelf,
{
    let (logits, targets) = logits_and_targets(query, keys, temperature)?;
    let opts = CrossEntropyOpts {
        reduction,
        ..CrossEntropyOpts::default()
    };
    cross_entropy(logits, &targets, &opts)
}
