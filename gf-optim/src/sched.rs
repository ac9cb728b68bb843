//! Learning-rate schedulers with PyTorch's formulas. A schedule is a function of the epoch
//! (or step) count ([`LrSchedule::lr_at`]); [`Scheduler`] counts the calls to `step` and sets
//! the optimizer's learning rate, as `scheduler.step()` does after `optimizer.step()`.
//! [`ReduceLROnPlateau`] reacts to a metric instead.

use gf_core::{Device, Dtype};

use crate::state::Update;

/// A learning rate as a function of the number of scheduler steps taken.
pub trait LrSchedule {
    /// The learning rate after `epoch` steps (`epoch = 0` is the start).
    fn lr_at(&self, epoch: usize) -> f64;
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
        self.base_lr * self.gamma.powi((epoch / self.step_size.max(1)) as i32)
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
        let passed = self.milestones.iter().filter(|&&m| m <= epoch).count();
        self.base_lr * self.gamma.powi(passed as i32)
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
        self.base_lr * self.gamma.powi(epoch as i32)
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
        let t = epoch.min(self.total_iters) as f64 / self.total_iters.max(1) as f64;
        self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * t)
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
