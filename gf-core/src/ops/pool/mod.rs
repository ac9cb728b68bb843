//! Pooling: max_pool2d, avg_pool2d and adaptive_avg_pool2d over (C, H, W) or (B, C, H, W).
//!
//! Output sizes of max and average pooling come from gf-shape's [`ConvDim`], so `Const` inputs
//! give `Const` outputs; the stride defaults to the kernel size, as in PyTorch. Sizes are
//! written `Const::<2>` (known when compiling) or `Runtime(2)` (known when running); a bare
//! number does not compile, because it would make the output sizes run-time `usize`s:
//!
//! ```
//! # use gf_core::prelude::*;
//! let x: Tensor<Rank4<2, 6, 24, 24>, f32, Cpu> = Cpu::default().zeros();
//! let y: Tensor<Rank4<2, 6, 12, 12>, f32, Cpu> = x.max_pool2d(Pool2dOpts::new(Const::<2>));
//! ```
//!
//! ```compile_fail
//! # use gf_core::prelude::*;
//! let opts = Pool2dOpts::new(2); // write `Const::<2>` or `Runtime(2)`
//! ```

mod cpu_kernel;

use gf_shape::arith::OptDim;
use gf_shape::{Const, ConvDim, Dim, Shape};

use crate::device::{Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops::conv::or_panic;
use crate::tape::Tape;
use crate::tensor::Tensor;

/// Which pooling a kernel computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    /// The largest element of each window; the gradient goes to it (the first of ties).
    Max,
    /// The mean of each window, padding counted as zeros (`count_include_pad=True`).
    Avg,
    /// The mean of PyTorch's adaptive bins `floor(i·H/O) .. ceil((i+1)·H/O)`.
    AdaptiveAvg,
}

impl PoolKind {
    /// The name of the op that computes it, as errors name it.
    pub fn op_name(self) -> &'static str {
        match self {
            PoolKind::Max => "max_pool2d",
            PoolKind::Avg => "avg_pool2d",
            PoolKind::AdaptiveAvg => "adaptive_avg_pool2d",
        }
    }
}

/// A pooling problem in plain numbers: `planes` images of `h × w` (batch × channels).
///
/// Built only by [`PoolProblem::sliding`] and [`PoolProblem::adaptive`], which check the sizes
/// against each other, so a kernel may index by them freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolProblem {
    /// What to compute.
    pub(crate) kind: PoolKind,
    /// Images (batch × channels).
    pub(crate) planes: usize,
    /// Input height and width.
    pub(crate) input: [usize; 2],
    /// Output height and width.
    pub(crate) output: [usize; 2],
    /// Window size (unused by adaptive pooling).
    pub(crate) kernel: [usize; 2],
    /// Step between windows (unused by adaptive pooling).
    pub(crate) stride: [usize; 2],
    /// Implicit padding on each side (unused by adaptive pooling).
    pub(crate) padding: [usize; 2],
}

