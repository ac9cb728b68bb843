//! `Conv1d`: 1-D convolution over gf-core's `conv1d` (a conv2d of height 1), with the sizes in
//! the type or known when running.

use gf_core::ops::conv::{Conv2dOpts, ConvChannels};
use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Const, ConvDim, Dim, HasShape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::{fan_in_bound, uniform, Init};
use crate::layers::linear::FeaturesFit;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// `nn.Conv1d(CI, CO, K, stride=S, padding=P)`: a width-`K` convolution from `CI` to `CO`
/// channels of `(B, CI, L)` inputs. The weight is `(CO, CI, K)`; weight and bias start
/// uniform in `±1/√(CI·K)` as in PyTorch. Dilation and groups are 1. State-dict names:
/// `weight`, `bias`.
///
/// With `Const` sizes the output length is computed when compiling, and input channels other
/// than `CI` do not compile.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let conv: Conv1d<Const<3>, Const<4>, Const<3>, Const<2>, Const<1>> = Conv1d::init(&dev);
/// let x: Tensor<(usize, Const<3>, Const<7>), f32, Cpu> = dev.zeros_like(&(2, Const, Const));
/// let y: Tensor<(usize, Const<4>, Const<4>), f32, Cpu> = conv.forward(x);
/// # let _ = y;
/// ```
#[derive(Clone, Debug)]
pub struct Conv1d<
    CI: Dim,
    CO: Dim,
    K: Dim,
    S: Dim = Const<1>,
    P: Dim = Const<0>,
    E: Dtype = f32,
    D: Device<E> = Cpu,
> {
    /// `(out_channels, in_channels, kernel)`.
    pub weight: Tensor<(CO, CI, K), E, D>,
    /// `(out_channels,)`, or `None` for `bias = false`.
    pub bias: Option<Tensor<(CO,), E, D>>,
    /// Stride and padding (applied along the length).
    pub opts: Conv2dOpts<S, P>,
}

impl<CI: Dim, CO: Dim, K: Dim, S: Dim, P: Dim, E: Dtype, D: Device<E>>
    Conv1d<CI, CO, K, S, P, E, D>
{
    /// A convolution with PyTorch's initialisation; `opts` gives stride and padding
    /// (`Conv2dOpts::new().stride(Runtime(2)).padding(Runtime(1))`).
    pub fn try_new(
        dev: &D,
        in_channels: CI,
        out_channels: CO,
        kernel: K,
        opts: Conv2dOpts<S, P>,
        bias: bool,
    ) -> Result<Self> {
        let bound = fan_in_bound(in_channels.size() * kernel.size());
        let weight = uniform(dev, &(out_channels, in_channels, kernel), bound)?;
        let bias = if bias {
            Some(uniform(dev, &(out_channels,), bound)?)
        } else {
            None
        };
        Ok(Conv1d { weight, bias, opts })
    }
}

impl<
        const CI: usize,
        const CO: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        E: Dtype,
        D: Device<E>,
    > Init<D> for Conv1d<Const<CI>, Const<CO>, Const<K>, Const<S>, Const<P>, E, D>
{
    fn try_init(dev: &D) -> Result<Self> {
        let opts = Conv2dOpts::new().stride(Const::<S>).padding(Const::<P>);
        Self::try_new(dev, Const, Const, Const, opts, true)
    }
}

/// `weight` and an optional `bias`, the tensors of every convolution layer.
macro_rules! weight_bias_visit {
    ($ty:ident) => {
        impl<CI: Dim, CO: Dim, K: Dim, S: Dim, P: Dim, E: Dtype, D: Device<E>> Visit<E, D>
            for $ty<CI, CO, K, S, P, E, D>
        {
            fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
                v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)?;
                if let Some(b) = &self.bias {
                    v.visit(&join(prefix, "bias"), TensorKind::Param, b)?;
                }
                Ok(())
            }
            fn try_visit_mut<V: VisitorMut<E, D>>(
                &mut self,
                prefix: &str,
                v: &mut V,
            ) -> crate::Result<()> {
                v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)?;
                if let Some(b) = &mut self.bias {
                    v.visit_mut(&join(prefix, "bias"), TensorKind::Param, b)?;
                }
                Ok(())
            }
        }
    };
}
pub(crate) use weight_bias_visit;

weight_bias_visit!(Conv1d);

/// `Err` naming both counts when the input has `c` channels and the layer takes `ci`.
pub(crate) fn check_channels(op: &'static str, c: usize, ci: usize) -> Result<()> {
    if c == ci {
        Ok(())
    } else {
        Err(gf_core::Error::Shape {
            op,
            message: format!("the layer takes {ci} input channels, the input has {c}"),
        })
    }
}

impl<B, C, L, CI, CO, K, S, P, E, D, T> Module<Tensor<(B, C, L), E, D, T>>
    for Conv1d<CI, CO, K, S, P, E, D>
where
    B: Dim,
    C: FeaturesFit<CI>,
    CI: ConvChannels<CI, Const<1>>,
    L: ConvDim<K, S, P, Const<1>>,
    CO: Dim,
    K: Dim,
    S: Dim,
    P: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    type Output = Tensor<(B, CO, <L as ConvDim<K, S, P, Const<1>>>::Output), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, L), E, D, T>) -> Result<Self::Output> {
        check_channels("Conv1d", x.dims()[1], self.weight.dims()[1])?;
        let x = x.try_into_shape::<(B, CI, L)>()?;
        let w = self.weight.watched(x.tape());
        let y = x.try_conv1d(w, self.opts)?;
        match &self.bias {
            None => Ok(y),
            Some(b) => {
                let shape = *y.shape();
                let b = b.watched(y.tape()).try_broadcast_axes(shape, &[0, 2])?;
                y.try_add(b)
            }
        }
    }
}
