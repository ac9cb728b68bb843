//! Starting a trace, and running the tape backward.

use gf_core::device::{Storage, ViewKernel};
use gf_core::shape::Shape;
use gf_core::{Dtype, Gradients, NoneTape, Result, Tensor};

use crate::tape::OwnedTape;

/// Runs the recorded ops backward from a scalar.
///
/// The method exists on every tensor, but its bounds ask for a scalar shape ([`ScalarShape`])
/// and a recording tape ([`RecordsTape`]), so calling it on anything else is a compile error
/// that says which of the two is missing.
pub trait Backward<S: Shape, E: Dtype, D: Storage<E>, T> {
    /// The gradients of every traced leaf, with respect to this scalar.
    fn try_backward(self) -> Result<Gradients<E, D>>
    where
        S: ScalarShape,
        T: RecordsTape<E, D>;
    /// See [`try_backward`](Self::try_backward).
    fn backward(self) -> Gradients<E, D>
    where
        Self: Sized,
        S: ScalarShape,
        T: RecordsTape<E, D>,
    {
        self.try_backward().unwrap()
    }
}

/// The shape of a tensor `backward()` can start from: a scalar.
#[diagnostic::on_unimplemented(
    message = "`backward()` needs a scalar, but this tensor has shape `{Self}`",
    label = "not a scalar",
    note = "reduce the output to a scalar first, e.g. `.sum::<Axis<0>>()` or `.mean::<(Axis<0>, Axis<1>)>()`"
)]
pub trait ScalarShape: Shape {}
impl ScalarShape for () {}

/// The tape of a tensor `backward()` can start from: one that recorded the forward pass.
#[diagnostic::on_unimplemented(
    message = "`backward()` needs a tensor that records a tape, but this one carries `{Self}`",
    label = "nothing was recorded for this tensor",
    note = "trace the parameters before the forward pass: `w.trace()` (or `w.trace_into(&tape)`)"
)]
pub trait RecordsTape<E: Dtype, D: Storage<E>> {
    /// The recording tape; `Err` for a tape that turned out not to record (a run-time choice).
    fn try_into_owned_tape(self) -> Result<OwnedTape<E, D>>;
}
impl<E: Dtype, D: Storage<E>> RecordsTape<E, D> for OwnedTape<E, D> {
    fn try_into_owned_tape(self) -> Result<OwnedTape<E, D>> {
        Ok(self)
    }
}

impl<S: Shape, E: Dtype, D: Storage<E>, T> Backward<S, E, D, T> for Tensor<S, E, D, T> {
    fn try_backward(self) -> Result<Gradients<E, D>>
    where
        S: ScalarShape,
        T: RecordsTape<E, D>,
    {
        let (t, tape) = self.split_tape();
        let tape = tape.try_into_owned_tape()?;
        let mut grads = Gradients::default();
        grads.insert(t.id(), t.device().try_from_host(&[E::one()])?);
        // each op takes its output's gradient as it runs, so intermediate gradients are freed
        // as soon as the ops that produced them are done; what is left belongs to the leaves
        for op in tape.take_ops().into_iter().rev() {
            op(&mut grads)?;
        }
        Ok(grads)
    }
}

/// Starts recording: the traced tensor has the same id, so its gradient is found under the
/// original tensor.
pub trait Trace<S: Shape, E: Dtype, D: Storage<E>> {
    /// The tensor on a new tape.
    fn trace(&self) -> Tensor<S, E, D, OwnedTape<E, D>>;
    /// The tensor on an existing (shared) tape.
    fn trace_into(&self, tape: &OwnedTape<E, D>) -> Tensor<S, E, D, OwnedTape<E, D>>;
}

impl<S: Shape, E: Dtype, D: Storage<E> + ViewKernel<E>> Trace<S, E, D>
    for Tensor<S, E, D, NoneTape>
{
    fn trace(&self) -> Tensor<S, E, D, OwnedTape<E, D>> {
        self.retaped()
    }
    fn trace_into(&self, tape: &OwnedTape<E, D>) -> Tensor<S, E, D, OwnedTape<E, D>> {
        self.clone().put_tape(tape.clone())
    }
}
