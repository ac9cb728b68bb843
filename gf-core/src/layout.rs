//! Strided layouts: how a tensor's logical elements sit in its buffer.

use crate::error::{Error, Result};

/// Sizes, strides (in elements) and starting offset of a tensor view.
///
/// Outside gf-core a layout comes from a tensor or from [`Layout::new`], which checks that its
/// element count and last offset are representable; a kernel given a buffer checks
/// [`fits`](Layout::fits) before it reads, so a layout can never send it out of bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Size of each dimension.
    pub(crate) dims: Vec<usize>,
    /// Step in the buffer for each dimension; 0 repeats (broadcasts) an element.
    pub(crate) strides: Vec<usize>,
    /// Offset of the first element.
    pub(crate) offset: usize,
}

impl Layout {
    /// A layout of these sizes and strides from `offset`; `Err` when the dims and strides
    /// differ in number, or the element count or the last element's offset overflows.
    pub fn new(dims: &[usize], strides: &[usize], offset: usize) -> Result<Self> {
        if dims.len() != strides.len() {
            return Err(Error::shape(
                "layout",
                format!(
                    "{} dims {dims:?} but {} strides {strides:?}",
                    dims.len(),
                    strides.len()
                ),
            ));
        }
        let l = Layout {
            dims: dims.to_vec(),
            strides: strides.to_vec(),
            offset,
        };
        let overflows = match l.try_num_elements() {
            None => true,
            Some(n) => n > 0 && l.last_offset().is_none(),
        };
        if overflows {
            return Err(Error::shape(
                "layout",
                format!(
                    "dims {dims:?} with strides {strides:?} from offset {offset} overflow usize"
                ),
            ));
        }
        Ok(l)
    }

    /// Size of each dimension.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// Step in the buffer for each dimension, in elements.
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Offset of the first element.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The number of logical elements, `None` on overflow (`Some(0)` when a dim is 0, whatever
    /// the others are).
    pub fn try_num_elements(&self) -> Option<usize> {
        if self.dims.contains(&0) {
            return Some(0);
        }
        self.dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }

    /// The buffer offset of the last logical element (`Some(offset)` for a scalar), `None` for
    /// an empty layout or on overflow.
    pub fn last_offset(&self) -> Option<usize> {
        self.dims
            .iter()
            .zip(&self.strides)
            .try_fold(self.offset, |acc, (&d, &s)| {
                let step = d.checked_sub(1)?.checked_mul(s)?;
                acc.checked_add(step)
            })
    }

    /// `true` when every element of the view lies inside a buffer of `len` elements.
    pub fn fits(&self, len: usize) -> bool {
        match self.try_num_elements() {
            Some(0) => true,
            Some(_) => self.last_offset().is_some_and(|last| last < len),
            None => false,
        }
    }

    /// The contiguous row-major layout of these sizes.
    pub fn contiguous(dims: &[usize]) -> Self {
        Layout {
            dims: dims.to_vec(),
            strides: contiguous_strides(dims),
            offset: 0,
        }
    }

    /// The number of logical elements, saturating at `usize::MAX` (which no layout built by
    /// [`Layout::new`] or a tensor reaches); see [`try_num_elements`](Self::try_num_elements).
    pub fn num_elements(&self) -> usize {
        self.try_num_elements().unwrap_or(usize::MAX)
    }

    /// `true` when the elements are the buffer slice `offset..offset + n` in row-major order.
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1usize;
        for (&d, &s) in self.dims.iter().zip(&self.strides).rev() {
            if d != 1 && s != expected {
                return false;
            }
            // saturates only left of a 0 dim, where the strides address nothing
            expected = expected.saturating_mul(d);
        }
        true
    }

    /// Calls `f` with the buffer offset of every logical element, in row-major order.
    #[inline]
    pub fn for_each_offset(&self, mut f: impl FnMut(usize)) {
        self.for_each_row(|off, n, stride| {
            for j in 0..n {
                f(off + j * stride);
            }
        });
    }

    /// Calls `f(offset, len, stride)` for each run of the innermost axis, in row-major order:
    /// the buffer offset of the run's first element, its length and its stride. A kernel can
    /// then treat a row as a whole (a slice when the stride is 1, one element repeated when
    /// it is 0) instead of element by element. A contiguous layout is one run.
    #[inline]
    pub fn for_each_row(&self, mut f: impl FnMut(usize, usize, usize)) {
        let n = self.num_elements();
        if n == 0 {
            return;
        }
        if self.is_contiguous() {
            f(self.offset, n, 1);
            return;
        }
        let rank = self.dims.len();
        let mut idx = vec![0usize; rank];
        let mut off = self.offset;
        let last = rank - 1;
        let (inner_n, inner_s) = (self.dims[last], self.strides[last]);
        loop {
            f(off, inner_n, inner_s);
            // advance the outer dims like an odometer
            let mut ax = last;
            loop {
                if ax == 0 {
                    return;
                }
                ax -= 1;
                idx[ax] += 1;
                off += self.strides[ax];
                if idx[ax] < self.dims[ax] {
                    break;
                }
                off -= self.strides[ax] * self.dims[ax];
                idx[ax] = 0;
            }
        }
    }

