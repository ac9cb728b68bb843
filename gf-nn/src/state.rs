//! What every model gets from [`Visit`]: parameter counts, train/eval, gradients by name,
//! state dicts, safetensors checkpoints and conversion to another dtype or device.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use gf_core::ops::create::TensorCreate;
use gf_core::shape::{DynShape, Shape};
use gf_core::{Cpu, Device, Dtype, Gradients, Storage, Tensor};
use gf_data::formats::safetensors::{write_safetensors, SafetensorsFile};

use crate::error::{Error, Result};
use crate::init::Init;
use crate::visit::{TensorKind, Visit, Visitor, VisitorMut};

/// One tensor of a state dict, on the host, its values widened to `f64` (exact for f32).
#[derive(Clone, Debug, PartialEq)]
pub struct StateEntry {
    /// Parameter or buffer.
    pub kind: TensorKind,
    /// The model's dtype name (`f32`).
    pub dtype: &'static str,
    /// The sizes.
    pub shape: Vec<usize>,
    /// The elements in row-major order.
    pub values: Vec<f64>,
}

/// A model's tensors by state-dict name (`fc1.weight`), sorted by name.
pub type StateDict = BTreeMap<String, StateEntry>;

/// How [`ModuleExt::try_load_state_dict`] treats keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strict {
    /// Every model tensor must be in the state dict and every state-dict entry in the model
    /// (PyTorch's `strict=True`).
    Yes,
    /// Loads the names both have and leaves the rest (PyTorch's `strict=False`).
    No,
}

struct Count(usize);
impl<E: Dtype, D: Device<E>> Visitor<E, D> for Count {
    fn visit<S: Shape>(&mut self, _: &str, kind: TensorKind, t: &Tensor<S, E, D>) -> Result<()> {
        if kind == TensorKind::Param {
            self.0 += t.num_elements();
        }
        Ok(())
    }
}

struct Names(Vec<(String, TensorKind)>);
impl<E: Dtype, D: Device<E>> Visitor<E, D> for Names {
    fn visit<S: Shape>(&mut self, name: &str, kind: TensorKind, _: &Tensor<S, E, D>) -> Result<()> {
        self.0.push((name.to_string(), kind));
        Ok(())
    }
}

struct Collect(StateDict);
impl<E: Dtype, D: Device<E>> Visitor<E, D> for Collect {
    fn visit<S: Shape>(&mut self, name: &str, kind: TensorKind, t: &Tensor<S, E, D>) -> Result<()> {
        let values = t.try_to_vec()?.into_iter().map(Dtype::as_f64).collect();
        let entry = StateEntry {
            kind,
            dtype: E::NAME,
            shape: t.dims().as_ref().to_vec(),
            values,
        };
        self.0.insert(name.to_string(), entry);
        Ok(())
    }
}

struct GradsByName<'a, E: Dtype, D: Storage<E>> {
    grads: &'a Gradients,
    out: Vec<(String, Tensor<DynShape, E, D>)>,
}
impl<E: Dtype, D: Device<E>> Visitor<E, D> for GradsByName<'_, E, D> {
    fn visit<S: Shape>(&mut self, name: &str, kind: TensorKind, t: &Tensor<S, E, D>) -> Result<()> {
        if kind == TensorKind::Param {
            if let Some(g) = self.grads.get(t) {
                self.out.push((name.to_string(), g.into_dyn()));
            }
        }
        Ok(())
    }
}

