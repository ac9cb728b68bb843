//! In-place updates: `p -= lr * g` and friends, for optimizers and other code that changes a
//! tensor's values without changing what it is.
//!
//! An update keeps the tensor's id, so optimizer state keyed by it stays attached and the next
//! step's gradient lands under the same id. It writes into the tensor's own buffer when no other
//! tensor or recorded backward shares it; otherwise the tensor first gets a private contiguous
//! copy (copy-on-write), so a view or a saved activation never sees the change. In-place updates
//! are not differentiable, so they exist only on untraced tensors.

use gf_shape::{SameShapeAs, Shape};

use crate::device::ViewKernel;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops::binary::{Add, BinaryKernel, BinaryOp, Mul, Sub};
use crate::ops::unary::{ScalarMul, UnaryKernel, UnaryOp};
use crate::tape::NoneTape;
use crate::tensor::Tensor;

impl<S: Shape, E: Dtype, D: ViewKernel<E>> Tensor<S, E, D, NoneTape> {
    /// This tensor's buffer, for writing in place: contiguous, whole, and held by this tensor
    /// alone (a copy is made first when it is not). The id stays the same.
    pub fn try_buf_mut(&mut self) -> Result<&mut D::Vec> {
        if self.whole_buf_mut().is_none() {
            let copy = self.device.try_contiguous(&self.data, &self.layout())?;
            self.data = std::sync::Arc::new(copy);
            self.strides = self.shape.strides();
            self.offset = 0;
        }
        self.whole_buf_mut()
            .ok_or_else(|| Error::Device("a fresh copy is shared".into()))
    }

    /// `self[i] = op(self[i], rhs[i])` in place, keeping the id. `Err` when run-time dims
    /// differ or `rhs` lives on another device.
    pub fn try_binary_assign<Op: BinaryOp<E>, S2: SameShapeAs<S>, R>(
        &mut self,
        op: Op,
        rhs: &Tensor<S2, E, D, R>,
    ) -> Result<()>
    where
        D: BinaryKernel<E>,
    {
        // a computed size above the `Const` table against a `Const`: compared when building
        #[allow(clippy::let_unit_value)]
        let () = <S2 as SameShapeAs<S>>::CHECK;
        let (ld, rd) = (self.dims(), rhs.dims());
        if ld.as_ref() != rd.as_ref() {
            return Err(Error::shape(
                Op::NAME,
                format!(
                    "cannot update a tensor of shape {:?} in place with one of shape {:?}",
                    ld.as_ref(),
                    rd.as_ref()
                ),
            ));
        }
        self.check_same_device(Op::NAME, rhs)?;
        let dev = self.device.clone();
        let rl = rhs.layout();
        dev.try_binary_assign(&op, self.try_buf_mut()?, &rhs.data, &rl)
    }

    /// `self[i] = op(self[i])` in place, keeping the id.
    pub fn try_unary_assign<Op: UnaryOp<E>>(&mut self, op: Op) -> Result<()>
    where
        D: UnaryKernel<E>,
    {
        let dev = self.device.clone();
        dev.try_unary_assign(&op, self.try_buf_mut()?)
    }

    /// `self += rhs` in place; `Err` when run-time dims differ.
    pub fn try_add_assign<S2: SameShapeAs<S>, R>(&mut self, rhs: &Tensor<S2, E, D, R>) -> Result<()>
    where
        D: BinaryKernel<E>,
    {
        self.try_binary_assign(Add, rhs)
    }

    /// `self -= rhs` in place; `Err` when run-time dims differ.
    pub fn try_sub_assign<S2: SameShapeAs<S>, R>(&mut self, rhs: &Tensor<S2, E, D, R>) -> Result<()>
    where
        D: BinaryKernel<E>,
    {
        self.try_binary_assign(Sub, rhs)
    }

    /// `self *= rhs` elementwise in place; `Err` when run-time dims differ.
    pub fn try_mul_assign<S2: SameShapeAs<S>, R>(&mut self, rhs: &Tensor<S2, E, D, R>) -> Result<()>
    where
        D: BinaryKernel<E>,
    {
        self.try_binary_assign(Mul, rhs)
    }

    /// `self *= c` in place.
    pub fn try_scale_assign(&mut self, c: E) -> Result<()>
    where
        D: UnaryKernel<E>,
    {
        self.try_unary_assign(ScalarMul::new(c))
    }
}

macro_rules! std_assign {
    ($tr:ident $f:ident $try_f:ident) => {
        impl<S, S2, E, D, R> core::ops::$tr<&Tensor<S2, E, D, R>> for Tensor<S, E, D, NoneTape>
        where
            S: Shape,
            S2: SameShapeAs<S>,
            E: Dtype,
            D: BinaryKernel<E> + ViewKernel<E>,
        {
            /// Panics when run-time dims differ; see the `try_` form.
            #[track_caller]
            fn $f(&mut self, rhs: &Tensor<S2, E, D, R>) {
                self.$try_f(rhs).unwrap()
            }
        }
    };
}

std_assign!(AddAssign add_assign try_add_assign);
std_assign!(SubAssign sub_assign try_sub_assign);
std_assign!(MulAssign mul_assign try_mul_assign);

impl<S: Shape, E: Dtype, D: UnaryKernel<E> + ViewKernel<E>> core::ops::MulAssign<E>
    for Tensor<S, E, D, NoneTape>
{
    #[track_caller]
    fn mul_assign(&mut self, c: E) {
        self.try_scale_assign(c).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::testing::{test_device, TestDevice};

    #[test]
    fn an_update_keeps_the_id_and_writes_in_place_when_unshared() {
        let dev = test_device();
        let mut p = dev.tensor([1.0f64, 2.0, 3.0]);
        let (id, ptr) = (p.id(), std::sync::Arc::as_ptr(p.data()));
        let g = dev.tensor([0.5f64, 0.5, 0.5]);
        p -= &(g * 2.0);
        p *= 10.0;
        assert_eq!(p.to_vec(), vec![0.0, 10.0, 20.0]);
        assert_eq!(p.id(), id);
        assert_eq!(
            std::sync::Arc::as_ptr(p.data()),
            ptr,
            "the buffer was reused"
        );
    }

    #[test]
    fn an_update_copies_a_shared_buffer_first() {
        let dev = test_device();
        let mut p = dev.tensor([[1.0f64, 2.0], [3.0, 4.0]]);
        let view = p.clone().transpose();
        let id = p.id();
        p += &dev.ones::<Rank2<2, 2>>();
        assert_eq!(p.to_vec(), vec![2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            view.to_vec(),
            vec![1.0, 3.0, 2.0, 4.0],
            "the view keeps the old values"
        );
        assert_eq!(p.id(), id);
        let mut t = view;
        t -= &dev.ones::<Rank2<2, 2>>();
        assert_eq!(
            t.to_vec(),
            vec![0.0, 2.0, 1.0, 3.0],
            "a strided view updates in row-major order"
        );
        let bad: Tensor<(usize,), f64, TestDevice> = dev.zeros_like(&(3,));
        let mut q: Tensor<(usize,), f64, TestDevice> = dev.zeros_like(&(2,));
        assert!(q.try_sub_assign(&bad).is_err());
    }
}
