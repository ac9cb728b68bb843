//! Per-coordinate adaptive rates from running averages of squared gradients: RMSprop, Adagrad
//! and Adadelta.

use std::collections::BTreeMap;

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use super::{buffer_or_zeros, decayed};
use crate::state::{Optimizer, ParamState, Update};

/// RMSprop (`torch.optim.RMSprop`): alpha 0.99, eps 1e-8, optional centering, momentum and
/// weight decay.
#[derive(Clone, Debug)]
pub struct RMSprop<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// The smoothing constant of the squared-gradient average.
    pub alpha: f64,
    /// Added to the denominator.
    pub eps: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// The momentum factor.
    pub momentum: f64,
    /// Normalise by the estimated variance instead of the second moment.
    pub centered: bool,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> RMSprop<E, D> {
    /// RMSprop at learning rate `lr` with PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        RMSprop {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
            state: BTreeMap::new(),
        }
    }
    /// Sets alpha.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    /// Sets the momentum factor.
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Turns centering on or off.
    pub fn centered(mut self, centered: bool) -> Self {
        self.centered = centered;
        self
    }
    /// Sets the weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for RMSprop<E, D> {
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
        &["square_avg", "grad_avg", "momentum_buffer"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let g = decayed(p, g, self.weight_decay)?;
        let zeros = || g.clone().try_mul_scalar(E::zero());
        let a = E::from_f64(self.alpha);
        let one_minus_a = E::from_f64(1.0 - self.alpha);
        let sq = match st.take::<S>("square_avg")? {
            Some(s) => s,
            None => zeros()?,
        };
        let sq = sq
            .try_mul_scalar(a)?
            .try_add(g.clone().try_square()?.try_mul_scalar(one_minus_a)?)?;
        let avg = if self.centered {
            let ga = match st.take::<S>("grad_avg")? {
                Some(s) => s,
                None => zeros()?,
            };
            // grad_avg.lerp_(g, 1 − alpha)
            let ga = ga
                .clone()
                .try_add(g.clone().try_sub(ga)?.try_mul_scalar(one_minus_a)?)?;
            let avg = sq.clone().try_sub(ga.clone().try_square()?)?.try_sqrt()?;
            st.put("grad_avg", ga);
            avg
        } else {
            sq.clone().try_sqrt()?
        };
        let avg = avg.try_add_scalar(E::from_f64(self.eps))?;
        st.put("square_avg", sq);
        let lr = E::from_f64(self.lr);
        if self.momentum > 0.0 {
            let buf = match st.take::<S>("momentum_buffer")? {
                Some(b) => b,
                None => zeros()?,
            };
            let buf = buf
                .try_mul_scalar(E::from_f64(self.momentum))?
                .try_add(g.try_div(avg)?)?;
            p.try_sub_assign(&buf.clone().try_mul_scalar(lr)?)?;
            st.put("momentum_buffer", buf);
            Ok(())
        } else {
            p.try_sub_assign(&g.try_div(avg)?.try_mul_scalar(lr)?)
        }
    }
}
optimizer_boilerplate!(RMSprop);

/// Adagrad (`torch.optim.Adagrad`): lr 0.01, eps 1e-10, optional learning-rate decay and
/// weight decay, accumulator starting at 0.
#[derive(Clone, Debug)]
pub struct Adagrad<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate.
    pub lr: f64,
    /// The learning rate's decay per step.
    pub lr_decay: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// Added to the denominator.
    pub eps: f64,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Adagrad<E, D> {
    /// Adagrad at learning rate `lr` with PyTorch's defaults.
    pub fn new(lr: f64) -> Self {
        Adagrad {
            lr,
            lr_decay: 0.0,
            weight_decay: 0.0,
            eps: 1e-10,
            state: BTreeMap::new(),
        }
    }
    /// Sets the learning rate's decay.
    pub fn lr_decay(mut self, lr_decay: f64) -> Self {
        self.lr_decay = lr_decay;
        self
    }
    /// Sets the weight decay.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for Adagrad<E, D> {
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
        &["sum"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let g = decayed(p, g, self.weight_decay)?;
        let clr = self.lr / (1.0 + (st.step - 1) as f64 * self.lr_decay);
        let sum = match st.take::<S>("sum")? {
            Some(s) => s,
            None => g.clone().try_mul_scalar(E::zero())?,
        };
        let sum = sum.try_add(g.clone().try_square()?)?;
        let std = sum
            .clone()
            .try_sqrt()?
            .try_add_scalar(E::from_f64(self.eps))?;
        st.put("sum", sum);
        p.try_sub_assign(&g.try_div(std)?.try_mul_scalar(E::from_f64(clr))?)
    }
}
optimizer_boilerplate!(Adagrad);

/// Adadelta (`torch.optim.Adadelta`): the step is the gradient scaled by
/// `√(E[Δ²] + eps) / √(E[g²] + eps)`, both running averages with decay `rho`, times `lr`.
/// PyTorch's defaults: lr 1.0, rho 0.9, eps 1e-6, coupled weight decay 0.
#[derive(Clone, Debug)]
pub struct Adadelta<E: Dtype = f32, D: Device<E> = gf_core::Cpu> {
    /// The learning rate (a scale on the step; 1.0 is the paper's rule).
    pub lr: f64,
    /// The decay of both running averages.
    pub rho: f64,
    /// Added inside both square roots.
    pub eps: f64,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    state: BTreeMap<String, ParamState<E, D>>,
}

impl<E: Dtype, D: Device<E>> Adadelta<E, D> {
    /// Adadelta at learning rate `lr` with PyTorch's other defaults; PyTorch's default lr is
    /// 1.0, which [`Default`] gives.
    pub fn new(lr: f64) -> Self {
        Adadelta {
            lr,
            rho: 0.9,
            eps: 1e-6,
            weight_decay: 0.0,
            state: BTreeMap::new(),
        }
    }
    /// Sets rho.
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
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

impl<E: Dtype, D: Device<E>> Default for Adadelta<E, D> {
    fn default() -> Self {
        Self::new(1.0)
    }
}

impl<E: Dtype, D: Device<E>> Update<E, D> for Adadelta<E, D> {
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
        &["square_avg", "acc_delta"]
    }
    fn update<S: Shape>(
        &self,
        p: &mut Tensor<S, E, D>,
        g: Tensor<S, E, D>,
        st: &mut ParamState<E, D>,
    ) -> Result<()> {
        let g = decayed(p, g, self.weight_decay)?;
        let rho = E::from_f64(self.rho);
        let one_minus_rho = E::from_f64(1.0 - self.rho);
        let eps = E::from_f64(self.eps);
        let sq = buffer_or_zeros(st, "square_avg", &g)?;
        let acc = buffer_or_zeros(st, "acc_delta", &g)?;
        let sq = sq
            .try_mul_scalar(rho)?
            .try_add(g.clone().try_square()?.try_mul_scalar(one_minus_rho)?)?;
        let std = sq.clone().try_add_scalar(eps)?.try_sqrt()?;
        let delta = acc
            .clone()
            .try_add_scalar(eps)?
            .try_sqrt()?
            .try_div(std)?
            .try_mul(g)?;
        let acc = acc
            .try_mul_scalar(rho)?
            .try_add(delta.clone().try_square()?.try_mul_scalar(one_minus_rho)?)?;
        st.put("square_avg", sq);
        st.put("acc_delta", acc);
        p.try_sub_assign(&delta.try_mul_scalar(E::from_f64(self.lr))?)
    }
}
optimizer_boilerplate!(Adadelta);
