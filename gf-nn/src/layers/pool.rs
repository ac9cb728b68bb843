//! Pooling layers over gf-core's pooling ops: `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`.

use gf_core::ops::pool::Pool2dOpts;
use gf_core::shape::arith::OptDim;
use gf_core::shape::{Const, ConvDim, Dim};
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// The output of a pooling window on `(B, C, H, W)`.
type PoolOutput<B, C, H, W, K, S, P, E, D, T> = Tensor<
    (
        B,
        C,
        <H as ConvDim<K, S, P, Const<1>>>::Output,
        <W as ConvDim<K, S, P, Const<1>>>::Output,
    ),
    E,
    D,
    T,
>;

macro_rules! window_pool {
    ($(#[$doc:meta])* $ty:ident, $try_op:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $ty<K: Dim, S: Dim = K, P: Dim = Const<0>> {
            /// Kernel, stride and padding.
            pub opts: Pool2dOpts<K, S, P>,
        }

        impl<K: Dim, S: Dim, P: Dim> $ty<K, S, P> {
            /// The layer with these options (`Pool2dOpts::new(Runtime(2))` for run-time sizes).
            pub fn new(opts: Pool2dOpts<K, S, P>) -> Self {
                $ty { opts }
            }
        }

        impl<const K: usize, const S: usize, const P: usize, Dev> Init<Dev>
            for $ty<Const<K>, Const<S>, Const<P>>
        {
            fn try_init(_: &Dev) -> Result<Self> {
                let opts = Pool2dOpts::new(Const::<K>).stride(Const::<S>).padding(Const::<P>);
                Ok($ty { opts })
            }
        }

        impl<K: Dim, S: Dim, P: Dim, E: Dtype, D: Device<E>> Visit<E, D> for $ty<K, S, P> {
            fn try_visit<V: Visitor<E, D>>(&self, _: &str, _: &mut V) -> crate::Result<()> {
                Ok(())
            }
            fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, _: &str, _: &mut V) -> crate::Result<()> {
                Ok(())
            }
        }

        impl<B, C, H, W, K, S, P, E, D, T> Module<Tensor<(B, C, H, W), E, D, T>> for $ty<K, S, P>
        where
            B: Dim,
            C: Dim,
            H: ConvDim<K, S, P, Const<1>>,
            W: ConvDim<K, S, P, Const<1>>,
            K: Dim,
            S: Dim,
            P: Dim,
            E: Dtype,
            D: Device<E>,
            T: Tape,
        {
            type Output = PoolOutput<B, C, H, W, K, S, P, E, D, T>;
            fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
                x.$try_op(self.opts)
            }
        }
    };
}

window_pool!(
    /// `nn.MaxPool2d(kernel, stride=kernel, padding=0)`: the maximum of each window; the
    /// gradient goes to each window's maximum (split among ties).
    MaxPool2d,
    try_max_pool2d
);
window_pool!(
    /// `nn.AvgPool2d(kernel, stride=kernel, padding=0)`: the mean of each window, padding
    /// counted as zeros (`count_include_pad=True`).
    AvgPool2d,
    try_avg_pool2d
);

/// `nn.AdaptiveAvgPool2d((OH, OW))`: averages into an `OH × OW` grid whatever the input size
/// (PyTorch's window bounds). `Const::<1>` sizes give global average pooling with a typed
/// output; `Runtime(n)` sizes a run-time one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdaptiveAvgPool2d<OH: OptDim, OW: OptDim> {
    /// The output height.
    pub oh: OH,
    /// The output width.
    pub ow: OW,
}

impl<const OH: usize, const OW: usize, Dev> Init<Dev> for AdaptiveAvgPool2d<Const<OH>, Const<OW>> {
    fn try_init(_: &Dev) -> Result<Self> {
        Ok(AdaptiveAvgPool2d {
            oh: Const,
            ow: Const,
        })
    }
}

impl<OH: OptDim, OW: OptDim, E: Dtype, D: Device<E>> Visit<E, D> for AdaptiveAvgPool2d<OH, OW> {
    fn try_visit<V: Visitor<E, D>>(&self, _: &str, _: &mut V) -> crate::Result<()> {
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, _: &str, _: &mut V) -> crate::Result<()> {
        Ok(())
    }
}

impl<B: Dim, C: Dim, H: Dim, W: Dim, OH: OptDim, OW: OptDim, E: Dtype, D: Device<E>, T: Tape>
    Module<Tensor<(B, C, H, W), E, D, T>> for AdaptiveAvgPool2d<OH, OW>
{
    type Output = Tensor<(B, C, OH::Dim, OW::Dim), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        x.try_adaptive_avg_pool2d(self.oh, self.ow)
    }
}