    /// The buffer offsets of every logical element, in row-major order.
    pub fn offsets(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(self.num_elements());
        self.for_each_offset(|o| v.push(o));
        v
    }
}

/// Row-major strides for `dims`. A stride past `usize::MAX` saturates: that happens only left
/// of a 0 dim (an empty tensor, whose strides address nothing) or for dims whose element count
/// overflows, which no tensor has.
pub fn contiguous_strides(dims: &[usize]) -> Vec<usize> {
    let mut strides = vec![0; dims.len()];
    let mut acc = 1usize;
    for (s, d) in strides.iter_mut().zip(dims).rev() {
        *s = acc;
        acc = acc.saturating_mul(*d);
    }
    strides
}

/// The element count of a new buffer of `dims` holding `E`s, for `op`: `Err` (before anything
/// is allocated) when the count overflows `usize` or the bytes exceed `isize::MAX`, the most
/// any allocation may hold.
pub(crate) fn buffer_len<E>(op: &'static str, dims: &[usize]) -> Result<usize> {
    let count = Layout::contiguous(dims).try_num_elements();
    let fits = count.and_then(|n| n.checked_mul(core::mem::size_of::<E>().max(1)));
    match (count, fits) {
        (Some(n), Some(bytes)) if bytes <= isize::MAX as usize => Ok(n),
        _ => Err(Error::shape(
            op,
            format!("a result of shape {dims:?} has more elements than memory can address"),
        )),
    }
}

/// `n` host values `f(0), f(1), ...`, or `Err` when the allocator cannot give room for them,
/// rather than aborting the process. `n` should have passed [`buffer_len`].
pub(crate) fn host_vec<E>(op: &'static str, n: usize, f: impl FnMut(usize) -> E) -> Result<Vec<E>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|e| Error::Device(format!("{op}: cannot allocate {n} elements: {e}")))?;
    v.extend((0..n).map(f));
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_walk_strided_views_in_row_major_order() {
        let t = Layout {
            dims: vec![3, 2],
            strides: vec![1, 3],
            offset: 0,
        };
        assert_eq!(t.offsets(), vec![0, 3, 1, 4, 2, 5]);
        let b = Layout {
            dims: vec![2, 3],
            strides: vec![0, 1],
            offset: 4,
        };
        assert_eq!(b.offsets(), vec![4, 5, 6, 4, 5, 6]);
        assert_eq!(
            Layout {
                dims: vec![],
                strides: vec![],
                offset: 7
            }
            .offsets(),
            vec![7]
        );
        assert_eq!(Layout::contiguous(&[2, 0]).offsets(), Vec::<usize>::new());
    }

    #[test]
    fn new_checks_ranks_and_overflow_and_fits_checks_the_buffer() {
        assert!(Layout::new(&[2, 3], &[3], 0).is_err());
        assert!(
            Layout::new(&[usize::MAX, 2], &[1, 1], 0).is_err(),
            "count overflows"
        );
        assert!(
            Layout::new(&[2], &[usize::MAX], 1).is_err(),
            "last offset overflows"
        );
        let l = Layout::new(&[2, 3], &[3, 1], 4).unwrap();
        assert_eq!(
            (l.last_offset(), l.fits(10), l.fits(9)),
            (Some(9), true, false)
        );
        let empty = Layout::new(&[0, 5], &[5, 1], 100).unwrap();
        assert!(empty.fits(0));
        assert_eq!(Layout::new(&[], &[], 3).unwrap().last_offset(), Some(3));
    }

    #[test]
    fn empty_layouts_with_huge_dims_count_zero_and_never_overflow() {
        let max = usize::MAX;
        let l = Layout::contiguous(&[max, max, 0]);
        assert_eq!((l.try_num_elements(), l.num_elements()), (Some(0), 0));
        assert_eq!(contiguous_strides(&[0, max, max]), vec![max, max, 1]);
        assert!(Layout::contiguous(&[0, max, max]).is_contiguous());
        assert!(Layout::new(&[0, max, max], &[max, max, 1], 0).is_ok());
        assert_eq!(
            Layout::contiguous(&[max, 2]).num_elements(),
            max,
            "saturates"
        );
    }

    #[test]
    fn buffer_len_rejects_counts_and_byte_sizes_past_memory() {
        assert_eq!(buffer_len::<f32>("t", &[2, 3]), Ok(6));
        assert_eq!(buffer_len::<f32>("t", &[usize::MAX, 0]), Ok(0));
        assert!(buffer_len::<f32>("t", &[usize::MAX, 2]).is_err());
        assert!(buffer_len::<f32>("t", &[1 << 62]).is_err(), "2^64 bytes");
        assert!(buffer_len::<bool>("t", &[isize::MAX as usize]).is_ok());
        assert!(buffer_len::<bool>("t", &[isize::MAX as usize + 1]).is_err());
    }

    #[test]
    fn contiguity_ignores_unit_dims() {
        assert!(Layout {
            dims: vec![1, 4],
            strides: vec![99, 1],
            offset: 2
        }
        .is_contiguous());
        assert!(!Layout {
            dims: vec![2, 2],
            strides: vec![1, 2],
            offset: 0
        }
        .is_contiguous());
    }
}
