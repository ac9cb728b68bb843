//! Losses with PyTorch's names, defaults and formulas. Each `foo` reduces to a scalar by
//! [`Reduction::Mean`] or [`Reduction::Sum`]; `foo_none` returns the unreduced losses
//! (PyTorch's `reduction='none'`). Predictions may record a tape; targets do not.
//!
//! All are numerically stable: cross entropy goes through log-softmax (log-sum-exp with the
//! maximum subtracted), BCE-with-logits never takes the log of 0, and BCE clamps its logs at
//! −100 as PyTorch does.
//!
//! Each loss is a composition of differentiable gf-core ops, so its backward comes from the
//! ops'. They live in submodules by kind, all re-exported here:
//!
//! | module | losses |
//! |---|---|
//! | regression | [`mse_loss`], [`l1_loss`], [`huber_loss`], [`smooth_l1_loss`], [`poisson_nll_loss`] |
//! | binary | [`binary_cross_entropy`], [`binary_cross_entropy_with_logits`], [`sigmoid_focal_loss`] |
//! | classification | [`cross_entropy`], [`cross_entropy_probs`], [`nll_loss`], [`kl_div`] |
//! | ranking | [`margin_ranking_loss`], [`triplet_margin_loss`], [`cosine_embedding_loss`] |
//! | contrastive | [`info_nce_loss`] |

mod binary;
mod classification;
mod contrastive;
mod ranking;
mod regression;

pub use binary::*;
pub use classification::*;
pub use contrastive::*;
pub use ranking::*;
pub use regression::*;

use gf_core::ops::reduce::{MergeSelf, ReduceOp};
use gf_core::shape::{HasShape, Shape};
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

/// A constant (untraced) tensor of `shape` holding `values` in row-major order: the
/// target-derived factors that need no gradient are computed on the host.
fn constant<S: Shape, E: Dtype, D: Device<E>>(
    dev: &D,
    shape: S,
    values: &[E],
) -> Result<Tensor<S, E, D>> {
    let strides = shape.strides();
    Tensor::from_parts(
        dev.clone(),
        std::sync::Arc::new(dev.try_from_host(values)?),
        shape,
        strides,
        0,
        gf_core::NoneTape,
    )
}

/// `Err(Argument)` naming `name` unless `ok`; `want` says what it must be.
fn check_arg(op: &'static str, name: &str, value: f64, ok: bool, want: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Argument {
            op,
            message: format!("{name} = {value} must be {want}"),
        })
    }
}

/// `Err(Shape)` naming both operands unless their run-time dims agree (typed dims agree by
/// construction; `usize` dims are only known when running).
fn check_same_dims(op: &'static str, a: (&str, &[usize]), b: (&str, &[usize])) -> Result<()> {
    if a.1 == b.1 {
        Ok(())
    } else {
        Err(Error::Shape {
            op,
            message: format!("{} has shape {:?} but {} has {:?}", a.0, a.1, b.0, b.1),
        })
    }
}

/// `Err(Argument)` unless every value is `−1` or `1` (the ±1 labels of the pair losses),
/// naming the first other one.
fn check_signs<E: Dtype>(op: &'static str, values: &[E]) -> Result<()> {
    match values
        .iter()
        .position(|v| v.as_f64() != 1.0 && v.as_f64() != -1.0)
    {
        None => Ok(()),
        Some(i) => Err(Error::Argument {
            op,
            message: format!("target[{i}] = {} must be 1 or -1", values[i].as_f64()),
        }),
    }
}
