//! The [`Optimizer`] trait and the visitor that applies a per-parameter [`Update`].

use std::collections::BTreeMap;

use gf_core::shape::{DynShape, Shape};
use gf_core::{Device, Dtype, Gradients, Result as CoreResult, Tensor};
use gf_nn::{StateDict, StateEntry, TensorKind, Visit, VisitorMut};

/// One parameter's optimizer state: named buffers (`momentum_buffer`, `exp_avg`, ...) and its
/// step count, as in PyTorch's `optimizer.state[p]`.
#[derive(Clone, Debug)]
pub struct ParamState<E: Dtype, D: Device<E>> {
    /// The number of updates applied to this parameter.
    pub step: usize,
    /// The buffers by PyTorch's names.
    pub buffers: BTreeMap<&'static str, Tensor<DynShape, E, D>>,
}

/// One optimizer's rule: the change to subtract from a parameter, given its gradient.
pub trait Update<E: Dtype, D: Device<E>> {
    /// The learning rate now.
    fn lr(&self) -> f64;
    /// Sets the learning rate (what schedulers call).
    fn set_lr(&mut self, lr: f64);
    /// The weight decay now (however the rule applies it: coupled or decoupled).
    fn current_weight_decay(&self) -> f64;
    /// Sets the weight decay (what [`ParamGroups`](crate::ParamGroups) calls per group).
    fn set_weight_decay(&mut self, weight_decay: f64);
    /// The names of the per-parameter buffers this rule keeps, in PyTorch's naming.
    fn buffer_names(&self) -> &'static [&'static str];
    /// Updates `p` in place (its id kept) from its gradient `g`, reading and writing `state`,
    /// whose `step` has already been incremented. [`ParamState::take`] and
    /// [`ParamState::put`] move buffers in and out at the parameter's shape.
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        state: &mut ParamState<E, D>,
    ) -> CoreResult<()>;
}

/// Steps a model's parameters and keeps their state. Implemented for every [`Update`] rule
/// through [`Optimizer`]'s provided methods.
pub trait Optimizer<E: Dtype, D: Device<E>>: Update<E, D> {
    /// The state of every parameter updated so far, by state-dict name.
    fn states(&self) -> &BTreeMap<String, ParamState<E, D>>;
    /// The same, for changing.
    fn states_mut(&mut self) -> &mut BTreeMap<String, ParamState<E, D>>;

    /// Updates the parameter `name` (its state-dict name): what [`step`](Self::step) calls
    /// for each parameter with a gradient. By default [`Update::update`], which ignores the
    /// name; [`ParamGroups`](crate::ParamGroups) overrides it to set the group's
    /// hyper-parameters first.
    fn update_named<S: Shape>(
        &mut self,
        _name: &str,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        state: &mut ParamState<E, D>,
    ) -> CoreResult<()> {
        self.update(p, g, state)
    }

    /// One update of every parameter of `model` that has a gradient in `grads` (one the
    /// loss does not reach is left alone, as PyTorch skips `p.grad is None`).
    fn step<M: Visit<E, D>>(&mut self, model: &mut M, grads: &Gradients) -> gf_nn::Result<()>
    where
        Self: Sized,
    {
        let mut v = StepVisitor { opt: self, grads };
        model.try_visit_mut("", &mut v)
    }

    /// The optimizer's state as a state dict: `<param>.<buffer>` and `<param>.step` entries,
    /// ready for [`gf_nn::save_state_dict`].
    fn state_dict(&self) -> gf_nn::Result<StateDict> {
        let mut sd = StateDict::new();
        for (name, st) in self.states() {
            sd.insert(
                format!("{name}.step"),
                StateEntry {
                    kind: TensorKind::Buffer,
                    dtype: E::NAME,
                    shape: vec![],
                    values: vec![st.step as f64],
                },
            );
            for (b, t) in &st.buffers {
                sd.insert(
                    format!("{name}.{b}"),
                    StateEntry {
                        kind: TensorKind::Buffer,
                        dtype: E::NAME,
                        shape: t.dims(),
                        values: t.try_to_vec()?.into_iter().map(Dtype::as_f64).collect(),
                    },
                );
            }
        }
        Ok(sd)
    }

    /// Replaces the state with one from [`state_dict`](Self::state_dict), on `dev`. `Err` for
    /// an entry whose name does not end in `.step` or one of this rule's buffers.
    fn load_state_dict(&mut self, sd: &StateDict, dev: &D) -> gf_nn::Result<()> {
        use gf_core::ops::create::TensorCreate;
        let names = self.buffer_names();
        let mut states: BTreeMap<String, ParamState<E, D>> = BTreeMap::new();
        for (key, e) in sd {
            let (param, field) = key.rsplit_once('.').unwrap_or(("", key));
            let st = states.entry(param.to_string()).or_default();
            if field == "step" {
                st.step = e.values.first().copied().unwrap_or(0.0) as usize;
            } else if let Some(b) = names.iter().find(|n| **n == field) {
                let values = e.values.iter().map(|&v| E::from_f64(v)).collect();
                let t = dev.try_tensor_from_vec(values, DynShape::new(e.shape.clone()))?;
                st.buffers.insert(b, t);
            } else {
                return Err(gf_nn::Error::UnexpectedKeys(vec![key.clone()]));
            }
        }
        *self.states_mut() = states;
        Ok(())
    }
}

struct StepVisitor<'a, O> {
    opt: &'a mut O,
    grads: &'a Gradients,
}

impl<E: Dtype, D: Device<E>, O: Optimizer<E, D>> VisitorMut<E, D> for StepVisitor<'_, O> {
    fn visit_mut<S: Shape>(
        &mut self,
        name: &str,
        kind: TensorKind,
        t: &mut Tensor<S, E, D>,
    ) -> gf_nn::Result<()> {
        if kind != TensorKind::Param {
            return Ok(());
        }
        let Some(g) = self.grads.get(t) else {
            return Ok(());
        };
        let mut state = self.opt.states_mut().remove(name).unwrap_or_default();
        state.step += 1;
        let result = self.opt.update_named(name, t, g, &mut state);
        self.opt.states_mut().insert(name.to_string(), state);
        Ok(result?)
    }
}

impl<E: Dtype, D: Device<E>> Default for ParamState<E, D> {
    fn default() -> Self {
        ParamState {
            step: 0,
            buffers: BTreeMap::new(),
        }
    }
}

impl<E: Dtype, D: Device<E>> ParamState<E, D> {
    /// Removes the buffer `name`, as a tensor of shape `S`; `None` before the first step.
    pub fn take<S: Shape>(&mut self, name: &'static str) -> CoreResult<Option<Tensor<S, E, D>>> {
        self.buffers
            .remove(name)
            .map(|t| t.try_into_shape::<S>())
            .transpose()
    }

    /// Stores the buffer `name`.
    pub fn put<S: Shape>(&mut self, name: &'static str, t: Tensor<S, E, D>) {
        self.buffers.insert(name, t.into_dyn());
    }
}
