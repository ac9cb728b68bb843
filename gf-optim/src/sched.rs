//! Learning-rate schedulers with PyTorch's formulas. A schedule is a function of the epoch
//! (or step) count ([`LrSchedule::lr_at`]); [`Scheduler`] counts the calls to `step` and sets
//! the optimizer's learning rate, as `scheduler.step()` does after `optimizer.step()`.
//! [`ReduceLROnPlateau`] reacts to a metric instead.
//!
//! The schedules that PyTorch writes as "multiply the current rate by something" (StepLR,
//! MultiStepLR, ExponentialLR, LinearLR, ConstantLR, PolynomialLR) also implement
//! [`LrFactor`], the multiplier of the base rate at an epoch; [`ChainedScheduler`] composes
//! them as the product of their factors, which is what stepping them one after another on the
//! same optimizer does in PyTorch.

use gf_core::{Device, Dtype};

use crate::state::Update;

/// A learning rate as a function of the number of scheduler steps taken.
pub trait LrSchedule {
    /// The learning rate after `epoch` steps (`epoch = 0` is the start).
    fn lr_at(&self, epoch: usize) -> f64;
}

/// A schedule of the form `base · factor(epoch)`, as a factor: what [`ChainedScheduler`]
/// multiplies. The schedule's own `base_lr` plays no part in the factor.
pub trait LrFactor {
    /// The multiplier of the base learning rate after `epoch` steps.
    fn factor_at(&self, epoch: usize) -> f64;
}

/// `base · γ^⌊epoch / step_size⌋`: `StepLR`.
#[derive(Clone, Debug, PartialEq)]
pub struct StepLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// Epochs between decays.
    pub step_size: usize,
    /// The decay factor.
    pub gamma: f64,
}
impl LrSchedule for StepLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.base_lr * self.factor_at(epoch)
    }
}
impl LrFactor for StepLR {
    fn factor_at(&self, epoch: usize) -> f64 {
        self.gamma.powi((epoch / self.step_size.max(1)) as i32)
    }
}

/// `base · γ^(milestones passed)`: `MultiStepLR`.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiStepLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// The epochs at which the rate decays.
    pub milestones: Vec<usize>,
    /// The decay factor.
    pub gamma: f64,
}
impl LrSchedule for MultiStepLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.base_lr * self.factor_at(epoch)
    }
}
impl LrFactor for MultiStepLR {
    fn factor_at(&self, epoch: usize) -> f64 {
        let passed = self.milestones.iter().filter(|&&m| m <= epoch).count();
        self.gamma.powi(passed as i32)
    }
}

/// `base · γ^epoch`: `ExponentialLR`.
#[derive(Clone, Debug, PartialEq)]
pub struct ExponentialLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// The decay factor.
    pub gamma: f64,
}
impl LrSchedule for ExponentialLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.base_lr * self.factor_at(epoch)
    }
}
impl LrFactor for ExponentialLR {
    fn factor_at(&self, epoch: usize) -> f64 {
        self.gamma.powi(epoch as i32)
    }
}

/// `η_min + (base − η_min)·(1 + cos(π·epoch/T_max))/2`: `CosineAnnealingLR` (its closed
/// form; past `T_max` the cosine continues, as PyTorch's does).
#[derive(Clone, Debug, PartialEq)]
pub struct CosineAnnealingLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// Epochs of the half period.
    pub t_max: usize,
    /// The lowest learning rate.
    pub eta_min: f64,
}
impl LrSchedule for CosineAnnealingLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        let c = (core::f64::consts::PI * epoch as f64 / self.t_max as f64).cos();
        self.eta_min + (self.base_lr - self.eta_min) * (1.0 + c) / 2.0
    }
}

/// The factor moves linearly from `start_factor` to `end_factor` over `total_iters` epochs:
/// `LinearLR` (PyTorch's defaults 1/3, 1, 5), the usual warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// The factor at epoch 0.
    pub start_factor: f64,
    /// The factor from `total_iters` on.
    pub end_factor: f64,
    /// Epochs of the ramp.
    pub total_iters: usize,
}
impl LrSchedule for LinearLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.base_lr * self.factor_at(epoch)
    }
}
impl LrFactor for LinearLR {
    fn factor_at(&self, epoch: usize) -> f64 {
        let t = epoch.min(self.total_iters) as f64 / self.total_iters.max(1) as f64;
        self.start_factor + (self.end_factor - self.start_factor) * t
    }
}

