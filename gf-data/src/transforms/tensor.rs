//! From images to tensors, and transforms on tensors: torchvision's `ToTensor`, `Normalize`,
//! `GaussianNoise` and the flips, on `Tensor<S, f32, Cpu>` of any shape with channels first
//! (`[C, H, W]`, or `[..., C, H, W]` as torchvision), typed or [`DynShape`].
//!
//! Tensor transforms take their input by value and, when it owns its buffer (as one fresh from
//! [`ToTensor`] does), work in that buffer without copying.

use std::sync::Arc;

use gf_core::ops::create::TensorCreate;
use gf_core::rng::Xoshiro256;
use gf_core::shape::{Const, DynShape, HasShape, Shape};
use gf_core::{Cpu, Tensor, Unit};

use crate::error::{Error, Result};
use crate::image::Image;
use crate::transforms::image::{random_flip, RandomHorizontalFlip, RandomVerticalFlip};
use crate::transforms::Transform;

/// `i / 255` for every byte, as torchvision's `to_tensor` computes it (`float(i) / 255` in f32).
static UNIT_SCALE: [f32; 256] = unit_scale();

const fn unit_scale() -> [f32; 256] {
    let mut t = [0.0f32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = i as f32 / 255.0;
        i += 1;
    }
    t
}

/// The pixels of `img` as channel planes (`[C, H, W]` order) scaled to `[0, 1]`, in one pass.
fn chw_scaled(img: &Image) -> Vec<f32> {
    let c = img.channels();
    let hw = img.width() * img.height();
    let data = img.data();
    let mut out = vec![0f32; hw * c];
    if hw == 0 {
        return out;
    }
    match c {
        1 => {
            for (o, &v) in out.iter_mut().zip(data) {
                *o = UNIT_SCALE[v as usize];
            }
        }
        3 => {
            let (r, rest) = out.split_at_mut(hw);
            let (g, b) = rest.split_at_mut(hw);
            for (((px, r), g), b) in data.chunks_exact(3).zip(r).zip(g).zip(b) {
                *r = UNIT_SCALE[px[0] as usize];
                *g = UNIT_SCALE[px[1] as usize];
                *b = UNIT_SCALE[px[2] as usize];
            }
        }
        _ => {
            for (ch, plane) in out.chunks_exact_mut(hw).enumerate() {
                for (o, px) in plane.iter_mut().zip(data.chunks_exact(c)) {
                    *o = UNIT_SCALE[px[ch] as usize];
                }
            }
        }
    }
    out
}

/// `img` as a `[C, H, W]` float tensor in `[0, 1]`, like torchvision's `F.to_tensor`.
pub fn to_tensor(img: &Image) -> Result<Tensor<DynShape, f32, Cpu>> {
    let dims = vec![img.channels(), img.height(), img.width()];
    Ok(Cpu::default().try_tensor_from_vec(chw_scaled(img), DynShape(dims))?)
}

/// Turns an [`Image`] into a `[C, H, W]` float tensor scaled to `[0, 1]`, like torchvision's
/// `ToTensor()`. The shape is known at run time ([`DynShape`]); for a typed shape that batches
/// into `(usize, Const<C>, Const<H>, Const<W>)` use [`ToTensorTyped`].
///
/// ```
/// use gf_data::transforms::{ToTensor, Transform};
/// use gf_data::Image;
/// let img = Image::new(2, 1, 3, vec![255, 0, 0, 0, 0, 51]).unwrap();
/// let t = ToTensor.apply(img, &mut gf_core::rng::Xoshiro256::new(0)).unwrap();
/// assert_eq!(t.dims(), [3, 1, 2]);
/// assert_eq!(t.to_vec(), [1.0, 0.0, 0.0, 0.0, 0.0, 0.2]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ToTensor;

impl Transform<Image> for ToTensor {
    type Output = Tensor<DynShape, f32, Cpu>;
    fn apply(&self, img: Image, _rng: &mut Xoshiro256) -> Result<Self::Output> {
        to_tensor(&img)
    }
}

/// [`ToTensor`] with the shape in the type: `Tensor<(Const<C>, Const<H>, Const<W>), f32, Cpu>`,
/// which a [`DataLoader`](crate::DataLoader) batches into
/// `(usize, Const<C>, Const<H>, Const<W>)`. `Err` when an image's channels, height or width
/// differ from `C`, `H`, `W`.
///
/// ```
/// use gf_data::transforms::{ToTensorTyped, Transform};
/// use gf_data::Image;
/// let mut rng = gf_core::rng::Xoshiro256::new(0);
/// let t = ToTensorTyped::<1, 2, 3>.apply(Image::zeros(3, 2, 1).unwrap(), &mut rng).unwrap();
/// assert_eq!(t.dims(), [1, 2, 3]);
/// assert!(ToTensorTyped::<3, 2, 3>.apply(Image::zeros(3, 2, 1).unwrap(), &mut rng).is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ToTensorTyped<const C: usize, const H: usize, const W: usize>;

