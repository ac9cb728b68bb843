//! A tape whose recording is decided at run time: what the Python layer's `requires_grad` needs.

use gf_core::{Gradients, Merge, NoneTape, Result, Tape, UniqueId};

use crate::tape::OwnedTape;

/// Records like [`OwnedTape`] when active, and nothing when not; which one is a run-time
/// choice, so tensors of one type can both record and not (PyTorch's `requires_grad`).
/// Meeting an active tape in a binary op makes the output active.
#[derive(Clone, Debug, Default)]
pub struct DynTape(Option<OwnedTape>);

impl DynTape {
    /// A tape that records onto `tape`.
    pub fn active(tape: &OwnedTape) -> Self {
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

impl Tape for DynTape {
    fn records(&self) -> bool {
        self.0.is_some()
    }
    fn add_backward_op<F>(&mut self, output: UniqueId, op: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients) -> Result<()>,
    {
        if let Some(t) = &mut self.0 {
            t.add_backward_op(output, op);
        }
    }
}

impl Merge<DynTape> for DynTape {
    type Output = Self;
    fn merge(self, other: Self) -> Self {
        match (self.0, other.0) {
            (Some(a), Some(b)) => DynTape(Some(a.merge(b))),
            (a, b) => DynTape(a.or(b)),
        }
    }
}

impl Merge<NoneTape> for DynTape {
    type Output = Self;
    fn merge(self, _: NoneTape) -> Self {
        self
    }
}

impl Merge<DynTape> for NoneTape {
    type Output = DynTape;
    fn merge(self, other: DynTape) -> DynTape {
        other
    }
}

impl crate::backward::RecordsTape for DynTape {
    fn try_into_owned_tape(self) -> Result<OwnedTape> {
        self.0.ok_or_else(|| gf_core::Error::Argument {
            op: "backward",
            message:
                "the tensor records no tape (it was not created from a tensor that requires grad)"
                    .into(),
        })
    }
}
