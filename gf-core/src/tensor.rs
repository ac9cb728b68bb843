//! The tensor type.

use std::sync::Arc;

use gf_shape::{HasShape, Shape};

use crate::device::{Storage, ViewKernel};
use crate::dtype::Unit;
use crate::layout::Layout;
use crate::tape::{unique_id, NoneTape, UniqueId};

/// An n-dimensional array of `E` on device `D`, with shape `S` and tape `T`.
///
/// * `S` is a tuple of dims (`(Const<2>, usize)`) or `DynShape`; ops check shapes through it.
/// * `T` is [`NoneTape`] (record nothing) or a recording tape; `backward()` exists only for a
///   scalar that owns one.
///
/// Tensors are cheap to clone: the buffer is shared, and views (reshape, permute, slice,
/// broadcast) share it too.
pub struct Tensor<S: Shape, E: Unit, D: Storage<E>, T = NoneTape> {
    pub(crate) id: UniqueId,
    pub(crate) data: Arc<D::Vec>,
    pub(crate) shape: S,
    pub(crate) strides: S::Concrete,
    pub(crate) offset: usize,
    pub(crate) device: D,
    pub(crate) tape: T,
}

impl<S: Shape, E: Unit, D: Storage<E>, T: Clone> Clone for Tensor<S, E, D, T> {
    fn clone(&self) -> Self {
        self.watched(&self.tape)
    }
}

impl<S: Shape, E: Unit, D: Storage<E>, T> HasShape for Tensor<S, E, D, T> {
    type Shape = S;
    fn shape(&self) -> &S {
        &self.shape
    }
}

impl<S: Shape, E: Unit, D: Storage<E> + ViewKernel<E>, T> core::fmt::Debug for Tensor<S, E, D, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tensor")
            .field("shape", &self.shape)
            .field("data", &self.to_vec())
            .finish()
    }
}

impl<S: Shape, E: Unit, D: Storage<E>, T> Tensor<S, E, D, T> {
    /// Builds a tensor over `data` with the given layout. Devices in other crates use this; it
    /// checks that the view stays inside the buffer.
    pub fn from_parts(
        device: D,
        data: Arc<D::Vec>,
        shape: S,
        strides: S::Concrete,
        offset: usize,
        tape: T,
    ) -> crate::Result<Self> {
        let len = device.buf_len(&data);
        let dims = shape.concrete();
        let layout = Layout::new(dims.as_ref(), strides.as_ref(), offset)?;
        if !layout.fits(len) {
            return Err(crate::Error::shape(
                "from_parts",
                format!(
                    "a view of shape {:?} with strides {:?} from offset {offset} needs element {:?}, the buffer holds {len}",
                    dims.as_ref(),
                    strides.as_ref(),
                    layout.last_offset(),
                ),
            ));
        }
        Ok(Tensor {
            id: unique_id(),
            data,
            shape,
            strides,
            offset,
            device,
            tape,
        })
    }

    /// A contiguous tensor of `shape` over a fresh buffer.
    pub(crate) fn from_buffer(device: D, data: D::Vec, shape: S, tape: T) -> Self {
        let strides = shape.strides();
        Tensor {
            id: unique_id(),
            data: Arc::new(data),
            shape,
            strides,
            offset: 0,
            device,
            tape,
        }
    }

    /// The id that names this tensor's gradient.
    pub fn id(&self) -> UniqueId {
        self.id
    }

    /// The sizes of the dimensions.
    pub fn dims(&self) -> S::Concrete {
        self.shape.concrete()
    }

    /// The strides of the view, in elements.
    pub fn strides(&self) -> &S::Concrete {
        &self.strides
    }

    /// The number of elements.
    pub fn num_elements(&self) -> usize {
        self.shape.num_elements()
    }

    /// The device the tensor lives on.
    pub fn device(&self) -> &D {
        &self.device
    }

    /// The shared buffer behind the view.
    pub fn data(&self) -> &Arc<D::Vec> {
        &self.data
    }

    /// Where the view starts in its buffer.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The tape the tensor carries.
    pub fn tape(&self) -> &T {
        &self.tape
    }

    /// The view's layout.
    pub fn layout(&self) -> Layout {
        Layout {
            dims: self.shape.concrete().as_ref().to_vec(),
            strides: self.strides.as_ref().to_vec(),
            offset: self.offset,
        }
    }

    /// `true` when the elements lie in row-major order in one slice of the buffer.
    pub fn is_contiguous(&self) -> bool {
        self.layout().is_contiguous()
    }

    /// Separates the tape from the tensor.
    pub fn split_tape(self) -> (Tensor<S, E, D, NoneTape>, T) {
        let Tensor {
            id,
            data,
            shape,
            strides,
            offset,
            device,
            tape,
        } = self;
        (
            Tensor {
                id,
                data,
                shape,
                strides,
                offset,
                device,
                tape: NoneTape,
            },
            tape,
        )
    }

    /// Puts a tape on the tensor (the same id, so gradients recorded on it belong to this tensor).
    pub fn put_tape<T2>(self, tape: T2) -> Tensor<S, E, D, T2> {
        let Tensor {
            id,
            data,
            shape,
            strides,
            offset,
            device,
            ..
        } = self;
        Tensor {
            id,
            data,
            shape,
            strides,
            offset,
            device,
            tape,
        }
    }

