//! Convolutions: conv1d, conv2d (stride, padding, dilation, groups) and conv_transpose2d.
//!
//! Output sizes come from gf-shape's [`ConvDim`] / [`ConvTransposeDim`], so `Const` inputs give
//! `Const` outputs when compiling: a 28×28 image under a 5×5 kernel is 24×24 in the type. The
//! input channels must equal the weight's in-channels times the groups ([`ConvChannels`]); with
//! `Const` channels and groups a mismatch does not compile:
//!
//! ```
//! # use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let x: Tensor<Rank4<2, 8, 28, 28>, f32, _> = dev.zeros();
//! let w: Tensor<Rank4<6, 8, 5, 5>, f32, _> = dev.zeros();
//! let y: Tensor<Rank4<2, 6, 24, 24>, f32, _> = x.clone().conv2d(w, Conv2dOpts::new());
//! // 8 input channels in 2 groups of 4
//! let w: Tensor<Rank4<6, 4, 3, 3>, f32, _> = dev.zeros();
//! let opts = Conv2dOpts::new().padding(Const::<1>).groups(Const::<2>);
//! let y: Tensor<Rank4<2, 6, 28, 28>, f32, _> = x.conv2d(w, opts);
//! ```
//!
//! ```compile_fail
//! # use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let x: Tensor<Rank4<2, 8, 28, 28>, f32, _> = dev.zeros();
//! let w: Tensor<Rank4<6, 4, 5, 5>, f32, _> = dev.zeros(); // 4 in-channels, the image has 8
//! let y = x.conv2d(w, Conv2dOpts::new()); // ... and there is one group
//! ```
//!
//! The weight's out-channels must split into the groups ([`SplitsInto`]), checked when
//! compiling too:
//!
//! ```compile_fail
//! # use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let x: Tensor<Rank4<2, 8, 28, 28>, f32, _> = dev.zeros();
//! let w: Tensor<Rank4<5, 4, 3, 3>, f32, _> = dev.zeros(); // 5 out-channels in 2 groups
//! let y = x.conv2d(w, Conv2dOpts::new().groups(Const::<2>));
//! ```
//!
//! Option sizes say when they are known ([`OptDim`]): `Const::<1>` when compiling,
//! `Runtime(1)` when running. A bare number does not compile, because it would silently make
//! the output sizes run-time `usize`s:
//!
//! ```compile_fail
//! # use gf_core::prelude::*;
//! let opts = Conv2dOpts::new().padding(1); // write `Const::<1>` or `Runtime(1)`
//! ```

mod cpu_kernel;

use gf_shape::arith::{DimAgree, OptDim};
use gf_shape::{
    conv_out_size, conv_transpose_out_size, Const, ConvDim, ConvTransposeDim, Dim, DimMul,
    DynShape, Shape, SplitsInto,
};

use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tape::{Merge, Recording, Tape};
use crate::tensor::Tensor;

/// A 2-D convolution problem in plain numbers: what a device kernel needs.
///
/// Built only by [`ConvProblem::new`], which derives the output size and checks that the sizes
/// agree and every buffer's element count fits `usize`, so a kernel may index by them freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvProblem {
    /// Images in the batch.
    pub(crate) batch: usize,
    /// Input channels.
    pub(crate) c_in: usize,
    /// Input height.
    pub(crate) h: usize,
    /// Input width.
    pub(crate) w: usize,
    /// Output channels.
    pub(crate) c_out: usize,
    /// Kernel height.
    pub(crate) kh: usize,
    /// Kernel width.
    pub(crate) kw: usize,
    /// Output height.
    pub(crate) oh: usize,
    /// Output width.
    pub(crate) ow: usize,
    /// Step between windows (rows, columns).
    pub(crate) stride: [usize; 2],
    /// Zeros added on each side (rows, columns).
    pub(crate) padding: [usize; 2],
    /// Step between kernel taps (rows, columns).
    pub(crate) dilation: [usize; 2],
    /// Channel groups: each sees `c_in / groups` inputs and makes `c_out / groups` outputs.
    pub(crate) groups: usize,
}