impl PoolProblem {
    /// Max (`PoolKind::Max`) or average (`PoolKind::Avg`) pooling of `planes` images of
    /// `input` size with a sliding window; the output size follows. `Err` when a window or
    /// stride is 0, the padding is over half the window, the window is larger than the padded
    /// input, the kind is adaptive, or a buffer would hold more than `usize::MAX` elements.
    pub fn sliding(
        kind: PoolKind,
        planes: usize,
        input: [usize; 2],
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> Result<Self> {
        let op = kind.op_name();
        if kind == PoolKind::AdaptiveAvg {
            return Err(Error::argument(
                op,
                "adaptive pooling has no window; use `PoolProblem::adaptive`",
            ));
        }
        if kernel.contains(&0)
            || stride.contains(&0)
            || (0..2).any(|i| padding[i] > kernel[i] / 2)
            || kernel[0].checked_mul(kernel[1]).is_none()
        {
            return Err(Error::argument(op, format!("kernel {kernel:?} and stride {stride:?} must be positive and padding {padding:?} at most half the kernel")));
        }
        let size =
            |i: usize| gf_shape::conv_out_size(input[i], kernel[i], stride[i], padding[i], 1);
        let (Some(oh), Some(ow)) = (size(0), size(1)) else {
            return Err(Error::shape(
                op,
                format!("a {kernel:?} window does not fit a padded {input:?} input"),
            ));
        };
        PoolProblem {
            kind,
            planes,
            input,
            output: [oh, ow],
            kernel,
            stride,
            padding,
        }
        .checked_counts()
    }

    /// Adaptive average pooling of `planes` images of `input` size into `output` bins (PyTorch's
    /// `adaptive_avg_pool2d`). `Err` for an empty input or output side, or a buffer that would
    /// hold more than `usize::MAX` elements.
    pub fn adaptive(planes: usize, input: [usize; 2], output: [usize; 2]) -> Result<Self> {
        if output.contains(&0) || input.contains(&0) {
            return Err(Error::shape(
                "adaptive_avg_pool2d",
                format!("cannot pool {input:?} into {output:?}"),
            ));
        }
        let none = [0, 0];
        PoolProblem {
            kind: PoolKind::AdaptiveAvg,
            planes,
            input,
            output,
            kernel: none,
            stride: none,
            padding: none,
        }
        .checked_counts()
    }

    fn checked_counts(self) -> Result<Self> {
        let fits = |[a, b]: [usize; 2]| {
            a.checked_mul(b)
                .and_then(|n| n.checked_mul(self.planes))
                .is_some()
        };
        if fits(self.input) && fits(self.output) {
            Ok(self)
        } else {
            Err(Error::shape(
                self.kind.op_name(),
                format!(
                    "{} planes of {:?} are too large to address",
                    self.planes, self.input
                ),
            ))
        }
    }

    /// What to compute.
    pub fn kind(&self) -> PoolKind {
        self.kind
    }

    /// Images (batch × channels).
    pub fn planes(&self) -> usize {
        self.planes
    }

    /// Input height and width.
    pub fn input(&self) -> [usize; 2] {
        self.input
    }

    /// Output height and width.
    pub fn output(&self) -> [usize; 2] {
        self.output
    }

    /// Window size (unused by adaptive pooling).
    pub fn kernel(&self) -> [usize; 2] {
        self.kernel
    }

    /// Step between windows (unused by adaptive pooling).
    pub fn stride(&self) -> [usize; 2] {
        self.stride
    }

    /// Implicit padding on each side (unused by adaptive pooling).
    pub fn padding(&self) -> [usize; 2] {
        self.padding
    }

    /// The input rows (or columns, `axis` 1) of output row `o`, clipped to the input, and the
    /// window's full size for averaging.
    pub fn window(&self, axis: usize, o: usize) -> (usize, usize, usize) {
        let n = self.input[axis];
        match self.kind {
            PoolKind::AdaptiveAvg => {
                let out = self.output[axis];
                let (s, e) = (o * n / out, ((o + 1) * n).div_ceil(out));
                (s, e, e - s)
            }
            _ => {
                // in i128: a validated problem's sizes fit usize, their differences may not
                // fit isize
                let start = (o as i128) * (self.stride[axis] as i128) - self.padding[axis] as i128;
                let end = start + self.kernel[axis] as i128;
                let clip = |v: i128| v.clamp(0, n as i128) as usize;
                (clip(start), clip(end), self.kernel[axis])
            }
        }
    }
}

/// The pooling kernel family; buffers are contiguous (planes, h, w).
pub trait PoolKernel<E: Dtype>: Storage<E> {
    /// Pools every window.
    fn try_pool_fwd(&self, p: &PoolProblem, x: &Self::Vec) -> Result<Self::Vec>;
    /// Adds the gradient with respect to the input into `gx`. `x` is the input for max
    /// pooling and `None` for average pooling, whose backward needs only the problem's sizes.
    fn try_pool_bwd(
        &self,
        p: &PoolProblem,
        x: Option<&Self::Vec>,
        gy: &Self::Vec,
        gx: &mut Self::Vec,
    ) -> Result<()>;
}

/// Kernel size, stride and padding of a pooling window, as dims, so `Const` values give
/// `Const` output sizes. Each takes an [`OptDim`]: `Const::<2>` for a size known when
/// compiling, `Runtime(2)` for one known when running.
///
/// ```
/// # use gf_core::prelude::*;
/// let typed: Pool2dOpts<Const<2>> = Pool2dOpts::new(Const::<2>);
/// let run_time: Pool2dOpts<usize, Const<1>, usize> =
///     Pool2dOpts::new(Runtime(3)).stride(Const::<1>).padding(Runtime(1));
/// # let _ = (typed, run_time);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2dOpts<K: Dim, S: Dim = K, P: Dim = Const<0>> {
    kernel: K,
    stride: S,
    padding: P,
}