impl<const C: usize, const H: usize, const W: usize> Transform<Image> for ToTensorTyped<C, H, W> {
    type Output = Tensor<(Const<C>, Const<H>, Const<W>), f32, Cpu>;
    fn apply(&self, img: Image, _rng: &mut Xoshiro256) -> Result<Self::Output> {
        let got = (img.channels(), img.height(), img.width());
        if got != (C, H, W) {
            return Err(Error::argument(
                "ToTensorTyped",
                format!(
                    "expected a {C}x{H}x{W} (channels x height x width) image, got {}x{}x{}",
                    got.0, got.1, got.2
                ),
            ));
        }
        Ok(Cpu::default().try_tensor_from_vec(chw_scaled(&img), Default::default())?)
    }
}

/// The shape, device and elements of `t`, taking its buffer when `t` is its only owner and
/// copying otherwise.
fn into_host<S: Shape, E: Unit>(t: Tensor<S, E, Cpu>) -> (S, Cpu, Vec<E>) {
    let shape = t.shape().clone();
    let device = t.device().clone();
    let n = shape.num_elements();
    if t.offset() == 0 && t.is_contiguous() && t.data().len() == n {
        let buf = Arc::clone(t.data());
        drop(t);
        let data =
            Arc::try_unwrap(buf).map_or_else(|shared| shared[..n].to_vec(), |b| b.into_vec());
        return (shape, device, data);
    }
    let data = t.to_vec();
    (shape, device, data)
}

fn from_host<S: Shape, E: Unit>(shape: S, device: Cpu, data: Vec<E>) -> Result<Tensor<S, E, Cpu>> {
    Ok(device.try_tensor_from_vec(data, shape)?)
}

/// The channel axis of a tensor of `rank` dims: `-3` as torchvision (`[..., C, H, W]`), or the
/// first axis of `[C]` and `[C, L]`.
fn channel_axis(op: &'static str, rank: usize) -> Result<usize> {
    match rank {
        0 => Err(Error::argument(
            op,
            "expected a tensor with a channel axis, got a scalar",
        )),
        1 | 2 => Ok(0),
        r => Ok(r - 3),
    }
}

/// Per-channel `(x - mean[c]) / std[c]` in place, like torchvision's `F.normalize`: `mean` and
/// `std` have one value per channel, or one for all. `Err` when their lengths fit neither.
pub fn normalize<S: Shape>(
    t: Tensor<S, f32, Cpu>,
    mean: &[f32],
    std: &[f32],
) -> Result<Tensor<S, f32, Cpu>> {
    let dims = t.dims();
    let dims = dims.as_ref();
    let axis = channel_axis("normalize", dims.len())?;
    let channels = dims[axis];
    for (name, v) in [("mean", mean), ("std", std)] {
        if v.len() != channels && v.len() != 1 {
            return Err(Error::argument(
                "normalize",
                format!(
                    "{name} has {} values but the tensor of shape {dims:?} has {channels} channels",
                    v.len()
                ),
            ));
        }
    }
    if let Some(i) = std.iter().position(|&s| s == 0.0) {
        return Err(Error::argument(
            "normalize",
            format!("std[{i}] is zero, which would divide by zero"),
        ));
    }
    let inner: usize = dims[axis + 1..].iter().product();
    let (shape, device, mut data) = into_host(t);
    if inner > 0 && channels > 0 {
        for block in data.chunks_exact_mut(channels * inner) {
            for (c, plane) in block.chunks_exact_mut(inner).enumerate() {
                let m = mean[if mean.len() == 1 { 0 } else { c }];
                let s = std[if std.len() == 1 { 0 } else { c }];
                for x in plane {
                    *x = (*x - m) / s;
                }
            }
        }
    }
    from_host(shape, device, data)
}

/// Normalizes each channel, like torchvision's `Normalize(mean, std)`: `(x - mean[c]) / std[c]`
/// on `[..., C, H, W]` float tensors (also `[C]` and `[C, L]`).
///
/// ```
/// use gf_data::transforms::{Normalize, ToTensor, Transform};
/// use gf_data::Image;
/// let pipeline = ToTensor.then(Normalize::new([0.5], [0.5]).unwrap());
/// let t = pipeline.apply(Image::new(2, 1, 1, vec![0, 255]).unwrap(), &mut gf_core::rng::Xoshiro256::new(0));
/// assert_eq!(t.unwrap().to_vec(), [-1.0, 1.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Normalize {
    /// Per-channel means (or one for all).
    pub mean: Vec<f32>,
    /// Per-channel standard deviations (or one for all).
    pub std: Vec<f32>,
}

