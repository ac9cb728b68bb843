//! Normalisation layers: batch norm (1d and 2d, with running statistics) and layer norm.

use std::sync::Mutex;

use gf_core::ops::create::TensorCreate;
use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Const, Dim, HasShape, Shape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// Batch norm's running statistics: what eval mode normalises with.
#[derive(Clone, Debug)]
pub struct RunningStats<C: Dim, E: Dtype, D: Device<E>> {
    /// The running mean of each channel (starts at 0).
    pub mean: Tensor<(C,), E, D>,
    /// The running unbiased variance of each channel (starts at 1).
    pub var: Tensor<(C,), E, D>,
    /// How many training batches have updated the statistics (PyTorch's
    /// `num_batches_tracked`; stored as a float here, loaded from PyTorch's I64).
    pub num_batches_tracked: Tensor<(), E, D>,
}

/// Batch normalisation over `C` channels (axis 1): `nn.BatchNorm1d` for `(B, C)` inputs and
/// `nn.BatchNorm2d` for `(B, C, H, W)`. Training mode normalises with the batch's mean and
/// biased variance and moves the running statistics by `momentum` (0.1) towards the batch's
/// mean and unbiased variance; eval mode normalises with the running statistics. `eps = 1e-5`;
/// `weight` starts at 1, `bias` at 0. State-dict names: `weight`, `bias`, `running_mean`,
/// `running_var`, `num_batches_tracked`.
///
/// The running statistics sit behind a lock, so a training forward pass takes `&self` like
/// every other module.
#[derive(Debug)]
pub struct BatchNorm<C: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// The per-channel scale γ.
    pub weight: Tensor<(C,), E, D>,
    /// The per-channel shift β.
    pub bias: Tensor<(C,), E, D>,
    /// The running statistics.
    pub running: Mutex<RunningStats<C, E, D>>,
    /// The weight of the newest batch in the running statistics.
    pub momentum: f64,
    /// Added to the variance before the square root.
    pub eps: f64,
    /// Training mode (set by `train()` / `eval()`; on when built).
    pub training: bool,
}

/// `nn.BatchNorm1d`: batch norm of `(B, C)` inputs.
pub type BatchNorm1d<C, E = f32, D = Cpu> = BatchNorm<C, E, D>;
/// `nn.BatchNorm2d`: batch norm of `(B, C, H, W)` inputs.
pub type BatchNorm2d<C, E = f32, D = Cpu> = BatchNorm<C, E, D>;

impl<C: Dim, E: Dtype, D: Device<E>> Clone for BatchNorm<C, E, D> {
    fn clone(&self) -> Self {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        BatchNorm {
            weight: self.weight.clone(),
            bias: self.bias.clone(),
            running: Mutex::new(running),
            momentum: self.momentum,
            eps: self.eps,
            training: self.training,
        }
    }
}

impl<C: Dim, E: Dtype, D: Device<E>> BatchNorm<C, E, D> {
    /// Batch norm over `channels` with PyTorch's defaults, in training mode.
    pub fn try_new(dev: &D, channels: C) -> Result<Self> {
        Ok(BatchNorm {
            weight: dev.try_full_like(&(channels,), E::one())?,
            bias: dev.try_zeros_like(&(channels,))?,
            running: Mutex::new(RunningStats {
                mean: dev.try_zeros_like(&(channels,))?,
                var: dev.try_full_like(&(channels,), E::one())?,
                num_batches_tracked: dev.try_zeros_like(&())?,
            }),
            momentum: 0.1,
            eps: 1e-5,
            training: true,
        })
    }

