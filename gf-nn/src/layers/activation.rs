//! Activations as modules, each a thin wrapper over a gf-core op (PyTorch's names and
//! defaults). They hold no tensors, keep the input's shape and tape, and work on any shape.

use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Const, Dim, HasShape, Shape};
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// The `Visit` (no tensors) and `Init` (defaults) impls of a stateless layer.
macro_rules! stateless {
    ($($ty:ident),*) => {$(
        impl<E: Dtype, D: Device<E>> Visit<E, D> for $ty {
            fn try_visit<V: Visitor<E, D>>(&self, _: &str, _: &mut V) -> crate::Result<()> {
                Ok(())
            }
            fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, _: &str, _: &mut V) -> crate::Result<()> {
                Ok(())
            }
        }
        impl<D> Init<D> for $ty {
            fn try_init(_: &D) -> Result<Self> {
                Ok(Self::default())
            }
        }
    )*};
}
pub(crate) use stateless;

macro_rules! activation {
    ($($(#[$doc:meta])* $ty:ident => |$s:ident, $x:ident| $body:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct $ty;

        impl<S: Shape, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<S, E, D, T>> for $ty {
            type Output = Tensor<S, E, D, T>;
            fn try_forward(&self, $x: Tensor<S, E, D, T>) -> Result<Self::Output> {
                let $s = self;
                let _ = $s;
                $body
            }
        }
        stateless!($ty);
    )*};
}

activation! {
    /// `max(x, 0)`: `nn.ReLU`.
    ReLU => |s, x| x.try_relu();
    /// `min(max(x, 0), 6)`: `nn.ReLU6`.
    ReLU6 => |s, x| x.try_clamp(E::zero(), E::from_f64(6.0));
    /// `1 / (1 + e^−x)`: `nn.Sigmoid`.
    Sigmoid => |s, x| x.try_sigmoid();
    /// `nn.Tanh`.
    Tanh => |s, x| x.try_tanh();
    /// `x · σ(x)`: `nn.SiLU` (Swish).
    SiLU => |s, x| x.try_silu();
    /// `x · tanh(softplus(x))`: `nn.Mish`.
    Mish => |s, x| x.try_mish();
    /// `log(1 + e^x)`: `nn.Softplus` with PyTorch's defaults (β = 1).
    Softplus => |s, x| x.try_softplus();
    /// Scaled ELU with the self-normalizing constants: `nn.SELU`.
    SELU => |s, x| x.try_selu();
    /// `min(max(x, −1), 1)`: `nn.Hardtanh`.
    Hardtanh => |s, x| x.try_clamp(-E::one(), E::one());
    /// `min(max(x/6 + 1/2, 0), 1)`: `nn.Hardsigmoid`.
    Hardsigmoid => |s, x| x.try_mul_scalar(E::from_f64(1.0 / 6.0))?.try_add_scalar(E::from_f64(0.5))?.try_clamp(E::zero(), E::one());
    /// The input unchanged: `nn.Identity`.
    Identity => |s, x| Ok(x);
}

/// `x` for `x > 0`, `negative_slope · x` otherwise: `nn.LeakyReLU` (slope 0.01 by default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyReLU {
    /// The slope for negative inputs.
    pub negative_slope: f64,
}
impl Default for LeakyReLU {
    fn default() -> Self {
        LeakyReLU {
            negative_slope: 0.01,
        }
    }
}
impl<S: Shape, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<S, E, D, T>> for LeakyReLU {
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        x.try_leaky_relu(E::from_f64(self.negative_slope))
    }
}

/// `x` for `x > 0`, `alpha · (e^x − 1)` otherwise: `nn.ELU` (alpha 1 by default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ELU {
    /// The scale of the negative part.
    pub alpha: f64,
}
impl Default for ELU {
    fn default() -> Self {
        ELU { alpha: 1.0 }
    }
}
impl<S: Shape, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<S, E, D, T>> for ELU {
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        x.try_elu(E::from_f64(self.alpha))
    }
}