/// The 1cycle policy with cosine annealing: `OneCycleLR(max_lr, total_steps)` with PyTorch's
/// defaults (`pct_start` 0.3, `div_factor` 25, `final_div_factor` 1e4, two phases). Only the
/// learning rate is scheduled (PyTorch's `cycle_momentum` is not).
#[derive(Clone, Debug, PartialEq)]
pub struct OneCycleLR {
    /// The peak learning rate.
    pub max_lr: f64,
    /// The number of steps in the cycle.
    pub total_steps: usize,
    /// The share of the cycle spent rising.
    pub pct_start: f64,
    /// `initial_lr = max_lr / div_factor`.
    pub div_factor: f64,
    /// `min_lr = initial_lr / final_div_factor`.
    pub final_div_factor: f64,
}
impl OneCycleLR {
    /// The policy with PyTorch's defaults.
    pub fn new(max_lr: f64, total_steps: usize) -> Self {
        OneCycleLR {
            max_lr,
            total_steps,
            pct_start: 0.3,
            div_factor: 25.0,
            final_div_factor: 1e4,
        }
    }
}
impl LrSchedule for OneCycleLR {
    fn lr_at(&self, step: usize) -> f64 {
        let initial = self.max_lr / self.div_factor;
        let min = initial / self.final_div_factor;
        let cos = |start: f64, end: f64, pct: f64| {
            end + (start - end) / 2.0 * ((core::f64::consts::PI * pct).cos() + 1.0)
        };
        let up_end = self.pct_start * self.total_steps as f64 - 1.0;
        let down_end = self.total_steps as f64 - 1.0;
        let s = step as f64;
        if s <= up_end {
            cos(initial, self.max_lr, s / up_end)
        } else {
            cos(self.max_lr, min, (s - up_end) / (down_end - up_end))
        }
    }
}

/// `base · factor` for the first `total_iters` epochs, then `base`: `ConstantLR` (PyTorch's
/// defaults: factor 1/3, 5 epochs), a flat warm-up.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstantLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// The factor during the first `total_iters` epochs.
    pub factor: f64,
    /// Epochs at the reduced rate.
    pub total_iters: usize,
}
impl ConstantLR {
    /// The schedule with PyTorch's defaults.
    pub fn new(base_lr: f64) -> Self {
        ConstantLR {
            base_lr,
            factor: 1.0 / 3.0,
            total_iters: 5,
        }
    }
}
impl LrSchedule for ConstantLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.base_lr * self.factor_at(epoch)
    }
}
impl LrFactor for ConstantLR {
    fn factor_at(&self, epoch: usize) -> f64 {
        if epoch < self.total_iters {
            self.factor
        } else {
            1.0
        }
    }
}

/// `base · (1 − min(epoch, total_iters) / total_iters)^power`: `PolynomialLR` (PyTorch's
/// defaults: 5 epochs, power 1), which reaches 0 at `total_iters` and stays there.
#[derive(Clone, Debug, PartialEq)]
pub struct PolynomialLR {
    /// The initial learning rate.
    pub base_lr: f64,
    /// Epochs until the rate is 0.
    pub total_iters: usize,
    /// The power of the polynomial.
    pub power: f64,
}
impl PolynomialLR {
    /// The schedule with PyTorch's defaults.
    pub fn new(base_lr: f64) -> Self {
        PolynomialLR {
            base_lr,
            total_iters: 5,
            power: 1.0,
        }
    }
}
impl LrSchedule for PolynomialLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.base_lr * self.factor_at(epoch)
    }
}
impl LrFactor for PolynomialLR {
    fn factor_at(&self, epoch: usize) -> f64 {
        let t = epoch.min(self.total_iters) as f64 / self.total_iters.max(1) as f64;
        (1.0 - t).powf(self.power)
    }
}

/// Cosine annealing from `base` to `η_min` over periods that restart at `base`:
/// `CosineAnnealingWarmRestarts` (SGDR). The first period is `t_0` epochs and each next one
/// `t_mult` times longer; within a period of length `T_i`, after `T_cur` epochs,
/// `lr = η_min + (base − η_min)·(1 + cos(π·T_cur/T_i))/2`.
#[derive(Clone, Debug, PartialEq)]
pub struct CosineAnnealingWarmRestarts {
    /// The learning rate at the start of each period.
    pub base_lr: f64,
    /// Epochs of the first period (at least 1).
    pub t_0: usize,
    /// The growth of the period at each restart (at least 1).
    pub t_mult: usize,
    /// The lowest learning rate.
    pub eta_min: f64,
}
impl CosineAnnealingWarmRestarts {
    /// Where `epoch` falls: epochs into its period, and the period's length.
    fn position(&self, epoch: usize) -> (usize, usize) {
        let t_0 = self.t_0.max(1);
        if self.t_mult <= 1 {
            return (epoch % t_0, t_0);
        }
        // periods grow geometrically, so this runs a logarithmic number of times
        let (mut t_cur, mut t_i) = (epoch, t_0);
        while t_cur >= t_i {
            t_cur -= t_i;
            t_i *= self.t_mult;
        }
        (t_cur, t_i)
    }
}
impl LrSchedule for CosineAnnealingWarmRestarts {
    fn lr_at(&self, epoch: usize) -> f64 {
        let (t_cur, t_i) = self.position(epoch);
        let c = (core::f64::consts::PI * t_cur as f64 / t_i as f64).cos();
        self.eta_min + (self.base_lr - self.eta_min) * (1.0 + c) / 2.0
    }
}

