//! The main job: a typed CNN trained on the 8×8 digits bundled with gf-data by gf-train's
//! `Trainer`, with a live progress bar, early stopping, best and last checkpoints, TensorBoard
//! and CSV logs and PNG plots.
//!
//! Two 3×3 conv + batch-norm + ReLU + 2×2 max-pool stages (1 → 16 → 32 channels, 8×8 → 4×4 →
//! 2×2), then a linear classifier on the 128 flattened features; every size is in the types.
//! Stratified splits: 20% test, then 10% of the rest for validation. Adam with a cosine
//! schedule; early stopping on the validation loss; the best epoch by validation accuracy is
//! reloaded and scored on the test set.
//!
//! Run: `cargo run --release --example digits_cnn [-- --out DIR] [--epochs N] [--quiet]
//! [--resume DIR/last.safetensors]`

use std::path::PathBuf;

use ghost_flow::data::datasets::load_digits;
use ghost_flow::data::{DataLoader, Rows, TensorDataset};
use ghost_flow::learn::model_selection::{train_test_split, TrainTestSplit};
use ghost_flow::optim::sched::{CosineAnnealingLR, Scheduler};
use ghost_flow::optim::Adam;
use ghost_flow::prelude::*;
use ghost_flow::train::metrics::{Accuracy, Average, F1Score};
use ghost_flow::train::plots::plot_confusion;
use ghost_flow::train::{
    Checkpoint, Classification, EarlyStopping, ModelCheckpoint, Trainer, Verbosity,
};

type Pixels = (usize, Const<64>);
type Images = (usize, Const<1>, Const<8>, Const<8>);
/// A 3×3 conv with padding 1 (sizes kept).
type Conv3<const I: usize, const O: usize> =
    Conv2d<Const<I>, Const<O>, Const<3>, Const<1>, Const<1>>;

#[derive(Module)]
#[module(crate = "ghost_flow::nn")]
struct Cnn {
    conv1: Conv3<1, 16>,
    bn1: BatchNorm2d<Const<16>>,
    conv2: Conv3<16, 32>,
    bn2: BatchNorm2d<Const<32>>,
    pool: MaxPool2d<Const<2>, Const<2>>,
    fc: Linear<Const<128>, Const<10>>,
}

impl<T: Tape + MergeSelf> Module<Tensor<Images, f32, Cpu, T>> for Cnn {
    type Output = Tensor<(usize, Const<10>), f32, Cpu, T>;
    fn try_forward(&self, x: Tensor<Images, f32, Cpu, T>) -> Result<Self::Output> {
        let h = self
            .bn1
            .try_forward(self.conv1.try_forward(x)?)?
            .try_relu()?;
        let h = self.pool.try_forward(h)?; // (B, 16, 4, 4)
        let h = self
            .bn2
            .try_forward(self.conv2.try_forward(h)?)?
            .try_relu()?;
        let h = self.pool.try_forward(h)?; // (B, 32, 2, 2)
        self.fc.try_forward(Flatten.try_forward(h)?) // (B, 128) → (B, 10)
    }
}

/// Pixels 0..16 as one-channel 8×8 f32 images in [0, 1].
fn images(x: &Tensor<Pixels, f64, Cpu>, dev: &Cpu) -> Tensor<Images, f32, Cpu> {
    let values = x.to_vec().into_iter().map(|v| (v / 16.0) as f32).collect();
    dev.tensor_from_vec(values, (x.dims()[0], Const, Const, Const))
}

type Batch = (Tensor<Images, f32, Cpu>, Tensor<(usize,), usize, Cpu>);
type Loader = DataLoader<TensorDataset<(Rows<Images, f32>, Rows<(usize,), usize>)>, Batch>;

fn loader(
    x: &Tensor<Images, f32, Cpu>,
    y: &Tensor<(usize,), usize, Cpu>,
    shuffle: bool,
) -> std::result::Result<Loader, Box<dyn std::error::Error>> {
    let ds = TensorDataset::new((Rows::new(x)?, Rows::new(y)?))?;
    Ok(DataLoader::new(ds).batch_size(32).shuffle(shuffle).seed(1))
}

