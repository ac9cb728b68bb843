//! Streaming metrics: each takes one batch's outputs at a time ([`Metric::update`]) and gives
//! the value over every batch seen since the last [`Metric::reset`], equal to the value
//! scikit-learn computes on all the rows at once.
//!
//! A metric reads a [`StepOutput`]: the model's outputs on the host (logits for a classifier,
//! predictions for a regressor) and the targets. Classes are the output columns `0..width`,
//! as scikit-learn's metrics with `labels=range(width)`.
//!
//! To add one's own, implement [`Metric`]:
//!
//! ```
//! use gf_train::metrics::Metric;
//! use gf_train::{StepOutput, Targets};
//!
//! /// The largest absolute error seen.
//! #[derive(Default)]
//! struct MaxError(f64);
//!
//! impl Metric for MaxError {
//!     fn name(&self) -> String {
//!         "max_error".into()
//!     }
//!     fn update(&mut self, out: &StepOutput) -> gf_train::Result<()> {
//!         if let Targets::Values(y) = &out.targets {
//!             for (p, t) in out.outputs.iter().zip(y) {
//!                 self.0 = self.0.max((p - t).abs());
//!             }
//!         }
//!         Ok(())
//!     }
//!     fn value(&self) -> f64 {
//!         self.0
//!     }
//!     fn reset(&mut self) {
//!         self.0 = 0.0;
//!     }
//!     fn higher_is_better(&self) -> bool {
//!         false
//!     }
//!     fn fresh(&self) -> Box<dyn Metric> {
//!         Box::new(MaxError::default())
//!     }
//! }
//! ```

mod classification;
mod regression;

pub use classification::{Accuracy, Average, ConfusionMatrix, F1Score, Precision, Recall, TopK};
pub use regression::{Mae, R2Score, Rmse};

use crate::error::{Error, Result};
use crate::task::{StepOutput, Targets};

/// A value computed over the batches of an epoch, batch by batch.
pub trait Metric: Send {
    /// The name it is logged under (`accuracy`, `f1_macro`), after `train_` or `valid_`.
    fn name(&self) -> String;
    /// Takes one batch.
    fn update(&mut self, out: &StepOutput) -> Result<()>;
    /// The value over every batch since the last reset (NaN before any).
    fn value(&self) -> f64;
    /// Forgets every batch (the start of an epoch).
    fn reset(&mut self);
    /// Whether a larger value is better (what early stopping on it watches for).
    fn higher_is_better(&self) -> bool {
        true
    }
    /// A new, empty metric of the same kind and settings (the trainer keeps one for training
    /// and one for validation).
    fn fresh(&self) -> Box<dyn Metric>;
}

/// The mean loss per row: each batch's mean loss weighted by its row count, so an uneven last
/// batch counts for what it holds.
#[derive(Clone, Debug, Default)]
pub struct Loss {
    sum: f64,
    rows: usize,
}

impl Loss {
    /// An empty mean.
    pub fn new() -> Self {
        Loss::default()
    }
    /// Adds a batch of `rows` rows whose mean loss is `loss`.
    pub fn add(&mut self, loss: f64, rows: usize) {
        self.sum += loss * rows as f64;
        self.rows += rows;
    }
    /// The running sum and row count, for a checkpoint taken mid-epoch.
    pub fn parts(&self) -> (f64, usize) {
        (self.sum, self.rows)
    }
    /// A mean that resumes from [`parts`](Self::parts).
    pub fn from_parts(sum: f64, rows: usize) -> Self {
        Loss { sum, rows }
    }
}

impl Metric for Loss {
    fn name(&self) -> String {
        "loss".into()
    }
    fn update(&mut self, out: &StepOutput) -> Result<()> {
        self.add(out.loss, out.rows);
        Ok(())
    }
    fn value(&self) -> f64 {
        if self.rows == 0 {
            f64::NAN
        } else {
            self.sum / self.rows as f64
        }
    }
    fn reset(&mut self) {
        *self = Loss::default();
    }
    fn higher_is_better(&self) -> bool {
        false
    }
    fn fresh(&self) -> Box<dyn Metric> {
        Box::new(Loss::default())
    }
}

/// The class targets of a batch, or an error naming the metric that needs them.
fn classes<'a>(out: &'a StepOutput, metric: &str) -> Result<&'a [usize]> {
    match &out.targets {
        Targets::Classes(c) if c.len() == out.rows => Ok(c),
        Targets::Classes(c) => Err(Error::Config(format!(
            "{metric}: the batch has {} rows of outputs and {} targets",
            out.rows,
            c.len()
        ))),
        Targets::Values(_) => Err(Error::Config(format!(
            "{metric} needs class targets; this task gives real values"
        ))),
    }
}

/// The value targets of a batch (one per output), or an error naming the metric.
fn values<'a>(out: &'a StepOutput, metric: &str) -> Result<&'a [f64]> {
    match &out.targets {
        Targets::Values(v) if v.len() == out.outputs.len() => Ok(v),
        Targets::Values(v) => Err(Error::Config(format!(
            "{metric}: the batch has {} outputs and {} targets",
            out.outputs.len(),
            v.len()
        ))),
        Targets::Classes(_) => Err(Error::Config(format!(
            "{metric} needs real-valued targets; this task gives classes"
        ))),
    }
}