/// How [`CyclicLR`] scales the amplitude of its cycles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CyclicMode {
    /// The same amplitude every cycle.
    Triangular,
    /// The amplitude halves each cycle.
    Triangular2,
    /// The amplitude is multiplied by `γ^iteration` (scaled per step, not per cycle).
    ExpRange {
        /// The decay per step.
        gamma: f64,
    },
}

/// The learning rate goes up from `base_lr` to `max_lr` in `step_size_up` steps and back in
/// `step_size_down`, over and over: `CyclicLR` (Smith, "Cyclical Learning Rates"), stepped once
/// per batch. Only the learning rate is scheduled (PyTorch's `cycle_momentum` is not). Unlike
/// the other schedules, it starts at `base_lr` whatever the optimizer's rate was, as PyTorch's
/// does.
#[derive(Clone, Debug, PartialEq)]
pub struct CyclicLR {
    /// The lower bound of the cycle, and the rate at step 0.
    pub base_lr: f64,
    /// The upper bound of the cycle (reached every cycle only in `Triangular` mode).
    pub max_lr: f64,
    /// Steps of the rising half.
    pub step_size_up: usize,
    /// Steps of the falling half.
    pub step_size_down: usize,
    /// The amplitude's scaling.
    pub mode: CyclicMode,
}
impl CyclicLR {
    /// A triangular cycle with PyTorch's default half-cycle of 2000 steps each way.
    pub fn new(base_lr: f64, max_lr: f64) -> Self {
        CyclicLR {
            base_lr,
            max_lr,
            step_size_up: 2000,
            step_size_down: 2000,
            mode: CyclicMode::Triangular,
        }
    }
    /// Sets the rising half-cycle; the falling one follows it, as PyTorch's
    /// `step_size_down=None` does (set [`step_size_down`](Self::step_size_down) after).
    pub fn step_size_up(mut self, steps: usize) -> Self {
        self.step_size_up = steps;
        self.step_size_down = steps;
        self
    }
    /// Sets the falling half-cycle.
    pub fn step_size_down(mut self, steps: usize) -> Self {
        self.step_size_down = steps;
        self
    }
    /// Sets the mode.
    pub fn mode(mut self, mode: CyclicMode) -> Self {
        self.mode = mode;
        self
    }
}
impl LrSchedule for CyclicLR {
    fn lr_at(&self, step: usize) -> f64 {
        let total = (self.step_size_up + self.step_size_down).max(1) as f64;
        let step_ratio = self.step_size_up as f64 / total;
        let s = step as f64;
        let cycle = (1.0 + s / total).floor();
        let x = 1.0 + s / total - cycle;
        let scale_factor = if x <= step_ratio {
            x / step_ratio
        } else {
            (x - 1.0) / (step_ratio - 1.0)
        };
        let base_height = (self.max_lr - self.base_lr) * scale_factor;
        let scale = match self.mode {
            CyclicMode::Triangular => 1.0,
            CyclicMode::Triangular2 => 1.0 / 2f64.powf(cycle - 1.0),
            CyclicMode::ExpRange { gamma } => gamma.powf(s),
        };
        self.base_lr + base_height * scale
    }
}

/// The product of several factor schedules on one base rate: `ChainedScheduler`, for the
/// schedules PyTorch chains multiplicatively (the [`LrFactor`] ones: StepLR, MultiStepLR,
/// ExponentialLR, LinearLR, ConstantLR, PolynomialLR). Stepping those one after another in
/// PyTorch multiplies the rate by each one's change, so the rate after `epoch` steps is
/// `base_lr · Π factor_i(epoch)`; this is that closed form. The schedules' own `base_lr` fields
/// are not used. Schedules that set the rate outright (cosine, cyclic, 1cycle) do not compose
/// this way and are not [`LrFactor`]s; run them in turn with [`SequentialLR`].
pub struct ChainedScheduler {
    /// The learning rate the factors multiply.
    pub base_lr: f64,
    /// The factor schedules.
    pub schedules: Vec<Box<dyn LrFactor + Send + Sync>>,
}
impl LrSchedule for ChainedScheduler {
    fn lr_at(&self, epoch: usize) -> f64 {
        self.schedules
            .iter()
            .fold(self.base_lr, |lr, s| lr * s.factor_at(epoch))
    }
}