struct Args {
    out: PathBuf,
    epochs: usize,
    quiet: bool,
    resume: Option<PathBuf>,
}

fn args() -> std::result::Result<Args, String> {
    let mut a = Args {
        out: PathBuf::from("runs/digits_cnn"),
        epochs: 30,
        quiet: false,
        resume: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => a.out = PathBuf::from(value()?),
            "--epochs" => a.epochs = value()?.parse().map_err(|e| format!("--epochs: {e}"))?,
            "--resume" => a.resume = Some(PathBuf::from(value()?)),
            "--quiet" => a.quiet = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let args = args()?;
    let started = std::time::Instant::now();
    let dev = Cpu::seed_from_u64(0);
    let digits = load_digits()?;
    let (x, y) = (digits.data_as::<64>()?, digits.target.clone());
    let split = |y: &Tensor<(usize,), usize, Cpu>, share: f64| {
        TrainTestSplit::new()
            .test_size(share)
            .stratify(&y.to_vec())
            .seed(0)
    };
    let (x_rest, x_test, y_rest, y_test) = train_test_split(&x, &y, &split(&y, 0.2))?;
    let (x_train, x_valid, y_train, y_valid) =
        train_test_split(&x_rest, &y_rest, &split(&y_rest, 0.1))?;
    let train = loader(&images(&x_train, &dev), &y_train, true)?;
    let valid = loader(&images(&x_valid, &dev), &y_valid, false)?;
    let test = loader(&images(&x_test, &dev), &y_test, false)?;

    let mut model = Cnn::init(&dev);
    println!(
        "parameters: {}; {} train, {} validation, {} test images",
        model.num_params(),
        y_train.dims()[0],
        y_valid.dims()[0],
        y_test.dims()[0]
    );
    let mut opt = Adam::new(0.0);
    let cosine = CosineAnnealingLR {
        base_lr: 3e-3,
        t_max: args.epochs,
        eta_min: 1e-4,
    };
    let mut sched = Scheduler::new(cosine, &mut opt);
    let checkpoints = ModelCheckpoint::new(&args.out).monitor("valid_accuracy");
    let (best, last) = (checkpoints.best_path(), checkpoints.last_path());
    let mut trainer = Trainer::new(Cpu::seed_from_u64(1))
        .max_epochs(args.epochs)
        .metric(Accuracy::new())
        .metric(F1Score::new(Average::Macro))
        .callback(EarlyStopping::new("valid_loss").patience(5))
        .callback(checkpoints)
        .log_dir(&args.out);
    if args.quiet {
        trainer = trainer.verbosity(Verbosity::Quiet);
    }
    if let Some(path) = &args.resume {
        println!("resuming from {}", path.display());
        trainer = trainer.resume_from(path);
    }
    let mut task = Classification::new();
    let report = trainer.fit(
        &mut model,
        &mut opt,
        &mut sched,
        &mut task,
        &train,
        Some(&valid),
    )?;
    if report.stopped_early {
        println!("early stopping after epoch {}", report.history.len());
    }

    // the best epoch by validation accuracy, scored on the held-out test set
    Checkpoint::open(&best)?.load_model(&mut model)?;
    let test_eval = trainer.evaluate(&mut model, &mut task, &test)?;
    let acc = 100.0 * test_eval.logs["accuracy"];
    println!("test accuracy: {acc:.1}%");
    if let Some(cm) = &test_eval.confusion {
        plot_confusion(cm, &args.out.join("test_confusion_matrix.png"))?;
    }
    println!(
        "wall time {:.1} s; logs, TensorBoard events and plots in {} (loss.png, accuracy.png, \
         confusion_matrix.png for the last validation, test_confusion_matrix.png, metrics.csv)",
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    println!(
        "resume: cargo run --release --example digits_cnn -- --out {} --resume {}",
        args.out.display(),
        last.display()
    );
    if acc < 97.0 {
        return Err(format!("test accuracy {acc:.1}% is below 97%").into());
    }
    Ok(())
}
