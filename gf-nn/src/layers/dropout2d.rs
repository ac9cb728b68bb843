//! `Dropout2d`: drops whole channels, for convolutional features whose neighbouring values are
//! correlated (an element-wise mask would barely regularise them).

use gf_core::ops::create::TensorCreate;
use gf_core::shape::{Dim, HasShape};
use gf_core::{Device, Dtype, Merge, NoneTape, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// Zeroes each `(b, c)` channel of a `(B, C, H, W)` input with probability `p` and scales the
/// kept ones by `1/(1 − p)` in training mode; passes the input through in eval mode:
/// `nn.Dropout2d(p = 0.5)`. The mask comes from the input device's seeded generator (so it
/// differs from PyTorch's draws).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dropout2d {
    /// The probability of zeroing a channel.
    pub p: f64,
    /// Training mode (set by `train()` / `eval()`; on when built).
    pub training: bool,
}

impl Dropout2d {
    /// Channel dropout with probability `p`, in training mode.
    pub fn new(p: f64) -> Self {
        Dropout2d { p, training: true }
    }
}

impl Default for Dropout2d {
    /// PyTorch's `p = 0.5`.
    fn default() -> Self {
        Dropout2d::new(0.5)
    }
}

impl<B: Dim, C: Dim, H: Dim, W: Dim, E: Dtype, D: Device<E>, T>
    Module<Tensor<(B, C, H, W), E, D, T>> for Dropout2d
where
    T: Tape + Merge<NoneTape, Output = T>,
{
    type Output = Tensor<(B, C, H, W), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, C, H, W), E, D, T>) -> Result<Self::Output> {
        if !self.training {
            return Ok(x);
        }
        let (b, c, _, _) = *x.shape();
        // one draw per channel, the same scale as Dropout's, spread over the plane
        let mask: Tensor<(B, C), E, D> = x.device().try_full_like(&(b, c), E::one())?;
        let mask = mask
            .try_dropout(E::from_f64(self.p))?
            .try_broadcast_axes(*x.shape(), &[2, 3])?;
        x.try_mul(mask)
    }
}

impl<E: Dtype, D: Device<E>> Visit<E, D> for Dropout2d {
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

impl<D> Init<D> for Dropout2d {
    fn try_init(_: &D) -> Result<Self> {
        Ok(Dropout2d::default())
    }
}
