//! SGD, Adam / AdamW, RMSprop and Adagrad, following PyTorch's update formulas step by step
//! (its single-tensor implementations), so results agree to rounding.

use std::collections::BTreeMap;

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Result, Tensor};

use crate::state::{Optimizer, ParamState, Update};

/// `g + wd·p`, PyTorch's coupled weight decay.
fn decayed<S: Shape, E: Dtype, D: Device<E>>(
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
        let g = if self.decoupled {
            if self.weight_decay != 0.0 {
                p.try_scale_assign(E::from_f64(1.0 - self.lr * self.weight_decay))?;
            }
            g
        } else {
            decayed(p, g, self.weight_decay)?
        };
        let zeros = || g.clone().try_mul_scalar(E::zero());
        let m = match st.take::<S>("exp_avg")? {
            Some(m) => m,
            None => zeros()?,
        };
        let v = match st.take::<S>("exp_avg_sq")? {
            Some(v) => v,
            None => zeros()?,
        };
        // m.lerp_(g, 1 − β1) and v·β2 + (1 − β2)·g², as PyTorch writes them
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