impl<K: Dim> Pool2dOpts<K> {
    /// A `kernel × kernel` window whose stride is the kernel size and with no padding.
    pub fn new<X: OptDim<Dim = K>>(kernel: X) -> Self {
        let kernel = kernel.into_dim();
        Pool2dOpts {
            kernel,
            stride: kernel,
            padding: Const,
        }
    }
}

impl<K: Dim, S: Dim, P: Dim> Pool2dOpts<K, S, P> {
    /// Sets the step between windows: `Const::<2>` or `Runtime(2)`.
    pub fn stride<X: OptDim>(self, stride: X) -> Pool2dOpts<K, X::Dim, P> {
        Pool2dOpts {
            kernel: self.kernel,
            stride: stride.into_dim(),
            padding: self.padding,
        }
    }

    /// Sets the implicit padding on each side (at most half the kernel): `Const::<1>` or
    /// `Runtime(1)`.
    pub fn padding<X: OptDim>(self, padding: X) -> Pool2dOpts<K, S, X::Dim> {
        Pool2dOpts {
            kernel: self.kernel,
            stride: self.stride,
            padding: padding.into_dim(),
        }
    }

    /// Kernel, stride and padding in plain numbers.
    pub fn sizes(&self) -> [usize; 3] {
        [self.kernel.size(), self.stride.size(), self.padding.size()]
    }
}

type PoolOut<H, K, S, P> = <H as ConvDim<K, S, P, Const<1>>>::Output;

/// (planes, h, w) of a (C, H, W) or (B, C, H, W) tensor, and the leading dims to keep.
fn planes(op: &'static str, dims: &[usize]) -> Result<(usize, [usize; 2], Vec<usize>)> {
    match *dims {
        [c, h, w] => Ok((c, [h, w], vec![c])),
        [b, c, h, w] => {
            let planes = b
                .checked_mul(c)
                .ok_or_else(|| Error::shape(op, format!("{b} images × {c} channels overflow")))?;
            Ok((planes, [h, w], vec![b, c]))
        }
        _ => Err(Error::shape(
            op,
            format!("expected (C, H, W) or (B, C, H, W), got {dims:?}"),
        )),
    }
}

impl<
        S: Shape,
        E: Dtype,
        D: PoolKernel<E> + ViewKernel<E> + crate::device::AccumulateKernel<E>,
        T: Tape,
    > Tensor<S, E, D, T>
{
    /// The engine behind every pooling op: run-time sizes, output shape `S2`.
    pub fn try_pool2d_args<S2: Shape>(
        self,
        kind: PoolKind,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        output: [usize; 2],
    ) -> Result<Tensor<S2, E, D, T>> {
        let dims = self.dims().as_ref().to_vec();
        let op = kind.op_name();
        let (planes, input, lead) = planes(op, &dims)?;
        let p = if kind == PoolKind::AdaptiveAvg {
            PoolProblem::adaptive(planes, input, output)?
        } else {
            PoolProblem::sliding(kind, planes, input, kernel, stride, padding)?
        };
        let mut out_dims = lead;
        out_dims.extend(p.output);
        let shape = S2::from_concrete(&out_dims).ok_or_else(|| {
            Error::shape(op, format!("{out_dims:?} does not fit the output type"))
        })?;
        let (x, mut tape) = self.try_contiguous()?.split_tape();
        let buf = x.device.try_pool_fwd(&p, &x.data)?;
        let out = x.with_new_buffer::<S2, E>(buf, shape);
        if tape.records() {
            let (xid, oid, n, dev) = (x.id, out.id, x.num_elements(), x.device.clone());
            // only max pooling reads the input back; averages need just the sizes
            let xdata = (kind == PoolKind::Max).then(|| x.data.clone());
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                let gx = grads.get_or_alloc_mut::<E, D>(xid, &dev, n)?;
                dev.try_pool_bwd(&p, xdata.as_deref(), &g, gx)
            });
        }
        Ok(out.put_tape(tape))
    }
}

