//! Building a module on a device with PyTorch's default initialisation.

use gf_core::ops::create::{TensorCreate, TensorCreateFloat};
use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

/// A module whose sizes are all in its type, so it can be built from a device alone:
/// `Linear::<Const<784>, Const<128>>::init(&dev)`. `#[derive(Module)]` writes it for a struct
/// whose fields all have it; a model with run-time sizes is built by hand from the layers'
/// `try_new(dev, sizes...)` constructors.
pub trait Init<D>: Sized {
    /// Builds the module with fresh parameters drawn from `dev`'s seeded generator.
    fn try_init(dev: &D) -> Result<Self>;
    /// See [`try_init`](Self::try_init); panics when the device fails.
    #[track_caller]
    fn init(dev: &D) -> Self {
        Self::try_init(dev).unwrap()
    }
}

/// Uniform in `[−bound, bound)`: PyTorch's `kaiming_uniform_(a = √5)` weights and its biases
/// both come out as `bound = 1/√fan_in`.
pub fn uniform<S: Shape, E: Dtype, D: Device<E>>(
    dev: &D,
    shape: &S,
    bound: f64,
) -> Result<Tensor<S, E, D>> {
    if bound > 0.0 {
        dev.try_sample_uniform_like(shape, E::from_f64(-bound), E::from_f64(bound))
    } else {
        dev.try_zeros_like(shape)
    }
}

/// `1/√fan_in`, PyTorch's bound for Linear and Conv weights and biases (0 for an empty fan-in,
/// where PyTorch leaves the bias at 0 too).
pub fn fan_in_bound(fan_in: usize) -> f64 {
    if fan_in == 0 {
        0.0
    } else {
        1.0 / (fan_in as f64).sqrt()
    }
}

/// A bare tensor field of a typed model starts at zeros: PyTorch has no default for a raw
/// `nn.Parameter`, and zeros never hide a forgotten initialisation behind plausible values.
impl<S: gf_core::shape::ConstShape, E: Dtype, D: Device<E>> Init<D> for Tensor<S, E, D> {
    fn try_init(dev: &D) -> Result<Self> {
        dev.try_zeros_like(&S::default())
    }
}
