//! GhostFlow's side of `benches/compare_dataloader.py`: an ImageFolder of PNGs through decode,
//! RandomCrop(32, padding 4), RandomHorizontalFlip, ToTensor and Normalize, batched by a
//! shuffling `DataLoader`. Prints one JSON line with the samples per second of the timed epochs.
//!
//! `cargo bench --bench dataloader -- --root DIR [--epochs 3] [--workers 2] [--batch-size 64]`

use std::time::Instant;

use gf_data::compose;
use gf_data::formats::ImageFolder;
use gf_data::transforms::{Normalize, RandomCrop, RandomHorizontalFlip, ToTensorTyped};
use gf_data::{DataLoader, Dataset, OnInput};

const MEAN: [f32; 3] = [0.4914, 0.4822, 0.4465];
const STD: [f32; 3] = [0.2470, 0.2435, 0.2616];

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--root") {
        // `cargo bench` with no arguments runs every bench; this one needs its image folder.
        eprintln!("dataloader bench: pass --root DIR (see benches/compare_dataloader.py)");
        return Ok(());
    }
    let root = arg(&args, "--root", "");
    let epochs: usize = arg(&args, "--epochs", "3").parse()?;
    let workers: usize = arg(&args, "--workers", "2").parse()?;
    let batch_size: usize = arg(&args, "--batch-size", "64").parse()?;

    let pipeline = compose!(
        RandomCrop::new(32).padding(4),
        RandomHorizontalFlip::new(0.5),
        ToTensorTyped::<3, 32, 32>,
        Normalize::new(MEAN, STD)?,
    );
    let dataset = ImageFolder::new(&root)?.transform(OnInput(pipeline));
    let loader = DataLoader::new(dataset)
        .batch_size(batch_size)
        .shuffle(true)
        .seed(0)
        .num_workers(workers);

    let mut checksum = 0.0f64;
    for batch in &loader {
        // warm-up epoch: page cache, thread start
        checksum += f64::from(batch?.0.to_vec()[0]);
    }
    let mut samples = 0;
    let start = Instant::now();
    for _ in 0..epochs {
        for batch in &loader {
            let (x, _labels) = batch?; // x: Tensor<(usize, Const<3>, Const<32>, Const<32>), f32>
            samples += x.dims()[0];
            checksum += f64::from(x.to_vec()[0]);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("checksum {checksum:.3}");
    println!(
        "{{\"samples\": {samples}, \"seconds\": {seconds:.4}, \"samples_per_s\": {:.1}}}",
        samples as f64 / seconds
    );
    Ok(())
}
