use std::borrow::Cow;

use super::IndexKernel;
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;

/// The view's elements in row-major order: borrowed when they are one contiguous slice.
fn row_major<'a, E: Copy>(buf: &'a [E], layout: &Layout) -> Cow<'a, [E]> {
    let n = layout.num_elements();
    if n == 0 {
        Cow::Borrowed(&[])
    } else if layout.is_contiguous() {
        Cow::Borrowed(&buf[layout.offset..layout.offset + n])
    } else {
        Cow::Owned(layout.offsets().into_iter().map(|o| buf[o]).collect())
    }
}

/// For every position of `dims` (a sub-box of `layout`'s dims, same rank), the buffer offset in
/// `layout` of that position with its `axis` coordinate set to 0.
fn axis_base_offsets(layout: &Layout, dims: &[usize], axis: usize) -> Vec<usize> {
    let mut strides = layout.strides.clone();
    strides[axis] = 0;
    Layout {
        dims: dims.to_vec(),
        strides,
        offset: layout.offset,
    }
    .offsets()
}

/// The index values of the view, checked against `size`.
fn checked_indices(
    op: &'static str,
    index: &[usize],
    layout: &Layout,
    size: usize,
) -> Result<CpuBuf<usize>> {
    layout
        .offsets()
        .into_iter()
        .map(|o| match index[o] {
            k if k < size => Ok(k),
            k => Err(Error::Index { op, index: k, size }),
        })
        .collect()
}

impl<E: Dtype> IndexKernel<E> for Cpu {
    fn try_concat(&self, inputs: &[(&CpuBuf<E>, &Layout)], axis: usize) -> Result<CpuBuf<E>> {
        let Some((_, first)) = inputs.first() else {
            return CpuBuf::try_zeroed(0);
        };
        let total = inputs
            .iter()
            .fold(0usize, |acc, (_, l)| acc.saturating_add(l.num_elements()));
        // with an element anywhere every dim off the axis is non-zero, so the products below
        // are at most the output's count and cannot overflow
        if total == 0 {
            return CpuBuf::try_zeroed(0);
        }
        let outer: usize = first.dims[..axis].iter().product();
        let inner: usize = first.dims[axis + 1..].iter().product();
        // each input is `outer` runs of `dims[axis] · inner` elements; the output interleaves them
        let sources: Vec<(Cow<[E]>, usize)> = inputs
            .iter()
            .map(|(buf, l)| (row_major(buf, l), l.dims[axis] * inner))
            .collect();
        let mut out = Vec::with_capacity(total);
        for o in 0..outer {
            for (src, run) in &sources {
                out.extend_from_slice(&src[o * run..(o + 1) * run]);
            }
        }
        Ok(out.into())
    }

    fn try_gather(
        &self,
        inp: &CpuBuf<E>,
        il: &Layout,
        axis: usize,
        index: &CpuBuf<usize>,
        xl: &Layout,
    ) -> Result<CpuBuf<E>> {
        let picks = checked_indices("gather", index, xl, il.dims[axis])?;
        let base = axis_base_offsets(il, &xl.dims, axis);
        let stride = il.strides[axis];
        Ok(base
            .iter()
            .zip(&picks)
            .map(|(&b, &k)| inp[b + k * stride])
            .collect())
    }

    fn try_scatter_add_axis(
        &self,
        dst: &mut CpuBuf<E>,
        dl: &Layout,
        axis: usize,
        index: &CpuBuf<usize>,
        xl: &Layout,
        src: &CpuBuf<E>,
        sl: &Layout,
    ) -> Result<()> {
        // every index is checked before the first write, so an error leaves `dst` untouched
        let picks = checked_indices("scatter_add", index, xl, dl.dims[axis])?;
        let base = axis_base_offsets(dl, &xl.dims, axis);
        let values = row_major(src, sl);
        let stride = dl.strides[axis];
        for ((&b, &k), &v) in base.iter().zip(&picks).zip(values.iter()) {
            dst[b + k * stride] += v;
        }
        Ok(())
    }

    fn try_one_hot(
        &self,
        index: &CpuBuf<usize>,
        xl: &Layout,
        num_classes: usize,
    ) -> Result<CpuBuf<E>> {
        let classes = checked_indices("one_hot", index, xl, num_classes)?;
        let len = classes.len().checked_mul(num_classes).ok_or_else(|| {
            Error::shape(
                "one_hot",
                format!(
                    "{} rows of {num_classes} classes overflow usize",
                    classes.len()
                ),
            )
        })?;
        let mut out = CpuBuf::<E>::try_zeroed(len)?;
        for (row, &k) in classes.iter().enumerate() {
            out[row * num_classes + k] = E::one();
        }
        Ok(out)
    }
}