/// `x · Φ(x)`: `nn.GELU`, exact by default; `approximate_tanh` selects PyTorch's
/// `approximate='tanh'`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GELU {
    /// Use the tanh approximation.
    pub approximate_tanh: bool,
}
impl<S: Shape, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<S, E, D, T>> for GELU {
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        if self.approximate_tanh {
            x.try_gelu_tanh()
        } else {
            x.try_gelu()
        }
    }
}

/// `x · relu6(x + 3) / 6`: `nn.Hardswish`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Hardswish;
impl<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<S, E, D, T>>
    for Hardswish
{
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        let gate = Hardsigmoid.try_forward(x.clone())?;
        x.try_mul(gate)
    }
}

/// Softmax along axis `dim`: `nn.Softmax(dim)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Softmax {
    /// The axis that sums to 1.
    pub dim: usize,
}
impl<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<S, E, D, T>> for Softmax {
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        x.try_softmax_axis(self.dim)
    }
}

/// Log-softmax along axis `dim`, computed stably: `nn.LogSoftmax(dim)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogSoftmax {
    /// The axis whose exponentials sum to 1.
    pub dim: usize,
}
impl<S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<S, E, D, T>>
    for LogSoftmax
{
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        x.try_log_softmax_axis(self.dim)
    }
}

stateless!(LeakyReLU, ELU, GELU, Hardswish, Softmax, LogSoftmax);

/// `max(0, x) + min(0, α · (e^(x/α) − 1))`: `nn.CELU` (α = 1 by default), computed as
/// `α · elu(x / α)` so that its gradient comes from ELU's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CELU {
    /// The scale α of the negative part (nonzero).
    pub alpha: f64,
}

impl Default for CELU {
    fn default() -> Self {
        CELU { alpha: 1.0 }
    }
}

impl<S: Shape, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<S, E, D, T>> for CELU {
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        if self.alpha == 0.0 {
            return Err(gf_core::Error::Argument {
                op: "CELU",
                message: "alpha = 0 divides by zero".into(),
            });
        }
        x.try_mul_scalar(E::from_f64(1.0 / self.alpha))?
            .try_elu(E::one())?
            .try_mul_scalar(E::from_f64(self.alpha))
    }
}

stateless!(CELU);

/// `max(0, x) + a · min(0, x)` with a learned slope `a`: `nn.PReLU(num_parameters = N)`,
/// `a` starting at 0.25. One slope (`N = 1`) is shared by every element; `N` slopes are one per
/// channel (axis 1). State-dict name: `weight`.
#[derive(Clone, Debug)]
pub struct PReLU<N: Dim = Const<1>, E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The slopes, `(N,)`.
    pub weight: Tensor<(N,), E, D>,
}

impl<N: Dim, E: Dtype, D: Device<E>> PReLU<N, E, D> {
    /// `num_parameters` slopes at PyTorch's initial 0.25.
    pub fn try_new(dev: &D, num_parameters: N) -> Result<Self> {
        use gf_core::ops::create::TensorCreate;
        Ok(PReLU {
            weight: dev.try_full_like(&(num_parameters,), E::from_f64(0.25))?,
        })
    }
}

impl<const N: usize, E: Dtype, D: Device<E>> Init<D> for PReLU<Const<N>, E, D> {
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const)
    }
}

impl<N: Dim, E: Dtype, D: Device<E>> Visit<E, D> for PReLU<N, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        let name = crate::visit::join(prefix, "weight");
        v.visit(&name, crate::visit::TensorKind::Param, &self.weight)
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        let name = crate::visit::join(prefix, "weight");
        v.visit_mut(&name, crate::visit::TensorKind::Param, &mut self.weight)
    }
}

impl<S: Shape, N: Dim, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<S, E, D, T>>
    for PReLU<N, E, D>
{
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        let shape = x.shape().clone();
        let dims = x.dims();
        let w = self.weight.watched(x.tape());
        let w = if self.weight.dims()[0] == 1 {
            w.try_broadcast_numpy::<S>(dims.as_ref())?
        } else {
            let others: Vec<usize> = (0..dims.as_ref().len()).filter(|&a| a != 1).collect();
            w.try_broadcast_axes(shape, &others)?
        };
        let neg = x.clone().try_neg()?.try_relu()?;
        x.try_relu()?.try_sub(neg.try_mul(w)?)
    }
}
