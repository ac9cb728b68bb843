//! `Embedding`: a lookup table of `V` vectors of `M` features.

use gf_core::ops::create::TensorCreateFloat;
use gf_core::shape::{Const, Dim};
use gf_core::{Cpu, Device, Dtype, Result, Tape, Tensor};

use crate::init::Init;
use crate::module::Module;
use crate::visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// `nn.Embedding(V, M)`: row `i` of `weight` (`(V, M)`, drawn from N(0, 1)) for each index
/// `i`. The input is a `(B,)` tensor of indices, and like every module's input it carries the
/// tape the table is watched onto: to train, put one on the indices
/// (`idx.put_tape(OwnedTape::new())`); plain indices evaluate without recording. An index
/// outside `0..V` is an `Err`. (`padding_idx` is not supported yet.)
#[derive(Clone, Debug)]
pub struct Embedding<V: Dim, M: Dim, E: Dtype = f32, D: Device<E> = Cpu> {
    /// `(num_embeddings, embedding_dim)`.
    pub weight: Tensor<(V, M), E, D>,
}

impl<V: Dim, M: Dim, E: Dtype, D: Device<E>> Embedding<V, M, E, D> {
    /// A table of `num_embeddings` rows of `embedding_dim`, drawn from N(0, 1).
    pub fn try_new(dev: &D, num_embeddings: V, embedding_dim: M) -> Result<Self> {
        let weight =
            dev.try_sample_normal_like(&(num_embeddings, embedding_dim), E::zero(), E::one())?;
        Ok(Embedding { weight })
    }
}

impl<const V: usize, const M: usize, E: Dtype, D: Device<E>> Init<D>
    for Embedding<Const<V>, Const<M>, E, D>
{
    fn try_init(dev: &D) -> Result<Self> {
        Self::try_new(dev, Const, Const)
    }
}

impl<V: Dim, M: Dim, E: Dtype, D: Device<E>> Visit<E, D> for Embedding<V, M, E, D> {
    fn try_visit<Vi: Visitor<E, D>>(&self, prefix: &str, v: &mut Vi) -> crate::Result<()> {
        v.visit(&join(prefix, "weight"), TensorKind::Param, &self.weight)
    }
    fn try_visit_mut<Vi: VisitorMut<E, D>>(
        &mut self,
        prefix: &str,
        v: &mut Vi,
    ) -> crate::Result<()> {
        v.visit_mut(&join(prefix, "weight"), TensorKind::Param, &mut self.weight)
    }
}

impl<B: Dim, V: Dim, M: Dim, E: Dtype, D: Device<E>, T: Tape> Module<Tensor<(B,), usize, D, T>>
    for Embedding<V, M, E, D>
{
    type Output = Tensor<(B, M), E, D, T>;
    fn try_forward(&self, idx: Tensor<(B,), usize, D, T>) -> Result<Self::Output> {
        let (idx, tape) = idx.split_tape();
        self.weight.watched(&tape).try_index_select_axis(0, &idx)
    }
}
