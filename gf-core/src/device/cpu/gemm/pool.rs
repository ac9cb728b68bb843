//! Per-thread packing buffers, reused across calls: a GEMM takes a buffer out of its thread's
//! slot and puts it back when done, so repeated products allocate nothing after the first. A
//! nested call on the same thread (a rayon task stolen while waiting) finds the slot empty and
//! allocates its own, so reentrancy needs no lock and cannot panic.

use core::cell::Cell;
use std::thread::LocalKey;

use crate::device::CpuBuf;
use crate::dtype::Unit;

/// Which of the two buffers a GEMM holds at once.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    /// Packed A blocks (one per thread).
    A = 0,
    /// Packed B panels (one per call, shared by its threads).
    B = 1,
}

/// A thread's two slots.
pub type Slots<E> = [Cell<Option<CpuBuf<E>>>; 2];

/// An element type with per-thread packing slots (sealed: this module is private).
pub trait PoolElem: Unit {
    /// This thread's slots.
    fn slots() -> &'static LocalKey<Slots<Self>>;
}

thread_local! {
    static F32_SLOTS: Slots<f32> = const { [Cell::new(None), Cell::new(None)] };
    static F64_SLOTS: Slots<f64> = const { [Cell::new(None), Cell::new(None)] };
}

impl PoolElem for f32 {
    fn slots() -> &'static LocalKey<Slots<f32>> {
        &F32_SLOTS
    }
}

impl PoolElem for f64 {
    fn slots() -> &'static LocalKey<Slots<f64>> {
        &F64_SLOTS
    }
}

/// Runs `f` with a buffer of at least `len` elements (contents unspecified: `f` writes what it
/// reads), taken from this thread's `slot` and returned to it afterwards.
pub(crate) fn with_buffer<E: PoolElem, R>(
    slot: Slot,
    len: usize,
    f: impl FnOnce(&mut [E]) -> R,
) -> crate::Result<R> {
    let held = E::slots().with(|s| s[slot as usize].take());
    let mut buf = match held {
        Some(b) if b.len() >= len => b,
        _ => CpuBuf::try_zeroed(len)?,
    };
    let r = f(&mut buf[..len]);
    E::slots().with(|s| s[slot as usize].set(Some(buf)));
    Ok(r)
}
