//! `InstanceNorm2d`: each image's channels normalised over their own height and width.

use gf_core::ops::create::TensorCreate;
use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Const, Dim, HasShape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// `nn.InstanceNorm2d(C)` on `(B, C, H, W)`: every `(b, c)` plane is normalised with its own
/// mean and biased variance, `eps = 1e-5`, in training and eval mode alike (PyTorch's default
/// `track_running_stats=False`; running statistics are not supported here). `affine = false`
/// by default, as PyTorch's; with `affine = true` a per-channel `weight` (1) and `bias` (0)
/// follow, under those state-dict names.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let m: InstanceNorm2d<Const<3>> = InstanceNorm2d::init(&dev);
/// assert_eq!(m.num_params(), 0);
/// let m: InstanceNorm2d<usize> = InstanceNorm2d::try_new(&dev, 3, true).unwrap();
/// assert_eq!(m.num_params(), 6);
/// ```
#[derive(Clone, Debug)]
pub struct InstanceNorm2d<C: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// The per-channel scale γ (`None` unless affine).
    pub weight: Option<Tensor<(C,), E, D>>,
    /// The per-channel shift β (`None` unless affine).
    pub bias: Option<Tensor<(C,), E, D>>,
    /// Added to the variance before the square root.
    pub eps: f64,
    channels: C,
}

impl<C: Dim, E: Dtype, D: Device<E>> InstanceNorm2d<C, E, D> {
    /// Instance norm over `channels`, with a learned scale and shift when `affine`.
    pub fn try_new(dev: &D, channels: C, affine: bool) -> Result<Self> {
        let (weight, bias) = if affine {
            (
                Some(dev.try_full_like(&(channels,), E::one())?),
                Some(dev.try_zeros_like(&(channels,))?),
            )
        } else {
            (None, None)
        };
        Ok(InstanceNorm2d {
            weight,
            bias,
            eps: 1e-5,
            channels,
        })
    }
}

impl<const C: usize, E: Dtype, D: Device<E>> Init<D> for InstanceNorm2d<Const<C>, E, D> {
    /// PyTorch's default, `affine = false`.
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const, false)
    }
}

impl<C: Dim, E: Dtype, D: Device<E>> Visit<E, D> for InstanceNorm2d<C, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        if let (Some(w), Some(b)) = (&self.weight, &self.bias) {
            v.visit(&join(prefix, "weight"), TensorKind::Param, w)?;
            v.visit(&join(prefix, "bias"), TensorKind::Param, b)?;
        }
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        if let (Some(w), Some(b)) = (&mut self.weight, &mut self.bias) {
            v.visit_mut(&join(prefix, "weight"), TensorKind::Param, w)?;
            v.visit_mut(&join(prefix, "bias"), TensorKind::Param, b)?;
        }
        Ok(())
    }
}

impl<B: Dim, C: Dim, H: Dim, W: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf>
    Module<Tensor<(B, C, H, W), E, D, T>> for InstanceNorm2d<C, E, D>
{
    type Output = Tensor<(B, C, H, W), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        let c = x.dims()[1];
        if c != self.channels.size() {
            return Err(gf_core::Error::Shape {
                op: "InstanceNorm2d",
                message: format!(
                    "the layer takes {} channels, the input has {c}",
                    self.channels.size()
                ),
            });
        }
        let shape = *x.shape();
        let planes = &[2, 3];
        let mean: Tensor<(B, C), E, D, T> = x.clone().try_mean_axes(planes)?;
        let var: Tensor<(B, C), E, D, T> = x.clone().try_var_axes(planes, 0)?;
        let inv = var
            .try_add_scalar(E::from_f64(self.eps))?
            .try_sqrt()?
            .try_recip()?;
        let y = x
            .try_sub(mean.try_broadcast_axes(shape, planes)?)?
            .try_mul(inv.try_broadcast_axes(shape, planes)?)?;
        match (&self.weight, &self.bias) {
            (Some(w), Some(b)) => {
                let others = &[0, 2, 3];
                let w = w.watched(y.tape()).try_broadcast_axes(shape, others)?;
                let b = b.watched(y.tape()).try_broadcast_axes(shape, others)?;
                y.try_mul(w)?.try_add(b)
            }
            _ => Ok(y),
        }
    }
}
