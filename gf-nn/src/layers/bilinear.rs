//! `Bilinear`: `y_k = x1ᵀ W_k x2 + b_k`, PyTorch's `nn.Bilinear`, built from a matmul, a
//! product and a sum so that its gradients come from the tape.

use gf_core::ops::reduce::{MergeSelf, ReduceOp};
use gf_core::shape::{Const, Dim, DynShape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::{fan_in_bound, uniform, Init};
use crate::layers::linear::FeaturesFit;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// `nn.Bilinear(I1, I2, O)`: takes a pair `(x1, x2)` of `(B, I1)` and `(B, I2)` inputs and
/// gives `(B, O)`, `y[b, k] = Σᵢⱼ x1[b, i] · W[k, i, j] · x2[b, j] + bias[k]`. The weight is
/// `(O, I1, I2)`; weight and bias start uniform in `±1/√I1`, as PyTorch's. State-dict names:
/// `weight`, `bias`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let m: Bilinear<Const<3>, Const<4>, Const<2>> = Bilinear::init(&dev);
/// let x1: Tensor<(usize, Const<3>), f32, Cpu> = dev.randn_like(&(5, Const));
/// let x2: Tensor<(usize, Const<4>), f32, Cpu> = dev.randn_like(&(5, Const));
/// assert_eq!(m.forward((x1, x2)).dims(), [5, 2]);
/// ```
#[derive(Clone, Debug)]
pub struct Bilinear<I1: Dim, I2: Dim, O: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// `(out_features, in1_features, in2_features)`.
    pub weight: Tensor<(O, I1, I2), E, D>,
    /// `(out_features,)`, or `None` for `bias = false`.
    pub bias: Option<Tensor<(O,), E, D>>,
}

impl<I1: Dim, I2: Dim, O: Dim, E: Dtype, D: Device<E>> Bilinear<I1, I2, O, E, D> {
    /// A layer with PyTorch's initialisation.
    pub fn try_new(dev: &D, in1: I1, in2: I2, out: O, bias: bool) -> Result<Self> {
        let bound = fan_in_bound(in1.size());
        let weight = uniform(dev, &(out, in1, in2), bound)?;
        let bias = if bias {
            Some(uniform(dev, &(out,), bound)?)
        } else {
            None
        };
        Ok(Bilinear { weight, bias })
    }
}

impl<const I1: usize, const I2: usize, const O: usize, E: Dtype, D: Device<E>> Init<D>
    for Bilinear<Const<I1>, Const<I2>, Const<O>, E, D>
{
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const, Const, Const, true)
    }
}

impl<I1: Dim, I2: Dim, O: Dim, E: Dtype, D: Device<E>> Visit<E, D> for Bilinear<I1, I2, O, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)?;
        if let Some(b) = &self.bias {
            v.visit(&join(prefix, "bias"), TensorKind::Param, b)?;
        }
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)?;
        if let Some(b) = &mut self.bias {
            v.visit_mut(&join(prefix, "bias"), TensorKind::Param, b)?;
        }
        Ok(())
    }
}

impl<B, X1, X2, I1, I2, O, E, D, T> Module<(Tensor<(B, X1), E, D, T>, Tensor<(B, X2), E, D, T>)>
    for Bilinear<I1, I2, O, E, D>
where
    B: Dim,
    X1: FeaturesFit<I1>,
    X2: FeaturesFit<I2>,
    I1: Dim,
    I2: Dim,
    O: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
{
    type Output = Tensor<(B, O), E, D, T>;
    fn try_forward(
        &self,
        (x1, x2): (Tensor<(B, X1), E, D, T>, Tensor<(B, X2), E, D, T>),
    ) -> Result<Self::Output> {
        let [o, i1, i2] = self.weight.dims();
        let ([b, n1], [b2, n2]) = (x1.dims(), x2.dims());
        if n1 != i1 || n2 != i2 || b != b2 {
            return Err(gf_core::Error::Shape {
                op: "Bilinear",
                message: format!(
                    "the layer takes ({i1}, {i2}) input features of one batch, the inputs are {:?} and {:?}",
                    [b, n1],
                    [b2, n2]
                ),
            });
        }
        // x1 · W as (B, I1) × (I1, O·I2), then the product with x2 summed over I2
        let w = self
            .weight
            .watched(x1.tape())
            .into_dyn()
            .try_permute_axes::<DynShape>(&[1, 0, 2])?
            .try_reshape_like(&DynShape::new([i1, o * i2]))?;
        let t = x1.into_dyn().try_matmul(w)?;
        let t = t.try_reshape_like(&DynShape::new([b, o, i2]))?;
        let x2 = x2
            .into_dyn()
            .try_broadcast_axes(DynShape::new([b, o, i2]), &[1])?;
        let y: Tensor<DynShape, E, D, T> = t.try_mul(x2)?.try_reduce_axes(ReduceOp::Sum, &[2])?;
        let y = match &self.bias {
            None => y,
            Some(bias) => {
                let bias = bias
                    .watched(y.tape())
                    .into_dyn()
                    .try_broadcast_axes(DynShape::new([b, o]), &[0])?;
                y.try_add(bias)?
            }
        };
        y.try_into_shape()
    }
}
