//! Starting a trace, and running the tape backward.

use gf_core::device::{Storage, ViewKernel};
use gf_core::shape::Shape;
use gf_core::{Dtype, Gradients, NoneTape, Result, Tensor};

use crate::tape::OwnedTape;

/// Runs the recorded ops backward from a scalar. Implemented only for scalar tensors that
/// record a tape, so calling it on anything else does not compile.
#[diagnostic::on_unimplemented(
    message = "`backward()` needs a scalar tensor that records a tape, not `{Self}`",
    label = "this tensor is not a traced scalar",
    note = "trace the parameters before the forward pass (`w.trace()`), and reduce the output to a scalar (`.sum::<…>()`, `.mean::<…>()`)"
)]
pub trait Backward<E: Dtype, D: Storage<E>> {
    /// The gradients of every traced leaf, with respect to this scalar.
    fn try_backward(self) -> Result<Gradients<E, D>>;
    /// See [`try_backward`](Self::try_backward).
    fn backward(self) -> Gradients<E, D>
    where
        Self: Sized,
    {
        self.try_backward().unwrap()
    }
}

impl<E: Dtype, D: Storage<E>> Backward<E, D> for Tensor<(), E, D, OwnedTape<E, D>> {
    fn try_backward(self) -> Result<Gradients<E, D>> {
        let (t, tape) = self.split_tape();
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
