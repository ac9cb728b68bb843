//! The CPU's buffer type: aligned memory of our own, or memory another owner lent us.
//!
//! GhostFlow's own allocations are aligned to [`ALIGN`] bytes (a cache line, and a whole
//! AVX-512 register), so SIMD kernels start every contiguous buffer on an aligned load. A
//! buffer can also wrap a `Vec` without copying, or memory owned by something else (a numpy
//! array, a memory-mapped file) that the buffer keeps alive; kernels therefore never assume
//! alignment for correctness, only for speed.

use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::alloc::Layout as AllocLayout;
use std::any::Any;

use crate::dtype::Unit;
use crate::error::{Error, Result};

/// The alignment, in bytes, of every buffer GhostFlow allocates.
pub const ALIGN: usize = 64;

/// Who frees the memory.
enum Owner<E> {
    /// Allocated here with this layout (nothing when the buffer is empty or `E` is zero-sized).
    Aligned(Option<AllocLayout>),
    /// A vector handed over without copying.
    Vec(Vec<E>),
    /// Memory owned by another value, kept alive (never read) as long as the buffer.
    Foreign(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// A buffer of `len` elements in host memory.
///
/// It derefs to `[E]`. Clones are deep copies into a fresh aligned allocation; tensors share a
/// buffer through an `Arc` instead.
pub struct CpuBuf<E> {
    ptr: NonNull<E>,
    len: usize,
    owner: Owner<E>,
}

// SAFETY: a `CpuBuf` owns its elements (or holds an owner that is Send + Sync and lends them
// only to it); moving it to or sharing it with another thread is as safe as for a `Vec<E>`.
unsafe impl<E: Send> Send for CpuBuf<E> {}
// SAFETY: as above; `&CpuBuf` gives only `&[E]`.
unsafe impl<E: Sync> Sync for CpuBuf<E> {}

fn alloc_layout<E>(len: usize) -> Option<AllocLayout> {
    let bytes = len.checked_mul(core::mem::size_of::<E>())?;
    if bytes == 0 {
        return None;
    }
    AllocLayout::from_size_align(bytes, ALIGN.max(core::mem::align_of::<E>())).ok()
}

/// Allocates room for `len` elements, aligned; `zeroed` asks the allocator for zero bytes.
/// `Err` when the size does not fit `isize` or the allocator refuses.
fn allocate<E>(len: usize, zeroed: bool) -> Result<(NonNull<E>, Option<AllocLayout>)> {
    let bytes = len.checked_mul(core::mem::size_of::<E>());
    if bytes.is_none_or(|b| b > isize::MAX as usize) {
        return Err(Error::Device(format!(
            "a buffer of {len} elements does not fit in memory"
        )));
    }
    match alloc_layout::<E>(len) {
        None => Ok((NonNull::dangling(), None)),
        Some(layout) => {
            // SAFETY: `layout` has a non-zero size (checked by `alloc_layout`).
            let raw = unsafe {
                if zeroed {
                    std::alloc::alloc_zeroed(layout)
                } else {
                    std::alloc::alloc(layout)
                }
            };
            NonNull::new(raw.cast::<E>())
                .map(|p| (p, Some(layout)))
                .ok_or_else(|| Error::Device(format!("cannot allocate {} bytes", layout.size())))
        }
    }
}

impl<E: Unit> CpuBuf<E> {
    /// `len` zeros (`0.0`, `false`, `0`), from zeroed pages. Panics when memory runs out (as
    /// `vec!` does); see [`try_zeroed`](Self::try_zeroed).
    #[track_caller]
    pub fn zeroed(len: usize) -> Self {
        Self::try_zeroed(len).unwrap()
    }

    /// `len` zeros, or `Err` when the size does not fit in memory or the allocator refuses.
    pub fn try_zeroed(len: usize) -> Result<Self> {
        let (ptr, layout) = allocate::<E>(len, true)?;
        // every `Unit` type (a sealed list: f32, f64, bool, usize) is valid as all-zero bytes
        Ok(CpuBuf {
            ptr,
            len,
            owner: Owner::Aligned(layout),
        })
    }

    /// An aligned buffer of `len` elements that `fill` writes, given the uninitialised slots.
    /// `fill` must write every slot; use [`try_from_fn`](Self::try_from_fn) when a closure per
    /// element will do.
    ///
    /// `Err` when the size does not fit in memory or the allocator refuses.
    ///
    /// # Safety
    ///
    /// When `fill` returns, every one of the `len` slots must have been written.
    pub unsafe fn try_from_uninit(
        len: usize,
        fill: impl FnOnce(&mut [MaybeUninit<E>]),
    ) -> Result<Self> {
        let (ptr, layout) = allocate::<E>(len, false)?;
        let buf = CpuBuf {
            ptr,
            len,
            owner: Owner::Aligned(layout),
        };
        // SAFETY: the allocation holds `len` slots of `E`; viewing them as `MaybeUninit<E>`
        // makes no claim about their contents.
        let slots =
            unsafe { core::slice::from_raw_parts_mut(ptr.as_ptr().cast::<MaybeUninit<E>>(), len) };
        fill(slots);
        Ok(buf)
    }

    /// An aligned buffer whose element `i` is `f(i)`; `Err` when memory runs out.
    pub fn try_from_fn(len: usize, mut f: impl FnMut(usize) -> E) -> Result<Self> {
        // SAFETY: the loop writes every slot.
        unsafe {
            Self::try_from_uninit(len, |slots| {
                for (i, s) in slots.iter_mut().enumerate() {
                    s.write(f(i));
                }
            })
        }
    }

    /// An aligned copy of `data`; `Err` when memory runs out.
    pub fn try_from_slice(data: &[E]) -> Result<Self> {
        // SAFETY: the loop writes all `data.len()` slots.
        unsafe {
            Self::try_from_uninit(data.len(), |slots| {
                for (s, &x) in slots.iter_mut().zip(data) {
                    s.write(x);
                }
            })
        }
    }

    /// The buffer over `data`, without copying (its alignment is the vector's).
    pub fn from_vec(mut data: Vec<E>) -> Self {
        let len = data.len();
        let ptr = NonNull::new(data.as_mut_ptr()).unwrap_or(NonNull::dangling());
        CpuBuf {
            ptr,
            len,
            owner: Owner::Vec(data),
        }
    }

    /// A buffer over `len` elements at `ptr` that `owner` keeps alive: how memory owned outside
    /// GhostFlow (a numpy array, a memory map) becomes a tensor without a copy.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for reads and writes of `len` initialised elements, aligned for `E`,
    /// for as long as `owner` lives, and nothing else may access that memory while the buffer
    /// exists.
    pub unsafe fn from_foreign(
        ptr: NonNull<E>,
        len: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Self {
        CpuBuf {
            ptr,
            len,
            owner: Owner::Foreign(owner),
        }
    }

    /// The elements as a vector: free when the buffer wraps one, a copy otherwise.
    pub fn into_vec(mut self) -> Vec<E> {
        match &mut self.owner {
            Owner::Vec(v) => core::mem::take(v),
            _ => self.to_vec(),
        }
    }

    /// `true` when the first element sits on an [`ALIGN`]-byte boundary.
    pub fn is_aligned(&self) -> bool {
        (self.ptr.as_ptr() as usize).is_multiple_of(ALIGN)
    }
}

impl<E> Drop for CpuBuf<E> {
    fn drop(&mut self) {
        if let Owner::Aligned(Some(layout)) = self.owner {
            // SAFETY: allocated by `allocate` with this layout, and freed only here. The
            // elements are `Copy` (`Unit`), so nothing needs dropping.
            unsafe { std::alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}

impl<E> core::ops::Deref for CpuBuf<E> {
    type Target = [E];
    fn deref(&self) -> &[E] {
        // SAFETY: `ptr` is valid for `len` initialised elements for the buffer's life (our
        // allocation, the vector's, or the foreign owner's by `from_foreign`'s contract).
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<E> core::ops::DerefMut for CpuBuf<E> {
    fn deref_mut(&mut self) -> &mut [E] {
        // SAFETY: as for `deref`, and `&mut self` makes this the only access.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<E: Unit> Clone for CpuBuf<E> {
    /// Panics when memory runs out, as `Vec::clone` does.
    fn clone(&self) -> Self {
        CpuBuf::try_from_slice(self).unwrap()
    }
}

impl<E: Unit> core::fmt::Debug for CpuBuf<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<E: Unit> PartialEq for CpuBuf<E> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<E: Unit> From<Vec<E>> for CpuBuf<E> {
    fn from(v: Vec<E>) -> Self {
        CpuBuf::from_vec(v)
    }
}

impl<E: Unit> FromIterator<E> for CpuBuf<E> {
    fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
        CpuBuf::from_vec(iter.into_iter().collect())
    }
}

impl<'a, E> IntoIterator for &'a CpuBuf<E> {
    type Item = &'a E;
    type IntoIter = core::slice::Iter<'a, E>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, E> IntoIterator for &'a mut CpuBuf<E> {
    type Item = &'a mut E;
    type IntoIter = core::slice::IterMut<'a, E>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

#[cfg(feature = "rayon")]
impl<E: Unit> rayon::iter::FromParallelIterator<E> for CpuBuf<E> {
    fn from_par_iter<I: rayon::iter::IntoParallelIterator<Item = E>>(iter: I) -> Self {
        CpuBuf::from_vec(Vec::from_par_iter(iter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_allocations_are_aligned_and_zeroed() {
        for len in [0, 1, 3, 17, 1000] {
            let z = CpuBuf::<f32>::zeroed(len);
            assert_eq!(z.len(), len);
            assert!(z.iter().all(|&x| x == 0.0));
            assert!(len == 0 || z.is_aligned());
            assert!(
                CpuBuf::<f64>::try_from_fn(len, |i| i as f64)
                    .unwrap()
                    .is_aligned()
                    || len == 0
            );
        }
        assert!(CpuBuf::<bool>::zeroed(5).iter().all(|&b| !b));
        assert!(
            CpuBuf::<f64>::try_zeroed(usize::MAX / 4).is_err(),
            "too large to address"
        );
        assert!(
            CpuBuf::<f32>::try_zeroed(1 << 60).is_err(),
            "refused by the allocator"
        );
    }

    #[test]
    fn vectors_wrap_and_unwrap_without_copying() {
        let v = vec![1.0f64, 2.0, 3.0];
        let p = v.as_ptr();
        let b = CpuBuf::from_vec(v);
        assert_eq!(b.as_ptr(), p);
        let back = b.into_vec();
        assert_eq!((back.as_ptr(), back), (p, vec![1.0, 2.0, 3.0]));
        let own = CpuBuf::try_from_slice(&[4usize, 5]).unwrap();
        assert_eq!(own.clone().into_vec(), vec![4, 5]);
    }

    #[test]
    fn foreign_memory_lives_as_long_as_the_buffer() {
        let mut owner = Box::new(vec![7.0f64; 4]);
        let ptr = NonNull::new(owner.as_mut_ptr()).unwrap();
        // SAFETY: `owner` keeps the four elements alive and is moved into the buffer.
        let mut b = unsafe { CpuBuf::from_foreign(ptr, 4, owner) };
        b[1] = 1.0;
        assert_eq!(&*b, &[7.0, 1.0, 7.0, 7.0]);
        assert_eq!(b.clone().into_vec(), vec![7.0, 1.0, 7.0, 7.0]);
    }
}