impl ConvProblem {
    /// The problem of convolving `input` (batch, c_in, h, w) with `weight`
    /// (c_out, c_in / groups, kh, kw). `Err` when a stride or dilation is 0, the groups do not
    /// divide the channels, the weight's channels do not match, the dilated kernel is larger
    /// than the padded input, or a buffer would hold more than `usize::MAX` elements.
    pub fn new(
        input: [usize; 4],
        weight: [usize; 4],
        stride: [usize; 2],
        padding: [usize; 2],
        dilation: [usize; 2],
        groups: usize,
    ) -> Result<Self> {
        let [batch, c_in, h, w] = input;
        let [c_out, cw, kh, kw] = weight;
        let bad = |m: String| Err(Error::argument("conv", m));
        if stride.contains(&0) || dilation.contains(&0) || groups == 0 {
            return bad(format!(
                "stride {stride:?}, dilation {dilation:?} and groups {groups} must be positive"
            ));
        }
        if c_in % groups != 0 || c_out % groups != 0 || cw.checked_mul(groups) != Some(c_in) {
            return bad(format!(
                "input {input:?} and weight {weight:?} do not fit {groups} groups"
            ));
        }
        let size = |n, k, i: usize| conv_out_size(n, k, stride[i], padding[i], dilation[i]);
        let (Some(oh), Some(ow)) = (size(h, kh, 0), size(w, kw, 1)) else {
            return bad(format!(
                "a {kh}×{kw} kernel (dilation {dilation:?}) does not fit a {h}×{w} input padded by {padding:?}"
            ));
        };
        let count = |d: &[usize]| d.iter().try_fold(1usize, |a, &x| a.checked_mul(x));
        let col = count(&[cw, kh, kw, oh, ow]);
        if [
            count(&input),
            count(&weight),
            count(&[batch, c_out, oh, ow]),
            col,
        ]
        .contains(&None)
        {
            return bad(format!(
                "input {input:?} and weight {weight:?} make buffers too large to address"
            ));
        }
        Ok(ConvProblem {
            batch,
            c_in,
            h,
            w,
            c_out,
            kh,
            kw,
            oh,
            ow,
            stride,
            padding,
            dilation,
            groups,
        })
    }

    /// The same problem computing only the first `oh × ow` outputs of each map (a crop of the
    /// full output, as a transposed convolution with output padding needs); `Err` when that is
    /// larger than the full output.
    pub fn with_output(self, [oh, ow]: [usize; 2]) -> Result<Self> {
        if oh > self.oh || ow > self.ow {
            return Err(Error::argument(
                "conv",
                format!(
                    "an output of {oh}×{ow} is larger than the {}×{} the convolution makes",
                    self.oh, self.ow
                ),
            ));
        }
        Ok(ConvProblem { oh, ow, ..self })
    }

    /// Images in the batch.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Input channels.
    pub fn c_in(&self) -> usize {
        self.c_in
    }

    /// Input height.
    pub fn h(&self) -> usize {
        self.h
    }

    /// Input width.
    pub fn w(&self) -> usize {
        self.w
    }

    /// Output channels.
    pub fn c_out(&self) -> usize {
        self.c_out
    }

    /// Kernel height.
    pub fn kh(&self) -> usize {
        self.kh
    }

    /// Kernel width.
    pub fn kw(&self) -> usize {
        self.kw
    }

    /// Output height.
    pub fn oh(&self) -> usize {
        self.oh
    }

    /// Output width.
    pub fn ow(&self) -> usize {
        self.ow
    }

    /// Step between windows (rows, columns).
    pub fn stride(&self) -> [usize; 2] {
        self.stride
    }

    /// Zeros added on each side (rows, columns).
    pub fn padding(&self) -> [usize; 2] {
        self.padding
    }

    /// Step between kernel taps (rows, columns).
    pub fn dilation(&self) -> [usize; 2] {
        self.dilation
    }

    /// Channel groups: each sees `c_in / groups` inputs and makes `c_out / groups` outputs.
    pub fn groups(&self) -> usize {
        self.groups
    }
}

