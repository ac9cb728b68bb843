//! Transforms: functions from one sample to another, seeded so that a run repeats exactly.
//!
//! A transform gets the sample and a random generator. The generator handed to it by
//! [`Dataset::transform`](crate::Dataset::transform) is derived from the loader's seed, the
//! epoch and the sample's index, so the same sample gets the same augmentation whatever thread
//! runs it, and a new one every epoch.

mod image;
mod tensor;

pub use image::{
    adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, center_crop, crop, hflip,
    pad, resize, resized_crop, resized_output_size, rotate, vflip, CenterCrop, ColorJitter,
    CropSize, Degrees, Fill, InterpolationMode, Jitter, Padding, PaddingMode, RandomCrop,
    RandomHorizontalFlip, RandomResizedCrop, RandomRotation, RandomVerticalFlip, Resize, Size,
};
pub use tensor::{
    hflip_tensor, normalize, to_tensor, vflip_tensor, GaussianNoise, Normalize,
    RandomHorizontalFlipTensor, RandomVerticalFlipTensor, ToTensor, ToTensorTyped,
};

use gf_core::rng::Xoshiro256;

use crate::error::Result;

/// A function from one sample to another, possibly random.
pub trait Transform<In>: Send + Sync {
    /// What the transform produces.
    type Output;

    /// Transforms `input`, drawing any randomness from `rng`.
    fn apply(&self, input: In, rng: &mut Xoshiro256) -> Result<Self::Output>;

    /// `self` followed by `next`.
    fn then<T: Transform<Self::Output>>(self, next: T) -> Then<Self, T>
    where
        Self: Sized,
    {
        Then {
            first: self,
            second: next,
        }
    }
}

/// Two transforms in sequence, made by [`Transform::then`] or [`compose!`](crate::compose).
#[derive(Clone, Debug)]
pub struct Then<A, B> {
    first: A,
    second: B,
}

impl<In, A: Transform<In>, B: Transform<A::Output>> Transform<In> for Then<A, B> {
    type Output = B::Output;
    fn apply(&self, input: In, rng: &mut Xoshiro256) -> Result<B::Output> {
        let mid = self.first.apply(input, rng)?;
        self.second.apply(mid, rng)
    }
}

/// A list of transforms from a type to itself, applied in order: torchvision's `Compose` for
/// transforms that keep the type. Transforms that change it (such as `ToTensor`) chain with
/// [`Transform::then`] or [`compose!`](crate::compose).
pub struct Compose<T> {
    steps: Vec<Box<dyn Transform<T, Output = T>>>,
}

impl<T> Compose<T> {
    /// The transforms, applied first to last.
    pub fn new(steps: Vec<Box<dyn Transform<T, Output = T>>>) -> Self {
        Compose { steps }
    }
}

impl<T> Transform<T> for Compose<T> {
    type Output = T;
    fn apply(&self, mut input: T, rng: &mut Xoshiro256) -> Result<T> {
        for step in &self.steps {
            input = step.apply(input, rng)?;
        }
        Ok(input)
    }
}

/// A closure as a transform: `FnTransform(|x: T, rng| Ok(f(x)))`.
#[derive(Clone, Copy, Debug)]
pub struct FnTransform<F>(pub F);

impl<In, Out, F> Transform<In> for FnTransform<F>
where
    F: Fn(In, &mut Xoshiro256) -> Result<Out> + Send + Sync,
{
    type Output = Out;
    fn apply(&self, input: In, rng: &mut Xoshiro256) -> Result<Out> {
        (self.0)(input, rng)
    }
}

/// Applies a transform to the input of an `(input, target)` sample and keeps the target:
/// torchvision's `transform=` argument, for datasets such as
/// [`ImageFolder`](crate::formats::ImageFolder) whose samples are pairs.
#[derive(Clone, Copy, Debug)]
pub struct OnInput<T>(pub T);

impl<In, Target, T: Transform<In>> Transform<(In, Target)> for OnInput<T> {
    type Output = (T::Output, Target);
    fn apply(&self, (input, target): (In, Target), rng: &mut Xoshiro256) -> Result<Self::Output> {
        Ok((self.0.apply(input, rng)?, target))
    }
}

/// Chains transforms that may change the sample's type: `compose!(RandomCrop::new(28),
/// ToTensor, Normalize::new(..))` is the first `.then(` the second `)` `.then(` the third `)`.
/// It nests to the left, so each step's input type is known from the step before, and
/// transforms generic over their input (such as `Normalize`) infer.
#[macro_export]
macro_rules! compose {
    ($first:expr $(, $rest:expr)* $(,)?) => {{
        let chain = $first;
        $(let chain = $crate::transforms::Transform::then(chain, $rest);)*
        chain
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn then_compose_and_macro_apply_in_order() {
        let mut rng = Xoshiro256::new(0);
        let add_one = FnTransform(|x: i32, _: &mut Xoshiro256| Ok(x + 1));
        let double = FnTransform(|x: i32, _: &mut Xoshiro256| Ok(x * 2));
        let to_string = FnTransform(|x: i32, _: &mut Xoshiro256| Ok(x.to_string()));
        assert_eq!(add_one.then(double).apply(3, &mut rng).unwrap(), 8);
        let list = Compose::new(vec![Box::new(double), Box::new(add_one)]);
        assert_eq!(list.apply(3, &mut rng).unwrap(), 7);
        let chained = crate::compose!(add_one, double, to_string);
        assert_eq!(chained.apply(3, &mut rng).unwrap(), "8");
        // Steps generic over their input infer it from the step before.
        let pipeline = crate::compose!(
            ToTensor,
            Normalize::new([0.5], [0.5]).unwrap(),
            GaussianNoise::new(0.0, 0.0).unwrap(),
        );
        let image = crate::Image::new(1, 1, 1, vec![255]).unwrap();
        assert_eq!(pipeline.apply(image, &mut rng).unwrap().to_vec(), [1.0]);
    }
}