/// The typed pooling op `$method` for inputs with leading dims `$lead` before (C, H, W).
macro_rules! typed_pool {
    ($(#[$doc:meta])* $method:ident $try_method:ident $kind:ident; $($lead:ident),*) => {
        impl<$($lead: Dim,)* C: Dim, H: Dim, W: Dim, E: Dtype, D: PoolKernel<E> + ViewKernel<E> + crate::device::AccumulateKernel<E>, T: Tape> Tensor<($($lead,)* C, H, W), E, D, T> {
            $(#[$doc])*
            #[allow(clippy::type_complexity)]
            pub fn $try_method<K: Dim, S: Dim, P: Dim>(self, opts: Pool2dOpts<K, S, P>) -> Result<Tensor<($($lead,)* C, PoolOut<H, K, S, P>, PoolOut<W, K, S, P>), E, D, T>>
            where
                H: ConvDim<K, S, P, Const<1>>,
                W: ConvDim<K, S, P, Const<1>>,
            {
                let [k, s, p] = opts.sizes();
                self.try_pool2d_args(PoolKind::$kind, [k, k], [s, s], [p, p], [0, 0])
            }

            #[doc = concat!("See [`", stringify!($try_method), "`](Self::", stringify!($try_method), "); panics where that returns `Err`.")]
            #[allow(clippy::type_complexity)]
            #[track_caller]
            pub fn $method<K: Dim, S: Dim, P: Dim>(self, opts: Pool2dOpts<K, S, P>) -> Tensor<($($lead,)* C, PoolOut<H, K, S, P>, PoolOut<W, K, S, P>), E, D, T>
            where
                H: ConvDim<K, S, P, Const<1>>,
                W: ConvDim<K, S, P, Const<1>>,
            {
                or_panic(self.$try_method(opts))
            }
        }
    };
}

typed_pool!(
    /// Max pooling over `kernel × kernel` windows; the gradient goes to each window's maximum.
    max_pool2d try_max_pool2d Max; B
);
typed_pool!(
    /// Max pooling over `kernel × kernel` windows; the gradient goes to each window's maximum.
    max_pool2d try_max_pool2d Max;
);
typed_pool!(
    /// Average pooling over `kernel × kernel` windows, padding counted as zeros.
    avg_pool2d try_avg_pool2d Avg; B
);
typed_pool!(
    /// Average pooling over `kernel × kernel` windows, padding counted as zeros.
    avg_pool2d try_avg_pool2d Avg;
);

impl<
        B: Dim,
        C: Dim,
        H: Dim,
        W: Dim,
        E: Dtype,
        D: PoolKernel<E> + ViewKernel<E> + crate::device::AccumulateKernel<E>,
        T: Tape,
    > Tensor<(B, C, H, W), E, D, T>
{
    /// Average pooling into an `oh × ow` output whatever the input size (PyTorch's bins). The
    /// output sizes are `Const::<N>` or `Runtime(n)`.
    #[allow(clippy::type_complexity)]
    pub fn try_adaptive_avg_pool2d<OH: OptDim, OW: OptDim>(
        self,
        oh: OH,
        ow: OW,
    ) -> Result<Tensor<(B, C, OH::Dim, OW::Dim), E, D, T>> {
        self.try_pool2d_args(
            PoolKind::AdaptiveAvg,
            [0, 0],
            [0, 0],
            [0, 0],
            [oh.into_dim().size(), ow.into_dim().size()],
        )
    }

    /// See [`try_adaptive_avg_pool2d`](Self::try_adaptive_avg_pool2d); panics where that
    /// returns `Err`.
    #[allow(clippy::type_complexity)]
    #[track_caller]
    pub fn adaptive_avg_pool2d<OH: OptDim, OW: OptDim>(
        self,
        oh: OH,
        ow: OW,
    ) -> Tensor<(B, C, OH::Dim, OW::Dim), E, D, T> {
        or_panic(self.try_adaptive_avg_pool2d(oh, ow))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::testing::{test_device, TestDevice};

    #[test]
    fn known_values_and_typed_sizes() {
        let dev = test_device();
        let x = dev.tensor([[
            [1.0f32, 2.0, 3.0, 4.0],
            [5.0, 6.0, 7.0, 8.0],
            [9.0, 10.0, 11.0, 12.0],
            [13.0, 14.0, 15.0, 16.0],
        ]]);
        let m: Tensor<Rank3<1, 2, 2>, f32, TestDevice> =
            x.clone().max_pool2d(Pool2dOpts::new(Const::<2>));
        assert_eq!(m.to_vec(), vec![6.0, 8.0, 14.0, 16.0]);
        let a: Tensor<Rank3<1, 2, 2>, f32, TestDevice> =
            x.clone().avg_pool2d(Pool2dOpts::new(Const::<2>));
        assert_eq!(a.to_vec(), vec![3.5, 5.5, 11.5, 13.5]);
        // padding 1, kernel 3, stride 2: corner windows see padded zeros for avg
        let p = x.clone().avg_pool2d(
            Pool2dOpts::new(Runtime(3))
                .stride(Runtime(2))
                .padding(Runtime(1)),
        );
        assert_eq!(p.dims(), [1, 2, 2]);
        assert_eq!(p.to_vec()[0], (1.0 + 2.0 + 5.0 + 6.0) / 9.0);
        let b = x.unsqueeze::<Axis<0>>();
        let g: Tensor<Rank4<1, 1, 1, 1>, f32, TestDevice> =
            b.clone().adaptive_avg_pool2d(Const::<1>, Const::<1>);
        assert_eq!(g.to_vec(), vec![8.5]);
        // 4 → 3 adaptive bins: [0, 2), [1, 3), [2, 4)
        let r = b.adaptive_avg_pool2d(Const::<3>, Const::<1>).to_vec();
        assert_eq!(
            r,
            vec![(2.5 + 6.5) / 2.0, (6.5 + 10.5) / 2.0, (10.5 + 14.5) / 2.0]
        );
    }

    #[test]
    fn runtime_errors_are_errs() {
        let dev = test_device();
        let x: Tensor<(usize, usize, usize), f32, TestDevice> = dev.zeros_like(&(1, 3, 3));
        assert!(x
            .clone()
            .try_max_pool2d(Pool2dOpts::new(Runtime(4)))
            .is_err());
        assert!(x
            .clone()
            .try_max_pool2d(Pool2dOpts::new(Runtime(2)).padding(Runtime(2)))
            .is_err());
        assert!(x.try_avg_pool2d(Pool2dOpts::new(Runtime(0))).is_err());
    }

    #[test]
    fn errors_name_the_op_that_was_called() {
        let dev = test_device();
        let x: Tensor<(usize, usize, usize, usize), f32, TestDevice> =
            dev.zeros_like(&(1, 1, 3, 3));
        let op = |e: Error| match e {
            Error::Shape { op, .. } | Error::Argument { op, .. } => op,
            other => panic!("expected a shape or argument error, got {other:?}"),
        };
        let big = Pool2dOpts::new(Runtime(4));
        assert_eq!(op(x.clone().try_max_pool2d(big).unwrap_err()), "max_pool2d");
        assert_eq!(op(x.clone().try_avg_pool2d(big).unwrap_err()), "avg_pool2d");
        let zero = Pool2dOpts::new(Runtime(0));
        assert_eq!(
            op(x.clone().try_avg_pool2d(zero).unwrap_err()),
            "avg_pool2d"
        );
        let e = x
            .try_adaptive_avg_pool2d(Runtime(0), Const::<1>)
            .unwrap_err();
        assert_eq!(op(e), "adaptive_avg_pool2d");
    }
}
