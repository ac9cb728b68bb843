//! A tape whose recording is decided at run time: what the Python layer's `requires_grad` needs.

use gf_core::{Dtype, Gradients, Merge, NoneTape, Result, Storage, Tape};

use crate::tape::OwnedTape;

/// Records like [`OwnedTape`] when active, and nothing when not; which one is a run-time
/// choice, so tensors of one type can both record and not (PyTorch's `requires_grad`).
/// Meeting an active tape in a binary op makes the output active.
pub struct DynTape<E: Dtype, D: Storage<E>>(Option<OwnedTape<E, D>>);

impl<E: Dtype, D: Storage<E>> DynTape<E, D> {
    /// A tape that records onto `tape`.
    pub fn active(tape: &OwnedTape<E, D>) -> Self {
        DynTape(Some(tape.clone()))
    }

    /// A tape that records nothing.
    pub fn inactive() -> Self {
        DynTape(None)
    }

    /// `true` when ops on this tape record their backward.
    pub fn is_active(&self) -> bool {
        self.0.is_some()
    }
}

impl<E: Dtype, D: Storage<E>> Default for DynTape<E, D> {
    fn default() -> Self {
        Self::inactive()
    }
}

impl<E: Dtype, D: Storage<E>> Clone for DynTape<E, D> {
    fn clone(&self) -> Self {
        DynTape(self.0.clone())
    }
}

impl<E: Dtype, D: Storage<E>> core::fmt::Debug for DynTape<E, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("DynTape").field(&self.0).finish()
    }
}

impl<E: Dtype, D: Storage<E>> Tape<E, D> for DynTape<E, D> {
    // ops keep what a backward needs; an inactive tape then drops the closure unrun
    const OWNS_TAPE: bool = true;
    fn add_backward_op<F>(&mut self, op: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients<E, D>) -> Result<()>,
    {
        if let Some(t) = &mut self.0 {
            t.add_backward_op(op);
        }
    }
}

impl<E: Dtype, D: Storage<E>> Merge<DynTape<E, D>> for DynTape<E, D> {
    type Output = Self;
    fn merge(self, other: Self) -> Self {
        match (self.0, other.0) {
            (Some(a), Some(b)) => DynTape(Some(a.merge(b))),
            (a, b) => DynTape(a.or(b)),
        }
    }
}

impl<E: Dtype, D: Storage<E>> Merge<NoneTape> for DynTape<E, D> {
    type Output = Self;
    fn merge(self, _: NoneTape) -> Self {
        self
    }
}

impl<E: Dtype, D: Storage<E>> Merge<DynTape<E, D>> for NoneTape {
    type Output = DynTape<E, D>;
    fn merge(self, other: DynTape<E, D>) -> DynTape<E, D> {
        other
    }
}

impl<E: Dtype, D: Storage<E>> crate::backward::RecordsTape<E, D> for DynTape<E, D> {
    fn try_into_owned_tape(self) -> Result<OwnedTape<E, D>> {
        self.0.ok_or_else(|| gf_core::Error::Argument {
            op: "backward",
            message:
                "the tensor records no tape (it was not created from a tensor that requires grad)"
                    .into(),
        })
    }
}
