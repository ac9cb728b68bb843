//! The tape trait: what a tensor carries to record its backward ops.
//!
//! [`NoneTape`] records nothing and costs nothing. The recording tape (`OwnedTape`) lives in
//! `gf-grad`; ops here only see the [`Tape`] trait and the [`Gradients`] store their backward
//! closures read from and write to.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::device::Storage;
use crate::dtype::Dtype;
use crate::error::Result;

/// Identifies a tensor (and the gradient that belongs to it). Clones share the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueId(u64);

/// A fresh id, greater than every id handed out before it.
pub fn unique_id() -> UniqueId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    UniqueId(NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Gradient buffers by tensor id. Each buffer is contiguous in its tensor's logical (row-major)
/// order, whatever the tensor's own strides.
pub struct Gradients<E: Dtype, D: Storage<E>> {
    grads: HashMap<UniqueId, D::Vec>,
}

impl<E: Dtype, D: Storage<E>> Default for Gradients<E, D> {
    fn default() -> Self {
        Gradients {
            grads: HashMap::new(),
        }
    }
}

impl<E: Dtype, D: Storage<E>> core::fmt::Debug for Gradients<E, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gradients")
            .field("len", &self.grads.len())
            .finish()
    }
}

impl<E: Dtype, D: Storage<E>> Gradients<E, D> {
    /// The gradient buffer of `id`, allocated as zeros of `len` elements on first use.
    pub fn get_or_alloc_mut(
        &mut self,
        id: UniqueId,
        device: &D,
        len: usize,
    ) -> Result<&mut D::Vec> {
        use std::collections::hash_map::Entry;
        match self.grads.entry(id) {
            Entry::Occupied(o) => Ok(o.into_mut()),
            Entry::Vacant(v) => Ok(v.insert(device.try_alloc_zeros(len)?)),
        }
    }

    /// Removes and returns the gradient of `id`: a backward op takes its output's gradient, so
    /// the buffer is freed as soon as the op has used it.
    pub fn take(&mut self, id: UniqueId) -> Option<D::Vec> {
        self.grads.remove(&id)
    }

    /// Stores `grad` as the gradient of `id`, replacing any earlier one.
    pub fn insert(&mut self, id: UniqueId, grad: D::Vec) {
        self.grads.insert(id, grad);
    }

    /// The gradient buffer of `id`, if one was accumulated.
    pub fn get_by_id(&self, id: UniqueId) -> Option<&D::Vec> {
        self.grads.get(&id)
    }

    /// The gradient of `t` as a tensor of its shape, if one was accumulated.
    pub fn get<S: gf_shape::Shape, T>(
        &self,
        t: &crate::Tensor<S, E, D, T>,
    ) -> Option<crate::Tensor<S, E, D>> {
        let g = self.grads.get(&t.id)?.clone();
        Some(crate::Tensor::from_buffer(
            t.device.clone(),
            g,
            t.shape.clone(),
            NoneTape,
        ))
    }

    /// The number of gradients held.
    pub fn len(&self) -> usize {
        self.grads.len()
    }

    /// `true` when no gradient is held.
    pub fn is_empty(&self) -> bool {
        self.grads.is_empty()
    }
}

/// What a backward op does: read its output's gradient, add into its inputs' gradients.
pub type BackwardOp<E, D> = Box<dyn FnOnce(&mut Gradients<E, D>) -> Result<()> + Send>;

/// A tape that a tensor carries through ops.
pub trait Tape<E: Dtype, D: Storage<E>>:
    'static + Default + Clone + Send + Sync + core::fmt::Debug
{
    /// `true` when ops must record their backward (so they may keep inputs alive for it).
    const OWNS_TAPE: bool;
    /// Records the backward of an op that just ran.
    fn add_backward_op<F>(&mut self, op: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients<E, D>) -> Result<()>;
}

/// The tape of a tensor that records nothing: ops on it keep no inputs alive and allocate nothing
/// for gradients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoneTape;

impl<E: Dtype, D: Storage<E>> Tape<E, D> for NoneTape {
    const OWNS_TAPE: bool = false;
    fn add_backward_op<F>(&mut self, _: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients<E, D>) -> Result<()>,
    {
    }
}

/// Joins the tapes of a binary op's two operands into the output's tape.
#[diagnostic::on_unimplemented(
    message = "cannot combine a tensor traced on `{Self}` with one traced on `{R}`",
    label = "both operands of an op must record on the same kind of tape (or one must be untraced)"
)]
pub trait Merge<R>: Sized {
    /// The output's tape.
    type Output;
    /// Joins the tapes.
    fn merge(self, other: R) -> Self::Output;
}

impl Merge<NoneTape> for NoneTape {
    type Output = NoneTape;
    fn merge(self, _: NoneTape) -> NoneTape {
        NoneTape
    }
}
