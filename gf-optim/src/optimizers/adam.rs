//! The Adam family: Adam / AdamW / AMSGrad, NAdam, RAdam and Adamax, each following
//! PyTorch's single-tensor implementation step by step.

use std::collections::BTreeMap;

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use super::{buffer_or_zeros, decayed};
use crate::state::{Optimizer, ParamState, Update};

/// Adam (`torch.optim.Adam`) and, with [`decoupled`](Adam::adamw), AdamW: betas (0.9, 0.999),
/// eps 1e-8, optional AMSGrad and weight decay.
#[derive(Clone, Debug)]
pub struct Adam<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates.
    pub betas: (f64, f64),
    /// Added to the denominator.
    pub eps: f64,
    /// Weight decay: added to the gradient (Adam) or applied to the weights (AdamW).
    pub weight_decay: f64,
    /// Keep the maximum of the second moments (AMSGrad).
    pub amsgrad: bool,
    /// Decoupled weight decay (AdamW).
    pub decoupled: bool,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Adam<E, D> {
    /// Adam at learning rate `lr` with PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            decoupled: false,
            state: BTreeMap::new(),
        }
    }
    /// AdamW at learning rate `lr` with PyTorch's defaults (weight decay 0.01, decoupled).
    pub fn adamw(lr: f64) -> Self {
        Adam {
            weight_decay: 0.01,
            decoupled: true,
            ..Self::new(lr)
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
    /// Turns AMSGrad on or off.
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.amsgrad = amsgrad;
        self
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for Adam<E, D> {
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
        &["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let (b1, b2) = self.betas;
        let g = weight_decay(p, g, self.lr, self.weight_decay, self.decoupled)?;
        let (m, v) = moments(st, &g, self.betas)?;
        let t = st.step as i32;
        let bc1 = 1.0 - b1.powi(t);
        let bc2_sqrt = (1.0 - b2.powi(t)).sqrt();
        let second = if self.amsgrad {
            let mx = match st.take::<S>("max_exp_avg_sq")? {
                Some(mx) => mx.try_maximum(v.clone())?,
                None => v.clone(),
            };
            st.put("max_exp_avg_sq", mx.clone());
            mx
        } else {
            v.clone()
        };
        let denom = second
            .try_sqrt()?
            .try_mul_scalar(E::from_f64(1.0 / bc2_sqrt))?
            .try_add_scalar(E::from_f64(self.eps))?;
        let step = m
            .clone()
            .try_div(denom)?
            .try_mul_scalar(E::from_f64(self.lr / bc1))?;
        st.put("exp_avg", m);
        st.put("exp_avg_sq", v);
        p.try_sub_assign(&step)
    }
}
optimizer_boilerplate!(Adam);

/// AdamW's decoupled decay `p ← p·(1 − lr·wd)` when `decoupled`, else PyTorch's coupled
/// `g + wd·p`; the gradient to use is returned.
fn weight_decay<S: Shape, E: Dtype, D: Device<E>>(
    p: &mut Tensor<S, E, D>,
    g: Tensor<S, E, D>,
    lr: f64,
    wd: f64,
    decoupled: bool,
) -> Result<Tensor<S, E, D>> {
    if decoupled {
        if wd != 0.0 {
            p.try_scale_assign(E::from_f64(1.0 - lr * wd))?;
        }
        Ok(g)
    } else {
        decayed(p, g, wd)
    }
}

/// The first and second moment estimates `(m, v)` of one parameter.
type Moments<S, E, D> = (Tensor<S, E, D>, Tensor<S, E, D>);

/// The moment updates shared by the Adam family: `m.lerp_(g, 1 − β1)` and
/// `v·β2 + (1 − β2)·g²`, as PyTorch writes them.
fn moments<S: Shape, E: Dtype, D: Device<E>>(
    st: &mut ParamState<E, D>,
    g: &Tensor<S, E, D>,
    (b1, b2): (f64, f64),
) -> Result<Moments<S, E, D>> {
    let m = buffer_or_zeros(st, "exp_avg", g)?;
    let v = buffer_or_zeros(st, "exp_avg_sq", g)?;
    let m = m.clone().try_add(
        g.clone()
            .try_sub(m)?
            .try_mul_scalar(E::from_f64(1.0 - b1))?,
    )?;
    let v = v.try_mul_scalar(E::from_f64(b2))?.try_add(
        g.clone()
            .try_square()?
            .try_mul_scalar(E::from_f64(1.0 - b2))?,
    )?;
    Ok((m, v))
}

/// NAdam (`torch.optim.NAdam`): Adam with Nesterov momentum and the momentum schedule
/// `μ_t = β1·(1 − ½·0.96^(t·momentum_decay))`; lr 2e-3, betas (0.9, 0.999), eps 1e-8,
/// momentum decay 4e-3, and with [`decoupled_weight_decay`](NAdam::decoupled_weight_decay)
/// AdamW-style decay (NAdamW).
///
/// PyTorch keeps the running product `μ_1·…·μ_t` as the buffer `mu_product`; here it is
/// recomputed from the step count in the same order (the same multiplications, so the same
/// value), and the state holds `exp_avg` and `exp_avg_sq` only.
#[derive(Clone, Debug)]
pub struct NAdam<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates.
    pub betas: (f64, f64),
    /// Added to the denominator.
    pub eps: f64,
    /// Weight decay: added to the gradient, or applied to the weights when decoupled.
    pub weight_decay: f64,
    /// How fast the momentum schedule approaches `β1 / 2`.
    pub momentum_decay: f64,
    /// Decoupled weight decay (NAdamW).
    pub decoupled: bool,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> NAdam<E, D> {
    /// NAdam at learning rate `lr` with PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        NAdam {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            momentum_decay: 4e-3,
            decoupled: false,
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
    /// Sets the momentum decay.
    pub fn momentum_decay(mut self, momentum_decay: f64) -> Self {
        self.momentum_decay = momentum_decay;
        self
    }
    /// Applies the weight decay to the weights instead of the gradient (PyTorch's
    /// `decoupled_weight_decay`).
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Self {
        self.decoupled = decoupled;
        self
    }
    fn mu(&self, t: usize) -> f64 {
        self.betas.0 * (1.0 - 0.5 * 0.96f64.powf(t as f64 * self.momentum_decay))
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for NAdam<E, D> {
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
        let g = weight_decay(p, g, self.lr, self.weight_decay, self.decoupled)?;
        let (m, v) = moments(st, &g, self.betas)?;
        let t = st.step;
        let bc2 = 1.0 - self.betas.1.powi(t as i32);
        let (mu, mu_next) = (self.mu(t), self.mu(t + 1));
        let mu_product = (1..=t).fold(1.0, |acc, i| acc * self.mu(i));
        let grad_coef = self.lr * (1.0 - mu) / (1.0 - mu_product);
        let avg_coef = self.lr * mu_next / (1.0 - mu_product * mu_next);
        let denom = v
            .clone()
            .try_div_scalar(E::from_f64(bc2))?
            .try_sqrt()?
            .try_add_scalar(E::from_f64(self.eps))?;
        let step = g
            .try_mul_scalar(E::from_f64(grad_coef))?
            .try_add(m.clone().try_mul_scalar(E::from_f64(avg_coef))?)?
            .try_div(denom)?;
        st.put("exp_avg", m);
        st.put("exp_avg_sq", v);
        p.try_sub_assign(&step)
    }
}
optimizer_boilerplate!(NAdam);

/// RAdam (`torch.optim.RAdam`): Adam whose adaptive step is switched on, and rectified, only
/// once the variance of the adaptive rate is tractable (`ρ_t > 5`); before that it is SGD with
/// bias-corrected momentum. lr 1e-3, betas (0.9, 0.999), eps 1e-8, and with
/// [`decoupled_weight_decay`](RAdam::decoupled_weight_decay) AdamW-style decay.
#[derive(Clone, Debug)]
pub struct RAdam<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// Decay rates of the first and second moment estimates.
    pub betas: (f64, f64),
    /// Added to the denominator.
    pub eps: f64,
    /// Weight decay: added to the gradient, or applied to the weights when decoupled.
    pub weight_decay: f64,
    /// Decoupled weight decay.
    pub decoupled: bool,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> RAdam<E, D> {
    /// RAdam at learning rate `lr` with PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        RAdam {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
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
    /// Applies the weight decay to the weights instead of the gradient (PyTorch's
    /// `decoupled_weight_decay`).
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Self {
        self.decoupled = decoupled;
        self
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for RAdam<E, D> {
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
        let g = weight_decay(p, g, self.lr, self.weight_decay, self.decoupled)?;
        let (m, v) = moments(st, &g, self.betas)?;
        let t = st.step as i32;
        let bc1 = 1.0 - b1.powi(t);
        let bc2 = 1.0 - b2.powi(t);
        // the length of the approximated simple moving average, and its limit
        let rho_inf = 2.0 / (1.0 - b2) - 1.0;
        let rho_t = rho_inf - 2.0 * t as f64 * b2.powi(t) / bc2;
        let mut step = m.clone().try_mul_scalar(E::from_f64(self.lr / bc1))?;
        if rho_t > 5.0 {
            let rect = ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
                / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t))
                .sqrt();
            let denom = v
                .clone()
                .try_sqrt()?
                .try_add_scalar(E::from_f64(self.eps))?;
            step = step
                .try_div(denom)?
                .try_mul_scalar(E::from_f64(bc2.sqrt() * rect))?;
        }
        st.put("exp_avg", m);
        st.put("exp_avg_sq", v);
        p.try_sub_assign(&step)
    }
}
optimizer_boilerplate!(RAdam);

/// Adamax (`torch.optim.Adamax`): Adam with the infinity norm, `u_t = max(β2·u, |g| + eps)`,
/// in place of the second moment; lr 2e-3, betas (0.9, 0.999), eps 1e-8, coupled weight decay.
#[derive(Clone, Debug)]
pub struct Adamax<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// Decay rates of the first moment and of the infinity norm.
    pub betas: (f64, f64),
    /// Added to `|g|` before the maximum.
    pub eps: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Adamax<E, D> {
    /// Adamax at learning rate `lr` with PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        Adamax {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-8,
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

impl<E: Dtype, D: Device<E>> Update<E, D> for Adamax<E, D> {
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
        &["exp_avg", "exp_inf"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let (b1, b2) = self.betas;
        let g = decayed(p, g, self.weight_decay)?;
        let m = buffer_or_zeros(st, "exp_avg", &g)?;
        let u = buffer_or_zeros(st, "exp_inf", &g)?;
        let m = m.clone().try_add(
            g.clone()
                .try_sub(m)?
                .try_mul_scalar(E::from_f64(1.0 - b1))?,
        )?;
        let u = u
            .try_mul_scalar(E::from_f64(b2))?
            .try_maximum(g.try_abs()?.try_add_scalar(E::from_f64(self.eps))?)?;
        let clr = self.lr / (1.0 - b1.powi(st.step as i32));
        let step = m
            .clone()
            .try_div(u.clone())?
            .try_mul_scalar(E::from_f64(clr))?;
        st.put("exp_avg", m);
        st.put("exp_inf", u);
        p.try_sub_assign(&step)
    }
}
optimizer_boilerplate!(Adamax);