    /// A copy of the running statistics.
    pub fn running_stats(&self) -> RunningStats<C, E, D> {
        self.running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Normalises `x` over `axes` (every axis but the channel axis 1).
    fn normalize<S: Shape, T: Tape + MergeSelf>(
        &self,
        x: Tensor<S, E, D, T>,
        axes: &[usize],
    ) -> Result<Tensor<S, E, D, T>> {
        let shape = x.shape().clone();
        let eps = E::from_f64(self.eps);
        let y = if self.training {
            let dims = x.dims();
            let n: usize = axes.iter().map(|&a| dims.as_ref()[a]).product();
            let mean: Tensor<(C,), E, D, T> = x.clone().try_mean_axes(axes)?;
            let var: Tensor<(C,), E, D, T> = x.clone().try_var_axes(axes, 0)?;
            {
                let mut r = self.running.lock().unwrap_or_else(|p| p.into_inner());
                let m = E::from_f64(self.momentum);
                let unbias = if n > 1 {
                    E::from_f64(n as f64 / (n - 1) as f64)
                } else {
                    E::one()
                };
                r.mean.try_scale_assign(E::one() - m)?;
                r.mean.try_add_assign(&mean.detach().try_mul_scalar(m)?)?;
                r.var.try_scale_assign(E::one() - m)?;
                r.var
                    .try_add_assign(&var.detach().try_mul_scalar(m * unbias)?)?;
                r.num_batches_tracked = r.num_batches_tracked.clone().try_add_scalar(E::one())?;
            }
            let inv = var.try_add_scalar(eps)?.try_sqrt()?.try_recip()?;
            x.try_sub(mean.try_broadcast_axes(shape.clone(), axes)?)?
                .try_mul(inv.try_broadcast_axes(shape.clone(), axes)?)?
        } else {
            let r = self.running_stats();
            let inv = r.var.try_add_scalar(eps)?.try_sqrt()?.try_recip()?;
            x.try_sub(r.mean.try_broadcast_axes(shape.clone(), axes)?)?
                .try_mul(inv.try_broadcast_axes(shape.clone(), axes)?)?
        };
        let w = self
            .weight
            .watched(y.tape())
            .try_broadcast_axes(shape.clone(), axes)?;
        let b = self
            .bias
            .watched(y.tape())
            .try_broadcast_axes(shape, axes)?;
        y.try_mul(w)?.try_add(b)
    }
}

impl<const C: usize, E: Dtype, D: Device<E>> Init<D> for BatchNorm<Const<C>, E, D> {
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const)
    }
}

impl<C: Dim, E: Dtype, D: Device<E>> Visit<E, D> for BatchNorm<C, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)?;
        v.visit(&join(prefix, "bias"), TensorKind::Param, &self.bias)?;
        let r = self.running_stats();
        v.visit(&join(prefix, "running_mean"), TensorKind::Buffer, &r.mean)?;
        v.visit(&join(prefix, "running_var"), TensorKind::Buffer, &r.var)?;
        let nbt = &r.num_batches_tracked;
        v.visit(
            &join(prefix, "num_batches_tracked"),
            TensorKind::Buffer,
            nbt,
        )
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)?;
        v.visit_mut(&join(prefix, "bias"), TensorKind::Param, &mut self.bias)?;
        let r = self.running.get_mut().unwrap_or_else(|p| p.into_inner());
        v.visit_mut(
            &join(prefix, "running_mean"),
            TensorKind::Buffer,
            &mut r.mean,
        )?;
        v.visit_mut(&join(prefix, "running_var"), TensorKind::Buffer, &mut r.var)?;
        let nbt = &mut r.num_batches_tracked;
        v.visit_mut(
            &join(prefix, "num_batches_tracked"),
            TensorKind::Buffer,
            nbt,
        )
    }
    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}

impl<B: Dim, C: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<(B, C), E, D, T>>
    for BatchNorm<C, E, D>
{
    type Output = Tensor<(B, C), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C), E, D, T>) -> Result<Self::Output> {
        self.normalize(x, &[0])
    }
}

impl<B: Dim, C: Dim, H: Dim, W: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>
    Module<Tensor<(B, C, H, W), E, D, T>> for BatchNorm<C, E, D>
{
    type Output = Tensor<(B, C, H, W), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        self.normalize(x, &[0, 2, 3])
    }
}

/// Layer normalisation over the last axis of `N` features: `nn.LayerNorm(N)` (eps 1e-5,
/// `weight` at 1, `bias` at 0) for `(B, N)` and `(B, S, N)` inputs.
#[derive(Clone, Debug)]
pub struct LayerNorm<N: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// The per-feature scale.
    pub weight: Tensor<(N,), E, D>,
    /// The per-feature shift.
    pub bias: Tensor<(N,), E, D>,
    /// Added to the variance before the square root.
    pub eps: f64,
}

impl<N: Dim, E: Dtype, D: Device<E>> LayerNorm<N, E, D> {
    /// Layer norm over `features` with PyTorch's defaults.
    pub fn try_new(dev: &D, features: N) -> Result<Self> {
        Ok(LayerNorm {
            weight: dev.try_full_like(&(features,), E::one())?,
            bias: dev.try_zeros_like(&(features,))?,
            eps: 1e-5,
        })
    }

