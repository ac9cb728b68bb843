//! `Upsample` (by an integer factor) and `UpsampleTo` (to a given size), nearest or bilinear,
//! as PyTorch's `nn.Upsample`.
//!
//! Both resize separably, `Y = A_h · X · A_wᵀ`, with interpolation matrices `A` (0/1 rows for
//! nearest, two weights per row for bilinear) that hold PyTorch's source indices and weights.
//! Two matmuls and two transposes then give the forward pass and, through the tape, the
//! gradient, with no kernel of their own.

use gf_core::ops::create::TensorCreate;
use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::arith::{DimMul, OptDim};
use gf_core::shape::{Const, Dim, DynShape, Shape};
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// How [`Upsample`] and [`UpsampleTo`] fill the new pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UpsampleMode {
    /// PyTorch's `mode='nearest'`: output `i` copies input `floor(i · in / out)` (PyTorch's
    /// rounding, in f32).
    #[default]
    Nearest,
    /// `mode='bilinear'`, interpolating between the two nearest rows and columns.
    Bilinear {
        /// `align_corners=True` maps the corner pixels' centres onto each other;
        /// `False` (PyTorch's default) maps the corners of the pixel grids.
        align_corners: bool,
    },
}

/// `nn.Upsample(scale_factor=F, mode=...)` on `(B, C, H, W)`: gives `(B, C, H·F, W·F)`. The
/// factor is a whole number, `Const` (typed output) or `usize` (run-time output); fractional
/// factors are not supported.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let up = Upsample::new(Const::<2>, UpsampleMode::Bilinear { align_corners: false });
/// let x: Tensor<(usize, Const<3>, Const<4>, Const<5>), f32, Cpu> =
///     dev.randn_like(&(1, Const, Const, Const));
/// let y: Tensor<(usize, Const<3>, Const<8>, Const<10>), f32, Cpu> = up.forward(x);
/// # let _ = y;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upsample<F: Dim = Const<2>> {
    /// The factor on height and width.
    pub scale_factor: F,
    /// Nearest or bilinear.
    pub mode: UpsampleMode,
}

impl<F: Dim> Upsample<F> {
    /// Upsampling by `scale_factor` (`Const::<2>` or `Runtime(3)`).
    pub fn new<X: OptDim<Dim = F>>(scale_factor: X, mode: UpsampleMode) -> Self {
        Upsample {
            scale_factor: scale_factor.into_dim(),
            mode,
        }
    }
}

impl<const F: usize, Dev> Init<Dev> for Upsample<Const<F>> {
    /// Nearest, PyTorch's default mode.
    fn try_init(_: &Dev) -> Result<Self> {
        Ok(Upsample::new(Const::<F>, UpsampleMode::Nearest))
    }
}

/// `nn.Upsample(size=(OH, OW), mode=...)` on `(B, C, H, W)`: gives `(B, C, OH, OW)` whatever
/// the input size (smaller sizes downsample).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let up = UpsampleTo::new(Const::<5>, Runtime(7), UpsampleMode::Nearest);
/// let x: Tensor<(usize, Const<3>, usize, usize), f32, Cpu> = dev.randn_like(&(1, Const, 3, 4));
/// let y: Tensor<(usize, Const<3>, Const<5>, usize), f32, Cpu> = up.forward(x);
/// assert_eq!(y.dims(), [1, 3, 5, 7]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpsampleTo<OH: Dim, OW: Dim> {
    /// The output height.
    pub height: OH,
    /// The output width.
    pub width: OW,
    /// Nearest or bilinear.
    pub mode: UpsampleMode,
}

impl<OH: Dim, OW: Dim> UpsampleTo<OH, OW> {
    /// Resizing to `height × width` (each `Const::<N>` or `Runtime(n)`).
    pub fn new<X: OptDim<Dim = OH>, Y: OptDim<Dim = OW>>(
        height: X,
        width: Y,
        mode: UpsampleMode,
    ) -> Self {
        UpsampleTo {
            height: height.into_dim(),
            width: width.into_dim(),
            mode,
        }
    }
}

impl<const OH: usize, const OW: usize, Dev> Init<Dev> for UpsampleTo<Const<OH>, Const<OW>> {
    /// Nearest, PyTorch's default mode.
    fn try_init(_: &Dev) -> Result<Self> {
        Ok(UpsampleTo::new(
            Const::<OH>,
            Const::<OW>,
            UpsampleMode::Nearest,
        ))
    }
}

macro_rules! no_tensors {
    ($ty:ident<$($p:ident),*>) => {
        impl<$($p: Dim,)* E: Dtype, D: Device<E>> Visit<E, D> for $ty<$($p),*> {
            fn try_visit<V: Visitor<E, D>>(&self, _: &str, _: &mut V) -> crate::Result<()> {
                Ok(())
            }
            fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, _: &str, _: &mut V) -> crate::Result<()> {
                Ok(())
            }
        }
    };
}
no_tensors!(Upsample<F>);
no_tensors!(UpsampleTo<OH, OW>);

