//! `+ - * /` and unary `-` on tensors, forwarding to the named ops.

use gf_shape::{SameShapeAs, Shape};

use crate::device::{AccumulateKernel, ViewKernel};
use crate::dtype::Dtype;
use crate::ops::binary::BinaryKernel;
use crate::ops::unary::UnaryKernel;
use crate::tape::{Merge, Tape};
use crate::tensor::Tensor;

macro_rules! std_binary {
    ($tr:ident $f:ident $scalar:ident) => {
        impl<S, S2, E, D, T, R> core::ops::$tr<Tensor<S2, E, D, R>> for Tensor<S, E, D, T>
        where
            S: Shape,
            S2: SameShapeAs<S>,
            E: Dtype,
            D: BinaryKernel<E> + AccumulateKernel<E> + ViewKernel<E>,
            T: Tape + Merge<R>,
            T::Output: Tape,
            R: Tape,
        {
            type Output = Tensor<S, E, D, T::Output>;
            fn $f(self, rhs: Tensor<S2, E, D, R>) -> Self::Output {
                Tensor::$f(self, rhs)
            }
        }

        impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> core::ops::$tr<E>
            for Tensor<S, E, D, T>
        {
            type Output = Tensor<S, E, D, T>;
            fn $f(self, rhs: E) -> Self::Output {
                self.$scalar(rhs)
            }
        }
    };
}

std_binary!(Add add add_scalar);
std_binary!(Sub sub sub_scalar);
std_binary!(Mul mul mul_scalar);
std_binary!(Div div div_scalar);

impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> core::ops::Neg for Tensor<S, E, D, T> {
    type Output = Self;
    fn neg(self) -> Self {
        Tensor::neg(self)
    }
}
