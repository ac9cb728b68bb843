//! Gradient clipping and accumulation over a model's parameters.

use gf_core::device::ViewKernel;
use gf_core::ops::reduce::ReduceOp;
use gf_core::shape::{DynShape, Shape};
use gf_core::{Device, Dtype, Gradients, Tensor};
use gf_nn::{TensorKind, Visit, Visitor};

/// Replaces the gradient of `t` in `grads` by `g`.
fn put<S: Shape, E: Dtype, D: Device<E>>(
    grads: &mut Gradients,
    t: &Tensor<S, E, D>,
    g: &Tensor<S, E, D>,
) -> gf_core::Result<()> {
    let buf = <D as ViewKernel<E>>::try_contiguous(g.device(), g.data(), &g.layout())?;
    grads.insert::<E, D>(t.id(), buf);
    Ok(())
}

struct Params<'a, F> {
    f: F,
    _g: core::marker::PhantomData<&'a ()>,
}

/// Calls `f(param)` for each parameter.
fn for_each_param<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
    f: impl FnMut(&Tensor<DynShape, E, D>) -> gf_core::Result<()>,
) -> gf_nn::Result<()> {
    let mut v = Params {
        f,
        _g: core::marker::PhantomData,
    };
    model.try_visit("", &mut v)
}

impl<E: Dtype, D: Device<E>, F: FnMut(&Tensor<DynShape, E, D>) -> gf_core::Result<()>> Visitor<E, D>
    for Params<'_, F>
{
    fn visit<S: Shape>(
        &mut self,
        _: &str,
        kind: TensorKind,
        t: &Tensor<S, E, D>,
    ) -> gf_nn::Result<()> {
        if kind == TensorKind::Param {
            // into_dyn keeps the id, so the gradient is found under it
            (self.f)(&t.clone().into_dyn())?;
        }
        Ok(())
    }
}

/// Scales every parameter gradient so that their global L2 norm is at most `max_norm`, as
/// `torch.nn.utils.clip_grad_norm_` does (coefficient `max_norm / (norm + 1e-6)`, capped at
/// 1). Returns the norm before clipping.
pub fn clip_grad_norm<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
    grads: &mut Gradients,
    max_norm: f64,
) -> gf_nn::Result<f64> {
    let mut sq = 0.0;
    for_each_param(model, |p| {
        if let Some(g) = grads.get(p) {
            let s: Tensor<(), E, D> = g
                .try_square()?
                .try_reduce_axes(ReduceOp::Sum, &all(&p.dims()))?;
            sq += s.try_to_vec()?[0].as_f64();
        }
        Ok(())
    })?;
    let norm = sq.sqrt();
    let coef = (max_norm / (norm + 1e-6)).min(1.0);
    if coef < 1.0 {
        for_each_param(model, |p| {
            if let Some(g) = grads.get(p) {
                let g = g.try_mul_scalar(E::from_f64(coef))?;
                put(grads, p, &g)?;
            }
            Ok(())
        })?;
    }
    Ok(norm)
}

fn all(dims: &[usize]) -> Vec<usize> {
    (0..dims.len()).collect()
}

/// Clamps every parameter gradient into `[−clip_value, clip_value]`:
/// `torch.nn.utils.clip_grad_value_`.
pub fn clip_grad_value<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
    grads: &mut Gradients,
    clip_value: f64,
) -> gf_nn::Result<()> {
    let c = E::from_f64(clip_value);
    for_each_param(model, |p| {
        if let Some(g) = grads.get(p) {
            put(grads, p, &g.try_clamp(-c, c)?)?;
        }
        Ok(())
    })
}

/// Adds the parameter gradients of `more` into `acc` (gradient accumulation over
/// micro-batches; scale the loss by `1/n` to average).
pub fn accumulate<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
    acc: &mut Gradients,
    more: &Gradients,
) -> gf_nn::Result<()> {
    for_each_param(model, |p| {
        let sum = match (acc.get(p), more.get(p)) {
            (Some(a), Some(b)) => a.try_add(b)?,
            (None, Some(b)) => b,
            (_, None) => return Ok(()),
        };
        put(acc, p, &sum)
    })
}

/// Multiplies every parameter gradient in `grads` by `factor` (averaging accumulated
/// micro-batches: `factor = 1/n`).
pub fn scale_grads<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
    grads: &mut Gradients,
    factor: f64,
) -> gf_nn::Result<()> {
    let f = E::from_f64(factor);
    for_each_param(model, |p| {
        let Some(g) = grads.get(p) else {
            return Ok(());
        };
        put(grads, p, &g.try_mul_scalar(f)?)
    })
}
