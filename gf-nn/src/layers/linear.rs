//! `Linear`: `y = x Wᵀ + b`, with the sizes in the type or known when running.

use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::{Computed, Const, Dim, HasShape};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::{fan_in_bound, uniform, Init};
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// A fully connected layer from `I` to `O` features, PyTorch's `nn.Linear`: the weight is
/// stored `(out, in)`, both weight and bias start uniform in `±1/√in` (PyTorch's
/// `kaiming_uniform_(a = √5)` and bias init), and the state-dict names are `weight` and `bias`.
///
/// `I` and `O` are `Const<N>` (checked when compiling) or `usize` (checked when running). It
/// takes `(batch, I)` or `(batch, seq, I)` inputs on any tape; the parameters are watched onto
/// the input's tape.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// let typed: Linear<Const<4>, Const<3>> = Linear::init(&dev);
/// let run_time: Linear<usize, usize> = Linear::try_new(&dev, 4, 3, true).unwrap();
/// let x: Tensor<(usize, Const<4>), f32, Cpu> = dev.randn_like(&(2, Const));
/// assert_eq!(typed.forward(x.clone()).dims(), [2, 3]);
/// let x = x.try_into_shape::<(usize, usize)>().unwrap();
/// assert_eq!(run_time.forward(x).dims(), [2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Linear<I: Dim, O: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// `(out_features, in_features)`.
    pub weight: Tensor<(O, I), E, D>,
    /// `(out_features,)`, or `None` for `bias = false`.
    pub bias: Option<Tensor<(O,), E, D>>,
}

impl<I: Dim, O: Dim, E: Dtype, D: Device<E>> Linear<I, O, E, D> {
    /// A layer from `in_features` to `out_features` with PyTorch's initialisation.
    pub fn try_new(dev: &D, in_features: I, out_features: O, bias: bool) -> Result<Self> {
        let bound = fan_in_bound(in_features.size());
        let weight = uniform(dev, &(out_features, in_features), bound)?;
        let bias = if bias {
            Some(uniform(dev, &(out_features,), bound)?)
        } else {
            None
        };
        Ok(Linear { weight, bias })
    }

    /// `Err` naming both sizes when the input has `n` features and the layer takes others.
    fn check_features(&self, n: usize) -> Result<()> {
        let (i, _) = self.sizes();
        if n == i {
            Ok(())
        } else {
            Err(gf_core::Error::Shape {
                op: "Linear",
                message: format!("the layer takes {i} input features, the input has {n}"),
            })
        }
    }

    /// `(in_features, out_features)`.
    pub fn sizes(&self) -> (usize, usize) {
        let [o, i] = self.weight.dims();
        (i, o)
    }
}

impl<const I: usize, const O: usize, E: Dtype, D: Device<E>> Init<D>
    for Linear<Const<I>, Const<O>, E, D>
{
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const, Const, true)
    }
}

impl<I: Dim, O: Dim, E: Dtype, D: Device<E>> Visit<E, D> for Linear<I, O, E, D> {
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

/// The feature count a layer is given (`Self`) fits the one it takes (`I`): the same dim, or
/// a run-time `usize` on either side (compared when running).
#[diagnostic::on_unimplemented(
    message = "a layer that takes `{I}` input features is given `{Self}` features",
    label = "the previous layer's output size differs from this layer's input size",
    note = "in a sequence `(A, B)`, `B`'s input size must be `A`'s output size: compare the two types"
)]
pub trait FeaturesFit<I: Dim>: Dim {}
#[diagnostic::do_not_recommend]
impl<I: Dim> FeaturesFit<I> for I {}
#[diagnostic::do_not_recommend]
impl<const N: usize> FeaturesFit<Const<N>> for usize {}
#[diagnostic::do_not_recommend]
impl<const N: usize> FeaturesFit<usize> for Const<N> {}
/// A product above the `Const` table (a flatten to more than 65,536 features) is compared
/// when running.
#[diagnostic::do_not_recommend]
impl<T, const N: usize> FeaturesFit<Const<N>> for Computed<T> where Computed<T>: Dim {}

impl<B, I, I2, O, E, D, T> Module<Tensor<(B, I2), E, D, T>> for Linear<I, O, E, D>
where
    B: Dim,
    I: Dim,
    I2: Dim,
    O: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
    I2: FeaturesFit<I>,
{
    type Output = Tensor<(B, O), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, I2), E, D, T>) -> Result<Self::Output> {
        self.check_features(x.dims()[1])?;
        let x = x.try_into_shape::<(B, I)>()?;
        let w = self.weight.watched(x.tape()).try_transpose()?;
        let y = x.try_matmul(w)?;
        match &self.bias {
            None => Ok(y),
            Some(b) => {
                let shape = *y.shape();
                let b = b.watched(y.tape()).try_broadcast_axes(shape, &[0])?;
                y.try_add(b)
            }
        }
    }
}

impl<B, S, I, I2, O, E, D, T> Module<Tensor<(B, S, I2), E, D, T>> for Linear<I, O, E, D>
where
    B: Dim,
    S: Dim,
    I: Dim,
    I2: Dim,
    O: Dim,
    E: Dtype,
    D: Device<E>,
    T: Tape + MergeSelf,
    I2: FeaturesFit<I>,
{
    type Output = Tensor<(B, S, O), E, D, T>;
    fn try_forward(&self, x: Tensor<(B, S, I2), E, D, T>) -> Result<Self::Output> {
        self.check_features(x.dims()[2])?;
        let x = x.try_into_shape::<(B, S, I)>()?;
        let w = self.weight.watched(x.tape()).try_transpose()?;
        let y = x.try_matmul(w)?;
        match &self.bias {
            None => Ok(y),
            Some(b) => {
                let shape = *y.shape();
                let b = b.watched(y.tape()).try_broadcast_axes(shape, &[0, 1])?;
                y.try_add(b)
            }
        }
    }
}