    fn normalize<S: Shape, T: Tape + MergeSelf>(
        &self,
        x: Tensor<S, E, D, T>,
    ) -> Result<Tensor<S, E, D, T>> {
        let shape = x.shape().clone();
        let last = shape.num_dims() - 1;
        let lead: Vec<usize> = (0..last).collect();
        let mean: Tensor<gf_core::shape::DynShape, E, D, T> = x.clone().try_mean_axes(&[last])?;
        let var: Tensor<gf_core::shape::DynShape, E, D, T> = x.clone().try_var_axes(&[last], 0)?;
        let inv = var
            .try_add_scalar(E::from_f64(self.eps))?
            .try_sqrt()?
            .try_recip()?;
        let y = x
            .try_sub(mean.try_broadcast_axes(shape.clone(), &[last])?)?
            .try_mul(inv.try_broadcast_axes(shape.clone(), &[last])?)?;
        let w = self
            .weight
            .watched(y.tape())
            .try_broadcast_axes(shape.clone(), &lead)?;
        let b = self
            .bias
            .watched(y.tape())
            .try_broadcast_axes(shape, &lead)?;
        y.try_mul(w)?.try_add(b)
    }
}

impl<const N: usize, E: Dtype, D: Device<E>> Init<D> for LayerNorm<Const<N>, E, D> {
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const)
    }
}

impl<N: Dim, E: Dtype, D: Device<E>> Visit<E, D> for LayerNorm<N, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)?;
        v.visit(&join(prefix, "bias"), TensorKind::Param, &self.bias)
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)?;
        v.visit_mut(&join(prefix, "bias"), TensorKind::Param, &mut self.bias)
    }
}

impl<B: Dim, N: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<(B, N), E, D, T>>
    for LayerNorm<N, E, D>
{
    type Output = Tensor<(B, N), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, N), E, D, T>) -> Result<Self::Output> {
        self.normalize(x)
    }
}

impl<B: Dim, S: Dim, N: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>
    Module<Tensor<(B, S, N), E, D, T>> for LayerNorm<N, E, D>
{
    type Output = Tensor<(B, S, N), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, S, N), E, D, T>) -> Result<Self::Output> {
        self.normalize(x)
    }
}

/// Root-mean-square normalisation over the last axis: `nn.RMSNorm(N, eps)`,
/// `y = x / √(mean(x²) + eps) · weight`, `weight` at 1. With `eps = None` it is the dtype's
/// machine epsilon, as in PyTorch.
#[derive(Clone, Debug)]
pub struct RMSNorm<N: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// The per-feature scale.
    pub weight: Tensor<(N,), E, D>,
    /// Added to the mean square; `None` for the dtype's epsilon.
    pub eps: Option<f64>,
}

impl<N: Dim, E: Dtype, D: Device<E>> RMSNorm<N, E, D> {
    /// RMS norm over `features` with PyTorch's defaults.
    pub fn try_new(dev: &D, features: N) -> Result<Self> {
        Ok(RMSNorm {
            weight: dev.try_full_like(&(features,), E::one())?,
            eps: None,
        })
    }

    fn normalize<S: Shape, T: Tape + MergeSelf>(
        &self,
        x: Tensor<S, E, D, T>,
    ) -> Result<Tensor<S, E, D, T>> {
        let shape = x.shape().clone();
        let last = shape.num_dims() - 1;
        let lead: Vec<usize> = (0..last).collect();
        let eps = self.eps.map_or(E::epsilon(), E::from_f64);
        let ms: Tensor<gf_core::shape::DynShape, E, D, T> =
            x.clone().try_square()?.try_mean_axes(&[last])?;
        let inv = ms.try_add_scalar(eps)?.try_sqrt()?.try_recip()?;
        let y = x.try_mul(inv.try_broadcast_axes(shape.clone(), &[last])?)?;
        let w = self
            .weight
            .watched(y.tape())
            .try_broadcast_axes(shape, &lead)?;
        y.try_mul(w)
    }
}

impl<const N: usize, E: Dtype, D: Device<E>> Init<D> for RMSNorm<Const<N>, E, D> {
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const)
    }
}

