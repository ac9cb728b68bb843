//! The recording tape.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use gf_core::{BackwardOp, Gradients, Merge, NoneTape, Result, Tape, UniqueId};

/// A tape that records backward ops. Clones share one tape, so several tensors (a model's
/// inputs, the Python layer's tensors) can record onto it; joining two different tapes in a
/// binary op moves the smaller into the larger and leaves a forward behind, so every holder
/// keeps recording into the joined tape.
///
/// Joins are union by size with path compression: a graph built from many small tapes costs
/// near-linear time, however the joins nest.
pub struct OwnedTape {
    node: Arc<Mutex<Node>>,
}

/// One recorded op: its place in recording order, the tensor it produced, its backward.
pub(crate) struct Recorded {
    pub(crate) seq: u64,
    pub(crate) output: UniqueId,
    pub(crate) op: BackwardOp,
}

/// What a tape holds: its ops, and the outputs whose ops an earlier `backward()` already ran.
#[derive(Default)]
pub(crate) struct Ops {
    pub(crate) ops: Vec<Recorded>,
    pub(crate) consumed: HashSet<UniqueId>,
}

enum Node {
    Root(Ops),
    Forward(OwnedTape),
}

impl Default for OwnedTape {
    fn default() -> Self {
        OwnedTape {
            node: Arc::new(Mutex::new(Node::Root(Ops::default()))),
        }
    }
}

impl Clone for OwnedTape {
    fn clone(&self) -> Self {
        OwnedTape {
            node: self.node.clone(),
        }
    }
}

impl core::fmt::Debug for OwnedTape {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OwnedTape")
            .field("ops", &self.num_ops())
            .finish()
    }
}

fn next_seq() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    SEQ.fetch_add(1, Ordering::Relaxed)
}

fn lock(node: &Mutex<Node>) -> MutexGuard<'_, Node> {
    // a panic inside a backward closure cannot leave the node half-written: ops are moved
    // out before they run, so a poisoned lock still guards a consistent node
    node.lock().unwrap_or_else(|e| e.into_inner())
}

impl OwnedTape {
    /// A new, empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tape that holds the ops, following the forwards left by joins; every handle on the
    /// way is pointed straight at it, so the next lookup is one step.
    fn root(&self) -> OwnedTape {
        let mut path = Vec::new();
        let mut t = self.clone();
        loop {
            let next = match &*lock(&t.node) {
                Node::Root(_) => None,
                Node::Forward(f) => Some(f.clone()),
            };
            match next {
                Some(n) => path.push(std::mem::replace(&mut t, n)),
                None => break,
            }
        }
        // path compression: skip the chain next time (the last hop already points at the root)
        for p in path.iter().rev().skip(1) {
            *lock(&p.node) = Node::Forward(t.clone());
        }
        t
    }

    /// Runs `f` on the root's ops.
    pub(crate) fn with_ops<R>(&self, f: impl FnOnce(&mut Ops) -> R) -> R {
        let root = self.root();
        let mut node = lock(&root.node);
        match &mut *node {
            Node::Root(ops) => f(ops),
            Node::Forward(_) => unreachable!("root() returns a root"),
        }
    }

    /// `true` when both handles reach the same tape.
    pub fn same_tape(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.root().node, &other.root().node)
    }

    /// The number of ops recorded and not yet run by a `backward()`.
    pub fn num_ops(&self) -> usize {
        self.with_ops(|o| o.ops.len())
    }
}

impl Tape for OwnedTape {
    #[inline(always)]
    fn records(&self) -> bool {
        true
    }
    fn add_backward_op<F>(&mut self, output: UniqueId, op: F)
    where
        F: 'static + Send + FnOnce(&mut Gradients) -> Result<()>,
    {
        let rec = Recorded {
            seq: next_seq(),
            output,
            op: Box::new(op),
        };
        self.with_ops(|o| o.ops.push(rec));
    }
}

impl Merge<NoneTape> for OwnedTape {
    type Output = Self;
    fn merge(self, _: NoneTape) -> Self {
        self
    }
}

impl Merge<OwnedTape> for NoneTape {
    type Output = OwnedTape;
    fn merge(self, other: OwnedTape) -> OwnedTape {
        other
    }
}

impl Merge<OwnedTape> for OwnedTape {
    type Output = Self;
    fn merge(self, other: Self) -> Self {
        let (a, b) = (self.root(), other.root());
        if Arc::ptr_eq(&a.node, &b.node) {
            return a;
        }
        // union by size: the smaller tape's ops move, so each op moves O(log n) times at most
        let (big, small) = if a.num_ops() >= b.num_ops() {
            (a, b)
        } else {
            (b, a)
        };
        let moved = match std::mem::replace(&mut *lock(&small.node), Node::Forward(big.clone())) {
            Node::Root(ops) => ops,
            Node::Forward(_) => unreachable!("root() returns a root"),
        };
        big.with_ops(|o| {
            o.ops.extend(moved.ops);
            o.consumed.extend(moved.consumed);
        });
        big
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hops(t: &OwnedTape) -> usize {
        let mut n = 0;
        let mut t = t.clone();
        loop {
            let next = match &*lock(&t.node) {
                Node::Root(_) => return n,
                Node::Forward(f) => f.clone(),
            };
            t = next;
            n += 1;
        }
    }

    #[test]
    fn joins_move_the_smaller_tape_and_lookups_compress_the_path() {
        let op = |t: &mut OwnedTape| t.add_backward_op(gf_core::unique_id(), |_| Ok(()));
        let mut big = OwnedTape::new();
        (0..3).for_each(|_| op(&mut big));
        let mut small = OwnedTape::new();
        op(&mut small);
        let joined = small.clone().merge(big.clone());
        assert!(
            joined.same_tape(&big) && hops(&big) == 0,
            "the larger tape stays the root"
        );
        assert_eq!((joined.num_ops(), hops(&small)), (4, 1));
        // joining into ever larger tapes leaves a chain of forwards behind the first handle;
        // the first lookup collapses it to one hop
        let first = OwnedTape::new();
        let mut acc = first.clone();
        op(&mut acc);
        for _ in 0..20 {
            let mut larger = OwnedTape::new();
            (0..acc.num_ops() + 1).for_each(|_| op(&mut larger));
            let before = hops(&first);
            acc = acc.merge(larger);
            assert_eq!(
                hops(&first),
                before + 1,
                "the root moved under a larger tape"
            );
        }
        assert!(first.same_tape(&acc));
        assert_eq!(hops(&first), 1);
    }
}
