//! `Residual`: a skip connection `x + m(x)` around any module.

use gf_core::ops::reduce::MergeSelf;
use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{Visit, Visitor, VisitorMut};

/// `x + m(x)`: a residual block around `m`, which must keep its input's shape. `m` is usually
/// a tuple, `Residual<(Linear<N, N>, ReLU, Linear<N, N>)>`, and a `Residual` is itself an
/// element of a tuple.
///
/// It adds no level to the state-dict names: `Residual((Linear, Tanh))` names its tensors
/// `0.weight`, `0.bias` as the tuple inside does (as an `nn.Sequential` subclass whose forward
/// adds its input would in PyTorch).
///
/// ```
/// use gf_core::prelude::*;
/// use gf_nn::prelude::*;
/// let dev = Cpu::seed_from_u64(0);
/// type Block = Residual<(Linear<Const<4>, Const<4>>, ReLU)>;
/// let model: (Block, Linear<Const<4>, Const<2>>) = Init::init(&dev);
/// let x: Tensor<(usize, Const<4>), f32, Cpu> = dev.randn_like(&(3, Const));
/// assert_eq!(model.forward(x).dims(), [3, 2]);
/// let names: Vec<String> = model.try_state_dict().unwrap().into_keys().collect();
/// assert_eq!(names, ["0.0.bias", "0.0.weight", "1.bias", "1.weight"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Residual<M>(pub M);

impl<M, S: Shape, E: Dtype, D: Device<E>, T: Tape + MergeSelf> Module<Tensor<S, E, D, T>>
    for Residual<M>
where
    M: Module<Tensor<S, E, D, T>, Output = Tensor<S, E, D, T>>,
{
    type Output = Tensor<S, E, D, T>;
    fn try_forward(&self, x: Tensor<S, E, D, T>) -> Result<Self::Output> {
        let fx = self.0.try_forward(x.clone())?;
        x.try_add(fx)
    }
}

impl<E: Dtype, D: Device<E>, M: Visit<E, D>> Visit<E, D> for Residual<M> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> crate::Result<()> {
        self.0.try_visit(prefix, v)
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> crate::Result<()> {
        self.0.try_visit_mut(prefix, v)
    }
    fn set_training(&mut self, training: bool) {
        self.0.set_training(training);
    }
}

impl<Dev, M: Init<Dev>> Init<Dev> for Residual<M> {
    fn try_init(dev: &Dev) -> Result<Self> {
        Ok(Residual(M::try_init(dev)?))
    }
}