/// The convolution kernel family. Buffers are contiguous: input (batch, c_in, h, w), weight
/// (c_out, c_in / groups, kh, kw), output (batch, c_out, oh, ow).
pub trait ConvKernel<E: Dtype>: Storage<E> {
    /// The convolution.
    fn try_conv_fwd(&self, p: &ConvProblem, x: &Self::Vec, w: &Self::Vec) -> Result<Self::Vec>;
    /// Adds the gradient with respect to the input into `gx` (also the transposed convolution).
    fn try_conv_bwd_input(
        &self,
        p: &ConvProblem,
        w: &Self::Vec,
        gy: &Self::Vec,
        gx: &mut Self::Vec,
    ) -> Result<()>;
    /// Adds the gradient with respect to the weight into `gw`.
    fn try_conv_bwd_weight(
        &self,
        p: &ConvProblem,
        x: &Self::Vec,
        gy: &Self::Vec,
        gw: &mut Self::Vec,
    ) -> Result<()>;
}

/// The options of a convolution: stride, padding, dilation and groups as dims (so `Const`
/// values give `Const` output sizes and channel checks when compiling), and, for transposed
/// convolutions, the run-time `output_padding`.
///
/// Each setter takes an [`OptDim`]: `Const::<2>` for a size known when compiling, `Runtime(2)`
/// for one known when running.
///
/// ```
/// # use gf_core::prelude::*;
/// let typed: Conv2dOpts<Const<2>, Const<1>> = Conv2dOpts::new().stride(Const::<2>).padding(Const::<1>);
/// let run_time: Conv2dOpts<usize, Const<0>, Const<1>, usize> =
///     Conv2dOpts::new().stride(Runtime(2)).groups(Runtime(3));
/// # let _ = (typed, run_time);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dOpts<S: Dim = Const<1>, P: Dim = Const<0>, L: Dim = Const<1>, G: Dim = Const<1>> {
    stride: S,
    padding: P,
    dilation: L,
    groups: G,
    output_padding: usize,
}

impl Conv2dOpts {
    /// PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1, output padding 0.
    pub fn new() -> Self {
        Conv2dOpts {
            stride: Const,
            padding: Const,
            dilation: Const,
            groups: Const,
            output_padding: 0,
        }
    }
}

impl Default for Conv2dOpts {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Dim, P: Dim, L: Dim, G: Dim> Conv2dOpts<S, P, L, G> {
    /// Sets the step between windows: `Const::<2>` or `Runtime(2)`.
    pub fn stride<X: OptDim>(self, stride: X) -> Conv2dOpts<X::Dim, P, L, G> {
        Conv2dOpts {
            stride: stride.into_dim(),
            padding: self.padding,
            dilation: self.dilation,
            groups: self.groups,
            output_padding: self.output_padding,
        }
    }

    /// Sets the zeros added on each side: `Const::<1>` or `Runtime(1)`.
    pub fn padding<X: OptDim>(self, padding: X) -> Conv2dOpts<S, X::Dim, L, G> {
        Conv2dOpts {
            stride: self.stride,
            padding: padding.into_dim(),
            dilation: self.dilation,
            groups: self.groups,
            output_padding: self.output_padding,
        }
    }

    /// Sets the step between kernel taps: `Const::<2>` or `Runtime(2)`.
    pub fn dilation<X: OptDim>(self, dilation: X) -> Conv2dOpts<S, P, X::Dim, G> {
        Conv2dOpts {
            stride: self.stride,
            padding: self.padding,
            dilation: dilation.into_dim(),
            groups: self.groups,
            output_padding: self.output_padding,
        }
    }

    /// Sets the channel groups: `Const::<2>` (the channels are checked when compiling) or
    /// `Runtime(2)` (checked when running). Each group sees `C / groups` input channels and
    /// makes `O / groups` outputs.
    pub fn groups<X: OptDim>(self, groups: X) -> Conv2dOpts<S, P, L, X::Dim> {
        Conv2dOpts {
            stride: self.stride,
            padding: self.padding,
            dilation: self.dilation,
            groups: groups.into_dim(),
            output_padding: self.output_padding,
        }
    }

    /// Sets the extra size on one side of a transposed convolution's output (a run-time
    /// number: the typed output has no room for it).
    pub fn output_padding(self, output_padding: usize) -> Self {
        Conv2dOpts {
            output_padding,
            ..self
        }
    }

