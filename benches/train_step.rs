//! GhostFlow's side of `benches/compare_train_step.py` (issue #10): the time of one training
//! step — forward, cross entropy, backward, optimizer step — of two typed f32 models on random
//! inputs and labels (fixed seed), printed as one JSON line per model.
//!
//! ```text
//! cargo bench --bench train_step -- [--model mlp|cnn|all] [--steps N] [--rounds R] [--warmup W]
//! ```
//!
//! - `mlp`: Linear 784→256, ReLU, Linear 256→128, ReLU, Linear 128→10 on a batch of 128,
//!   Adam (lr 1e-3, PyTorch's defaults otherwise).
//! - `cnn`: conv 1→32 3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, flatten,
//!   Linear 1600→128, ReLU, Linear 128→10 on a batch of 64 1×28×28 images, SGD (lr 0.01,
//!   momentum 0.9).
//!
//! After `W` untimed warm-up steps (default 3: allocator, caches, optimizer state), each of `R`
//! rounds times `N` steps one by one; a round's figure is the median step, and the line reports
//! the median over the rounds (with every round's median beside it). The model keeps training
//! across the steps, as in a real loop; the first and last losses are printed as a sanity check
//! (both sides start near ln 10 ≈ 2.30). The line also carries the CPU model, the SIMD path and
//! the number of rayon threads.

use std::time::Instant;

use ghost_flow::core::device::simd;
use ghost_flow::optim::{Adam, Sgd};
use ghost_flow::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::cpu_model;

const MLP_BATCH: usize = 128;
const CNN_BATCH: usize = 64;
const CLASSES: usize = 10;

/// 784 → 256 → 128 → 10 with ReLUs.
type Mlp = (
    Linear<Const<784>, Const<256>>,
    ReLU,
    Linear<Const<256>, Const<128>>,
    ReLU,
    Linear<Const<128>, Const<CLASSES>>,
);

/// The issue's CNN; a struct rather than a tuple, since tuples of modules stop at eight.
#[derive(Module)]
#[module(crate = "ghost_flow::nn")]
struct Cnn {
    conv1: Conv2d<Const<1>, Const<32>, Const<3>>,
    conv2: Conv2d<Const<32>, Const<64>, Const<3>>,
    pool: MaxPool2d<Const<2>>,
    fc1: Linear<Const<1600>, Const<128>>,
    fc2: Linear<Const<128>, Const<CLASSES>>,
}

type Images<const B: usize> = (Const<B>, Const<1>, Const<28>, Const<28>);

