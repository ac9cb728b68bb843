//! The [`Trainer`]: the training loop with validation, metrics, callbacks, checkpoints, logs
//! and progress, so a run is a few lines of configuration.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use gf_core::{Cpu, Device, Dtype, Gradients};
use gf_data::{DataLoader, Dataset};
use gf_nn::{ModuleExt, Visit};
use gf_optim::{accumulate, clip_grad_norm, clip_grad_value, scale_grads, Optimizer};

use crate::anomaly::{first_non_finite_grad, first_non_finite_param};
use crate::callbacks::{Callback, Context, Control};
use crate::checkpoint::{save, Checkpoint, RunState};
use crate::error::{Error, Result};
use crate::logs::{csv, write_atomically, EventWriter};
use crate::metrics::{ConfusionMatrix, Loss, Metric};
use crate::progress::{EpochProgress, Verbosity};
use crate::sched::LrPolicy;
use crate::task::{StepOutput, Targets, TrainStep};
use crate::Logs;

/// A source of batches, epoch by epoch: a [`DataLoader`], or anything that can replay the
/// batches of a given epoch (which resuming a run needs).
pub trait Loader<B> {
    /// The number of batches per epoch.
    fn num_batches(&self) -> usize;
    /// The batches of epoch `epoch` (from 0), the same every time it is asked for.
    fn epoch(&self, epoch: usize) -> Box<dyn Iterator<Item = gf_data::Result<B>> + '_>;
}

impl<DS: Dataset + 'static, B: Send + 'static> Loader<B> for DataLoader<DS, B> {
    fn num_batches(&self) -> usize {
        self.len()
    }
    fn epoch(&self, epoch: usize) -> Box<dyn Iterator<Item = gf_data::Result<B>> + '_> {
        Box::new(self.iter_epoch(epoch as u64))
    }
}

/// How gradients are clipped before each optimizer step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// To a global L2 norm (`clip_grad_norm_`).
    Norm(f64),
    /// Each element to `[-v, v]` (`clip_grad_value_`).
    Value(f64),
}

/// How often the validation pass runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// After every `n` epochs.
    Epochs(usize),
    /// After every `n` optimizer steps (and its last values go into the epoch's logs).
    Steps(usize),
}

/// What [`Trainer::fit`] did.
#[derive(Clone, Debug)]
pub struct FitReport {
    /// The logs of every epoch (`epoch` from 1, `step`, `lr`, `train_loss`, `valid_loss`, ...).
    pub history: Vec<Logs>,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Whether a callback (early stopping) ended the run before `max_epochs`.
    pub stopped_early: bool,
    /// The confusion matrix of the last validation pass, for class targets.
    pub confusion: Option<ConfusionMatrix>,
    /// The files written under the log folder: event file, CSV, plots.
    pub files: Vec<PathBuf>,
}

/// The result of [`Trainer::evaluate`]: the loss and metrics over the loader.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// `loss` and each metric by its name.
    pub logs: Logs,
    /// The confusion matrix, for class targets.
    pub confusion: Option<ConfusionMatrix>,
}

/// Trains a model: `fit` runs the epochs, `evaluate` and `predict` run a loader through it.
///
/// ```no_run
/// # use gf_train::*;
/// # fn run<M, B>(model: &mut M, opt: &mut gf_optim::Adam, train: &dyn Loader<B>,
/// #   valid: &dyn Loader<B>) -> Result<()>
/// # where M: gf_nn::Visit<f32, gf_core::Cpu>, Classification: TrainStep<M, B, gf_core::Cpu> {
/// let mut trainer = Trainer::new(gf_core::Cpu::seed_from_u64(0))
///     .max_epochs(20)
///     .metric(metrics::Accuracy::new())
///     .callback(EarlyStopping::new("valid_loss").patience(3))
///     .callback(ModelCheckpoint::new("runs/digits").monitor("valid_accuracy"))
///     .log_dir("runs/digits");
/// let report = trainer.fit(model, opt, &mut ConstantLr, &mut Classification::new(), train,
///     Some(valid))?;
/// # Ok(()) }
/// ```
pub struct Trainer {
    dev: Cpu,
    max_epochs: usize,
    max_steps: Option<usize>,
    accumulate: usize,
    clip: Option<Clip>,
    validate: Every,
    detect_anomaly: bool,
    metrics: Vec<Box<dyn Metric>>,
    callbacks: Vec<Box<dyn Callback>>,
    log_dir: Option<PathBuf>,
    plots: bool,
    verbosity: Verbosity,
    resume_from: Option<PathBuf>,
}

