//! Starting a trace, and running the tape backward.

use gf_core::device::{Storage, ViewKernel};
use gf_core::shape::Shape;
use gf_core::{Dtype, Error, Gradients, NoneTape, Result, Tensor};

use crate::tape::OwnedTape;

/// Runs the recorded ops backward from a scalar.
///
/// The method exists on every tensor, but its bounds ask for a scalar shape ([`ScalarShape`])
/// and a recording tape ([`RecordsTape`]), so calling it on anything else is a compile error
/// that says which of the two is missing.
///
/// Backward runs exactly the recorded ops that reach this scalar, newest first, and leaves the
/// others on the tape, so a second loss recorded on the same tape still gets its gradients. An
/// op runs once: a loss whose graph shares ops with a loss already run gets an `Err` (there is
/// no `retain_graph`; run the forward pass again).
pub trait Backward<S: Shape, E: Dtype, D: Storage<E>, T> {
    /// The gradients of every traced leaf that reaches this scalar, with respect to it.
    fn try_backward(self) -> Result<Gradients>
    where
        S: ScalarShape,
        T: RecordsTape;
    /// See [`try_backward`](Self::try_backward).
    #[track_caller]
    fn backward(self) -> Gradients
    where
        Self: Sized,
        S: ScalarShape,
        T: RecordsTape,
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
pub trait RecordsTape {
    /// The recording tape; `Err` for a tape that turned out not to record (a run-time choice).
    fn try_into_owned_tape(self) -> Result<OwnedTape>;
}
impl RecordsTape for OwnedTape {
    fn try_into_owned_tape(self) -> Result<OwnedTape> {
        Ok(self)
    }
}

impl<S: Shape, E: Dtype, D: Storage<E>, T> Backward<S, E, D, T> for Tensor<S, E, D, T> {
    fn try_backward(self) -> Result<Gradients>
    where
        S: ScalarShape,
        T: RecordsTape,
    {
        let (t, tape) = self.split_tape();
        let tape = tape.try_into_owned_tape()?;
        let mut grads = Gradients::default();
        grads.insert::<E, D>(t.id(), t.device().try_from_host(&[E::one()])?);
        run_reached_ops(&tape, &mut grads)?;
        Ok(grads)
    }
}

/// Runs, newest first, every op on `tape` whose output has a gradient by the time it comes up;
/// puts the others back. Each op takes its output's gradient as it runs, so intermediate
/// gradients are freed as soon as the ops that produced them are done; what is left belongs to
/// the leaves.
fn run_reached_ops(tape: &OwnedTape, grads: &mut Gradients) -> Result<()> {
    // the ops leave the tape while they run: a backward closure may drop tensors, and nothing
    // may hold the tape's lock then
    let mut ops = tape.with_ops(|o| std::mem::take(&mut o.ops));
    ops.sort_by_key(|r| r.seq);
    let mut kept = Vec::new();
    let mut ran = Vec::new();
    let mut result = Ok(());
    for rec in ops.into_iter().rev() {
        if result.is_ok() && grads.contains(rec.output) {
            ran.push(rec.output);
            result = (rec.op)(grads);
        } else {
            kept.push(rec);
        }
    }
    kept.reverse();
    let stale = tape.with_ops(|o| {
        kept.append(&mut o.ops);
        o.ops = kept;
        // a gradient left on an op's output means its op ran in an earlier backward
        let stale = grads.ids().find(|id| o.consumed.contains(id));
        o.consumed.extend(ran);
        stale
    });
    result?;
    if let Some(id) = stale {
        return Err(Error::Backward(format!(
            "tensor {id} was produced by an op whose backward already ran in an earlier \
             `backward()` on this tape; gradients through it need a fresh forward pass \
             (there is no retain_graph)"
        )));
    }
    Ok(())
}

/// Starts recording: the traced tensor has the same id, so its gradient is found under the
/// original tensor.
pub trait Trace<S: Shape, E: Dtype, D: Storage<E>> {
    /// The tensor on a new tape.
    fn trace(&self) -> Tensor<S, E, D, OwnedTape>;
    /// The tensor on an existing (shared) tape.
    fn trace_into(&self, tape: &OwnedTape) -> Tensor<S, E, D, OwnedTape>;
}

impl<S: Shape, E: Dtype, D: Storage<E> + ViewKernel<E>> Trace<S, E, D>
    for Tensor<S, E, D, NoneTape>
{
    fn trace(&self) -> Tensor<S, E, D, OwnedTape> {
        self.retaped()
    }
    fn trace_into(&self, tape: &OwnedTape) -> Tensor<S, E, D, OwnedTape> {
        self.watched(tape)
    }
}
