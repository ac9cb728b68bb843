//! Resumable checkpoints: one safetensors file holding the model (`model.<name>`), the
//! optimizer state (`optim.<name>.<buffer>`) and, in its `__metadata__`, the run's position
//! as JSON (epoch, batch, step, random state, schedule, callbacks, the logs so far). It is
//! written atomically (a temporary file, fsynced, renamed over the old one), so a crash while
//! writing leaves the previous checkpoint whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gf_core::shape::DynShape;
use gf_core::{Cpu, Device, Dtype};
use gf_data::formats::safetensors::{write_safetensors, SafetensorsFile};
use gf_nn::{ModuleExt, StateDict, StateEntry, Strict, TensorKind, Visit};
use gf_optim::Optimizer;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::Logs;

/// The metadata key of the run's position.
const RUN_KEY: &str = "ghostflow.run";

/// Where a run stands: everything besides the tensors that resuming needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunState {
    /// The epoch in progress (from 0).
    pub epoch: usize,
    /// Batches of that epoch already done.
    pub batch: usize,
    /// Optimizer steps taken.
    pub step: usize,
    /// The trainer device's random stream: seed and next block.
    pub rng: (u64, u64),
    /// The learning-rate policy's position.
    pub sched: Vec<f64>,
    /// The learning rate.
    pub lr: f64,
    /// Each callback's state, in the order they were added.
    pub callbacks: Vec<Vec<f64>>,
    /// The epoch's training loss so far: its row-weighted sum and row count.
    pub loss: (f64, usize),
    /// The logs of the finished epochs.
    pub history: Vec<Logs>,
}

fn numbers(v: &[f64]) -> Value {
    // JSON has no NaN or infinity: those become null and come back as NaN
    Value::Array(v.iter().map(|&x| json!(x)).collect())
}

fn parse_numbers(v: &Value) -> Option<Vec<f64>> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
}

impl RunState {
    fn to_json(&self) -> String {
        let history: Vec<Value> = self
            .history
            .iter()
            .map(|l| {
                let m: serde_json::Map<String, Value> =
                    l.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                Value::Object(m)
            })
            .collect();
        json!({
            "epoch": self.epoch,
            "batch": self.batch,
            "step": self.step,
            // u64 as strings: JSON numbers lose digits above 2^53
            "rng": [self.rng.0.to_string(), self.rng.1.to_string()],
            "sched": numbers(&self.sched),
            "lr": self.lr,
            "callbacks": self.callbacks.iter().map(|c| numbers(c)).collect::<Vec<_>>(),
            "loss": [self.loss.0, self.loss.1],
            "history": history,
        })
        .to_string()
    }

    fn from_json(text: &str) -> std::result::Result<RunState, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("bad run state: {e}"))?;
        let count = |k: &str| {
            v[k].as_u64()
                .map(|n| n as usize)
                .ok_or_else(|| format!("the run state has no {k:?} count"))
        };
        let rng = v["rng"]
            .as_array()
            .and_then(|a| {
                Some((
                    a.first()?.as_str()?.parse().ok()?,
                    a.get(1)?.as_str()?.parse().ok()?,
                ))
            })
            .ok_or("the run state has no random-stream position")?;
        let callbacks = v["callbacks"]
            .as_array()
            .ok_or("the run state has no callback states")?
            .iter()
            .map(|c| parse_numbers(c).ok_or("a callback state is not a list of numbers"))
            .collect::<std::result::Result<_, _>>()?;
        let history = v["history"]
            .as_array()
            .ok_or("the run state has no history")?
            .iter()
            .map(|l| {
                l.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, x)| (k.clone(), x.as_f64().unwrap_or(f64::NAN)))
                            .collect()
                    })
                    .ok_or("a history entry is not an object")
            })
            .collect::<std::result::Result<_, _>>()?;
        Ok(RunState {
            epoch: count("epoch")?,
            batch: count("batch")?,
            step: count("step")?,
            rng,
            sched: parse_numbers(&v["sched"]).ok_or("the run state has no schedule state")?,
            lr: v["lr"]
                .as_f64()
                .ok_or("the run state has no learning rate")?,
            callbacks,
            loss: (
                v["loss"][0].as_f64().unwrap_or(0.0),
                v["loss"][1].as_u64().unwrap_or(0) as usize,
            ),
            history,
        })
    }
}