impl<const B: usize, T: Tape + MergeSelf> Module<Tensor<Images<B>, f32, Cpu, T>> for Cnn {
    type Output = Tensor<(Const<B>, Const<CLASSES>), f32, Cpu, T>;
    fn try_forward(&self, x: Tensor<Images<B>, f32, Cpu, T>) -> Result<Self::Output> {
        let h = self
            .pool
            .try_forward(self.conv1.try_forward(x)?.try_relu()?)?; // (B, 32, 13, 13)
        let h = self
            .pool
            .try_forward(self.conv2.try_forward(h)?.try_relu()?)?; // (B, 64, 5, 5)
        let h = self.fc1.try_forward(Flatten.try_forward(h)?)?.try_relu()?; // (B, 128)
        self.fc2.try_forward(h)
    }
}

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn count(args: &[String], name: &str, default: usize) -> usize {
    let v = arg(args, name, &default.to_string());
    v.parse().unwrap_or_else(|_| {
        eprintln!("train_step bench: {name} wants a count, got {v:?}");
        std::process::exit(2)
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Uniform labels in `0..CLASSES` from the device's seeded generator.
fn labels<const B: usize>(dev: &Cpu) -> Tensor<(Const<B>,), usize, Cpu> {
    let u: Tensor<(Const<B>,), f32, Cpu> = dev
        .try_sample_uniform_like(&(Const::<B>,), 0.0, CLASSES as f32)
        .unwrap();
    let v = u
        .to_vec()
        .into_iter()
        .map(|u| (u as usize).min(CLASSES - 1))
        .collect();
    dev.tensor_from_vec(v, (Const,))
}

/// Timing of one model: the per-round medians and the first and last losses.
struct Timing {
    rounds: Vec<f64>,
    first_loss: f32,
    last_loss: f32,
}

/// Runs `warmup` untimed steps, then `rounds` rounds of `steps` timed ones; `step` does one
/// training step and returns its loss.
fn time_steps(warmup: usize, steps: usize, rounds: usize, mut step: impl FnMut() -> f32) -> Timing {
    let first_loss = step();
    let mut last_loss = first_loss;
    for _ in 1..warmup {
        last_loss = step();
    }
    let rounds = (0..rounds)
        .map(|_| {
            let mut times: Vec<f64> = (0..steps)
                .map(|_| {
                    let t = Instant::now();
                    last_loss = step();
                    t.elapsed().as_secs_f64()
                })
                .collect();
            median(&mut times)
        })
        .collect();
    Timing {
        rounds,
        first_loss,
        last_loss,
    }
}

fn time_mlp(warmup: usize, steps: usize, rounds: usize) -> Timing {
    let dev = Cpu::seed_from_u64(0);
    let mut model = Mlp::init(&dev);
    let x: Tensor<(Const<MLP_BATCH>, Const<784>), f32, Cpu> = dev.randn();
    let y = labels::<MLP_BATCH>(&dev);
    let mut opt = Adam::new(1e-3);
    let ce = CrossEntropyOpts::default();
    time_steps(warmup, steps, rounds, || {
        let loss = cross_entropy(model.forward(x.trace()), &y, &ce).unwrap();
        // read before the step, as PyTorch's loss is computed before its step
        let value = loss.scalar();
        opt.step(&mut model, &loss.backward()).unwrap();
        value
    })
}

fn time_cnn(warmup: usize, steps: usize, rounds: usize) -> Timing {
    let dev = Cpu::seed_from_u64(0);
    let mut model = Cnn::init(&dev);
    let x: Tensor<Images<CNN_BATCH>, f32, Cpu> = dev.randn();
    let y = labels::<CNN_BATCH>(&dev);
    let mut opt = Sgd::new(0.01).momentum(0.9);
    let ce = CrossEntropyOpts::default();
    time_steps(warmup, steps, rounds, || {
        let loss = cross_entropy(model.forward(x.trace()), &y, &ce).unwrap();
        let value = loss.scalar();
        opt.step(&mut model, &loss.backward()).unwrap();
        value
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = arg(&args, "--model", "all");
    let steps = count(&args, "--steps", 20).max(1);
    let rounds = count(&args, "--rounds", 3).max(1);
    let warmup = count(&args, "--warmup", 3).max(1);
    let models: &[&str] = match model.as_str() {
        "all" => &["mlp", "cnn"],
        "mlp" => &["mlp"],
        "cnn" => &["cnn"],
        other => {
            eprintln!("train_step bench: unknown --model {other:?}, want mlp, cnn or all");
            std::process::exit(2);
        }
    };
    let cpu = cpu_model();
    for &name in models {
        let (t, batch) = match name {
            "mlp" => (time_mlp(warmup, steps, rounds), MLP_BATCH),
            _ => (time_cnn(warmup, steps, rounds), CNN_BATCH),
        };
        let mut sorted = t.rounds.clone();
        let med = median(&mut sorted);
        let per_round: Vec<String> = t.rounds.iter().map(|s| format!("{s:e}")).collect();
        println!(
            "{{\"model\":\"{name}\",\"lib\":\"ghostflow\",\"batch\":{batch},\"steps\":{steps},\"rounds\":{rounds},\"median_s\":{med:e},\"round_medians_s\":[{}],\"first_loss\":{},\"last_loss\":{},\"cpu\":\"{}\",\"simd\":\"{}\",\"threads\":{}}}",
            per_round.join(","),
            t.first_loss,
            t.last_loss,
            cpu.replace('"', "'"),
            simd::path(),
            rayon_threads()
        );
    }
}

/// The threads GhostFlow's kernels share work over: rayon's global pool, which follows
/// `RAYON_NUM_THREADS` and otherwise the logical CPUs.
fn rayon_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