impl Normalize {
    /// A normalization by `mean` and `std`; `Err` if either is empty, `std` has a zero or a
    /// value is not finite.
    pub fn new(mean: impl Into<Vec<f32>>, std: impl Into<Vec<f32>>) -> Result<Self> {
        let (mean, std) = (mean.into(), std.into());
        if mean.is_empty() || std.is_empty() {
            return Err(Error::argument(
                "Normalize",
                "mean and std need at least one value",
            ));
        }
        if mean.iter().chain(&std).any(|v| !v.is_finite()) {
            return Err(Error::argument(
                "Normalize",
                format!("mean {mean:?} and std {std:?} must be finite"),
            ));
        }
        if std.contains(&0.0) {
            return Err(Error::argument(
                "Normalize",
                format!("std {std:?} has a zero, which would divide by zero"),
            ));
        }
        Ok(Normalize { mean, std })
    }
}

impl<S: Shape> Transform<Tensor<S, f32, Cpu>> for Normalize {
    type Output = Tensor<S, f32, Cpu>;
    fn apply(&self, t: Tensor<S, f32, Cpu>, _rng: &mut Xoshiro256) -> Result<Self::Output> {
        normalize(t, &self.mean, &self.std)
    }
}

/// Adds Gaussian noise, like torchvision's `v2.GaussianNoise(mean=0.0, sigma=0.1, clip=True)`:
/// `x + mean + sigma * N(0, 1)` elementwise, clamped to `[0, 1]` if `clip`. The noise comes from
/// the transform's generator, so a seed repeats it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GaussianNoise {
    /// The noise's mean.
    pub mean: f32,
    /// The noise's standard deviation.
    pub sigma: f32,
    /// Whether to clamp the result to `[0, 1]`.
    pub clip: bool,
}

impl GaussianNoise {
    /// Noise of `mean` and standard deviation `sigma`, clipped to `[0, 1]`; `Err` for a negative
    /// or non-finite `sigma`.
    pub fn new(mean: f32, sigma: f32) -> Result<Self> {
        if !(sigma >= 0.0 && sigma.is_finite() && mean.is_finite()) {
            return Err(Error::argument(
                "GaussianNoise",
                format!("sigma must be finite and non-negative and mean finite, got sigma = {sigma}, mean = {mean}"),
            ));
        }
        Ok(GaussianNoise {
            mean,
            sigma,
            clip: true,
        })
    }

    /// Whether to clamp the result to `[0, 1]`.
    pub fn clip(mut self, clip: bool) -> Self {
        self.clip = clip;
        self
    }
}

impl Default for GaussianNoise {
    fn default() -> Self {
        GaussianNoise {
            mean: 0.0,
            sigma: 0.1,
            clip: true,
        }
    }
}

impl<S: Shape> Transform<Tensor<S, f32, Cpu>> for GaussianNoise {
    type Output = Tensor<S, f32, Cpu>;
    fn apply(&self, t: Tensor<S, f32, Cpu>, rng: &mut Xoshiro256) -> Result<Self::Output> {
        let (shape, device, mut data) = into_host(t);
        let (mean, sigma) = (self.mean as f64, self.sigma as f64);
        // Box–Muller, using both normals of each pair of uniforms.
        for pair in data.chunks_mut(2) {
            let u1 = 1.0 - rng.next_f64();
            let u2 = rng.next_f64();
            let r = (-2.0 * u1.ln()).sqrt();
            let theta = 2.0 * std::f64::consts::PI * u2;
            let z = [r * theta.cos(), r * theta.sin()];
            for (x, z) in pair.iter_mut().zip(z) {
                let y = *x + (mean + sigma * z) as f32;
                *x = if self.clip { y.clamp(0.0, 1.0) } else { y };
            }
        }
        from_host(shape, device, data)
    }
}

/// `t` reversed along its last axis (the width of `[..., H, W]`), like torchvision's `F.hflip`
/// on tensors. `Err` for a scalar.
pub fn hflip_tensor<S: Shape, E: Unit>(t: Tensor<S, E, Cpu>) -> Result<Tensor<S, E, Cpu>> {
    let dims = t.dims();
    let w = match dims.as_ref().last() {
        Some(&w) => w,
        None => return Err(Error::argument("hflip", "cannot flip a scalar tensor")),
    };
    let (shape, device, mut data) = into_host(t);
    if w > 1 {
        for row in data.chunks_exact_mut(w) {
            row.reverse();
        }
    }
    from_host(shape, device, data)
}

