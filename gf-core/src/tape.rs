//! The tape trait: what a tensor carries to record its backward ops.
//!
//! [`NoneTape`] records nothing and costs nothing. The recording tapes (`OwnedTape`, `DynTape`)
//! live in `gf-grad`; ops here only see the [`Tape`] trait and the [`Gradients`] store their
//! backward closures read from and write to.
//!
//! A tape is not tied to an element type or a device: one tape records a graph that casts from
//! f32 to f64 or moves from one device to another, and [`Gradients`] holds each tensor's gradient
//! in that tensor's own buffer type.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::device::Storage;
use crate::dtype::Unit;
use crate::error::{Error, Result};

/// Identifies a tensor (and the gradient that belongs to it). Clones share the id, and so do
/// in-place updates: a parameter keeps its id across optimizer steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueId(u64);

/// A fresh id, greater than every id handed out before it.
pub fn unique_id() -> UniqueId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    UniqueId(NEXT.fetch_add(1, Ordering::Relaxed))
}

impl core::fmt::Display for UniqueId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Gradient buffers by tensor id. Each buffer is contiguous in its tensor's logical (row-major)
/// order, whatever the tensor's own strides, and has that tensor's element type and device.
#[derive(Default)]
pub struct Gradients {
    grads: HashMap<UniqueId, Box<dyn Any + Send + Sync>>,
}

impl core::fmt::Debug for Gradients {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gradients")
            .field("len", &self.grads.len())
            .finish()
    }
}

fn wrong_type<E: Unit>(id: UniqueId) -> Error {
    Error::Backward(format!(
        "the gradient of tensor {id} is not a buffer of {} on this device",
        core::any::type_name::<E>()
    ))
}

impl Gradients {
    /// The gradient buffer of `id`, allocated as zeros of `len` elements on first use.
    pub fn get_or_alloc_mut<E: Unit, D: Storage<E>>(
        &mut self,
        id: UniqueId,
        device: &D,
        len: usize,
    ) -> Result<&mut D::Vec> {
        use std::collections::hash_map::Entry;
        let slot = match self.grads.entry(id) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(Box::new(device.try_alloc_zeros(len)?)),
        };
        slot.downcast_mut::<D::Vec>()
            .ok_or_else(|| wrong_type::<E>(id))
    }

    /// Removes and returns the gradient of `id`: a backward op takes its output's gradient, so
    /// the buffer is freed as soon as the op has used it.
    pub fn take<E: Unit, D: Storage<E>>(&mut self, id: UniqueId) -> Result<Option<D::Vec>> {
        match self.grads.remove(&id) {
            None => Ok(None),
            Some(b) => b
                .downcast::<D::Vec>()
                .map(|b| Some(*b))
                .map_err(|_| wrong_type::<E>(id)),
        }
    }

    /// Stores `grad` as the gradient of `id`, replacing any earlier one.
    pub fn insert<E: Unit, D: Storage<E>>(&mut self, id: UniqueId, grad: D::Vec) {
        self.grads.insert(id, Box::new(grad));
    }

    /// The gradient buffer of `id`, if one was accumulated and has that type.
    pub fn get_buf<E: Unit, D: Storage<E>>(&self, id: UniqueId) -> Option<&D::Vec> {
        self.grads.get(&id)?.downcast_ref()
    }

    /// The gradient of `t` as a tensor of its shape, if one was accumulated.
    pub fn get<S: gf_shape::Shape, E: Unit, D: Storage<E>, T>(
        &self,
        t: &crate::Tensor<S, E, D, T>,
    ) -> Option<crate::Tensor<S, E, D>> {
        let g = self.get_buf::<E, D>(t.id)?.clone();
        Some(crate::Tensor::from_buffer(
            t.device.clone(),
            g,
            t.shape.clone(),
            NoneTape,
        ))
    }

    /// `true` when a gradient is held for `id`.
    pub fn contains(&self, id: UniqueId) -> bool {
        self.grads.contains_key(&id)
    }

    /// Drops the gradient of `id`, if any.
    pub fn remove(&mut self, id: UniqueId) {
        self.grads.remove(&id);
    }

    /// The ids that hold a gradient, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = UniqueId> + '_ {
        self.grads.keys().copied()
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
pub type BackwardOp = Box<dyn FnOnce(&mut Gradients) -> Result<()> + Send>;

/// A tape that a tensor carries through ops.
///
/// An op asks each operand's tape whether it [`records`](Tape::records) before it merges them;
/// only operands that record get a gradient, and an op whose operands all do not record keeps
/// nothing for a backward. For [`NoneTape`] the answer is the constant `false`, so untraced code
/// compiles to the plain forward pass.
pub trait Tape: 'static + Default + Clone + Send + Sync + core::fmt::Debug {
    /// `true` when ops on this tape record their backward.
    fn records(&self) -> bool;
    /// Records the backward of an op that just ran and produced the tensor `output`. Backward
    /// runs the op only when `output`'s gradient is reached from the loss.
    fn add_backward_op<F>(&mut self, output: UniqueId, op: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients) -> Result<()>;
}

/// The tape of a tensor that records nothing: ops on it keep no inputs alive and allocate nothing
/// for gradients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoneTape;

impl Tape for NoneTape {
    #[inline(always)]
    fn records(&self) -> bool {
        false
    }
    fn add_backward_op<F>(&mut self, _: UniqueId, _: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients) -> Result<()>,
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

/// Which operands of a two-operand op record, asked before their tapes are merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The left (first) operand records.
    pub lhs: bool,
    /// The right (second) operand records.
    pub rhs: bool,
}

impl Recording {
    /// Asks both tapes.
    pub fn of<A: Tape, B: Tape>(a: &A, b: &B) -> Self {
        Recording {
            lhs: a.records(),
            rhs: b.records(),
        }
    }

    /// `true` when either operand records, so the op must record its backward.
    pub fn any(self) -> bool {
        self.lhs || self.rhs
    }
}
