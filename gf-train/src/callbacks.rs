//! Callbacks: code the trainer runs at the start and end of the run, of each epoch and of each
//! step. [`EarlyStopping`], [`ModelCheckpoint`] and [`LrMonitor`] are built on the same
//! [`Callback`] trait a user implements for their own.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::task::StepOutput;
use crate::Logs;

/// Whether the run goes on after a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Go on.
    Continue,
    /// Stop after this step or epoch (the run ends normally, as if it had reached its end).
    Stop,
}

/// Where the run stands, as a callback sees it.
pub struct Context<'a> {
    /// The epoch (from 0).
    pub epoch: usize,
    /// Optimizer steps taken in the whole run.
    pub step: usize,
    /// Batches done in this epoch.
    pub batch: usize,
    /// The learning rate now.
    pub lr: f64,
    pub(crate) requests: &'a RefCell<Vec<PathBuf>>,
}

impl Context<'_> {
    /// Asks for a resumable checkpoint (model, optimizer, schedule, position, random state,
    /// every callback's state) at `path`. It is written once every callback of this hook has
    /// run, so it holds their updated state, and atomically: a crash while writing leaves the
    /// previous file whole.
    pub fn save_checkpoint(&self, path: &Path) {
        self.requests.borrow_mut().push(path.to_path_buf());
    }
}

/// Hooks into the run. Every method has a default that does nothing.
pub trait Callback {
    /// Once, before the first epoch (also when a run resumes).
    fn on_fit_begin(&mut self, ctx: &Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// Before each epoch.
    fn on_epoch_begin(&mut self, ctx: &Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// After each optimizer step, with the last batch's output.
    fn on_step_end(&mut self, ctx: &Context, out: &StepOutput) -> Result<Control> {
        let _ = (ctx, out);
        Ok(Control::Continue)
    }
    /// After each epoch (and its validation), with its logs.
    fn on_epoch_end(&mut self, ctx: &Context, logs: &Logs) -> Result<Control> {
        let _ = (ctx, logs);
        Ok(Control::Continue)
    }
    /// Once, after the last epoch.
    fn on_fit_end(&mut self, ctx: &Context) -> Result<()> {
        let _ = ctx;
        Ok(())
    }
    /// What this callback must remember across a resume (saved in checkpoints).
    fn state(&self) -> Vec<f64> {
        Vec::new()
    }
    /// Restores [`state`](Self::state).
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        let _ = state;
        Ok(())
    }
}

/// Whether smaller or larger values of a monitored metric are better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Smaller is better (losses, errors).
    Min,
    /// Larger is better (accuracy, F1, R²).
    Max,
}

impl Mode {
    /// The guess from the name, as Keras's `mode='auto'`: `Max` for names with `acc`, `f1`,
    /// `precision`, `recall` or `r2`, else `Min`.
    pub fn for_metric(name: &str) -> Mode {
        let max = ["acc", "f1", "precision", "recall", "r2"];
        if max.iter().any(|m| name.contains(m)) {
            Mode::Max
        } else {
            Mode::Min
        }
    }

    fn worst(self) -> f64 {
        match self {
            Mode::Min => f64::INFINITY,
            Mode::Max => f64::NEG_INFINITY,
        }
    }

    /// Whether `value` beats `best` by more than `min_delta`.
    fn improves(self, value: f64, best: f64, min_delta: f64) -> bool {
        match self {
            Mode::Min => value < best - min_delta,
            Mode::Max => value > best + min_delta,
        }
    }
}

/// The monitored value in `logs`, or an error listing what is logged.
fn monitored(logs: &Logs, monitor: &str, who: &str) -> Result<f64> {
    logs.get(monitor).copied().ok_or_else(|| {
        Error::Config(format!(
            "{who} monitors {monitor:?}, which is not logged (logged: {:?})",
            logs.keys().collect::<Vec<_>>()
        ))
    })
}

/// A saved best value: ±∞ comes back from JSON as NaN and means nothing seen yet.
fn restored_best(v: f64, mode: Mode) -> f64 {
    if v.is_nan() {
        mode.worst()
    } else {
        v
    }
}

/// Stops the run when a monitored metric has not improved by more than `min_delta` for
/// `patience` epochs in a row (Keras's and Lightning's `EarlyStopping`).
#[derive(Clone, Debug)]
pub struct EarlyStopping {
    monitor: String,
    patience: usize,
    min_delta: f64,
    mode: Mode,
    best: f64,
    wait: usize,
    stopped_epoch: Option<usize>,
}

impl EarlyStopping {
    /// Watches `monitor` (`valid_loss`, `valid_accuracy`) with patience 3, `min_delta` 0, and
    /// the mode guessed from the name ([`Mode::for_metric`]).
    pub fn new(monitor: impl Into<String>) -> Self {
        let monitor = monitor.into();
        EarlyStopping {
            mode: Mode::for_metric(&monitor),
            monitor,
            patience: 3,
            min_delta: 0.0,
            best: f64::NAN,
            wait: 0,
            stopped_epoch: None,
        }
    }
    /// Epochs without improvement tolerated.
    pub fn patience(mut self, patience: usize) -> Self {
        self.patience = patience;
        self
    }
    /// The least change that counts as an improvement.
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.abs();
        self
    }
    /// Whether smaller or larger is better.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    /// The epoch after which it stopped the run, if it did.
    pub fn stopped_epoch(&self) -> Option<usize> {
        self.stopped_epoch
    }
    /// The best value seen.
    pub fn best(&self) -> f64 {
        self.best
    }
}