    /// The options in plain numbers, for the run-time forms
    /// ([`try_conv2d_args`](Tensor::try_conv2d_args) and its kin).
    pub fn to_args(&self) -> ConvArgs {
        self.args(true)
    }

    fn args(&self, rows_too: bool) -> ConvArgs {
        let (s, p, l) = (
            self.stride.size(),
            self.padding.size(),
            self.dilation.size(),
        );
        // a 1-D convolution runs as a 2-D one of height 1: no stride, padding or dilation in rows
        let two = |v: usize, row: usize| if rows_too { [v, v] } else { [row, v] };
        ConvArgs {
            stride: two(s, 1),
            padding: two(p, 0),
            dilation: two(l, 1),
            groups: self.groups.size(),
            output_padding: self.output_padding,
        }
    }
}

/// [`Conv2dOpts`] in plain numbers (rows, columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvArgs {
    /// Step between windows.
    pub stride: [usize; 2],
    /// Zeros added on each side.
    pub padding: [usize; 2],
    /// Step between kernel taps.
    pub dilation: [usize; 2],
    /// Channel groups.
    pub groups: usize,
    /// Extra output size of a transposed convolution.
    pub output_padding: usize,
}

/// Input channels `Self` that fit a weight of `CW` in-channels in `G` groups:
/// `Self = CW × G`, checked when compiling for `Const` dims and when running for `usize` ones.
#[diagnostic::on_unimplemented(
    message = "the input has `{Self}` channels, but the weight takes `{CW}` in-channels in each of `{G}` groups",
    label = "a convolution needs input channels = weight in-channels × groups",
    note = "for a grouped convolution set the groups (`.groups(Const::<N>)`); otherwise give the weight as many in-channels as the input has"
)]
pub trait ConvChannels<CW: Dim, G: Dim>: Dim {}

#[diagnostic::do_not_recommend]
impl<C: Dim, CW: DimMul<G>, G: Dim> ConvChannels<CW, G> for C where C: DimAgree<CW::Output> {}

/// `e` as raised by `op`, the op the user called, when a shared engine raised it.
fn raised_by(op: &'static str) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::Shape { message, .. } => Error::Shape { op, message },
        Error::Argument { message, .. } => Error::Argument { op, message },
        Error::Index { index, size, .. } => Error::Index { op, index, size },
        Error::DeviceMismatch { lhs, rhs, .. } => Error::DeviceMismatch { op, lhs, rhs },
        other => other,
    }
}

/// The value of `r`, or a panic with its error's message at the caller of the op.
#[track_caller]
pub(crate) fn or_panic<T>(r: Result<T>) -> T {
    match r {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    }
}

type ConvOut<H, K, S, P, L> = <H as ConvDim<K, S, P, L>>::Output;
type ConvTOut<H, K, S, P, L> = <H as ConvTransposeDim<K, S, P, L>>::Output;

/// Input (batch, channels, h, w) of a rank-3 (unbatched) or rank-4 tensor.
fn image_dims(op: &'static str, dims: &[usize]) -> Result<[usize; 4]> {
    match *dims {
        [c, h, w] => Ok([1, c, h, w]),
        [b, c, h, w] => Ok([b, c, h, w]),
        _ => Err(Error::shape(
            op,
            format!("expected (C, H, W) or (B, C, H, W), got {dims:?}"),
        )),
    }
}

fn check_args(op: &'static str, a: &ConvArgs) -> Result<()> {
    if a.groups == 0 || a.stride.contains(&0) || a.dilation.contains(&0) {
        return Err(Error::argument(
            op,
            format!(
                "stride {:?}, dilation {:?} and groups {} must be positive",
                a.stride, a.dilation, a.groups
            ),
        ));
    }
    Ok(())
}

