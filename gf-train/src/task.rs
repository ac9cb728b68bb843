//! What the trainer does with one batch: the forward pass and the loss ([`TrainStep`]), and
//! what a batch hands to the metrics ([`StepOutput`]). [`Classification`] and [`Regression`]
//! cover the usual cases for any model whose input is a tensor; implement [`TrainStep`] for
//! anything else (several inputs, a custom loss).

use gf_core::prelude::*;
use gf_core::{Cpu, Gradients};
use gf_grad::prelude::*;
use gf_grad::OwnedTape;
use gf_nn::loss::{cross_entropy, l1_loss, mse_loss, CrossEntropyOpts, Reduction};
use gf_nn::Module;

use crate::error::Result;

/// The targets of a batch, on the host.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    /// One class index per row.
    Classes(Vec<usize>),
    /// One real value per output (rows × width, row-major).
    Values(Vec<f64>),
}

/// One batch's result, on the host: what metrics and predictions are computed from.
#[derive(Clone, Debug, PartialEq)]
pub struct StepOutput {
    /// The batch's mean loss.
    pub loss: f64,
    /// The number of rows (samples) in the batch.
    pub rows: usize,
    /// The model's outputs, `rows × width` row-major (logits for a classifier).
    pub outputs: Vec<f64>,
    /// The targets.
    pub targets: Targets,
}

impl StepOutput {
    /// The number of outputs per row.
    pub fn width(&self) -> usize {
        self.outputs.len().checked_div(self.rows).unwrap_or(0)
    }
}

/// The forward pass and loss of one batch. `dev` is the trainer's device: putting the batch's
/// inputs on it makes random layers (dropout) draw from the trainer's seeded stream, which a
/// checkpoint saves and a resumed run restores.
pub trait TrainStep<M, B, D> {
    /// The batch through the model with the tape recording: its outputs and the gradients of
    /// the loss.
    fn train_step(&mut self, model: &M, batch: B, dev: &D) -> Result<(StepOutput, Gradients)>;
    /// The batch through the model without a tape (validation, evaluation, prediction).
    fn eval_step(&mut self, model: &M, batch: B, dev: &D) -> Result<StepOutput>;
}

/// Values of a tensor on the host, as `f64`.
fn host<S: Shape, E: Dtype, T: Tape>(t: &Tensor<S, E, Cpu, T>) -> Result<Vec<f64>> {
    Ok(t.try_to_vec()?.into_iter().map(Dtype::as_f64).collect())
}

/// Classification with cross entropy: batches of `(inputs, class indices)`, a model that maps
/// inputs to `(batch, classes)` logits, with and without a tape.
#[derive(Clone, Debug, Default)]
pub struct Classification {
    /// Class weights, `ignore_index`, label smoothing and reduction of the loss.
    pub loss: CrossEntropyOpts,
}

impl Classification {
    /// Cross entropy with PyTorch's defaults.
    pub fn new() -> Self {
        Classification::default()
    }
}

impl<M, S, C, E> TrainStep<M, (Tensor<S, E, Cpu>, Tensor<(usize,), usize, Cpu>), Cpu>
    for Classification
where
    S: Shape,
    C: Dim,
    E: Dtype,
    Cpu: Device<E>,
    M: Module<Tensor<S, E, Cpu, OwnedTape>, Output = Tensor<(usize, C), E, Cpu, OwnedTape>>
        + Module<Tensor<S, E, Cpu>, Output = Tensor<(usize, C), E, Cpu>>,
{
    fn train_step(
        &mut self,
        model: &M,
        (x, y): (Tensor<S, E, Cpu>, Tensor<(usize,), usize, Cpu>),
        dev: &Cpu,
    ) -> Result<(StepOutput, Gradients)> {
        let logits = model.try_forward(x.try_to_device(dev)?.trace())?;
        let outputs = host(&logits)?;
        let loss = cross_entropy(logits, &y, &self.loss)?;
        let out = StepOutput {
            loss: loss.scalar().as_f64(),
            rows: y.dims()[0],
            outputs,
            targets: Targets::Classes(y.try_to_vec()?),
        };
        Ok((out, loss.backward()))
    }

    fn eval_step(
        &mut self,
        model: &M,
        (x, y): (Tensor<S, E, Cpu>, Tensor<(usize,), usize, Cpu>),
        dev: &Cpu,
    ) -> Result<StepOutput> {
        let logits = model.try_forward(x.try_to_device(dev)?)?;
        let outputs = host(&logits)?;
        let loss = cross_entropy(logits, &y, &self.loss)?;
        Ok(StepOutput {
            loss: loss.scalar().as_f64(),
            rows: y.dims()[0],
            outputs,
            targets: Targets::Classes(y.try_to_vec()?),
        })
    }
}

/// The loss of a [`Regression`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegressionLoss {
    /// Mean squared error (`nn.MSELoss`).
    #[default]
    Mse,
    /// Mean absolute error (`nn.L1Loss`).
    L1,
}

/// Regression: batches of `(inputs, targets)`, a model whose output has the targets' shape.
#[derive(Clone, Copy, Debug, Default)]
pub struct Regression {
    /// The loss, averaged over every output.
    pub loss: RegressionLoss,
}

impl Regression {
    /// Regression with the mean squared error.
    pub fn new() -> Self {
        Regression::default()
    }

    fn loss<O: Shape, E: Dtype, T: Tape + MergeSelf>(
        &self,
        pred: Tensor<O, E, Cpu, T>,
        target: &Tensor<O, E, Cpu>,
    ) -> Result<Tensor<(), E, Cpu, T>>
    where
        Cpu: Device<E>,
    {
        Ok(match self.loss {
            RegressionLoss::Mse => mse_loss(pred, target, Reduction::Mean)?,
            RegressionLoss::L1 => l1_loss(pred, target, Reduction::Mean)?,
        })
    }
}

impl<M, S, O, E> TrainStep<M, (Tensor<S, E, Cpu>, Tensor<O, E, Cpu>), Cpu> for Regression
where
    S: Shape,
    O: Shape,
    E: Dtype,
    Cpu: Device<E>,
    M: Module<Tensor<S, E, Cpu, OwnedTape>, Output = Tensor<O, E, Cpu, OwnedTape>>
        + Module<Tensor<S, E, Cpu>, Output = Tensor<O, E, Cpu>>,
{
    fn train_step(
        &mut self,
        model: &M,
        (x, y): (Tensor<S, E, Cpu>, Tensor<O, E, Cpu>),
        dev: &Cpu,
    ) -> Result<(StepOutput, Gradients)> {
        let pred = model.try_forward(x.try_to_device(dev)?.trace())?;
        let outputs = host(&pred)?;
        let loss = self.loss(pred, &y)?;
        let out = StepOutput {
            loss: loss.scalar().as_f64(),
            rows: y.dims().as_ref().first().copied().unwrap_or(1),
            outputs,
            targets: Targets::Values(host(&y)?),
        };
        Ok((out, loss.backward()))
    }

    fn eval_step(
        &mut self,
        model: &M,
        (x, y): (Tensor<S, E, Cpu>, Tensor<O, E, Cpu>),
        dev: &Cpu,
    ) -> Result<StepOutput> {
        let pred = model.try_forward(x.try_to_device(dev)?)?;
        let outputs = host(&pred)?;
        let loss = self.loss(pred, &y)?;
        Ok(StepOutput {
            loss: loss.scalar().as_f64(),
            rows: y.dims().as_ref().first().copied().unwrap_or(1),
            outputs,
            targets: Targets::Values(host(&y)?),
        })
    }
}