/// Runs `schedules[i]` from `milestones[i − 1]` on, each counting its epochs from its own
/// start: `SequentialLR` (e.g. a linear warm-up, then cosine annealing).
pub struct SequentialLR {
    /// The schedules in order.
    pub schedules: Vec<Box<dyn LrSchedule + Send + Sync>>,
    /// The epochs at which the next schedule takes over (one fewer than the schedules).
    pub milestones: Vec<usize>,
}
impl LrSchedule for SequentialLR {
    fn lr_at(&self, epoch: usize) -> f64 {
        let i = self.milestones.iter().filter(|&&m| m <= epoch).count();
        let start = if i == 0 { 0 } else { self.milestones[i - 1] };
        self.schedules[i].lr_at(epoch - start)
    }
}

/// Counts steps and sets the optimizer's learning rate from a schedule.
#[derive(Clone, Debug)]
pub struct Scheduler<S> {
    /// The schedule.
    pub schedule: S,
    /// Steps taken (PyTorch's `last_epoch`).
    pub epoch: usize,
}
impl<S: LrSchedule> Scheduler<S> {
    /// Starts the schedule and sets the optimizer's learning rate to its first value.
    pub fn new<E: Dtype, D: Device<E>, O: Update<E, D>>(schedule: S, opt: &mut O) -> Self {
        opt.set_lr(schedule.lr_at(0));
        Scheduler { schedule, epoch: 0 }
    }
    /// One step: the next learning rate, which the optimizer now has.
    pub fn step<E: Dtype, D: Device<E>, O: Update<E, D>>(&mut self, opt: &mut O) -> f64 {
        self.epoch += 1;
        let lr = self.schedule.lr_at(self.epoch);
        opt.set_lr(lr);
        lr
    }
}

/// Divides the learning rate by `1/factor` when a metric has not improved for `patience`
/// epochs: `ReduceLROnPlateau` (mode `min`, factor 0.1, patience 10, relative threshold 1e-4,
/// cooldown 0, `min_lr` 0, eps 1e-8).
#[derive(Clone, Debug, PartialEq)]
pub struct ReduceLROnPlateau {
    /// Minimise (`true`) or maximise the metric.
    pub minimize: bool,
    /// The factor the learning rate is multiplied by.
    pub factor: f64,
    /// Epochs without improvement tolerated.
    pub patience: usize,
    /// The relative improvement that counts.
    pub threshold: f64,
    /// Epochs to wait after a reduction.
    pub cooldown: usize,
    /// The lowest learning rate.
    pub min_lr: f64,
    /// Reductions smaller than this are skipped.
    pub eps: f64,
    best: f64,
    bad_epochs: usize,
    cooldown_left: usize,
}
impl Default for ReduceLROnPlateau {
    fn default() -> Self {
        ReduceLROnPlateau {
            minimize: true,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
            eps: 1e-8,
            best: f64::INFINITY,
            bad_epochs: 0,
            cooldown_left: 0,
        }
    }
}
impl ReduceLROnPlateau {
    /// Where the watch stands: the best metric seen, the epochs since it, and the cooldown
    /// epochs left (what a checkpoint saves).
    pub fn progress(&self) -> (f64, usize, usize) {
        (self.best, self.bad_epochs, self.cooldown_left)
    }

    /// Restores a watch saved by [`progress`](Self::progress).
    pub fn restore_progress(&mut self, best: f64, bad_epochs: usize, cooldown_left: usize) {
        self.best = best;
        self.bad_epochs = bad_epochs;
        self.cooldown_left = cooldown_left;
    }

    /// Feeds one epoch's metric; returns the (possibly reduced) learning rate.
    pub fn step<E: Dtype, D: Device<E>, O: Update<E, D>>(
        &mut self,
        metric: f64,
        opt: &mut O,
    ) -> f64 {
        if self.best.is_infinite() && !self.minimize {
            self.best = f64::NEG_INFINITY;
        }
        let better = if self.minimize {
            metric < self.best * (1.0 - self.threshold)
        } else {
            metric > self.best * (1.0 + self.threshold)
        };
        if better {
            self.best = metric;
            self.bad_epochs = 0;
        } else {
            self.bad_epochs += 1;
        }
        if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
            self.bad_epochs = 0;
        }
        if self.bad_epochs > self.patience {
            let old = opt.lr();
            let new = (old * self.factor).max(self.min_lr);
            if old - new > self.eps {
                opt.set_lr(new);
            }
            self.cooldown_left = self.cooldown;
            self.bad_epochs = 0;
        }
        opt.lr()
    }
}
