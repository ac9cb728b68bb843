//! Parameter visiting: the one walk over a model's tensors that initialisation, gradients,
//! optimizers, state dicts, parameter counts and conversions are built on.
//!
//! A layer implements [`Visit`] by handing each of its tensors to the visitor under its
//! PyTorch name (`weight`, `bias`, `running_mean`); a struct of layers gets [`Visit`] from
//! `#[derive(Module)]`, which joins the field name in front (`fc1.weight`); a tuple of modules
//! names its elements `0`, `1`, ... as `nn.Sequential` does.

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Tensor};

use crate::error::Result;

/// What a visited tensor is to the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorKind {
    /// Trained: gets a gradient, an optimizer updates it, it is counted in `num_params`.
    Param,
    /// State that is saved but not trained (batch-norm running statistics).
    Buffer,
}

/// Looks at each tensor of a model (read-only): saving, counting, collecting gradients.
pub trait Visitor<E: Dtype, D: Device<E>> {
    /// Called once per tensor, with its full state-dict name.
    fn visit<S: Shape>(&mut self, name: &str, kind: TensorKind, t: &Tensor<S, E, D>) -> Result<()>;
}

/// Changes each tensor of a model in place: loading, optimizer steps. A visitor that writes
/// into a tensor's buffer keeps its id (see `Tensor::try_buf_mut`), so optimizer state and
/// gradients stay attached.
pub trait VisitorMut<E: Dtype, D: Device<E>> {
    /// Called once per tensor, with its full state-dict name.
    fn visit_mut<S: Shape>(
        &mut self,
        name: &str,
        kind: TensorKind,
        t: &mut Tensor<S, E, D>,
    ) -> Result<()>;
}

/// A model whose tensors can be walked by name. `#[derive(Module)]` writes it for a struct of
/// layers; layers write it by hand.
pub trait Visit<E: Dtype, D: Device<E>> {
    /// Hands every tensor to `v`, each named `prefix` + `.` + its own name.
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> Result<()>;
    /// Hands every tensor to `v` for changing in place.
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> Result<()>;
    /// Switches training behaviour (dropout, batch-norm statistics) on or off in this module
    /// and every module inside it. Layers without such behaviour ignore it.
    fn set_training(&mut self, training: bool) {
        let _ = training;
    }
}

/// `prefix.name`, or `name` at the top level.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A bare tensor field is a parameter named after the field.
impl<S: Shape, E: Dtype, D: Device<E>> Visit<E, D> for Tensor<S, E, D> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> Result<()> {
        v.visit(prefix, TensorKind::Param, self)
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> Result<()> {
        v.visit_mut(prefix, TensorKind::Param, self)
    }
}

/// An absent optional module (a layer built with `bias = false`) has no tensors.
impl<E: Dtype, D: Device<E>, M: Visit<E, D>> Visit<E, D> for Option<M> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> Result<()> {
        match self {
            Some(m) => m.try_visit(prefix, v),
            None => Ok(()),
        }
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> Result<()> {
        match self {
            Some(m) => m.try_visit_mut(prefix, v),
            None => Ok(()),
        }
    }
    fn set_training(&mut self, training: bool) {
        if let Some(m) = self {
            m.set_training(training);
        }
    }
}

/// Repeated blocks, named `0`, `1`, ... like `nn.ModuleList`.
impl<E: Dtype, D: Device<E>, M: Visit<E, D>> Visit<E, D> for Vec<M> {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> Result<()> {
        for (i, m) in self.iter().enumerate() {
            m.try_visit(&join(prefix, &i.to_string()), v)?;
        }
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> Result<()> {
        for (i, m) in self.iter_mut().enumerate() {
            m.try_visit_mut(&join(prefix, &i.to_string()), v)?;
        }
        Ok(())
    }
    fn set_training(&mut self, training: bool) {
        self.iter_mut().for_each(|m| m.set_training(training));
    }
}

/// Fixed-size repeated blocks, named `0`, `1`, ...
impl<E: Dtype, D: Device<E>, M: Visit<E, D>, const N: usize> Visit<E, D> for [M; N] {
    fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> Result<()> {
        for (i, m) in self.iter().enumerate() {
            m.try_visit(&join(prefix, &i.to_string()), v)?;
        }
        Ok(())
    }
    fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> Result<()> {
        for (i, m) in self.iter_mut().enumerate() {
            m.try_visit_mut(&join(prefix, &i.to_string()), v)?;
        }
        Ok(())
    }
    fn set_training(&mut self, training: bool) {
        self.iter_mut().for_each(|m| m.set_training(training));
    }
}

macro_rules! tuple_visit {
    ($($m:ident $i:tt),+) => {
        /// A sequence of modules: element `i` is named `i`, as in `nn.Sequential`.
        impl<E: Dtype, D: Device<E>, $($m: Visit<E, D>),+> Visit<E, D> for ($($m,)+) {
            fn try_visit<V: Visitor<E, D>>(&self, prefix: &str, v: &mut V) -> Result<()> {
                $(self.$i.try_visit(&join(prefix, stringify!($i)), v)?;)+
                Ok(())
            }
            fn try_visit_mut<V: VisitorMut<E, D>>(&mut self, prefix: &str, v: &mut V) -> Result<()> {
                $(self.$i.try_visit_mut(&join(prefix, stringify!($i)), v)?;)+
                Ok(())
            }
            fn set_training(&mut self, training: bool) {
                $(self.$i.set_training(training);)+
            }
        }
    };
}

tuple_visit!(A 0);
tuple_visit!(A 0, B 1);
tuple_visit!(A 0, B 1, C 2);
tuple_visit!(A 0, B 1, C 2, F 3);
tuple_visit!(A 0, B 1, C 2, F 3, G 4);
tuple_visit!(A 0, B 1, C 2, F 3, G 4, H 5);
tuple_visit!(A 0, B 1, C 2, F 3, G 4, H 5, I 6);
tuple_visit!(A 0, B 1, C 2, F 3, G 4, H 5, I 6, J 7);
