//! Parameter groups: some parameters, chosen by state-dict name prefix, with their own
//! learning rate and weight decay (PyTorch's `param_groups`).
//!
//! The design fits the visitor that [`Optimizer::step`] already is: [`ParamGroups`] wraps one
//! rule and, through [`Optimizer::update_named`], sets that rule's learning rate and weight
//! decay to the group's values while it updates a parameter of the group, then puts the rule's
//! own values back. All state stays in the wrapped rule, keyed by parameter name, so
//! `state_dict` / `load_state_dict` are unchanged. A group's learning rate is a *scale* of the
//! rule's, so a scheduler that sets the rule's rate moves every group with it, as PyTorch's
//! schedulers scale each group from its own initial rate (exactly so for the multiplicative
//! schedules; for a schedule with a floor such as `eta_min`, PyTorch's groups share the floor).

use std::collections::BTreeMap;

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use crate::state::{Optimizer, ParamState, Update};

/// One group: the parameters whose state-dict name is `prefix` or starts with `prefix.`
/// (an empty prefix takes every parameter), and the hyper-parameters they get.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamGroup {
    /// The name prefix, on a `.` boundary: `"encoder"` takes `encoder.weight`, not `encoder2.weight`.
    pub prefix: String,
    /// The group's learning rate as a multiple of the rule's (1: the same; 0: frozen).
    pub lr_scale: f64,
    /// The group's weight decay; `None` keeps the rule's.
    pub weight_decay: Option<f64>,
}

impl ParamGroup {
    /// The parameters under `prefix`, at the rule's own learning rate and weight decay.
    pub fn new(prefix: impl Into<String>) -> Self {
        ParamGroup {
            prefix: prefix.into(),
            lr_scale: 1.0,
            weight_decay: None,
        }
    }
    /// Sets the learning rate's multiple of the rule's.
    pub fn lr_scale(mut self, lr_scale: f64) -> Self {
        self.lr_scale = lr_scale;
        self
    }
    /// Sets the group's weight decay (e.g. 0 for biases and norms).
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = Some(weight_decay);
        self
    }
    /// Whether the parameter `name` belongs to this group.
    pub fn contains(&self, name: &str) -> bool {
        self.prefix.is_empty()
            || name
                .strip_prefix(self.prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    }
}

/// A rule with parameter groups. A parameter takes the first group that
/// [contains](ParamGroup::contains) it; one in no group gets the rule's own hyper-parameters.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_grad::prelude::*;
/// use gf_nn::prelude::*;
/// use gf_optim::{Adam, Optimizer, ParamGroup, ParamGroups};
///
/// let dev = Cpu::seed_from_u64(0);
/// let mut model: Linear<Const<3>, Const<1>> = Linear::init(&dev);
/// // AdamW with weight decay 0.1, except none on the bias, which also learns 10× faster
/// let mut opt = ParamGroups::new(Adam::adamw(1e-3).weight_decay(0.1))
///     .group(ParamGroup::new("bias").lr_scale(10.0).weight_decay(0.0));
/// let x: Tensor<(usize, Const<3>), f32, Cpu> = dev.randn_like(&(8, Const));
/// let y: Tensor<(usize, Const<1>), f32, Cpu> = dev.zeros_like(&(8, Const));
/// let loss = mse_loss(model.forward(x.trace()), &y, Reduction::Mean).unwrap();
/// opt.step(&mut model, &loss.backward()).unwrap();
/// assert_eq!(opt.states()["bias"].step, 1);
/// ```
#[derive(Clone, Debug)]
pub struct ParamGroups<O> {
    /// The wrapped rule, which holds the state and the base hyper-parameters.
    pub rule: O,
    /// The groups, first match wins.
    pub groups: Vec<ParamGroup>,
}

impl<O> ParamGroups<O> {
    /// `rule` with no groups yet: every parameter gets the rule's hyper-parameters.
    pub fn new(rule: O) -> Self {
        ParamGroups {
            rule,
            groups: Vec::new(),
        }
    }
    /// Adds a group after the existing ones.
    pub fn group(mut self, group: ParamGroup) -> Self {
        self.groups.push(group);
        self
    }
    /// The group the parameter `name` belongs to, if any.
    pub fn group_of(&self, name: &str) -> Option<&ParamGroup> {
        self.groups.iter().find(|g| g.contains(name))
    }
}

impl<E: Dtype, D: Device<E>, O: Optimizer<E, D>> Update<E, D> for ParamGroups<O> {
    fn lr(&self) -> f64 {
        self.rule.lr()
    }
    fn set_lr(&mut self, lr: f64) {
        self.rule.set_lr(lr);
    }
    fn current_weight_decay(&self) -> f64 {
        self.rule.current_weight_decay()
    }
    fn set_weight_decay(&mut self, weight_decay: f64) {
        self.rule.set_weight_decay(weight_decay);
    }
    fn buffer_names(&self) -> &'static [&'static str] {
        self.rule.buffer_names()
    }
    /// Updates with the rule's own hyper-parameters (the name, and so the group, is unknown
    /// here; [`Optimizer::step`] goes through [`Optimizer::update_named`]).
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        state: &mut ParamState<E, D>,
    ) -> Result<()> {
        self.rule.update(p, g, state)
    }
}

impl<E: Dtype, D: Device<E>, O: Optimizer<E, D>> Optimizer<E, D> for ParamGroups<O> {
    fn states(&self) -> &BTreeMap<String, ParamState<E, D>> {
        self.rule.states()
    }
    fn states_mut(&mut self) -> &mut BTreeMap<String, ParamState<E, D>> {
        self.rule.states_mut()
    }
    fn update_named<S: Shape>(
        &mut self,
        name: &str,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        state: &mut ParamState<E, D>,
    ) -> Result<()> {
        let Some(group) = self.groups.iter().find(|gr| gr.contains(name)) else {
            return self.rule.update_named(name, p, g, state);
        };
        let (lr, wd) = (self.rule.lr(), self.rule.current_weight_decay());
        self.rule.set_lr(lr * group.lr_scale);
        self.rule.set_weight_decay(group.weight_decay.unwrap_or(wd));
        let result = self.rule.update_named(name, p, g, state);
        self.rule.set_lr(lr);
        self.rule.set_weight_decay(wd);
        result
    }
}
