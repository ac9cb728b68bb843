//! Safetensors checkpoints by state-dict name: a file PyTorch wrote loads and gives PyTorch's
//! outputs; our files round-trip; every bad file or mismatched model is an `Err` naming the
//! tensor, never a panic.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_nn::prelude::*;
use gf_nn::Error;

/// `nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3))`, sized when
/// running.
type Seq = (
    Linear<usize, usize>,
    BatchNorm1d<usize>,
    ReLU,
    Linear<usize, usize>,
);

/// The same in f64.
type Seq64 = (
    Linear<usize, usize, f64>,
    BatchNorm1d<usize, f64>,
    ReLU,
    Linear<usize, usize, f64>,
);

fn seq(dev: &Cpu) -> Seq {
    (
        Linear::try_new(dev, 4, 6, true).unwrap(),
        BatchNorm::try_new(dev, 6).unwrap(),
        ReLU,
        Linear::try_new(dev, 6, 3, true).unwrap(),
    )
}

fn fixture_path(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_pytorch_state_dict_loads_and_gives_pytorch_outputs() {
    let dev = Cpu::seed_from_u64(0);
    let mut m = seq(&dev);
    m.try_load_safetensors(fixture_path("seq_bn_f32.safetensors"), Strict::Yes)
        .unwrap();
    m.eval();
    let f = fixture("seq_bn_f32.json");
    let x: Tensor<(usize, usize), f32, Cpu> = tensor(&f["x"]);
    let y: Vec<f64> = m.forward(x).to_vec().into_iter().map(f64::from).collect();
    assert_close("torch checkpoint output", &y, &values(&f["y"]), F32_TOL);
    // PyTorch's I64 `num_batches_tracked` arrives as a buffer
    let sd = m.try_state_dict().unwrap();
    assert_eq!(sd["1.num_batches_tracked"].values, [3.0]);
    assert_eq!(sd["1.running_mean"].kind, TensorKind::Buffer);
}

#[test]
fn a_saved_checkpoint_reloads_into_a_fresh_model_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seq.safetensors");
    let mut a = seq(&Cpu::seed_from_u64(1));
    let x: Tensor<(usize, usize), f32, Cpu> = Cpu::seed_from_u64(2).randn_like(&(3, 4));
    a.forward(x.clone()); // a training pass moves the running statistics
    a.eval();
    a.try_save_safetensors(&path).unwrap();
    let mut b = seq(&Cpu::seed_from_u64(3));
    b.try_load_safetensors(&path, Strict::Yes).unwrap();
    b.eval();
    assert_eq!(a.forward(x.clone()).to_vec(), b.forward(x).to_vec());
    assert_eq!(a.try_state_dict().unwrap(), b.try_state_dict().unwrap());
}

#[test]
fn mismatched_models_and_bad_files_are_errs_naming_the_tensor() {
    let dev = Cpu::seed_from_u64(0);
    let path = fixture_path("seq_bn_f32.safetensors");

    // a model of another architecture: a missing key (strict), then unexpected ones
    let mut other: (Linear<usize, usize>, ReLU) =
        (Linear::try_new(&dev, 4, 6, true).unwrap(), ReLU);
    let err = other.try_load_safetensors(&path, Strict::Yes).unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedKeys(k) if k.contains(&"3.weight".to_string())),
        "{err}"
    );
    other.try_load_safetensors(&path, Strict::No).unwrap();
    let mut bigger = (seq(&dev), ReLU);
    let err = bigger.try_load_safetensors(&path, Strict::Yes).unwrap_err();
    assert!(
        matches!(&err, Error::MissingKeys(k) if k[0] == "0.0.weight"),
        "{err}"
    );

    // the same names with another size: the tensor and both shapes, and nothing changed
    let mut wide: Seq = (
        Linear::try_new(&dev, 4, 6, true).unwrap(),
        BatchNorm::try_new(&dev, 6).unwrap(),
        ReLU,
        Linear::try_new(&dev, 6, 5, true).unwrap(),
    );
    let before = wide.try_state_dict().unwrap();
    let err = wide.try_load_safetensors(&path, Strict::Yes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tensor \"3.weight\": the model has shape [5, 6], the state dict has [3, 6]"
    );
    assert_eq!(
        wide.try_state_dict().unwrap(),
        before,
        "a failed load changes nothing"
    );

    // f32 parameters into an f64 model
    let mut m64: Seq64 = (
        Linear::try_new(&dev, 4, 6, true).unwrap(),
        BatchNorm::try_new(&dev, 6).unwrap(),
        ReLU,
        Linear::try_new(&dev, 6, 3, true).unwrap(),
    );
    let err = m64.try_load_safetensors(&path, Strict::Yes).unwrap_err();
    assert!(
        matches!(&err, Error::Dtype { name, .. } if name == "0.weight"),
        "{err}"
    );

    // corrupt and truncated files, and a missing one
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.safetensors");
    std::fs::write(&cut, &bytes[..bytes.len() - 5]).unwrap();
    let mut m = seq(&dev);
    assert!(matches!(
        m.try_load_safetensors(&cut, Strict::Yes),
        Err(Error::Data(_))
    ));
    let junk = dir.path().join("junk.safetensors");
    std::fs::write(&junk, b"not a checkpoint at all").unwrap();
    assert!(matches!(
        m.try_load_safetensors(&junk, Strict::Yes),
        Err(Error::Data(_))
    ));
    let missing = dir.path().join("none.safetensors");
    assert!(matches!(
        m.try_load_safetensors(&missing, Strict::Yes),
        Err(Error::Data(_))
    ));
}