impl<N: Dim, E: Dtype, D: Device<E>> Visit<E, D> for RMSNorm<N, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)
    }
}

impl<B: Dim, N: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<(B, N), E, D, T>>
    for RMSNorm<N, E, D>
{
    type Output = Tensor<(B, N), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, N), E, D, T>) -> Result<Self::Output> {
        self.normalize(x)
    }
}

impl<B: Dim, S: Dim, N: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>
    Module<Tensor<(B, S, N), E, D, T>> for RMSNorm<N, E, D>
{
    type Output = Tensor<(B, S, N), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, S, N), E, D, T>) -> Result<Self::Output> {
        self.normalize(x)
    }
}

/// Group normalisation: `nn.GroupNorm(G, C)` for `(B, C, H, W)` inputs. The `C` channels are
/// split into `num_groups` groups, each normalised over its channels and positions with the
/// biased variance, then scaled and shifted per channel (`weight` at 1, `bias` at 0, eps 1e-5).
#[derive(Clone, Debug)]
pub struct GroupNorm<C: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// The number of groups; it divides the channel count.
    pub num_groups: usize,
    /// The per-channel scale.
    pub weight: Tensor<(C,), E, D>,
    /// The per-channel shift.
    pub bias: Tensor<(C,), E, D>,
    /// Added to the variance before the square root.
    pub eps: f64,
}

impl<C: Dim, E: Dtype, D: Device<E>> GroupNorm<C, E, D> {
    /// `num_groups` groups over `channels`; `Err` when they do not divide it.
    pub fn try_new(dev: &D, num_groups: usize, channels: C) -> Result<Self> {
        if num_groups == 0 || !channels.size().is_multiple_of(num_groups) {
            return Err(gf_core::Error::Argument {
                op: "GroupNorm",
                message: format!(
                    "{num_groups} groups do not divide {} channels",
                    channels.size()
                ),
            });
        }
        Ok(GroupNorm {
            num_groups,
            weight: dev.try_full_like(&(channels,), E::one())?,
            bias: dev.try_zeros_like(&(channels,))?,
            eps: 1e-5,
        })
    }
}

impl<C: Dim, E: Dtype, D: Device<E>> Visit<E, D> for GroupNorm<C, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)?;
        v.visit(&join(prefix, "bias"), TensorKind::Param, &self.bias)
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)?;
        v.visit_mut(&join(prefix, "bias"), TensorKind::Param, &mut self.bias)
    }
}

impl<B: Dim, C: Dim, H: Dim, W: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>
    Module<Tensor<(B, C, H, W), E, D, T>> for GroupNorm<C, E, D>
{
    type Output = Tensor<(B, C, H, W), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        type Run4 = (usize, usize, usize, usize);
        type Run3 = (usize, usize, usize);
        let shape = *x.shape();
        let [b, c, h, w] = x.dims();
        let g = self.num_groups;
        if g == 0 || !c.is_multiple_of(g) {
            return Err(gf_core::Error::Argument {
                op: "GroupNorm",
                message: format!("{g} groups do not divide {c} channels"),
            });
        }
        // (B, C, H, W) as (B, G, C/G·H·W): each group's statistics over its last axis
        let grouped: Tensor<Run3, E, D, T> =
            x.try_into_shape::<Run4>()?
                .try_reshape_like(&(b, g, c / g * h * w))?;
        let gshape = *grouped.shape();
        let mean: Tensor<(usize, usize), E, D, T> = grouped.clone().try_mean_axes(&[2])?;
        let var: Tensor<(usize, usize), E, D, T> = grouped.clone().try_var_axes(&[2], 0)?;
        let inv = var
            .try_add_scalar(E::from_f64(self.eps))?
            .try_sqrt()?
            .try_recip()?;
        let y = grouped
            .try_sub(mean.try_broadcast_axes(gshape, &[2])?)?
            .try_mul(inv.try_broadcast_axes(gshape, &[2])?)?
            .try_reshape_like(&(b, c, h, w))?
            .try_into_shape::<(B, C, H, W)>()?;
        let wt = self
            .weight
            .watched(y.tape())
            .try_broadcast_axes(shape, &[0, 2, 3])?;
        let bs = self
            .bias
            .watched(y.tape())
            .try_broadcast_axes(shape, &[0, 2, 3])?;
        y.try_mul(wt)?.try_add(bs)
    }
}