/// `t` reversed along its second-to-last axis (the height of `[..., H, W]`), like torchvision's
/// `F.vflip` on tensors. `Err` for fewer than two axes.
pub fn vflip_tensor<S: Shape, E: Unit>(t: Tensor<S, E, Cpu>) -> Result<Tensor<S, E, Cpu>> {
    let dims = t.dims();
    let dims = dims.as_ref();
    if dims.len() < 2 {
        return Err(Error::argument(
            "vflip",
            format!("expected a tensor of at least 2 axes, got shape {dims:?}"),
        ));
    }
    let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
    let (shape, device, mut data) = into_host(t);
    if h > 1 && w > 0 {
        for plane in data.chunks_exact_mut(h * w) {
            for y in 0..h / 2 {
                let (top, bottom) = plane.split_at_mut((h - 1 - y) * w);
                top[y * w..(y + 1) * w].swap_with_slice(&mut bottom[..w]);
            }
        }
    }
    from_host(shape, device, data)
}

random_flip! {
    /// [`RandomHorizontalFlip`] for tensors: reverses the last axis of `[..., H, W]` with
    /// probability `p`. A separate type because each transform has one input type, which is
    /// what lets [`compose!`](crate::compose) infer a pipeline's types.
    RandomHorizontalFlipTensor from RandomHorizontalFlip:
    impl<S: Shape, E: Unit> Transform<Tensor<S, E, Cpu>> by hflip_tensor
}

random_flip! {
    /// [`RandomVerticalFlip`] for tensors: reverses the second-to-last axis of `[..., H, W]`
    /// with probability `p`.
    RandomVerticalFlipTensor from RandomVerticalFlip:
    impl<S: Shape, E: Unit> Transform<Tensor<S, E, Cpu>> by vflip_tensor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev() -> Cpu {
        Cpu::default()
    }

    #[test]
    fn normalize_uses_channel_axis_minus_three_and_broadcasts() {
        let t = dev().tensor_from_vec(
            vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            DynShape(vec![2, 2, 2, 1]),
        );
        // [N=2, C=2, H=2, W=1]: the channel is axis 1.
        let out = normalize(t, &[1.0, 2.0], &[1.0, 2.0]).unwrap();
        assert_eq!(out.to_vec(), [0.0, 1.0, 0.5, 1.0, 4.0, 5.0, 2.5, 3.0]);
        let one = dev().tensor_from_vec(vec![2.0f32, 4.0], DynShape(vec![2]));
        assert_eq!(normalize(one, &[1.0], &[2.0]).unwrap().to_vec(), [0.5, 1.5]);
        let bad = dev().tensor_from_vec(vec![0.0f32; 12], DynShape(vec![3, 2, 2]));
        let err = normalize(bad, &[0.0, 0.0], &[1.0]).unwrap_err().to_string();
        assert!(err.contains("3 channels"), "{err}");
    }

    #[test]
    fn owned_buffers_are_reused_and_shared_ones_copied() {
        let t = dev().tensor_from_vec(vec![1.0f32, 2.0, 3.0], DynShape(vec![1, 1, 3]));
        let keep = t.clone();
        let flipped = hflip_tensor(t).unwrap();
        assert_eq!(flipped.to_vec(), [3.0, 2.0, 1.0]);
        assert_eq!(keep.to_vec(), [1.0, 2.0, 3.0]);
        let ptr = flipped.data().as_ptr() as usize;
        let again = hflip_tensor(flipped).unwrap();
        // The same heap buffer, flipped in place.
        assert_eq!(again.data().as_ptr() as usize, ptr);
    }

    #[test]
    fn vflip_swaps_rows_of_each_plane() {
        let t = dev().tensor_from_vec((0..12).map(|i| i as f32).collect(), DynShape(vec![2, 3, 2]));
        let out = vflip_tensor(t).unwrap().to_vec();
        assert_eq!(
            out,
            [4.0, 5.0, 2.0, 3.0, 0.0, 1.0, 10.0, 11.0, 8.0, 9.0, 6.0, 7.0]
        );
        let flat = dev().tensor_from_vec(vec![1.0f32], DynShape(vec![1]));
        assert!(vflip_tensor(flat).is_err());
    }

    #[test]
    fn to_tensor_planes_for_every_channel_count() {
        for c in [1usize, 3, 4] {
            let data: Vec<u8> = (0..2 * 3 * c).map(|i| (i * 10) as u8).collect();
            let img = Image::new(3, 2, c, data.clone()).unwrap();
            let t = to_tensor(&img).unwrap();
            assert_eq!(t.dims(), [c, 2, 3]);
            let v = t.to_vec();
            for (i, px) in data.chunks_exact(c).enumerate() {
                for ch in 0..c {
                    assert_eq!(v[ch * 6 + i], px[ch] as f32 / 255.0);
                }
            }
        }
    }
}
