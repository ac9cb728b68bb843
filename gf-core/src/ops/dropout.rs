//! Dropout: zero each element with probability `p` and scale the rest by `1 / (1 − p)`.

use gf_shape::Shape;

use crate::device::{AccumulateKernel, RandomKernel, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops::binary::BinaryKernel;
use crate::tape::{Merge, NoneTape, Tape};
use crate::tensor::Tensor;

impl<
        S: Shape,
        E: Dtype,
        D: RandomKernel<E> + BinaryKernel<E> + AccumulateKernel<E> + ViewKernel<E>,
        T: Tape + Merge<NoneTape, Output = T>,
    > Tensor<S, E, D, T>
{
    /// Zeroes each element with probability `p` (drawn from the device's seeded generator) and
    /// scales the kept ones by `1 / (1 − p)`, like `torch.nn.functional.dropout` in training.
    /// The gradient passes through the same mask. `p = 1` gives zeros; `p` outside `[0, 1]` is
    /// an `Err`. Whether to drop at all (train vs eval) is the caller's choice.
    pub fn try_dropout(self, p: E) -> Result<Self> {
        if !(E::zero()..=E::one()).contains(&p) {
            return Err(Error::argument(
                "dropout",
                format!("p = {p} must be in [0, 1]"),
            ));
        }
        if p == E::zero() {
            return Ok(self);
        }
        let shape = self.shape.clone();
        let scale = if p == E::one() {
            E::zero()
        } else {
            E::one() / (E::one() - p)
        };
        let mask = self
            .device
            .try_dropout_mask(shape.num_elements(), p, scale)?;
        let mask = Tensor::from_buffer(self.device.clone(), mask, shape, NoneTape);
        self.try_mul(mask)
    }

    /// See [`try_dropout`](Self::try_dropout).
    #[track_caller]
    pub fn dropout(self, p: E) -> Self {
        self.try_dropout(p).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::testing::TestDevice;

    #[test]
    fn drops_about_p_and_rescales_the_rest() {
        let dev = TestDevice::seed_from_u64(3);
        let x: Tensor<(usize,), f64, TestDevice> = dev.ones_like(&(10_000,));
        let y = x.clone().dropout(0.25).to_vec();
        let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / y.len() as f64;
        assert!((kept - 0.75).abs() < 0.02, "kept {kept}");
        assert!(y
            .iter()
            .all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-12));
        assert_eq!(x.clone().dropout(1.0).to_vec().iter().sum::<f64>(), 0.0);
        assert!(x.try_dropout(1.5).is_err());
    }
}