impl Trainer {
    /// A trainer whose random layers (dropout) draw from `dev`'s seeded stream: 10 epochs, one
    /// batch per step, validation every epoch, the loss as the only metric, progress as
    /// [`Verbosity::Auto`], no files.
    pub fn new(dev: Cpu) -> Self {
        Trainer {
            dev,
            max_epochs: 10,
            max_steps: None,
            accumulate: 1,
            clip: None,
            validate: Every::Epochs(1),
            detect_anomaly: false,
            metrics: Vec::new(),
            callbacks: Vec::new(),
            log_dir: None,
            plots: true,
            verbosity: Verbosity::Auto,
            resume_from: None,
        }
    }
    /// The number of epochs.
    pub fn max_epochs(mut self, n: usize) -> Self {
        self.max_epochs = n;
        self
    }
    /// Stops after `n` optimizer steps, wherever in an epoch.
    pub fn max_steps(mut self, n: usize) -> Self {
        self.max_steps = Some(n);
        self
    }
    /// Sums (and averages) the gradients of `n` batches per optimizer step.
    pub fn accumulate_grad_batches(mut self, n: usize) -> Self {
        self.accumulate = n;
        self
    }
    /// Clips the gradients before each step.
    pub fn clip(mut self, clip: Clip) -> Self {
        self.clip = Some(clip);
        self
    }
    /// How often to validate.
    pub fn validate_every(mut self, every: Every) -> Self {
        self.validate = every;
        self
    }
    /// Checks every gradient and parameter after each step, and stops with an
    /// [`Error::NonFinite`] naming the first one that is NaN or infinite. The loss is always
    /// checked.
    pub fn detect_anomaly(mut self, on: bool) -> Self {
        self.detect_anomaly = on;
        self
    }
    /// Adds a metric, computed on training and validation batches (`train_<name>`,
    /// `valid_<name>`).
    pub fn metric(mut self, m: impl Metric + 'static) -> Self {
        self.metrics.push(Box::new(m));
        self
    }
    /// Adds a callback; they run in the order added.
    pub fn callback(mut self, c: impl Callback + 'static) -> Self {
        self.callbacks.push(Box::new(c));
        self
    }
    /// Writes a TensorBoard event file, `metrics.csv` and (unless turned off) PNG plots to
    /// `dir`.
    pub fn log_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.log_dir = Some(dir.into());
        self
    }
    /// Whether to draw the PNG plots at the end of a run with a log folder (default on).
    pub fn plots(mut self, on: bool) -> Self {
        self.plots = on;
        self
    }
    /// How much to print.
    pub fn verbosity(mut self, v: Verbosity) -> Self {
        self.verbosity = v;
        self
    }
    /// Resumes from a checkpoint written by [`ModelCheckpoint`](crate::ModelCheckpoint):
    /// model, optimizer, schedule, callbacks, epoch and batch, random state.
    pub fn resume_from(mut self, path: impl Into<PathBuf>) -> Self {
        self.resume_from = Some(path.into());
        self
    }
    /// The trainer's device (its random stream).
    pub fn device(&self) -> &Cpu {
        &self.dev
    }

    fn check(&self) -> Result<()> {
        if self.accumulate == 0 {
            return Err(Error::Config(
                "accumulate_grad_batches must be at least 1".into(),
            ));
        }
        if matches!(self.validate, Every::Epochs(0) | Every::Steps(0)) {
            return Err(Error::Config("validate_every needs a count ≥ 1".into()));
        }
        Ok(())
    }

    /// Trains `model` with `opt` for the configured epochs on `train`, validating on `valid`.
    pub fn fit<E, M, O, P, T, B>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        sched: &mut P,
        task: &mut T,
        train: &dyn Loader<B>,
        valid: Option<&dyn Loader<B>>,
    ) -> Result<FitReport>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        O: Optimizer<E, Cpu>,
        P: LrPolicy<E, Cpu>,
        T: TrainStep<M, B, Cpu>,
    {
        self.check()?;
        let mut callbacks = std::mem::take(&mut self.callbacks);
        let mut run = Run {
            state: RunState {
                rng: self.dev.rng_state(),
                lr: opt.lr(),
                ..RunState::default()
            },
            model,
            opt,
            sched,
            task,
            train,
            valid,
            confusion: None,
            valid_logs: Logs::new(),
        };
        let result = self
            .resume(&mut run, &mut callbacks)
            .and_then(|()| self.run_epochs(&mut run, &mut callbacks));
        self.callbacks = callbacks;
        let stopped_early = result?;
        let mut files = Vec::new();
        if let Some(dir) = &self.log_dir {
            files.extend(self.write_summary(dir, &run.state.history, run.confusion.as_ref())?);
        }
        Ok(FitReport {
            history: run.state.history,
            steps: run.state.step,
            stopped_early,
            confusion: run.confusion,
            files,
        })
    }

    fn resume<E, M, O, P, T, B>(
        &mut self,
        run: &mut Run<'_, M, O, P, T, B>,
        callbacks: &mut [Box<dyn Callback>],
    ) -> Result<()>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        O: Optimizer<E, Cpu>,
        P: LrPolicy<E, Cpu>,
    {
        let Some(path) = &self.resume_from else {
            return Ok(());
        };
        let ck = Checkpoint::open(path)?;
        let state = ck.run().clone();
        if state.callbacks.len() != callbacks.len() {
            return Err(Error::Checkpoint {
                path: path.clone(),
                reason: format!(
                    "it holds the state of {} callbacks, this trainer has {}",
                    state.callbacks.len(),
                    callbacks.len()
                ),
            });
        }
        ck.load_into(run.model, run.opt, &self.dev)?;
        run.sched.load_state(&state.sched)?;
        for (c, s) in callbacks.iter_mut().zip(&state.callbacks) {
            c.load_state(s)?;
        }
        self.dev = Cpu::set_rng_state(state.rng.0, state.rng.1);
        run.state = state;
        Ok(())
    }

    /// The epochs; `Ok(true)` when a callback stopped the run.
    fn run_epochs<E, M, O, P, T, B>(
        &mut self,
        run: &mut Run<'_, M, O, P, T, B>,
        callbacks: &mut [Box<dyn Callback>],
    ) -> Result<bool>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        O: Optimizer<E, Cpu>,
        P: LrPolicy<E, Cpu>,
        T: TrainStep<M, B, Cpu>,
    {
        let mut events = match &self.log_dir {
            Some(dir) => Some(EventWriter::create(dir)?),
            None => None,
        };
        self.hook(run, callbacks, |c, ctx| {
            c.on_fit_begin(ctx).map(|()| Control::Continue)
        })?;
        let n_batches = run.train.num_batches();
        let mut stop = false;
        while run.state.epoch < self.max_epochs && !stop {
            run.model.train();
            let epoch = run.state.epoch;
            self.hook(run, callbacks, |c, ctx| {
                c.on_epoch_begin(ctx).map(|()| Control::Continue)
            })?;
            let mut prog = EpochProgress::start(self.verbosity, epoch, self.max_epochs, n_batches);
            prog.skip(run.state.batch);
            let mut loss = Loss::from_parts(run.state.loss.0, run.state.loss.1);
            let mut metrics: Vec<Box<dyn Metric>> =
                self.metrics.iter().map(|m| m.fresh()).collect();
            let mut acc: Option<Gradients> = None;
            let mut in_group = 0;
            let batches = run.train.epoch(epoch).skip(run.state.batch);
            for batch in batches {
                let (out, grads) = run.task.train_step(run.model, batch?, &self.dev)?;
                if !out.loss.is_finite() {
                    return Err(Error::NonFinite {
                        what: "loss".into(),
                        epoch,
                        step: run.state.step,
                    });
                }
                loss.add(out.loss, out.rows);
                for m in &mut metrics {
                    m.update(&out)?;
                }
                acc = Some(match acc {
                    None => grads,
                    Some(mut a) => {
                        accumulate(run.model, &mut a, &grads)?;
                        a
                    }
                });
                in_group += 1;
                run.state.batch += 1;
                let mut running = vec![("loss".to_string(), loss.value())];
                if let Some(m) = metrics.first() {
                    running.push((m.name(), m.value()));
                }
                prog.step(out.rows, &running);
                if in_group < self.accumulate && run.state.batch < n_batches {
                    continue;
                }
                let mut g = acc.take().unwrap_or_default();
                self.optimizer_step(run, &mut g, in_group)?;
                in_group = 0;
                run.state.loss = loss.parts();
                if let Some(ev) = &mut events {
                    ev.scalars(
                        run.state.step,
                        &[("step/train_loss", out.loss), ("step/lr", run.opt.lr())],
                    )?;
                }
                if let Every::Steps(n) = self.validate {
                    if run.state.step.is_multiple_of(n) {
                        self.validation(run, events.as_mut())?;
                    }
                }
                let ctl = self.hook(run, callbacks, |c, ctx| c.on_step_end(ctx, &out))?;
                let at_max = self.max_steps.is_some_and(|m| run.state.step >= m);
                if ctl == Control::Stop || at_max {
                    stop = true;
                    break;
                }
            }
            // the epoch's logs, with the learning rate it ran at
            let mut logs = Logs::from([
                ("epoch".to_string(), (epoch + 1) as f64),
                ("step".to_string(), run.state.step as f64),
                ("lr".to_string(), run.opt.lr()),
                ("train_loss".to_string(), loss.value()),
            ]);
            for m in &metrics {
                logs.insert(format!("train_{}", m.name()), m.value());
            }
            let validate_now =
                matches!(self.validate, Every::Epochs(n) if (epoch + 1).is_multiple_of(n));
            if validate_now {
                self.validation(run, events.as_mut())?;
            }
            logs.extend(std::mem::take(&mut run.valid_logs));
            run.sched.on_epoch(run.opt, &logs)?;
            run.state.epoch += 1;
            run.state.batch = 0;
            run.state.loss = (0.0, 0);
            run.state.lr = run.opt.lr();
            run.state.history.push(logs.clone());
            if let Some(ev) = &mut events {
                let scalars: Vec<(&str, f64)> = logs
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "epoch" | "step"))
                    .map(|(k, v)| (k.as_str(), *v))
                    .collect();
                ev.scalars(epoch + 1, &scalars)?;
                ev.flush()?;
            }
            if let Some(dir) = &self.log_dir {
                let path = dir.join("metrics.csv");
                write_atomically(&path, csv(&run.state.history).as_bytes())?;
            }
            prog.finish(&logs);
            if self.hook(run, callbacks, |c, ctx| c.on_epoch_end(ctx, &logs))? == Control::Stop {
                stop = true;
            }
        }
        self.hook(run, callbacks, |c, ctx| {
            c.on_fit_end(ctx).map(|()| Control::Continue)
        })?;
        Ok(stop && run.state.epoch < self.max_epochs)
    }

    /// Averages, clips and checks the gradients of a group of `batches`, then steps.
    fn optimizer_step<E, M, O, P, T, B>(
        &self,
        run: &mut Run<'_, M, O, P, T, B>,
        grads: &mut Gradients,
        batches: usize,
    ) -> Result<()>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        O: Optimizer<E, Cpu>,
        P: LrPolicy<E, Cpu>,
    {
        let (epoch, step) = (run.state.epoch, run.state.step);
        if batches > 1 {
            scale_grads(run.model, grads, 1.0 / batches as f64)?;
        }
        match self.clip {
            Some(Clip::Norm(n)) => {
                clip_grad_norm(run.model, grads, n)?;
            }
            Some(Clip::Value(v)) => clip_grad_value(run.model, grads, v)?,
            None => {}
        }
        let non_finite = |what: String| Error::NonFinite { what, epoch, step };
        if self.detect_anomaly {
            if let Some(name) = first_non_finite_grad(run.model, grads)? {
                return Err(non_finite(format!("gradient of {name}")));
            }
        }
        run.opt.step(run.model, grads)?;
        if self.detect_anomaly {
            if let Some(name) = first_non_finite_param(run.model)? {
                return Err(non_finite(format!("parameter {name}")));
            }
        }
        run.state.step += 1;
        run.sched.on_step(run.opt);
        run.state.lr = run.opt.lr();
        run.state.rng = self.dev.rng_state();
        Ok(())
    }

    /// One validation pass into `run.valid_logs` (`valid_loss`, `valid_<metric>`).
    fn validation<E, M, O, P, T, B>(
        &self,
        run: &mut Run<'_, M, O, P, T, B>,
        events: Option<&mut EventWriter>,
    ) -> Result<()>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        T: TrainStep<M, B, Cpu>,
    {
        let Some(valid) = run.valid else {
            return Ok(());
        };
        let ev = self.evaluate(run.model, run.task, valid)?;
        run.model.train();
        run.valid_logs = ev
            .logs
            .iter()
            .map(|(k, v)| (format!("valid_{k}"), *v))
            .collect();
        run.confusion = ev.confusion;
        if let (Some(w), Every::Steps(_)) = (events, self.validate) {
            let tags: Vec<(String, f64)> = run
                .valid_logs
                .iter()
                .map(|(k, v)| (format!("step/{k}"), *v))
                .collect();
            let scalars: Vec<(&str, f64)> = tags.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            w.scalars(run.state.step, &scalars)?;
        }
        Ok(())
    }

    /// Runs `loader` through `model` in eval mode (left so) and computes the loss and every
    /// metric over all of it.
    pub fn evaluate<E, M, T, B>(
        &self,
        model: &mut M,
        task: &mut T,
        loader: &dyn Loader<B>,
    ) -> Result<Evaluation>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        T: TrainStep<M, B, Cpu>,
    {
        model.eval();
        let mut loss = Loss::new();
        let mut metrics: Vec<Box<dyn Metric>> = self.metrics.iter().map(|m| m.fresh()).collect();
        let mut confusion: Option<ConfusionMatrix> = None;
        for batch in loader.epoch(0) {
            let out = task.eval_step(model, batch?, &self.dev)?;
            loss.add(out.loss, out.rows);
            for m in &mut metrics {
                m.update(&out)?;
            }
            if let Targets::Classes(_) = out.targets {
                confusion
                    .get_or_insert_with(ConfusionMatrix::new)
                    .update(&out)?;
            }
        }
        let mut logs = Logs::from([("loss".to_string(), loss.value())]);
        for m in &metrics {
            logs.insert(m.name(), m.value());
        }
        Ok(Evaluation { logs, confusion })
    }

    /// The model's outputs on every batch of `loader` (eval mode), joined in order.
    pub fn predict<E, M, T, B>(
        &self,
        model: &mut M,
        task: &mut T,
        loader: &dyn Loader<B>,
    ) -> Result<StepOutput>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        T: TrainStep<M, B, Cpu>,
    {
        model.eval();
        let mut all: Option<StepOutput> = None;
        let mut loss = Loss::new();
        for batch in loader.epoch(0) {
            let out = task.eval_step(model, batch?, &self.dev)?;
            loss.add(out.loss, out.rows);
            match &mut all {
                None => all = Some(out),
                Some(a) => {
                    a.rows += out.rows;
                    a.outputs.extend(out.outputs);
                    match (&mut a.targets, out.targets) {
                        (Targets::Classes(x), Targets::Classes(y)) => x.extend(y),
                        (Targets::Values(x), Targets::Values(y)) => x.extend(y),
                        _ => {
                            return Err(Error::Config("batches mix class and value targets".into()))
                        }
                    }
                }
            }
        }
        let mut all = all.unwrap_or(StepOutput {
            loss: f64::NAN,
            rows: 0,
            outputs: Vec::new(),
            targets: Targets::Values(Vec::new()),
        });
        all.loss = loss.value();
        Ok(all)
    }

    /// Calls `f` on every callback, then writes the checkpoints they asked for; `Stop` if any
    /// asked to stop.
    fn hook<E, M, O, P, T, B>(
        &self,
        run: &Run<'_, M, O, P, T, B>,
        callbacks: &mut [Box<dyn Callback>],
        mut f: impl FnMut(&mut dyn Callback, &Context) -> Result<Control>,
    ) -> Result<Control>
    where
        E: Dtype,
        Cpu: Device<E>,
        M: Visit<E, Cpu>,
        O: Optimizer<E, Cpu>,
        P: LrPolicy<E, Cpu>,
    {
        let requests = RefCell::new(Vec::new());
        let ctx = Context {
            epoch: run.state.epoch,
            step: run.state.step,
            batch: run.state.batch,
            lr: run.opt.lr(),
            requests: &requests,
        };
        let mut control = Control::Continue;
        for c in callbacks.iter_mut() {
            if f(c.as_mut(), &ctx)? == Control::Stop {
                control = Control::Stop;
            }
        }
        let requests = requests.into_inner();
        if !requests.is_empty() {
            let mut state = run.state.clone();
            state.sched = run.sched.state();
            state.callbacks = callbacks.iter().map(|c| c.state()).collect();
            for path in requests {
                save(&path, run.model, run.opt, &state)?;
            }
        }
        Ok(control)
    }

    /// The end-of-run pictures; returns every file written under `dir`.
    fn write_summary(
        &self,
        dir: &Path,
        history: &[Logs],
        confusion: Option<&ConfusionMatrix>,
    ) -> Result<Vec<PathBuf>> {
        let mut files = vec![dir.join("metrics.csv")];
        if let Ok(entries) = std::fs::read_dir(dir) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.to_string_lossy().contains("tfevents")),
            );
        }
        if self.plots {
            files.extend(crate::plots::plot_history(history, dir)?);
            if let Some(cm) = confusion {
                let path = dir.join("confusion_matrix.png");
                crate::plots::plot_confusion(cm, &path)?;
                files.push(path);
            }
        }
        Ok(files)
    }
}

/// Everything one `fit` works on.
struct Run<'a, M, O, P, T, B> {
    state: RunState,
    model: &'a mut M,
    opt: &'a mut O,
    sched: &'a mut P,
    task: &'a mut T,
    train: &'a dyn Loader<B>,
    valid: Option<&'a dyn Loader<B>>,
    confusion: Option<ConfusionMatrix>,
    valid_logs: Logs,
}
