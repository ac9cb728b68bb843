//! LAMB (Layer-wise Adaptive Moments for Batch training), from You et al. 2019, "Large Batch
//! Optimization for Deep Learning: Training BERT in 76 minutes" (Algorithm 2, with φ the
//! identity). torch.optim has no LAMB; the tests check it against a numpy transcription of
//! the paper's algorithm.

use std::collections::BTreeMap;

use gf_core::ops::reduce::ReduceOp;
use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use super::buffer_or_zeros;
use crate::state::{Optimizer, ParamState, Update};

/// LAMB: Adam's bias-corrected step `r = m̂ / (√v̂ + eps)` plus decoupled decay,
/// `u = r + wd·p`, rescaled per parameter tensor (the paper's "layer") by the trust ratio
/// `‖p‖ / ‖u‖`: `p ← p − lr·(‖p‖/‖u‖)·u`. The ratio is 1 when either norm is 0 (a
/// zero-initialised bias, say). Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-6, weight
/// decay 0. Each step reads the two norms back to the host, one pair per parameter.
#[derive(Clone, Debug)]
pub struct Lamb<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates.
    pub betas: (f64, f64),
    /// Added to the denominator.
    pub eps: f64,
    /// Decoupled weight decay, added to the step before the trust ratio.
    pub weight_decay: f64,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Lamb<E, D> {
    /// LAMB at learning rate `lr` with the defaults above.
    pub fn new(lr: f64) -> Self {
        Lamb {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-6,
            weight_decay: 0.0,
            state: BTreeMap::new(),
        }
    }
    /// Sets the betas.
    pub fn betas(mut self, b1: f64, b2: f64) -> Self {
        self.betas = (b1, b2);
        self
    }
    /// Sets eps.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    /// Sets the weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

/// The Euclidean norm of all of `t`'s elements.
fn norm<S: Shape, E: Dtype, D: Device<E>>(t: &Tensor<S, E, D>) -> Result<f64> {
    let axes: Vec<usize> = (0..t.dims().as_ref().len()).collect();
    let sq: Tensor<(), E, D> = t
        .clone()
        .try_square()?
        .try_reduce_axes(ReduceOp::Sum, &axes)?;
    Ok(sq.try_to_vec()?[0].as_f64().sqrt())
}

impl<E: Dtype, D: Device<E>> Update<E, D> for Lamb<E, D> {
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
        &["exp_avg", "exp_avg_sq"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let (b1, b2) = self.betas;
        let m = buffer_or_zeros(st, "exp_avg", &g)?;
        let v = buffer_or_zeros(st, "exp_avg_sq", &g)?;
        let m = m
            .try_mul_scalar(E::from_f64(b1))?
            .try_add(g.clone().try_mul_scalar(E::from_f64(1.0 - b1))?)?;
        let v = v
            .try_mul_scalar(E::from_f64(b2))?
            .try_add(g.try_square()?.try_mul_scalar(E::from_f64(1.0 - b2))?)?;
        let t = st.step as i32;
        let m_hat = m.clone().try_div_scalar(E::from_f64(1.0 - b1.powi(t)))?;
        let v_hat = v.clone().try_div_scalar(E::from_f64(1.0 - b2.powi(t)))?;
        let r = m_hat.try_div(v_hat.try_sqrt()?.try_add_scalar(E::from_f64(self.eps))?)?;
        let u = if self.weight_decay != 0.0 {
            r.try_add(p.clone().try_mul_scalar(E::from_f64(self.weight_decay))?)?
        } else {
            r
        };
        let (p_norm, u_norm) = (norm(p)?, norm(&u)?);
        let trust = if p_norm > 0.0 && u_norm > 0.0 {
            p_norm / u_norm
        } else {
            1.0
        };
        st.put("exp_avg", m);
        st.put("exp_avg_sq", v);
        p.try_sub_assign(&u.try_mul_scalar(E::from_f64(self.lr * trust))?)
    }
}
optimizer_boilerplate!(Lamb);
