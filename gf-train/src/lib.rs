//! GhostFlow's training loop: a [`Trainer`] that runs the epochs of a gf-nn model with a
//! gf-optim optimizer over gf-data loaders, with streaming [`metrics`], [`callbacks`] (early
//! stopping, checkpoints, a learning-rate monitor, one's own), resumable [`checkpoint`]s,
//! NaN/Inf detection, a live progress bar, TensorBoard and CSV [`logs`] and PNG [`plots`].
//!
//! A classification run:
//!
//! ```no_run
//! # use gf_train::*;
//! # fn run<M, B>(model: &mut M, train: &dyn Loader<B>, valid: &dyn Loader<B>) -> Result<()>
//! # where M: gf_nn::Visit<f32, gf_core::Cpu>, Classification: TrainStep<M, B, gf_core::Cpu> {
//! let mut opt = gf_optim::Adam::new(1e-3);
//! let mut trainer = Trainer::new(gf_core::Cpu::seed_from_u64(0))
//!     .max_epochs(20)
//!     .metric(metrics::Accuracy::new())
//!     .callback(EarlyStopping::new("valid_loss").patience(3))
//!     .callback(ModelCheckpoint::new("runs/cnn").monitor("valid_accuracy"))
//!     .log_dir("runs/cnn");
//! let report = trainer.fit(model, &mut opt, &mut ConstantLr, &mut Classification::new(),
//!     train, Some(valid))?;
//! println!("{:?}", report.history.last());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod anomaly;
pub mod callbacks;
pub mod checkpoint;
mod error;
pub mod logs;
pub mod metrics;
pub mod plots;
mod progress;
pub mod sched;
mod task;
mod trainer;

pub use callbacks::{Callback, Context, Control, EarlyStopping, LrMonitor, Mode, ModelCheckpoint};
pub use checkpoint::{Checkpoint, RunState};
pub use error::{Error, Result};
pub use metrics::Metric;
pub use progress::Verbosity;
pub use sched::{ConstantLr, LrPolicy, PerStep, Plateau};
pub use task::{Classification, Regression, RegressionLoss, StepOutput, Targets, TrainStep};
pub use trainer::{Clip, Evaluation, Every, FitReport, Loader, Trainer};

/// One epoch's (or one evaluation's) logged values by name: `train_loss`, `valid_accuracy`,
/// `lr`, ...
pub type Logs = std::collections::BTreeMap<String, f64>;