/// Where loaded tensors come from: an in-memory state dict or a safetensors file.
trait Source {
    fn names(&self) -> Vec<String>;
    fn shape(&self, name: &str) -> Option<Vec<usize>>;
    /// `Err` when the stored dtype may not be loaded into a `kind` tensor of dtype `want`.
    fn check_dtype(&self, name: &str, kind: TensorKind, want: &'static str) -> Result<()>;
    fn values(&self, name: &str) -> Result<Vec<f64>>;
}

impl Source for StateDict {
    fn names(&self) -> Vec<String> {
        self.keys().cloned().collect()
    }
    fn shape(&self, name: &str) -> Option<Vec<usize>> {
        self.get(name).map(|e| e.shape.clone())
    }
    fn check_dtype(&self, _: &str, _: TensorKind, _: &'static str) -> Result<()> {
        // in memory the values are f64 already: loading one model's state into another
        // dtype is how conversion works
        Ok(())
    }
    fn values(&self, name: &str) -> Result<Vec<f64>> {
        Ok(self.get(name).map(|e| e.values.clone()).unwrap_or_default())
    }
}

/// The safetensors dtype name of a model dtype.
fn stored_name(dtype: &str) -> String {
    dtype.to_uppercase()
}

impl Source for SafetensorsFile {
    fn names(&self) -> Vec<String> {
        SafetensorsFile::names(self)
    }
    fn shape(&self, name: &str) -> Option<Vec<usize>> {
        SafetensorsFile::shape(self, name).map(<[usize]>::to_vec)
    }
    fn check_dtype(&self, name: &str, kind: TensorKind, want: &'static str) -> Result<()> {
        // parameters must be stored in the model's dtype; buffers are converted (PyTorch
        // stores `num_batches_tracked` as I64)
        let found = self.dtype(name).unwrap_or_default();
        if kind == TensorKind::Param && found != stored_name(want) {
            return Err(Error::Dtype {
                name: name.to_string(),
                expected: stored_name(want),
                found,
            });
        }
        Ok(())
    }
    fn values(&self, name: &str) -> Result<Vec<f64>> {
        Ok(self.tensor::<f64>(name)?.try_to_vec()?)
    }
}

struct Load<'a, Src: Source> {
    src: &'a Src,
}
impl<E: Dtype, D: Device<E>, Src: Source> VisitorMut<E, D> for Load<'_, Src> {
    fn visit_mut<S: Shape>(
        &mut self,
        name: &str,
        kind: TensorKind,
        t: &mut Tensor<S, E, D>,
    ) -> Result<()> {
        let Some(found) = self.src.shape(name) else {
            // absent from the state dict: allowed only by a non-strict load
            return Ok(());
        };
        let expected = t.dims().as_ref().to_vec();
        if found != expected {
            return Err(Error::Shape {
                name: name.to_string(),
                expected,
                found,
            });
        }
        self.src.check_dtype(name, kind, E::NAME)?;
        let values: Vec<E> = self
            .src
            .values(name)?
            .into_iter()
            .map(E::from_f64)
            .collect();
        let dev = t.device().clone();
        // replacing the buffer keeps the tensor's id, so optimizer state stays attached
        *t.try_buf_mut()? = dev.try_from_host(&values)?;
        Ok(())
    }
}

fn load_from<E: Dtype, D: Device<E>, M: Visit<E, D> + ?Sized, Src: Source>(
    model: &mut M,
    src: &Src,
    strict: Strict,
) -> Result<()> {
    // check the keys before changing anything, so a failed strict load leaves the model as it was
    let mut names = Names(Vec::new());
    model.try_visit("", &mut names)?;
    let have: Vec<&String> = names.0.iter().map(|(n, _)| n).collect();
    let stored = src.names();
    if strict == Strict::Yes {
        let missing: Vec<String> = have
            .iter()
            .filter(|n| src.shape(n).is_none())
            .map(|n| n.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingKeys(missing));
        }
        let unexpected: Vec<String> = stored
            .iter()
            .filter(|n| !have.contains(n))
            .cloned()
            .collect();
        if !unexpected.is_empty() {
            return Err(Error::UnexpectedKeys(unexpected));
        }
    }
    // shapes and dtypes next, for the same reason
    for (name, kind) in &names.0 {
        let Some(found) = src.shape(name) else {
            continue;
        };
        let mut check = CheckShape {
            name,
            found: &found,
            result: Ok(()),
        };
        model.try_visit("", &mut check)?;
        check.result?;
        src.check_dtype(name, *kind, model_dtype::<E>())?;
    }
    let mut load = Load { src };
    model.try_visit_mut("", &mut load)
}

fn model_dtype<E: Dtype>() -> &'static str {
    E::NAME
}

struct CheckShape<'a> {
    name: &'a str,
    found: &'a [usize],
    result: Result<()>,
}
impl<E: Dtype, D: Device<E>> Visitor<E, D> for CheckShape<'_> {
    fn visit<S: Shape>(&mut self, name: &str, _: TensorKind, t: &Tensor<S, E, D>) -> Result<()> {
        if name == self.name && t.dims().as_ref() != self.found {
            self.result = Err(Error::Shape {
                name: name.to_string(),
                expected: t.dims().as_ref().to_vec(),
                found: self.found.to_vec(),
            });
        }
        Ok(())
    }
}

/// Writes a state dict to a safetensors file in dtype `E` (f32 or f64), atomically (see
/// [`write_safetensors`]), with PyTorch's `{"format": "pt"}` metadata.
pub fn save_state_dict<E: Dtype>(sd: &StateDict, path: impl AsRef<Path>) -> Result<()> {
    let cpu = Cpu::default();
    let mut tensors = Vec::with_capacity(sd.len());
    for (name, e) in sd {
        let values: Vec<E> = e.values.iter().map(|&v| E::from_f64(v)).collect();
        let t = cpu.try_tensor_from_vec(values, DynShape::new(e.shape.clone()))?;
        tensors.push((name.clone(), t));
    }
    let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
    Ok(write_safetensors(path, &tensors, Some(meta))?)
}