impl<S: Shape, E: Dtype, D: ConvKernel<E> + ViewKernel<E> + AccumulateKernel<E>, T: Tape>
    Tensor<S, E, D, T>
{
    /// The engine behind every conv2d: run-time arguments, output shape `S2`. The input is
    /// (C, H, W) or (B, C, H, W), the weight (O, C / groups, KH, KW).
    pub fn try_conv2d_args<S2: Shape, SW: Shape, R: Tape>(
        self,
        w: Tensor<SW, E, D, R>,
        a: ConvArgs,
    ) -> Result<Tensor<S2, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        let xd = self.dims().as_ref().to_vec();
        let [batch, c_in, h, wd] = image_dims("conv2d", &xd)?;
        let wdims = w.dims().as_ref().to_vec();
        let [c_out, cw, kh, kw] = <[usize; 4]>::try_from(wdims.as_slice()).map_err(|_| {
            Error::shape(
                "conv2d",
                format!("the weight must be (O, C / groups, KH, KW), got {wdims:?}"),
            )
        })?;
        check_args("conv2d", &a)?;
        if cw.checked_mul(a.groups) != Some(c_in) || c_out % a.groups != 0 {
            return Err(Error::shape("conv2d", format!("input {xd:?} and weight {wdims:?} do not fit {} groups: the input needs weight channels × groups channels", a.groups)));
        }
        let size = |n, k, i: usize| conv_out_size(n, k, a.stride[i], a.padding[i], a.dilation[i]);
        let (Some(oh), Some(ow)) = (size(h, kh, 0), size(wd, kw, 1)) else {
            return Err(Error::shape(
                "conv2d",
                format!(
                    "a {kh}×{kw} kernel (dilation {:?}) does not fit a padded {h}×{wd} input",
                    a.dilation
                ),
            ));
        };
        let out_dims: Vec<usize> = if xd.len() == 3 {
            vec![c_out, oh, ow]
        } else {
            vec![batch, c_out, oh, ow]
        };
        let shape = S2::from_concrete(&out_dims).ok_or_else(|| {
            Error::shape(
                "conv2d",
                format!("{out_dims:?} does not fit the output type"),
            )
        })?;
        let p = ConvProblem::new(
            [batch, c_in, h, wd],
            [c_out, cw, kh, kw],
            a.stride,
            a.padding,
            a.dilation,
            a.groups,
        )
        .map_err(raised_by("conv2d"))?;
        let (x, w) = (self.try_contiguous()?, w.try_contiguous()?);
        let (x, xt) = x.split_tape();
        let (w, wt) = w.split_tape();
        x.check_same_device("conv2d", &w)?;
        let rec = Recording::of(&xt, &wt);
        let mut tape = xt.merge(wt);
        let buf = x.device.try_conv_fwd(&p, &x.data, &w.data)?;
        let out = x.with_new_buffer::<S2, E>(buf, shape);
        if rec.any() {
            let (xid, wid, oid, dev) = (x.id, w.id, out.id, x.device.clone());
            let (xn, wn) = (x.num_elements(), w.num_elements());
            // dX reads the weight, dW reads the input: keep only what a recording operand needs
            let wdata = rec.lhs.then(|| w.data.clone());
            let xdata = rec.rhs.then(|| x.data.clone());
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                if let Some(wdata) = &wdata {
                    let gx = grads.get_or_alloc_mut::<E, D>(xid, &dev, xn)?;
                    dev.try_conv_bwd_input(&p, wdata, &g, gx)?;
                }
                if let Some(xdata) = &xdata {
                    let gw = grads.get_or_alloc_mut::<E, D>(wid, &dev, wn)?;
                    dev.try_conv_bwd_weight(&p, xdata, &g, gw)?;
                }
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }

    /// The engine behind every transposed conv2d. The input is (C, H, W) or (B, C, H, W), the
    /// weight (C, O / groups, KH, KW) as in PyTorch.
    pub fn try_conv_transpose2d_args<S2: Shape, SW: Shape, R: Tape>(
        self,
        w: Tensor<SW, E, D, R>,
        a: ConvArgs,
    ) -> Result<Tensor<S2, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        let xd = self.dims().as_ref().to_vec();
        let [batch, c, h, wd] = image_dims("conv_transpose2d", &xd)?;
        let wdims = w.dims().as_ref().to_vec();
        let [wc, og, kh, kw] = <[usize; 4]>::try_from(wdims.as_slice()).map_err(|_| {
            Error::shape(
                "conv_transpose2d",
                format!("the weight must be (C, O / groups, KH, KW), got {wdims:?}"),
            )
        })?;
        check_args("conv_transpose2d", &a)?;
        if wc != c || c % a.groups != 0 {
            return Err(Error::shape(
                "conv_transpose2d",
                format!(
                    "input {xd:?} and weight {wdims:?} do not fit {} groups",
                    a.groups
                ),
            ));
        }
        if a.output_padding >= a.stride[1].max(a.dilation[1]) {
            return Err(Error::argument(
                "conv_transpose2d",
                format!(
                    "output_padding {} must be below the stride or the dilation",
                    a.output_padding
                ),
            ));
        }
        let size = |n, k, i: usize, op| {
            conv_transpose_out_size(n, k, a.stride[i], a.padding[i], a.dilation[i], op)
        };
        let (Some(oh), Some(ow)) = (
            size(h, kh, 0, a.output_padding),
            size(wd, kw, 1, a.output_padding),
        ) else {
            return Err(Error::shape(
                "conv_transpose2d",
                format!(
                    "padding {:?} removes more than a {h}×{wd} input makes",
                    a.padding
                ),
            ));
        };
        let o = og.checked_mul(a.groups).ok_or_else(|| {
            Error::shape(
                "conv_transpose2d",
                format!("{og} output channels × {} groups overflow", a.groups),
            )
        })?;
        let out_dims: Vec<usize> = if xd.len() == 3 {
            vec![o, oh, ow]
        } else {
            vec![batch, o, oh, ow]
        };
        let shape = S2::from_concrete(&out_dims).ok_or_else(|| {
            Error::shape("conv_transpose2d", format!("{out_dims:?} does not fit the output type (output_padding and groups need run-time dims)"))
        })?;
        // the transposed convolution is the input-gradient of the convolution that maps the
        // output back to the input
        let p = ConvProblem::new(
            [batch, o, oh, ow],
            [c, og, kh, kw],
            a.stride,
            a.padding,
            a.dilation,
            a.groups,
        )
        // output_padding of at least the stride (allowed below the dilation) asks for one
        // row or column fewer than the forward convolution makes
        .and_then(|p| p.with_output([h, wd]))
        .map_err(raised_by("conv_transpose2d"))?;
        let (x, w) = (self.try_contiguous()?, w.try_contiguous()?);
        let (x, xt) = x.split_tape();
        let (w, wt) = w.split_tape();
        x.check_same_device("conv_transpose2d", &w)?;
        let rec = Recording::of(&xt, &wt);
        let mut tape = xt.merge(wt);
        let dev = x.device.clone();
        let mut buf = dev.try_alloc_zeros(shape.num_elements())?;
        dev.try_conv_bwd_input(&p, &w.data, &x.data, &mut buf)?;
        let out = x.with_new_buffer::<S2, E>(buf, shape);
        if rec.any() {
            let (xid, wid, oid) = (x.id, w.id, out.id);
            let (xn, wn) = (x.num_elements(), w.num_elements());
            let wdata = rec.lhs.then(|| w.data.clone());
            let xdata = rec.rhs.then(|| x.data.clone());
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                if let Some(wdata) = &wdata {
                    let gx = dev.try_conv_fwd(&p, &g, wdata)?;
                    let gi = grads.get_or_alloc_mut::<E, D>(xid, &dev, xn)?;
                    dev.try_scatter_add(gi, &Layout::contiguous(&[xn]), &gx)?;
                }
                if let Some(xdata) = &xdata {
                    let gw = grads.get_or_alloc_mut::<E, D>(wid, &dev, wn)?;
                    dev.try_conv_bwd_weight(&p, &g, xdata, gw)?;
                }
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }

    /// The engine behind every conv1d: input (C, L) or (B, C, L), weight (O, C / groups, K),
    /// run as a conv2d of height 1.
    pub fn try_conv1d_args<S2: Shape, SW: Shape, R: Tape>(
        self,
        w: Tensor<SW, E, D, R>,
        a: ConvArgs,
    ) -> Result<Tensor<S2, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        // the 2-D engine and the reshapes raise under their own names; the user called conv1d
        self.conv1d_as_2d(w, a).map_err(raised_by("conv1d"))
    }

    fn conv1d_as_2d<S2: Shape, SW: Shape, R: Tape>(
        self,
        w: Tensor<SW, E, D, R>,
        a: ConvArgs,
    ) -> Result<Tensor<S2, E, D, T::Output>>
    where
        T: Merge<R>,
        T::Output: Tape,
    {
        let xd = self.dims().as_ref().to_vec();
        let wd = w.dims().as_ref().to_vec();
        let x4 = match *xd.as_slice() {
            [c, l] => vec![c, 1, l],
            [b, c, l] => vec![b, c, 1, l],
            _ => {
                return Err(Error::shape(
                    "conv1d",
                    format!("expected (C, L) or (B, C, L), got {xd:?}"),
                ))
            }
        };
        let [o, cw, k] = <[usize; 3]>::try_from(wd.as_slice()).map_err(|_| {
            Error::shape(
                "conv1d",
                format!("the weight must be (O, C / groups, K), got {wd:?}"),
            )
        })?;
        let x = self.into_dyn().try_reshape_like(&DynShape::new(x4))?;
        let w = w
            .into_dyn()
            .try_reshape_like(&DynShape::new([o, cw, 1, k]))?;
        let y = x.try_conv2d_args::<DynShape, _, _>(w, a)?;
        let mut yd = y.dims();
        yd.remove(yd.len() - 2);
        y.try_reshape_like(&DynShape::new(yd))?
            .try_into_shape::<S2>()
    }
}

