//! `ConvTranspose2d`: transposed 2-D convolution over gf-core's `conv_transpose2d`, with the
//! sizes in the type or known when running.

use gf_core::ops::conv::Conv2dOpts;
use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Const, ConvTransposeDim, Dim, HasShape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::{fan_in_bound, uniform, Init};
use crate::layers::conv1d::{check_channels, weight_bias_visit};
use crate::layers::linear::FeaturesFit;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// `nn.ConvTranspose2d(CI, CO, K, stride=S, padding=P, output_padding=...)`: the gradient of a
/// `K × K` convolution, from `CI` to `CO` channels of `(B, CI, H, W)` inputs; the output is
/// `(H − 1)·S − 2P + K + output_padding` high. The weight is `(CI, CO, K, K)` as in PyTorch,
/// and weight and bias start uniform in `±1/√(CO·K·K)` (PyTorch takes the fan-in from the
/// weight's second axis). Dilation and groups are 1. State-dict names: `weight`, `bias`.
///
/// `output_padding` (set on the options, `Conv2dOpts::new().stride(..).output_padding(1)`)
/// does not fit a typed output size: use run-time `usize` heights and widths with it, where
/// a `Const` one gives `Err` when running.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let up: ConvTranspose2d<Const<4>, Const<2>, Const<2>, Const<2>> = ConvTranspose2d::init(&dev);
/// let x: Tensor<(usize, Const<4>, Const<3>, Const<3>), f32, Cpu> =
///     dev.zeros_like(&(1, Const, Const, Const));
/// let y: Tensor<(usize, Const<2>, Const<6>, Const<6>), f32, Cpu> = up.forward(x);
/// # let _ = y;
/// ```
#[derive(Clone, Debug)]
pub struct ConvTranspose2d<
    CI: Dim,
    CO: Dim,
    K: Dim,
    S: Dim = Const<1>,
    P: Dim = Const<0>,
    E: Dtype = f32,
    D: Device<E> = Cpu,
> {
    /// `(in_channels, out_channels, kernel, kernel)`.
    pub weight: Tensor<(CI, CO, K, K), E, D>,
    /// `(out_channels,)`, or `None` for `bias = false`.
    pub bias: Option<Tensor<(CO,), E, D>>,
    /// Stride, padding and output padding.
    pub opts: Conv2dOpts<S, P>,
}

impl<CI: Dim, CO: Dim, K: Dim, S: Dim, P: Dim, E: Dtype, D: Device<E>>
    ConvTranspose2d<CI, CO, K, S, P, E, D>
{
    /// A transposed convolution with PyTorch's initialisation; `opts` gives stride, padding
    /// and output padding.
    pub fn try_new(
        dev: &D,
        in_channels: CI,
        out_channels: CO,
        kernel: K,
        opts: Conv2dOpts<S, P>,
        bias: bool,
    ) -> Result<Self> {
        let k = kernel.size();
        let bound = fan_in_bound(out_channels.size() * k * k);
        let weight = uniform(dev, &(in_channels, out_channels, kernel, kernel), bound)?;
        let bias = if bias {
            Some(uniform(dev, &(out_channels,), bound)?)
        } else {
            None
        };
        Ok(ConvTranspose2d { weight, bias, opts })
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
    > Init<D> for ConvTranspose2d<Const<CI>, Const<CO>, Const<K>, Const<S>, Const<P>, E, D>
{
    fn try_init(dev: &D) -> Result<Self> {
        let opts = Conv2dOpts::new().stride(Const::<S>).padding(Const::<P>);
        Self::try_new(dev, Const, Const, Const, opts, true)
    }
}

weight_bias_visit!(ConvTranspose2d);

/// The output of a `ConvTranspose2d` on `(B, C, H, W)`.
type ConvTOutput<B, CO, H, W, K, S, P, E, D, T> = Tensor<
    (
        B,
        CO,
        <H as ConvTransposeDim<K, S, P, Const<1>>>::Output,
        <W as ConvTransposeDim<K, S, P, Const<1>>>::Output,
    ),
    E,
    D,
    T,
>;

impl<B, C, H, W, CI, CO, K, S, P, E, D, T> Module<Tensor<(B, C, H, W), E, D, T>>
    for ConvTranspose2d<CI, CO, K, S, P, E, D>
where
    B: Dim,
    C: FeaturesFit<CI>,
    CI: Dim,
    H: ConvTransposeDim<K, S, P, Const<1>>,
    W: ConvTransposeDim<K, S, P, Const<1>>,
    CO: Dim,
    K: Dim,
    S: Dim,
    P: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    type Output = ConvTOutput<B, CO, H, W, K, S, P, E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        check_channels("ConvTranspose2d", x.dims()[1], self.weight.dims()[0])?;
        let x = x.try_into_shape::<(B, CI, H, W)>()?;
        let w = self.weight.watched(x.tape());
        // the run-time engine, so that output_padding reaches it; a typed output size that
        // output_padding changes is an `Err` there
        let y: Self::Output = x.try_conv_transpose2d_args(w, self.opts.to_args())?;
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
