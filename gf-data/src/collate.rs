//! Collation: turning the samples of a batch into batched tensors, with the batch as a new
//! first axis of run-time size. A sample of type `Tensor<(Const<3>, Const<32>, Const<32>), f32>`
//! batches into `Tensor<(usize, Const<3>, Const<32>, Const<32>), f32>`; labels (`usize`) into
//! `Tensor<(usize,), usize>`; tuples element-wise.

use std::borrow::Cow;

use gf_core::ops::create::TensorCreate;
use gf_core::shape::{Axis, InsertAxis, Shape};
use gf_core::{Cpu, Tensor, Unit};

use crate::error::{Error, Result};

/// A sample type that knows how to batch itself.
pub trait Collate: Sized + Send {
    /// The batched form.
    type Batch: Send;
    /// Batches `items`; `Err` when they do not fit together (tensors of different shapes).
    fn collate(items: Vec<Self>) -> Result<Self::Batch>;
}

/// Flattens same-shaped host tensors into one buffer, checking every shape against the first.
fn stack_host<'a, E: Unit>(
    items: impl ExactSizeIterator<Item = (Vec<usize>, Cow<'a, [E]>)>,
) -> Result<(Vec<usize>, Vec<E>)> {
    let n = items.len();
    let mut dims: Option<Vec<usize>> = None;
    let mut data = Vec::new();
    for (i, (item_dims, item_data)) in items.enumerate() {
        match &dims {
            None => {
                data.reserve(n * item_data.len());
                dims = Some(item_dims);
            }
            Some(first) if *first != item_dims => {
                return Err(Error::argument(
                    "collate",
                    format!(
                        "item {i} of the batch has shape {item_dims:?}, but item 0 has {first:?}"
                    ),
                ));
            }
            Some(_) => {}
        }
        data.extend_from_slice(&item_data);
    }
    let mut batch_dims = vec![n];
    batch_dims.extend(dims.unwrap_or_default());
    Ok((batch_dims, data))
}

fn make_tensor<S: Shape, E: Unit>(
    device: Cpu,
    dims: &[usize],
    data: Vec<E>,
) -> Result<Tensor<S, E, Cpu>> {
    let shape = S::from_concrete(dims).ok_or_else(|| {
        Error::argument(
            "collate",
            format!("the batch shape {dims:?} does not fit the batch type"),
        )
    })?;
    Ok(device.try_tensor_from_vec(data, shape)?)
}

impl<S, E> Collate for Tensor<S, E, Cpu>
where
    S: Shape + InsertAxis<Axis<0>, usize>,
    E: Unit,
{
    type Batch = Tensor<<S as InsertAxis<Axis<0>, usize>>::Output, E, Cpu>;
    fn collate(items: Vec<Self>) -> Result<Self::Batch> {
        let device = items
            .first()
            .map(|t| t.device().clone())
            .unwrap_or_default();
        // Contiguous samples (the usual case) are copied once, straight into the batch.
        let (dims, data) = stack_host(items.iter().map(|t| {
            let data = if t.is_contiguous() {
                Cow::Borrowed(&t.data()[t.offset()..t.offset() + t.num_elements()])
            } else {
                Cow::Owned(t.to_vec())
            };
            (t.dims().as_ref().to_vec(), data)
        }))?;
        make_tensor(device, &dims, data)
    }
}

macro_rules! scalar_collate {
    ($($t:ty),*) => {$(
        /// Scalars batch into a vector.
        impl Collate for $t {
            type Batch = Tensor<(usize,), $t, Cpu>;
            fn collate(items: Vec<Self>) -> Result<Self::Batch> {
                let n = items.len();
                make_tensor(Cpu::default(), &[n], items)
            }
        }
    )*};
}
scalar_collate!(f32, f64, usize, bool);