/// The typed conv2d for inputs with leading dims `$lead` (a batch `B`, or none) before
/// (C, H, W).
macro_rules! typed_conv2d {
    ($($lead:ident),*) => {
        impl<$($lead: Dim,)* C: Dim, H: Dim, W: Dim, E: Dtype, D: ConvKernel<E> + ViewKernel<E> + AccumulateKernel<E>, T: Tape> Tensor<($($lead,)* C, H, W), E, D, T> {
            /// 2-D convolution with a weight (O, C / groups, KH, KW) of an image (C, H, W) or a
            /// batch (B, C, H, W). `Err` when run-time sizes do not fit (channels and groups,
            /// a window larger than the padded input, a zero stride).
            #[allow(clippy::type_complexity)]
            pub fn try_conv2d<O: SplitsInto<G>, CW: Dim, KH: Dim, KW: Dim, S: Dim, P: Dim, L: Dim, G: Dim, R: Tape>(
                self,
                w: Tensor<(O, CW, KH, KW), E, D, R>,
                opts: Conv2dOpts<S, P, L, G>,
            ) -> Result<Tensor<($($lead,)* O, ConvOut<H, KH, S, P, L>, ConvOut<W, KW, S, P, L>), E, D, T::Output>>
            where
                C: ConvChannels<CW, G>,
                H: ConvDim<KH, S, P, L>,
                W: ConvDim<KW, S, P, L>,
                T: Merge<R>,
                T::Output: Tape,
            {
                self.try_conv2d_args(w, opts.args(true))
            }

            /// See [`try_conv2d`](Self::try_conv2d); panics where that returns `Err`.
            #[allow(clippy::type_complexity)]
            #[track_caller]
            pub fn conv2d<O: SplitsInto<G>, CW: Dim, KH: Dim, KW: Dim, S: Dim, P: Dim, L: Dim, G: Dim, R: Tape>(
                self,
                w: Tensor<(O, CW, KH, KW), E, D, R>,
                opts: Conv2dOpts<S, P, L, G>,
            ) -> Tensor<($($lead,)* O, ConvOut<H, KH, S, P, L>, ConvOut<W, KW, S, P, L>), E, D, T::Output>
            where
                C: ConvChannels<CW, G>,
                H: ConvDim<KH, S, P, L>,
                W: ConvDim<KW, S, P, L>,
                T: Merge<R>,
                T::Output: Tape,
            {
                or_panic(self.try_conv2d(w, opts))
            }
        }
    };
}

