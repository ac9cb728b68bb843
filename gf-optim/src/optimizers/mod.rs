//! The optimizers, one file per family. Each follows PyTorch's update formulas step by step
//! (its single-tensor implementations), so results agree to rounding; Lion and LAMB, which
//! torch does not ship, follow their papers.

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

/// `g + wd·p`, PyTorch's coupled weight decay.
pub(crate) fn decayed<S: Shape, E: Dtype, D: Device<E>>(
    p: &Tensor<S, E, D>,
    g: Tensor<S, E, D>,
    wd: f64,
) -> Result<Tensor<S, E, D>> {
    if wd == 0.0 {
        Ok(g)
    } else {
        g.try_add(p.clone().try_mul_scalar(E::from_f64(wd))?)
    }
}

// defined before the modules, which use it (macros are scoped by text order)
/// Implements [`Optimizer`](crate::Optimizer) over a rule's `state` field.
macro_rules! optimizer_boilerplate {
    ($ty:ident) => {
        impl<E: Dtype, D: Device<E>> Optimizer<E, D> for $ty<E, D> {
            fn states(&self) -> &BTreeMap<String, ParamState<E, D>> {
                &self.state
            }
            fn states_mut(&mut self) -> &mut BTreeMap<String, ParamState<E, D>> {
                &mut self.state
            }
        }
    };
}

mod adam;
mod adaptive;
mod lamb;
mod lion;
mod sgd;

pub use adam::{Adam, Adamax, NAdam, RAdam};
pub use adaptive::{Adadelta, Adagrad, RMSprop};
pub use lamb::Lamb;
pub use lion::Lion;
pub use sgd::Sgd;

/// The buffer `name` of `st` at `like`'s shape, or zeros before the first step (PyTorch's
/// `torch.zeros_like(p)` at state initialisation).
pub(crate) fn buffer_or_zeros<S: Shape, E: Dtype, D: Device<E>>(
    st: &mut crate::ParamState<E, D>,
    name: &'static str,
    like: &Tensor<S, E, D>,
) -> Result<Tensor<S, E, D>> {
    match st.take::<S>(name)? {
        Some(b) => Ok(b),
        None => like.clone().try_mul_scalar(E::zero()),
    }
}