impl Callback for EarlyStopping {
    fn on_epoch_end(&mut self, ctx: &Context, logs: &Logs) -> Result<Control> {
        let v = monitored(logs, &self.monitor, "early stopping")?;
        let best = restored_best(self.best, self.mode);
        if self.mode.improves(v, best, self.min_delta) {
            self.best = v;
            self.wait = 0;
            return Ok(Control::Continue);
        }
        self.wait += 1;
        if self.wait >= self.patience {
            self.stopped_epoch = Some(ctx.epoch);
            return Ok(Control::Stop);
        }
        Ok(Control::Continue)
    }
    fn state(&self) -> Vec<f64> {
        vec![self.best, self.wait as f64]
    }
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        let [best, wait] = state else {
            return Err(Error::Config(format!(
                "the saved state of early stopping is {state:?}, not [best, wait]"
            )));
        };
        self.best = *best;
        self.wait = *wait as usize;
        Ok(())
    }
}

/// Writes resumable checkpoints to a folder: `last.safetensors` after every epoch (and every
/// `n` steps if asked), `best.safetensors` whenever the monitored metric improves.
#[derive(Clone, Debug)]
pub struct ModelCheckpoint {
    dir: PathBuf,
    monitor: Option<String>,
    mode: Mode,
    every_n_steps: Option<usize>,
    best: f64,
}

impl ModelCheckpoint {
    /// Checkpoints in `dir` (made if missing), the last one only.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ModelCheckpoint {
            dir: dir.into(),
            monitor: None,
            mode: Mode::Min,
            every_n_steps: None,
            best: f64::NAN,
        }
    }
    /// Also keeps the best epoch by `monitor` (mode guessed from the name).
    pub fn monitor(mut self, monitor: impl Into<String>) -> Self {
        let monitor = monitor.into();
        self.mode = Mode::for_metric(&monitor);
        self.monitor = Some(monitor);
        self
    }
    /// Sets the mode of the monitored metric.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    /// Also writes `last.safetensors` every `n` optimizer steps (so a crash mid-epoch loses at
    /// most `n` steps).
    pub fn every_n_steps(mut self, n: usize) -> Self {
        self.every_n_steps = Some(n.max(1));
        self
    }
    /// The last checkpoint's path.
    pub fn last_path(&self) -> PathBuf {
        self.dir.join("last.safetensors")
    }
    /// The best checkpoint's path.
    pub fn best_path(&self) -> PathBuf {
        self.dir.join("best.safetensors")
    }
    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Callback for ModelCheckpoint {
    fn on_fit_begin(&mut self, _: &Context) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(crate::error::io_at(&self.dir))
    }
    fn on_step_end(&mut self, ctx: &Context, _: &StepOutput) -> Result<Control> {
        if let Some(n) = self.every_n_steps {
            if ctx.step.is_multiple_of(n) {
                ctx.save_checkpoint(&self.last_path());
            }
        }
        Ok(Control::Continue)
    }
    fn on_epoch_end(&mut self, ctx: &Context, logs: &Logs) -> Result<Control> {
        if let Some(m) = &self.monitor {
            let v = monitored(logs, m, "the model checkpoint")?;
            if self
                .mode
                .improves(v, restored_best(self.best, self.mode), 0.0)
            {
                self.best = v;
                ctx.save_checkpoint(&self.best_path());
            }
        }
        ctx.save_checkpoint(&self.last_path());
        Ok(Control::Continue)
    }
    fn state(&self) -> Vec<f64> {
        vec![self.best]
    }
    fn load_state(&mut self, state: &[f64]) -> Result<()> {
        self.best = state.first().copied().unwrap_or(f64::NAN);
        Ok(())
    }
}

/// Records the learning rate after every optimizer step; [`LrMonitor::history`] is a handle
/// that stays readable after the trainer has taken the callback.
#[derive(Clone, Debug, Default)]
pub struct LrMonitor {
    history: Arc<Mutex<Vec<(usize, f64)>>>,
}

impl LrMonitor {
    /// An empty record.
    pub fn new() -> Self {
        LrMonitor::default()
    }
    /// `(step, learning rate)` after each step so far.
    pub fn history(&self) -> Vec<(usize, f64)> {
        self.history.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

impl Callback for LrMonitor {
    fn on_step_end(&mut self, ctx: &Context, _: &StepOutput) -> Result<Control> {
        if let Ok(mut h) = self.history.lock() {
            h.push((ctx.step, ctx.lr));
        }
        Ok(Control::Continue)
    }
}