typed_conv2d!(B);
typed_conv2d!();

impl<
        B: Dim,
        C: Dim,
        L0: Dim,
        E: Dtype,
        D: ConvKernel<E> + ViewKernel<E> + AccumulateKernel<E>,
        T: Tape,
    > Tensor<(B, C, L0), E, D, T>
{
    /// 1-D convolution of a batch (B, C, L) with a weight (O, C / groups, K). `Err` when
    /// run-time sizes do not fit.
    #[allow(clippy::type_complexity)]
    pub fn try_conv1d<O: SplitsInto<G>, CW: Dim, K: Dim, S: Dim, P: Dim, L: Dim, G: Dim, R: Tape>(
        self,
        w: Tensor<(O, CW, K), E, D, R>,
        opts: Conv2dOpts<S, P, L, G>,
    ) -> Result<Tensor<(B, O, ConvOut<L0, K, S, P, L>), E, D, T::Output>>
    where
        C: ConvChannels<CW, G>,
        L0: ConvDim<K, S, P, L>,
        T: Merge<R>,
        T::Output: Tape,
    {
        self.try_conv1d_args(w, opts.args(false))
    }

    /// See [`try_conv1d`](Self::try_conv1d); panics where that returns `Err`.
    #[allow(clippy::type_complexity)]
    #[track_caller]
    pub fn conv1d<O: SplitsInto<G>, CW: Dim, K: Dim, S: Dim, P: Dim, L: Dim, G: Dim, R: Tape>(
        self,
        w: Tensor<(O, CW, K), E, D, R>,
        opts: Conv2dOpts<S, P, L, G>,
    ) -> Tensor<(B, O, ConvOut<L0, K, S, P, L>), E, D, T::Output>
    where
        C: ConvChannels<CW, G>,
        L0: ConvDim<K, S, P, L>,
        T: Merge<R>,
        T::Output: Tape,
    {
        or_panic(self.try_conv1d(w, opts))
    }
}

