//! The recording tape.

use std::sync::{Arc, Mutex};

use gf_core::{BackwardOp, Dtype, Gradients, Merge, NoneTape, Result, Storage, Tape};

/// A tape that records backward ops. Clones share one tape, so several tensors (a model's
/// inputs, the Python layer's tensors) can record onto it; joining two different tapes in a
/// binary op moves one into the other and leaves a forward behind, so every holder keeps
/// recording into the joined tape.
pub struct OwnedTape<E: Dtype, D: Storage<E>> {
    node: Arc<Mutex<Node<E, D>>>,
}

enum Node<E: Dtype, D: Storage<E>> {
    Ops(Vec<(u64, BackwardOp<E, D>)>),
    Forward(OwnedTape<E, D>),
}

impl<E: Dtype, D: Storage<E>> Default for OwnedTape<E, D> {
    fn default() -> Self {
        OwnedTape {
            node: Arc::new(Mutex::new(Node::Ops(Vec::new()))),
        }
    }
}

impl<E: Dtype, D: Storage<E>> Clone for OwnedTape<E, D> {
    fn clone(&self) -> Self {
        OwnedTape {
            node: self.node.clone(),
        }
    }
}

impl<E: Dtype, D: Storage<E>> core::fmt::Debug for OwnedTape<E, D> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OwnedTape")
            .field("ops", &self.root().len())
            .finish()
    }
}

fn next_seq() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    SEQ.fetch_add(1, Ordering::Relaxed)
}

impl<E: Dtype, D: Storage<E>> OwnedTape<E, D> {
    /// A new, empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tape that holds the ops, following forwards left by merges.
    fn root(&self) -> OwnedTape<E, D> {
        let mut t = self.clone();
        loop {
            let next = match &*t.node.lock().expect("tape lock") {
                Node::Ops(_) => None,
                Node::Forward(f) => Some(f.clone()),
            };
            match next {
                Some(n) => t = n,
                None => return t,
            }
        }
    }

    fn len(&self) -> usize {
        match &*self.node.lock().expect("tape lock") {
            Node::Ops(v) => v.len(),
            Node::Forward(_) => 0,
        }
    }

    /// `true` when both handles reach the same tape.
    pub fn same_tape(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.root().node, &other.root().node)
    }

    /// Removes the recorded ops, in recording order.
    pub(crate) fn take_ops(&self) -> Vec<BackwardOp<E, D>> {
        let root = self.root();
        let mut node = root.node.lock().expect("tape lock");
        let Node::Ops(ops) = &mut *node else {
            unreachable!("root holds ops")
        };
        let mut ops = std::mem::take(ops);
        ops.sort_by_key(|(seq, _)| *seq);
        ops.into_iter().map(|(_, op)| op).collect()
    }

    /// The number of ops recorded so far.
    pub fn num_ops(&self) -> usize {
        self.root().len()
    }
}

impl<E: Dtype, D: Storage<E>> Tape<E, D> for OwnedTape<E, D> {
    const OWNS_TAPE: bool = true;
    fn add_backward_op<F>(&mut self, op: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients<E, D>) -> Result<()>,
    {
        let root = self.root();
        let mut node = root.node.lock().expect("tape lock");
        if let Node::Ops(ops) = &mut *node {
            ops.push((next_seq(), Box::new(op)));
        }
    }
}

impl<E: Dtype, D: Storage<E>> Merge<NoneTape> for OwnedTape<E, D> {
    type Output = Self;
    fn merge(self, _: NoneTape) -> Self {
        self
    }
}

impl<E: Dtype, D: Storage<E>> Merge<OwnedTape<E, D>> for NoneTape {
    type Output = OwnedTape<E, D>;
    fn merge(self, other: OwnedTape<E, D>) -> OwnedTape<E, D> {
        other
    }
}

impl<E: Dtype, D: Storage<E>> Merge<OwnedTape<E, D>> for OwnedTape<E, D> {
    type Output = Self;
    fn merge(self, other: Self) -> Self {
        let (a, b) = (self.root(), other.root());
        if Arc::ptr_eq(&a.node, &b.node) {
            return a;
        }
        let moved = {
            let mut nb = b.node.lock().expect("tape lock");
            match std::mem::replace(&mut *nb, Node::Forward(a.clone())) {
                Node::Ops(v) => v,
                Node::Forward(_) => unreachable!("root holds ops"),
            }
        };
        if let Node::Ops(ops) = &mut *a.node.lock().expect("tape lock") {
            ops.extend(moved);
        }
        a
    }
}
