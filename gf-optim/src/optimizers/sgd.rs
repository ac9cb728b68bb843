//! Stochastic gradient descent (`torch.optim.SGD`).

use std::collections::BTreeMap;

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use super::decayed;
use crate::state::{Optimizer, ParamState, Update};

/// Stochastic gradient descent: `torch.optim.SGD` with momentum, dampening, Nesterov and
/// (coupled) weight decay.
#[derive(Clone, Debug)]
pub struct Sgd<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// The momentum factor (0: plain SGD).
    pub momentum: f64,
    /// Dampening of the momentum's new gradient.
    pub dampening: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// Nesterov momentum.
    pub nesterov: bool,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Sgd<E, D> {
    /// Plain SGD at learning rate `lr`; set the other fields for momentum and decay.
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            weight_decay: 0.0,
            nesterov: false,
            state: BTreeMap::new(),
        }
    }
    /// Sets the momentum factor.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Sets the dampening.
    pub fn dampening(mut self, dampening: f64) -> Self {
        self.dampening = dampening;
        self
    }
    /// Sets the weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
    /// Turns Nesterov momentum on or off.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for Sgd<E, D> {
    fn lr(&self) -> f64 {
        self.lr
    }
    fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }
    fn current_weight_decay(&self) -> f64 {
        self.weight_decay
    }
    fn set_weight_decay(&mut self, weight_decay: f64) {
        self.weight_decay = weight_decay;
    }
    fn buffer_names(&self) -> &'static [&'static str] {
        &["momentum_buffer"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let mut g = decayed(p, g, self.weight_decay)?;
        if self.momentum != 0.0 {
            let buf = match st.take::<S>("momentum_buffer")? {
                None => g.clone().try_mul_scalar(E::one())?,
                Some(b) => b.try_mul_scalar(E::from_f64(self.momentum))?.try_add(
                    g.clone()
                        .try_mul_scalar(E::from_f64(1.0 - self.dampening))?,
                )?,
            };
            g = if self.nesterov {
                g.try_add(buf.clone().try_mul_scalar(E::from_f64(self.momentum))?)?
            } else {
                buf.clone()
            };
            st.put("momentum_buffer", buf);
        }
        p.try_sub_assign(&g.try_mul_scalar(E::from_f64(self.lr))?)
    }
}
optimizer_boilerplate!(Sgd);