    /// This tensor on `tape`, with the same id: when the tape records, ops on the result record
    /// a gradient for this tensor. This is how generic forward code puts a model's parameters
    /// on its input's tape (`w.watched(x.tape())`): with a [`NoneTape`] input nothing records,
    /// so inference needs no tape.
    pub fn watched<T2: Clone>(&self, tape: &T2) -> Tensor<S, E, D, T2> {
        Tensor {
            id: self.id,
            data: self.data.clone(),
            shape: self.shape.clone(),
            strides: self.strides.clone(),
            offset: self.offset,
            device: self.device.clone(),
            tape: tape.clone(),
        }
    }

    /// `Err` naming both devices when `other` lives on another device than `self`.
    pub(crate) fn check_same_device<S2: Shape, E2: Unit, T2>(
        &self,
        op: &'static str,
        other: &Tensor<S2, E2, D, T2>,
    ) -> crate::Result<()>
    where
        D: Storage<E2>,
    {
        if self.device.same_device(&other.device) {
            Ok(())
        } else {
            Err(crate::Error::DeviceMismatch {
                op,
                lhs: self.device.name(),
                rhs: other.device.name(),
            })
        }
    }

    /// A copy of the tensor with a fresh, default tape (untraced for [`NoneTape`]).
    pub fn retaped<T2: Default + Clone>(&self) -> Tensor<S, E, D, T2> {
        self.watched(&T2::default())
    }

    /// The same tensor with a dynamic-rank shape (same id, so gradients are shared).
    pub fn into_dyn(self) -> Tensor<gf_shape::DynShape, E, D, T> {
        let shape = gf_shape::DynShape::new(self.shape.concrete().as_ref());
        self.retype(shape)
    }

    /// The same tensor under another shape type with the same sizes (`Err` when they differ);
    /// e.g. from `DynShape` to `(usize, Const<3>)`. Same id, so gradients are shared.
    pub fn try_into_shape<S2: Shape>(self) -> crate::Result<Tensor<S2, E, D, T>> {
        let dims = self.shape.concrete();
        let shape = S2::from_concrete(dims.as_ref()).ok_or_else(|| {
            let want = core::any::type_name::<S2>();
            crate::Error::shape(
                "into_shape",
                format!("{:?} does not fit {want}", dims.as_ref()),
            )
        })?;
        Ok(self.retype(shape))
    }

    /// The same data under a new id, without the tape: what `detach()` is in PyTorch.
    pub fn detach(&self) -> Tensor<S, E, D, NoneTape> {
        let mut t = self.retaped::<NoneTape>();
        t.id = unique_id();
        t
    }

    /// The same view under another shape type of the same sizes: the one place a tensor changes
    /// shape type without changing layout (`S2: SameShapeAs<S>` makes the types equal, but
    /// generic code cannot see that, so it converts through here too).
    pub(crate) fn retype<S2: Shape>(self, shape: S2) -> Tensor<S2, E, D, T> {
        let mut strides = shape.strides();
        strides.as_mut().copy_from_slice(self.strides.as_ref());
        let Tensor {
            id,
            data,
            offset,
            device,
            tape,
            ..
        } = self;
        Tensor {
            id,
            data,
            shape,
            strides,
            offset,
            device,
            tape,
        }
    }

    /// The buffer itself, for writing in place, when no other tensor or recorded backward
    /// shares it and the view covers it whole and in order; `None` otherwise.
    pub(crate) fn whole_buf_mut(&mut self) -> Option<&mut D::Vec> {
        let whole = self.offset == 0
            && self.is_contiguous()
            && self.device.buf_len(&self.data) == self.num_elements();
        if whole {
            Arc::get_mut(&mut self.data)
        } else {
            None
        }
    }

    /// A new tensor (new id, no tape) over this one's buffer, which an op has just overwritten
    /// in place.
    pub(crate) fn with_same_buffer<S2: Shape>(&self, shape: S2) -> Tensor<S2, E, D, NoneTape> {
        Tensor {
            id: unique_id(),
            data: self.data.clone(),
            strides: shape.strides(),
            shape,
            offset: 0,
            device: self.device.clone(),
            tape: NoneTape,
        }
    }

    /// A tensor sharing this one's device and tape type, with a new shape over a new buffer.
    pub(crate) fn with_new_buffer<S2: Shape, E2: Unit>(
        &self,
        data: <D as Storage<E2>>::Vec,
        shape: S2,
    ) -> Tensor<S2, E2, D, NoneTape>
    where
        D: Storage<E2>,
    {
        Tensor::from_buffer(self.device.clone(), data, shape, NoneTape)
    }
}

impl<S: Shape, E: Unit, D: ViewKernel<E>, T> Tensor<S, E, D, T> {
    /// The elements in row-major order, copied to host memory. Panics when the device fails;
    /// see [`try_to_vec`](Self::try_to_vec).
    #[track_caller]
    pub fn to_vec(&self) -> Vec<E> {
        self.try_to_vec().unwrap()
    }

    /// The elements in row-major order, copied to host memory; `Err` when the device fails.
    pub fn try_to_vec(&self) -> crate::Result<Vec<E>> {
        if self.offset == 0
            && self.is_contiguous()
            && self.device.buf_len(&self.data) == self.num_elements()
        {
            return self.device.try_to_host(&self.data);
        }
        let buf = self.device.try_contiguous(&self.data, &self.layout())?;
        self.device.try_to_host(&buf)
    }
}

impl<E: Unit, D: ViewKernel<E>, T> Tensor<(), E, D, T> {
    /// The value of a scalar tensor.
    #[track_caller]
    pub fn scalar(&self) -> E {
        self.to_vec()[0]
    }
}