/// Reads every tensor of a safetensors file into a state dict (kinds unknown to the file are
/// marked [`TensorKind::Param`]; dtypes as stored, lower-cased: `f32`, `i64`, ...).
pub fn load_state_dict(path: impl AsRef<Path>) -> Result<StateDict> {
    let file = SafetensorsFile::open(path)?;
    let mut sd = StateDict::new();
    for name in file.names() {
        let t = file.tensor::<f64>(&name)?;
        let dtype = match file.dtype(&name).as_deref() {
            Some("F32") => "f32",
            Some("F64") => "f64",
            _ => "other",
        };
        let entry = StateEntry {
            kind: TensorKind::Param,
            dtype,
            shape: t.dims(),
            values: t.try_to_vec()?,
        };
        sd.insert(name, entry);
    }
    Ok(sd)
}

/// Gradients by state-dict name, in visiting order.
pub type NamedGrads<E, D> = Vec<(String, Tensor<DynShape, E, D>)>;

/// What every [`Visit`] model can do; in the prelude, so `model.num_params()` just works.
pub trait ModuleExt<E: Dtype, D: Device<E>>: Visit<E, D> {
    /// The number of trainable elements (buffers such as running statistics are not counted).
    fn num_params(&self) -> usize {
        let mut c = Count(0);
        self.try_visit("", &mut c)
            .expect("counting visits nothing fallible");
        c.0
    }

    /// Every tensor's state-dict name and kind, in visiting order.
    fn tensor_names(&self) -> Vec<(String, TensorKind)> {
        let mut n = Names(Vec::new());
        self.try_visit("", &mut n)
            .expect("naming visits nothing fallible");
        n.0
    }

    /// Training behaviour on: dropout drops, batch norm uses and updates batch statistics.
    fn train(&mut self) {
        self.set_training(true);
    }

    /// Training behaviour off (inference): dropout passes through, batch norm uses its running
    /// statistics.
    fn eval(&mut self) {
        self.set_training(false);
    }

    /// Each parameter's gradient in `grads`, by state-dict name, in visiting order. A
    /// parameter the loss does not reach has none and is left out.
    fn gradients_by_name(&self, grads: &Gradients) -> Result<NamedGrads<E, D>> {
        let mut v = GradsByName {
            grads,
            out: Vec::new(),
        };
        self.try_visit("", &mut v)?;
        Ok(v.out)
    }

    /// Every parameter and buffer, on the host, by state-dict name.
    fn try_state_dict(&self) -> Result<StateDict> {
        let mut c = Collect(StateDict::new());
        self.try_visit("", &mut c)?;
        Ok(c.0)
    }

    /// Overwrites the model's tensors from `sd` in place (ids kept). Keys are checked first
    /// (with [`Strict::Yes`]), then every shape, so a failed load changes nothing.
    fn try_load_state_dict(&mut self, sd: &StateDict, strict: Strict) -> Result<()> {
        load_from(self, sd, strict)
    }

    /// Saves every parameter and buffer to a safetensors file under its state-dict name, in
    /// the model's dtype, atomically (see [`write_safetensors`]). PyTorch reads it with
    /// `model.load_state_dict(safetensors.torch.load_file(path))`.
    fn try_save_safetensors(&self, path: impl AsRef<Path>) -> Result<()> {
        save_state_dict::<E>(&self.try_state_dict()?, path)
    }

    /// Loads a safetensors file by state-dict name (one written by
    /// [`try_save_safetensors`](Self::try_save_safetensors) or by
    /// `safetensors.torch.save_file(model.state_dict(), path)`). `Err`, before anything is
    /// changed, for a missing or unexpected key (with [`Strict::Yes`]), a wrong shape (naming
    /// the tensor and both shapes), a parameter stored in another dtype, or a corrupt file.
    fn try_load_safetensors(&mut self, path: impl AsRef<Path>, strict: Strict) -> Result<()> {
        let file = SafetensorsFile::open(path)?;
        load_from(self, &file, strict)
    }

    /// This model's state in a freshly built `M2`: another dtype (`Mlp<f64>` from `Mlp<f32>`),
    /// another device, or both. `M2` must have the same tensor names and shapes.
    fn try_convert<M2, E2, D2>(&self, dev: &D2) -> Result<M2>
    where
        E2: Dtype,
        D2: Device<E2>,
        M2: Init<D2> + Visit<E2, D2>,
    {
        let sd = self.try_state_dict()?;
        let mut m2 = M2::try_init(dev)?;
        m2.try_load_state_dict(&sd, Strict::Yes)?;
        Ok(m2)
    }
}

impl<E: Dtype, D: Device<E>, M: Visit<E, D> + ?Sized> ModuleExt<E, D> for M {}