impl<
        B: Dim,
        C: Dim,
        H: Dim,
        W: Dim,
        E: Dtype,
        D: ConvKernel<E> + ViewKernel<E> + AccumulateKernel<E>,
        T: Tape,
    > Tensor<(B, C, H, W), E, D, T>
{
    /// Transposed 2-D convolution of a batch (B, C, H, W) with a weight (C, O, KH, KW). The
    /// typed output has no room for `output_padding` or `groups` (the options' groups stay 1):
    /// use run-time dims ([`try_conv_transpose2d_args`](Self::try_conv_transpose2d_args)) for
    /// those.
    #[allow(clippy::type_complexity)]
    pub fn try_conv_transpose2d<O: Dim, KH: Dim, KW: Dim, S: Dim, P: Dim, L: Dim, R: Tape>(
        self,
        w: Tensor<(C, O, KH, KW), E, D, R>,
        opts: Conv2dOpts<S, P, L>,
    ) -> Result<Tensor<(B, O, ConvTOut<H, KH, S, P, L>, ConvTOut<W, KW, S, P, L>), E, D, T::Output>>
    where
        H: ConvTransposeDim<KH, S, P, L>,
        W: ConvTransposeDim<KW, S, P, L>,
        T: Merge<R>,
        T::Output: Tape,
    {
        self.try_conv_transpose2d_args(w, opts.args(true))
    }

    /// See [`try_conv_transpose2d`](Self::try_conv_transpose2d); panics where that returns
    /// `Err`.
    #[allow(clippy::type_complexity)]
    #[track_caller]
    pub fn conv_transpose2d<O: Dim, KH: Dim, KW: Dim, S: Dim, P: Dim, L: Dim, R: Tape>(
        self,
        w: Tensor<(C, O, KH, KW), E, D, R>,
        opts: Conv2dOpts<S, P, L>,
    ) -> Tensor<(B, O, ConvTOut<H, KH, S, P, L>, ConvTOut<W, KW, S, P, L>), E, D, T::Output>
    where
        H: ConvTransposeDim<KH, S, P, L>,
        W: ConvTransposeDim<KW, S, P, L>,
        T: Merge<R>,
        T::Output: Tape,
    {
        or_panic(self.try_conv_transpose2d(w, opts))
    }
}

#[cfg(test)]
mod tests;
