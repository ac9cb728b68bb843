//! `MaxPool1d` and `AvgPool1d`: gf-core has 2-d pooling only, so a `(B, C, L)` input is pooled
//! as a `(B, C, 1, L)` image with a `1 × K` window, which gives the same windows, values and
//! gradients.

use gf_core::ops::pool::{Pool2dOpts, PoolKind};
use gf_core::shape::{Const, ConvDim, Dim, DynShape};
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// Pools `(B, C, L)` along `L` with `kind`'s `K`-wide windows.
fn pool1d<B: Dim, C: Dim, L: Dim, S2: gf_core::shape::Shape, E: Dtype, D: Device<E>, T: Tape>(
    x: Tensor<(B, C, L), E, D, T>,
    kind: PoolKind,
    [k, s, p]: [usize; 3],
) -> Result<Tensor<S2, E, D, T>> {
    let [b, c, l] = x.dims();
    let x = x
        .into_dyn()
        .try_reshape_like(&DynShape::new([b, c, 1, l]))?;
    let y = x.try_pool2d_args::<DynShape>(kind, [1, k], [1, s], [0, p], [0, 0])?;
    let ol = y.dims()[3];
    y.try_reshape_like(&DynShape::new([b, c, ol]))?
        .try_into_shape::<S2>()
}

macro_rules! window_pool1d {
    ($(#[$doc:meta])* $ty:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $ty<K: Dim, S: Dim = K, P: Dim = Const<0>> {
            /// Kernel, stride and padding (along the length).
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

        impl<B, C, L, K, S, P, E, D, T> Module<Tensor<(B, C, L), E, D, T>> for $ty<K, S, P>
        where
            B: Dim,
            C: Dim,
            L: ConvDim<K, S, P, Const<1>>,
            K: Dim,
            S: Dim,
            P: Dim,
            E: Dtype,
            D: Device<E>,
            T: Tape,
        {
            type Output = Tensor<(B, C, <L as ConvDim<K, S, P, Const<1>>>::Output), E, D, T>;
            fn try_forward(&self, x: Tensor<(B, C, L), E, D, T>) -> Result<Self::Output> {
                pool1d(x, PoolKind::$kind, self.opts.sizes())
            }
        }
    };
}

window_pool1d!(
    /// `nn.MaxPool1d(kernel, stride=kernel, padding=0)` on `(B, C, L)`: the maximum of each
    /// window; the gradient goes to each window's maximum.
    MaxPool1d,
    Max
);
window_pool1d!(
    /// `nn.AvgPool1d(kernel, stride=kernel, padding=0)` on `(B, C, L)`: the mean of each
    /// window, padding counted as zeros (`count_include_pad=True`).
    AvgPool1d,
    Avg
);
