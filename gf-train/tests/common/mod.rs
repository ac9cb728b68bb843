//! A small classification problem and model shared by the trainer tests: three Gaussian
//! blobs in 4-D, an MLP with dropout (so the random stream matters for resuming).

#![allow(dead_code)]

use gf_core::prelude::*;
use gf_data::{DataLoader, Rows, TensorDataset};
use gf_nn::prelude::*;
use gf_optim::Adam;
use gf_train::{Classification, ConstantLr, FitReport, Trainer};

pub type Features = Tensor<(usize, Const<4>), f32, Cpu>;
pub type Labels = Tensor<(usize,), usize, Cpu>;
pub type Batch = (Features, Labels);
pub type Mlp = (
    Linear<Const<4>, Const<16>>,
    ReLU,
    Dropout,
    Linear<Const<16>, Const<3>>,
);
pub type Loader =
    DataLoader<TensorDataset<(Rows<(usize, Const<4>), f32>, Rows<(usize,), usize>)>, Batch>;

/// `n` rows of three separated blobs, deterministic.
pub fn blobs(n: usize, seed: u64) -> (Features, Labels) {
    let dev = Cpu::seed_from_u64(seed);
    let noise: Features = dev.randn_like(&(n, Const));
    let labels: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let mut x = noise.to_vec();
    for (i, &c) in labels.iter().enumerate() {
        x[i * 4 + c] += 3.0;
    }
    (
        dev.tensor_from_vec(x, (n, Const)),
        dev.tensor_from_vec(labels, (n,)),
    )
}

/// A shuffled loader of `n` blob rows in batches of 16.
pub fn loader(n: usize, seed: u64) -> Loader {
    let (x, y) = blobs(n, seed);
    let ds = TensorDataset::new((Rows::new(&x).unwrap(), Rows::new(&y).unwrap())).unwrap();
    DataLoader::new(ds).batch_size(16).shuffle(true).seed(seed)
}

/// The MLP initialised from `seed`.
pub fn mlp(seed: u64) -> Mlp {
    let mut m = Mlp::init(&Cpu::seed_from_u64(seed));
    m.2 = Dropout::new(0.2);
    m
}

/// Every tensor of a model as raw bits, by name.
pub fn bits<M: Visit<f32, Cpu>>(m: &M) -> Vec<(String, Vec<u32>)> {
    m.try_state_dict()
        .unwrap()
        .into_iter()
        .map(|(k, e)| (k, e.values.iter().map(|&v| (v as f32).to_bits()).collect()))
        .collect()
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gf-train-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `trainer.fit` of a fresh MLP (from `seed`) with Adam at `lr`, cross entropy, a constant
/// learning rate and no validation.
pub fn fit_mlp(
    trainer: &mut Trainer,
    seed: u64,
    lr: f64,
    train: &Loader,
) -> gf_train::Result<FitReport> {
    let mut opt = Adam::new(lr);
    let mut task = Classification::new();
    trainer.fit(
        &mut mlp(seed),
        &mut opt,
        &mut ConstantLr,
        &mut task,
        train,
        None,
    )
}
