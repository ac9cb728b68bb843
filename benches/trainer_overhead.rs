//! What the Trainer adds to a hand-written loop over the same epochs: an MLP on the bundled
//! digits (the per-step work is small, so the loop's own cost shows), one epoch per sample,
//! the two interleaved round by round; prints both medians and their ratio.
//!
//! Run: `cargo bench --bench trainer_overhead [-- --rounds N]`

use std::time::Instant;

use ghost_flow::core::device::simd;
use ghost_flow::data::datasets::load_digits;
use ghost_flow::data::{DataLoader, Rows, TensorDataset};
use ghost_flow::optim::Adam;
use ghost_flow::prelude::*;
use ghost_flow::train::{Classification, ConstantLr, Trainer, Verbosity};

#[path = "common/mod.rs"]
mod common;
use common::cpu_model;

type Mlp = (
    Linear<Const<64>, Const<128>>,
    ReLU,
    Linear<Const<128>, Const<10>>,
);
type Batch = (
    Tensor<(usize, Const<64>), f32, Cpu>,
    Tensor<(usize,), usize, Cpu>,
);
type Loader =
    DataLoader<TensorDataset<(Rows<(usize, Const<64>), f32>, Rows<(usize,), usize>)>, Batch>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One epoch written by hand: forward, loss, backward, step, the running loss.
fn hand_epoch(model: &mut Mlp, opt: &mut Adam, loader: &Loader, epoch: usize) -> f64 {
    let ce = CrossEntropyOpts::default();
    model.train();
    let (mut total, mut seen) = (0.0, 0);
    for batch in loader.iter_epoch(epoch as u64) {
        let (x, y) = batch.unwrap();
        let n = y.dims()[0];
        let loss = cross_entropy(model.forward(x.trace()), &y, &ce).unwrap();
        total += loss.scalar() as f64 * n as f64;
        seen += n;
        opt.step(model, &loss.backward()).unwrap();
    }
    total / seen as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    println!("CPU: {}; SIMD path: {}", cpu_model(), simd::path());
    let dev = Cpu::seed_from_u64(0);
    let digits = load_digits()?;
    let x = digits.data_as::<64>()?;
    let x: Tensor<(usize, Const<64>), f32, Cpu> = dev.tensor_from_vec(
        x.to_vec().iter().map(|v| (v / 16.0) as f32).collect(),
        (x.dims()[0], Const),
    );
    let ds = TensorDataset::new((Rows::new(&x)?, Rows::new(&digits.target)?))?;
    let loader = DataLoader::new(ds).batch_size(32).shuffle(true).seed(1);

    let (mut hand, mut ours) = (Vec::new(), Vec::new());
    for round in 0..rounds + 1 {
        let mut model = Mlp::init(&dev);
        let mut opt = Adam::new(1e-3);
        let t = Instant::now();
        hand_epoch(&mut model, &mut opt, &loader, round);
        let hand_s = t.elapsed().as_secs_f64();

        let mut model = Mlp::init(&dev);
        let mut opt = Adam::new(1e-3);
        let mut trainer = Trainer::new(Cpu::seed_from_u64(1))
            .max_epochs(1)
            .verbosity(Verbosity::Quiet);
        let t = Instant::now();
        trainer.fit(
            &mut model,
            &mut opt,
            &mut ConstantLr,
            &mut Classification::new(),
            &loader,
            None,
        )?;
        let ours_s = t.elapsed().as_secs_f64();
        if round > 0 {
            // round 0 warms caches and allocators
            hand.push(hand_s);
            ours.push(ours_s);
        }
    }
    let (h, o) = (median(hand), median(ours));
    println!(
        "one epoch of {} steps, median of {rounds}: hand-written loop {:.2} ms, Trainer {:.2} ms, ratio {:.3} ({:+.1}%)",
        loader.len(),
        h * 1e3,
        o * 1e3,
        o / h,
        (o / h - 1.0) * 100.0
    );
    Ok(())
}