/// The `(n_out, n_in)` matrix that resizes one axis, row-major, with PyTorch's source
/// positions; `scale` is PyTorch's input-per-output step when a scale factor was given
/// (`1 / factor`), else `n_in / n_out`.
pub(crate) fn interpolation_matrix(
    mode: UpsampleMode,
    n_in: usize,
    n_out: usize,
    factor: Option<usize>,
) -> Vec<f64> {
    let mut a = vec![0.0; n_out * n_in];
    match mode {
        UpsampleMode::Nearest => {
            // PyTorch's nearest_idx, whose scale and product are f32
            let scale = match factor {
                Some(f) => (1.0 / f as f64) as f32,
                None => n_in as f32 / n_out as f32,
            };
            for i in 0..n_out {
                let src = if n_out == n_in {
                    i
                } else if n_out == 2 * n_in {
                    i >> 1
                } else {
                    (((i as f32) * scale).floor() as usize).min(n_in - 1)
                };
                a[i * n_in + src] = 1.0;
            }
        }
        UpsampleMode::Bilinear { align_corners } => {
            // PyTorch's area_pixel_compute_scale and _source_index, in f64
            let scale = if align_corners {
                if n_out > 1 {
                    (n_in as f64 - 1.0) / (n_out as f64 - 1.0)
                } else {
                    0.0
                }
            } else {
                match factor {
                    Some(f) => 1.0 / f as f64,
                    None => n_in as f64 / n_out as f64,
                }
            };
            for i in 0..n_out {
                let src = if align_corners {
                    scale * i as f64
                } else {
                    (scale * (i as f64 + 0.5) - 0.5).max(0.0)
                };
                let i0 = (src as usize).min(n_in - 1);
                let i1 = if i0 < n_in - 1 { i0 + 1 } else { i0 };
                let l1 = src - i0 as f64;
                a[i * n_in + i0] += 1.0 - l1;
                a[i * n_in + i1] += l1;
            }
        }
    }
    a
}

/// Resizes `(B, C, H, W)` to `(B, C, oh, ow)` as `A_h · X · A_wᵀ`, into shape `S2`.
fn resize<S: Shape, S2: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf>(
    x: Tensor<S, E, D, T>,
    mode: UpsampleMode,
    [oh, ow]: [usize; 2],
    factor: Option<usize>,
) -> Result<Tensor<S2, E, D, T>> {
    let dims = x.dims();
    let &[b, c, h, w] = dims.as_ref() else {
        return Err(gf_core::Error::Shape {
            op: "Upsample",
            message: format!("expected (B, C, H, W), got {:?}", dims.as_ref()),
        });
    };
    if h == 0 || w == 0 || oh == 0 || ow == 0 {
        return Err(gf_core::Error::Shape {
            op: "Upsample",
            message: format!("cannot resize {h}×{w} to {oh}×{ow}"),
        });
    }
    let dev = x.device().clone();
    // Aᵀ for each axis, (n_in, n_out), so that both products are `· Aᵀ`
    let transposed = |n_in, n_out| -> Result<Tensor<DynShape, E, D>> {
        let a = interpolation_matrix(mode, n_in, n_out, factor);
        let at = (0..n_in * n_out)
            .map(|k| E::from_f64(a[(k % n_out) * n_in + k / n_out]))
            .collect();
        dev.try_tensor_from_vec(at, DynShape::new([n_in, n_out]))
    };
    let y = x
        .into_dyn()
        .try_reshape_like(&DynShape::new([b * c * h, w]))?
        .try_matmul(transposed(w, ow)?)?
        .try_reshape_like(&DynShape::new([b * c, h, ow]))?
        .try_transpose()?
        .try_matmul(transposed(h, oh)?)?
        .try_transpose()?
        .try_reshape_like(&DynShape::new([b, c, oh, ow]))?;
    y.try_into_shape()
}

impl<B, C, H, W, F, E, D, T> Module<Tensor<(B, C, H, W), E, D, T>> for Upsample<F>
where
    B: Dim,
    C: Dim,
    H: DimMul<F>,
    W: DimMul<F>,
    F: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    type Output = Tensor<(B, C, H::Output, W::Output), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        let [_, _, h, w] = x.dims();
        let f = self.scale_factor.size();
        resize(x, self.mode, [h * f, w * f], Some(f))
    }
}

impl<B, C, H, W, OH, OW, E, D, T> Module<Tensor<(B, C, H, W), E, D, T>> for UpsampleTo<OH, OW>
where
    B: Dim,
    C: Dim,
    H: Dim,
    W: Dim,
    OH: Dim,
    OW: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    type Output = Tensor<(B, C, OH, OW), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        let size = [self.height.size(), self.width.size()];
        resize(x, self.mode, size, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_rows_sum_to_one() {
        for mode in [
            UpsampleMode::Nearest,
            UpsampleMode::Bilinear {
                align_corners: false,
            },
            UpsampleMode::Bilinear {
                align_corners: true,
            },
        ] {
            for (n_in, n_out) in [(3, 6), (4, 7), (5, 2), (1, 3), (3, 1)] {
                let a = interpolation_matrix(mode, n_in, n_out, None);
                for row in a.chunks(n_in) {
                    assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{mode:?}");
                }
            }
        }
    }

    #[test]
    fn nearest_doubling_repeats_each_pixel() {
        let a = interpolation_matrix(UpsampleMode::Nearest, 2, 4, Some(2));
        assert_eq!(a, [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]);
    }
}