/// Writes a checkpoint of `model`, `opt` and `run` to `path`, atomically.
pub fn save<E, D, M, O>(path: &Path, model: &M, opt: &O, run: &RunState) -> Result<()>
where
    E: Dtype,
    D: Device<E>,
    Cpu: Device<E>,
    M: Visit<E, D>,
    O: Optimizer<E, D>,
{
    let cpu = Cpu::default();
    let mut tensors = Vec::new();
    let parts = [
        ("model", model.try_state_dict()?),
        ("optim", opt.state_dict()?),
    ];
    for (prefix, sd) in parts {
        for (name, e) in sd {
            let values: Vec<E> = e.values.iter().map(|&v| E::from_f64(v)).collect();
            let t = gf_core::ops::create::TensorCreate::try_tensor_from_vec(
                &cpu,
                values,
                DynShape::new(e.shape.clone()),
            )?;
            tensors.push((format!("{prefix}.{name}"), t));
        }
    }
    let meta = HashMap::from([
        ("format".to_string(), "pt".to_string()),
        (RUN_KEY.to_string(), run.to_json()),
    ]);
    write_safetensors::<E>(path, &tensors, Some(meta)).map_err(|e| Error::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The entries of `file` under `prefix.`, as a state dict.
fn section(file: &SafetensorsFile, prefix: &str, path: &Path) -> Result<StateDict> {
    let mut sd = StateDict::new();
    for name in file.names() {
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let t = file.tensor::<f64>(&name).map_err(|e| bad(path, e))?;
        sd.insert(
            rest.to_string(),
            StateEntry {
                kind: TensorKind::Param,
                dtype: "f64",
                shape: t.dims(),
                values: t.try_to_vec()?,
            },
        );
    }
    Ok(sd)
}

fn bad(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Checkpoint {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// An opened checkpoint: its run state and its tensors, checked before anything is loaded.
pub struct Checkpoint {
    path: PathBuf,
    file: SafetensorsFile,
    run: RunState,
}

impl Checkpoint {
    /// Opens and checks `path`: `Err` naming the file for a missing, truncated or corrupt one,
    /// or one without a run state.
    pub fn open(path: impl AsRef<Path>) -> Result<Checkpoint> {
        let path = path.as_ref();
        let file = SafetensorsFile::open(path).map_err(|e| bad(path, e))?;
        let text = file
            .metadata()
            .and_then(|m| m.get(RUN_KEY))
            .ok_or_else(|| bad(path, "it holds no run state: not a gf-train checkpoint"))?;
        let run = RunState::from_json(text).map_err(|e| bad(path, e))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            file,
            run,
        })
    }

    /// Where the run stood.
    pub fn run(&self) -> &RunState {
        &self.run
    }

    /// Loads the model's tensors (every one must be there with its shape); nothing changes
    /// on an error.
    pub fn load_model<E: Dtype, D: Device<E>, M: Visit<E, D>>(&self, model: &mut M) -> Result<()> {
        let sd = section(&self.file, "model.", &self.path)?;
        model
            .try_load_state_dict(&sd, Strict::Yes)
            .map_err(|e| bad(&self.path, e))
    }

    /// Loads the model and the optimizer; on an error neither is changed.
    pub fn load_into<E, D, M, O>(&self, model: &mut M, opt: &mut O, dev: &D) -> Result<()>
    where
        E: Dtype,
        D: Device<E>,
        M: Visit<E, D>,
        O: Optimizer<E, D>,
    {
        let optim = section(&self.file, "optim.", &self.path)?;
        let before = opt.state_dict()?;
        opt.load_state_dict(&optim, dev)
            .map_err(|e| bad(&self.path, e))?;
        if let Err(e) = self.load_model(model) {
            opt.load_state_dict(&before, dev)?;
            return Err(e);
        }
        opt.set_lr(self.run.lr);
        Ok(())
    }
}
