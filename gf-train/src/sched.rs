//! How the trainer drives a learning-rate schedule: after every optimizer step, after every
//! epoch, or from a monitored metric, with its position saved in a checkpoint.

use gf_core::{Device, Dtype};
use gf_optim::sched::{LrSchedule, ReduceLROnPlateau, Scheduler};
use gf_optim::Update;

use crate::error::{Error, Result};
use crate::Logs;

/// A learning-rate policy the trainer calls. Implemented for gf-optim's [`Scheduler`] (stepped
/// once per epoch), [`PerStep`] (once per optimizer step, as `OneCycleLR` expects),
/// [`Plateau`] (on a metric) and [`ConstantLr`].
pub trait LrPolicy<E: Dtype, D: Device<E>> {
    /// After each optimizer step.
    fn on_step<O: Update<E, D>>(&mut self, opt: &mut O) {
        let _ = opt;
    }
    /// After each epoch, with its logs (`train_loss`, `valid_accuracy`, ...).
    fn on_epoch<O: Update<E, D>>(&mut self, opt: &mut O, logs: &Logs) -> Result<()> {
        let _ = (opt, logs);
        Ok(())
    }
    /// The position to save in a checkpoint.
    fn state(&self) -> Vec<f64> {
        Vec::new()
    }
    /// Restores a position from [`state`](Self::state).
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        let _ = state;
        Ok(())
    }
}

/// No schedule: the optimizer's learning rate stays as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConstantLr;

impl<E: Dtype, D: Device<E>> LrPolicy<E, D> for ConstantLr {}

/// `state[0]` as a step count, or an error naming the policy.
fn count(state: &[f64], what: &str) -> Result<usize> {
    match state.first() {
        Some(&v) if v >= 0.0 && v.fract() == 0.0 => Ok(v as usize),
        _ => Err(Error::Config(format!(
            "the saved state of the {what} schedule is {state:?}, not a step count"
        ))),
    }
}

fn advance<S: LrSchedule, E: Dtype, D: Device<E>, O: Update<E, D>>(
    s: &mut Scheduler<S>,
    opt: &mut O,
) {
    s.epoch += 1;
    opt.set_lr(s.schedule.lr_at(s.epoch));
}

impl<S: LrSchedule, E: Dtype, D: Device<E>> LrPolicy<E, D> for Scheduler<S> {
    fn on_epoch<O: Update<E, D>>(&mut self, opt: &mut O, _: &Logs) -> Result<()> {
        advance(self, opt);
        Ok(())
    }
    fn state(&self) -> Vec<f64> {
        vec![self.epoch as f64]
    }
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        self.epoch = count(state, "epoch")?;
        Ok(())
    }
}

/// A schedule stepped after every optimizer step instead of every epoch (`OneCycleLR`,
/// warm-ups counted in steps).
#[derive(Clone, Debug)]
pub struct PerStep<S>(pub Scheduler<S>);

impl<S: LrSchedule, E: Dtype, D: Device<E>> LrPolicy<E, D> for PerStep<S> {
    fn on_step<O: Update<E, D>>(&mut self, opt: &mut O) {
        advance(&mut self.0, opt);
    }
    fn state(&self) -> Vec<f64> {
        vec![self.0.epoch as f64]
    }
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        self.0.epoch = count(state, "per-step")?;
        Ok(())
    }
}

/// [`ReduceLROnPlateau`] fed the epoch's value of a logged metric (`valid_loss`).
#[derive(Clone, Debug)]
pub struct Plateau {
    /// The rule.
    pub rule: ReduceLROnPlateau,
    /// The logged metric it watches.
    pub monitor: String,
}

impl Plateau {
    /// `rule` watching `monitor`.
    pub fn new(rule: ReduceLROnPlateau, monitor: impl Into<String>) -> Self {
        Plateau {
            rule,
            monitor: monitor.into(),
        }
    }
}

impl<E: Dtype, D: Device<E>> LrPolicy<E, D> for Plateau {
    fn on_epoch<O: Update<E, D>>(&mut self, opt: &mut O, logs: &Logs) -> Result<()> {
        let Some(&v) = logs.get(&self.monitor) else {
            return Err(Error::Config(format!(
                "ReduceLROnPlateau watches {:?}, which is not logged (logged: {:?})",
                self.monitor,
                logs.keys().collect::<Vec<_>>()
            )));
        };
        self.rule.step(v, opt);
        Ok(())
    }
    fn state(&self) -> Vec<f64> {
        let (best, bad, cooldown) = self.rule.progress();
        vec![best, bad as f64, cooldown as f64]
    }
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        let [best, bad, cooldown] = state else {
            return Err(Error::Config(format!(
                "the saved state of ReduceLROnPlateau is {state:?}, not [best, bad, cooldown]"
            )));
        };
        // a best of ±∞ (nothing seen yet) is saved as NaN by JSON's lack of infinities
        let best = if best.is_nan() { f64::INFINITY } else { *best };
        self.rule
            .restore_progress(best, *bad as usize, *cooldown as usize);
        Ok(())
    }
}
