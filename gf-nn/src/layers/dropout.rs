//! `Dropout` and `Flatten`: layers without parameters whose behaviour is not elementwise.

use gf_core::shape::{Axis, FlattenShape, Shape};
use gf_core::{Device, Dtype, Merge, NoneTape, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// Zeroes each element with probability `p` and scales the rest by `1/(1 − p)` in training
/// mode; passes the input through in eval mode: `nn.Dropout(p = 0.5)`. The mask comes from the
/// input device's seeded generator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout {
    /// The probability of zeroing an element.
    pub p: f64,
    /// Training mode (set by `train()` / `eval()`; on when built).
    pub training: bool,
}

impl Dropout {
    /// Dropout with probability `p`, in training mode.
    pub fn new(p: f64) -> Self {
        Dropout { p, training: true }
    }
}

impl Default for Dropout {
    /// PyTorch's `p = 0.5`.
    fn default() -> Self {
        Dropout::new(0.5)
    }
}

impl<S: Shape, E: Dtype, D: Device<E>, T: Tape + Merge<NoneTape, Output = T>>
    Module<Tensor<S, E, D, T>> for Dropout
{
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        if self.training {
            x.try_dropout(E::from_f64(self.p))
        } else {
            Ok(x)
        }
    }
}

impl<E: Dtype, D: Device<E>> Visit<E, D> for Dropout {
    fn try_visit<V: Visitor<E, D>>(&self, _: &str, _: &mut V) -> crate::Result<()> {
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, _: &str, _: &mut V) -> crate::Result<()> {
        Ok(())
    }
    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}

impl<D> Init<D> for Dropout {
    fn try_init(_: &D) -> Result<Self> {
        Ok(Dropout::default())
    }
}

/// Folds every axis after the batch axis into one: `(B, C, H, W)` → `(B, C·H·W)`, as
/// `nn.Flatten()` does. With `Const` sizes the product is computed when compiling, so a
/// following `Linear` whose input size differs does not compile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flatten;

impl<S, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<S, E, D, T>> for Flatten
where
    S: Shape + FlattenShape<Axis<1>>,
{
    type Output = Tensor<S::Flat, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        x.try_flatten::<Axis<1>>()
    }
}

crate::layers::activation::stateless!(Flatten);
