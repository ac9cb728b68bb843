//! Lion (EvoLved Sign Momentum), from Chen et al. 2023, "Symbolic Discovery of Optimization
//! Algorithms" (Algorithm 2). torch.optim has no Lion; the tests check it against a numpy
//! transcription of the paper's algorithm.

use std::collections::BTreeMap;

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use super::buffer_or_zeros;
use crate::state::{Optimizer, ParamState, Update};

/// Lion: the step is the sign of an interpolation of momentum and gradient,
/// `p ← p·(1 − lr·wd) − lr·sign(β1·m + (1 − β1)·g)`, then `m ← β2·m + (1 − β2)·g`.
/// Defaults are the paper's: lr 1e-4, betas (0.9, 0.99), weight decay 0 (decoupled). Every
/// coordinate moves by exactly `lr`, so the paper advises an lr 3–10× smaller than AdamW's
/// and a weight decay as many times larger. `sign(0) = 0`, as in torch and numpy.
#[derive(Clone, Debug)]
pub struct Lion<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// The interpolation factor of the step (β1) and the momentum's decay (β2).
    pub betas: (f64, f64),
    /// Decoupled weight decay, applied to the weights.
    pub weight_decay: f64,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Lion<E, D> {
    /// Lion at learning rate `lr` with the paper's defaults.
    pub fn new(lr: f64) -> Self {
        Lion {
            lr,
            betas: (0.9, 0.99),
            weight_decay: 0.0,
            state: BTreeMap::new(),
        }
    }
    /// Sets the betas.
    pub fn betas(mut self, b1: f64, b2: f64) -> Self {
        self.betas = (b1, b2);
        self
    }
    /// Sets the (decoupled) weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for Lion<E, D> {
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
        &["exp_avg"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let (b1, b2) = self.betas;
        if self.weight_decay != 0.0 {
            p.try_scale_assign(E::from_f64(1.0 - self.lr * self.weight_decay))?;
        }
        let m = buffer_or_zeros(st, "exp_avg", &g)?;
        let c = m
            .clone()
            .try_mul_scalar(E::from_f64(b1))?
            .try_add(g.clone().try_mul_scalar(E::from_f64(1.0 - b1))?)?;
        let lr = E::from_f64(self.lr);
        let step = c
            .clone()
            .try_mul_scalar(E::zero())?
            .try_masked_fill(&c.try_gt_scalar(E::zero())?, lr)?
            .try_masked_fill(&c.try_lt_scalar(E::zero())?, -lr)?;
        let m = m
            .try_mul_scalar(E::from_f64(b2))?
            .try_add(g.try_mul_scalar(E::from_f64(1.0 - b2))?)?;
        st.put("exp_avg", m);
        p.try_sub_assign(&step)
    }
}
optimizer_boilerplate!(Lion);
