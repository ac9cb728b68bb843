//! `Conv2d`: 2-D convolution over gf-core's `conv2d`, with the sizes in the type or known when
//! running.

use gf_core::ops::conv::{Conv2dOpts, ConvChannels};
use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Const, ConvDim, Dim, HasShape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::{fan_in_bound, uniform, Init};
use crate::layers::linear::FeaturesFit;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// `nn.Conv2d(CI, CO, K, stride=S, padding=P)`: a `K × K` convolution from `CI` to `CO`
/// channels of `(B, CI, H, W)` inputs. The weight is `(CO, CI, K, K)`; weight and bias start
/// uniform in `±1/√(CI·K·K)` as in PyTorch. Dilation and groups are 1.
///
/// With `Const` sizes the output's height and width are computed when compiling, and input
/// channels other than `CI` do not compile.
#[derive(Clone, Debug)]
pub struct Conv2d<
    CI: Dim,
    CO: Dim,
    K: Dim,
    S: Dim = Const<1>,
    P: Dim = Const<0>,
    E: Dtype = f32,
    D: Device<E> = Cpu,
> {
    /// `(out_channels, in_channels, kernel, kernel)`.
    pub weight: Tensor<(CO, CI, K, K), E, D>,
    /// `(out_channels,)`, or `None` for `bias = false`.
    pub bias: Option<Tensor<(CO,), E, D>>,
    /// Stride and padding.
    pub opts: Conv2dOpts<S, P>,
}

impl<CI: Dim, CO: Dim, K: Dim, S: Dim, P: Dim, E: Dtype, D: Device<E>>
    Conv2d<CI, CO, K, S, P, E, D>
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
        let k = kernel.size();
        let bound = fan_in_bound(in_channels.size() * k * k);
        let weight = uniform(dev, &(out_channels, in_channels, kernel, kernel), bound)?;
        let bias = if bias {
            Some(uniform(dev, &(out_channels,), bound)?)
        } else {
            None
        };
        Ok(Conv2d { weight, bias, opts })
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
    > Init<D> for Conv2d<Const<CI>, Const<CO>, Const<K>, Const<S>, Const<P>, E, D>
{
    fn try_init(dev: &D) -> Result<Self> {
        let opts = Conv2dOpts::new().stride(Const::<S>).padding(Const::<P>);
        Self::try_new(dev, Const, Const, Const, opts, true)
    }
}

impl<CI: Dim, CO: Dim, K: Dim, S: Dim, P: Dim, E: Dtype, D: Device<E>> Visit<E, D>
    for Conv2d<CI, CO, K, S, P, E, D>
{
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)?;
        if let Some(b) = &self.bias {
            v.visit(&join(prefix, "bias"), TensorKind::Param, b)?;
        }
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)?;
        if let Some(b) = &mut self.bias {
            v.visit_mut(&join(prefix, "bias"), TensorKind::Param, b)?;
        }
        Ok(())
    }
}

/// The output of a `Conv2d` on `(B, C, H, W)`.
type ConvOutput<B, CO, H, W, K, S, P, E, D, T> = Tensor<
    (
        B,
        CO,
        <H as ConvDim<K, S, P, Const<1>>>::Output,
        <W as ConvDim<K, S, P, Const<1>>>::Output,
    ),
    E,
    D,
    T,
>;

impl<B, C, H, W, CI, CO, K, S, P, E, D, T> Module<Tensor<(B, C, H, W), E, D, T>>
    for Conv2d<CI, CO, K, S, P, E, D>
where
    B: Dim,
    C: FeaturesFit<CI>,
    CI: ConvChannels<CI, Const<1>>,
    H: ConvDim<K, S, P, Const<1>>,
    W: ConvDim<K, S, P, Const<1>>,
    CI: Dim,
    CO: Dim,
    K: Dim,
    S: Dim,
    P: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    type Output = ConvOutput<B, CO, H, W, K, S, P, E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        let [_, c, _, _] = x.dims();
        let ci = self.weight.dims()[1];
        if c != ci {
            return Err(gf_core::Error::Shape {
                op: "Conv2d",
                message: format!("the layer takes {ci} input channels, the input has {c}"),
            });
        }
        let x = x.try_into_shape::<(B, CI, H, W)>()?;
        let w = self.weight.watched(x.tape());
        let y = x.try_conv2d(w, self.opts)?;
        match &self.bias {
            None => Ok(y),
            Some(b) => {
                let shape = *y.shape();
                let b = b.watched(y.tape()).try_broadcast_axes(shape, &[0, 2, 3])?;
                y.try_add(b)
            }
        }
    }
}