/// Fixed-length arrays batch into a matrix with a `Const` feature dim.
impl<E: Unit, const N: usize> Collate for [E; N] {
    type Batch = Tensor<(usize, gf_core::shape::Const<N>), E, Cpu>;
    fn collate(items: Vec<Self>) -> Result<Self::Batch> {
        let n = items.len();
        make_tensor(
            Cpu::default(),
            &[n, N],
            items.into_iter().flatten().collect(),
        )
    }
}

/// Vectors batch into a matrix; they must all have the same length (pad text first).
impl<E: Unit> Collate for Vec<E> {
    type Batch = Tensor<(usize, usize), E, Cpu>;
    fn collate(items: Vec<Self>) -> Result<Self::Batch> {
        let (dims, data) =
            stack_host(items.iter().map(|v| (vec![v.len()], Cow::Borrowed(&v[..]))))?;
        make_tensor(Cpu::default(), &dims, data)
    }
}

macro_rules! tuple_collate {
    ($($name:ident $var:ident),+) => {
        /// Tuples batch element-wise.
        impl<$($name: Collate),+> Collate for ($($name,)+) {
            type Batch = ($($name::Batch,)+);
            fn collate(items: Vec<Self>) -> Result<Self::Batch> {
                $(let mut $var = Vec::with_capacity(items.len());)+
                for ($($name,)+) in items {
                    $($var.push($name);)+
                }
                Ok(($($name::collate($var)?,)+))
            }
        }
    };
}
#[allow(non_snake_case)]
mod tuples {
    use super::*;
    tuple_collate!(A a, B b);
    tuple_collate!(A a, B b, C c);
    tuple_collate!(A a, B b, C c, D d);
}

#[cfg(test)]
mod tests {
    use super::*;
    use gf_core::shape::{Const, DynShape};

    #[test]
    fn typed_tensors_get_a_runtime_batch_axis() {
        let dev = Cpu::default();
        let items: Vec<Tensor<(Const<2>, Const<3>), f32, Cpu>> = (0..4)
            .map(|i| dev.tensor_from_vec(vec![i as f32; 6], Default::default()))
            .collect();
        let batch: Tensor<(usize, Const<2>, Const<3>), f32, Cpu> = Collate::collate(items).unwrap();
        assert_eq!(batch.dims(), [4, 2, 3]);
        assert_eq!(batch.to_vec()[6], 1.0);
    }

    #[test]
    fn strided_and_offset_items_batch_by_their_logical_order() {
        let dev = Cpu::default();
        let base: Tensor<(Const<2>, Const<3>), f32, Cpu> =
            dev.tensor_from_vec((0..6).map(|v| v as f32).collect(), Default::default());
        let transposed = base.clone().transpose(); // strided view
        let row = base.select::<gf_core::shape::Axis<0>>(1); // offset view
        let batch = Collate::collate(vec![transposed.clone(), transposed]).unwrap();
        assert_eq!(batch.to_vec()[..6], [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        let rows = Collate::collate(vec![row.clone(), row]).unwrap();
        assert_eq!(rows.to_vec(), [3.0, 4.0, 5.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn tuples_scalars_and_arrays() {
        let items = vec![([1.0f32, 2.0], 0usize), ([3.0, 4.0], 2)];
        let (x, y) = Collate::collate(items).unwrap();
        assert_eq!((x.dims(), x.to_vec()), ([2, 2], vec![1.0, 2.0, 3.0, 4.0]));
        assert_eq!(y.to_vec(), [0, 2]);
    }

    #[test]
    fn ragged_items_are_an_error_naming_the_item() {
        let dev = Cpu::default();
        let items: Vec<Tensor<DynShape, f32, Cpu>> = vec![
            dev.tensor_from_vec(vec![0.0; 4], DynShape(vec![2, 2])),
            dev.tensor_from_vec(vec![0.0; 6], DynShape(vec![2, 3])),
        ];
        let err = Collate::collate(items).unwrap_err().to_string();
        assert!(err.contains("item 1") && err.contains("[2, 3]"), "{err}");
        assert!(Collate::collate(vec![vec![1usize], vec![1, 2]]).is_err());
    }
}
