//! A typed MLP on the 8×8 digits bundled with gf-data (1797 images, 10 classes): a stratified
//! 80/20 split, pixels scaled to [0, 1], shuffled mini-batches, cross entropy and Adam. Prints
//! the held-out accuracy, saves a safetensors checkpoint (state-dict names `fc1.weight`, ...),
//! reloads it into a fresh model and checks that the reloaded model scores the same.
//!
//! The layer sizes are in the types: changing `fc2` to take 64 inputs is a compile error
//! naming both sizes (128 given, 64 taken).
//!
//! Run: `cargo run --release --example digits_mlp`

use ghost_flow::data::datasets::load_digits;
use ghost_flow::data::{DataLoader, Rows, TensorDataset};
use ghost_flow::learn::model_selection::{train_test_split, TrainTestSplit};
use ghost_flow::nn::Strict;
use ghost_flow::optim::Adam;
use ghost_flow::prelude::*;

const PIXELS: usize = 64;
const CLASSES: usize = 10;

type Batch<const N: usize> = (usize, Const<N>);

/// 64 → 128 → 128 → 10 with ReLUs and dropout; `#[derive(Module)]` gives it parameter visiting
/// (names, checkpoints, optimizer steps) and `Init`.
#[derive(Module)]
#[module(crate = "ghost_flow::nn")]
struct Mlp {
    fc1: Linear<Const<PIXELS>, Const<128>>,
    fc2: Linear<Const<128>, Const<128>>,
    drop: Dropout,
    fc3: Linear<Const<128>, Const<CLASSES>>,
}

impl<T: Tape + MergeSelf> Module<Tensor<Batch<PIXELS>, f32, Cpu, T>> for Mlp {
    type Output = Tensor<Batch<CLASSES>, f32, Cpu, T>;
    fn try_forward(&self, x: Tensor<Batch<PIXELS>, f32, Cpu, T>) -> Result<Self::Output> {
        let h = self.fc1.try_forward(x)?.try_relu()?;
        let h = self.fc2.try_forward(h)?.try_relu()?;
        self.fc3.try_forward(self.drop.try_forward(h)?)
    }
}

/// Pixels 0..16 as f32 in [0, 1].
fn scaled(x: &Tensor<Batch<PIXELS>, f64, Cpu>, dev: &Cpu) -> Tensor<Batch<PIXELS>, f32, Cpu> {
    let values = x.to_vec().into_iter().map(|v| (v / 16.0) as f32).collect();
    dev.tensor_from_vec(values, (x.dims()[0], Const))
}

/// Share of rows whose highest score is the true class, in eval mode.
fn accuracy(model: &Mlp, x: &Tensor<Batch<PIXELS>, f32, Cpu>, y: &[usize]) -> f64 {
    let predicted = model.forward(x.clone()).argmax::<Axis<1>>().to_vec();
    let correct = predicted.iter().zip(y).filter(|(p, y)| p == y).count();
    100.0 * correct as f64 / y.len() as f64
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let dev = Cpu::seed_from_u64(0);
    let digits = load_digits()?;
    let (x, y) = (digits.data_as::<PIXELS>()?, digits.target.clone());
    let split = TrainTestSplit::new()
        .test_size(0.2)
        .stratify(&y.to_vec())
        .seed(0);
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, &split)?;
    let (x_train, x_test) = (scaled(&x_train, &dev), scaled(&x_test, &dev));
    println!(
        "digits: {} training and {} test images of {PIXELS} pixels",
        y_train.dims()[0],
        y_test.dims()[0]
    );

    let train = TensorDataset::new((Rows::new(&x_train)?, Rows::new(&y_train)?))?;
    let loader = DataLoader::new(train).batch_size(32).shuffle(true).seed(1);

    let mut model = Mlp::init(&dev);
    println!("parameters: {}", model.num_params());
    let mut opt = Adam::new(2e-3);
    let ce = CrossEntropyOpts::default();
    for epoch in 1..=40 {
        model.train();
        let (mut total, mut seen) = (0.0, 0);
        for batch in &loader {
            let (x, labels) = batch?;
            let n = labels.dims()[0];
            let loss = cross_entropy(model.forward(x.trace()), &labels, &ce)?;
            total += loss.scalar() * n as f32;
            seen += n;
            opt.step(&mut model, &loss.backward())?;
        }
        if epoch == 1 || epoch % 10 == 0 {
            println!("epoch {epoch:3}  loss {:.4}", total / seen as f32);
        }
    }

    model.eval();
    let test_labels = y_test.to_vec();
    let acc = accuracy(&model, &x_test, &test_labels);
    println!("test accuracy: {acc:.1}%");

    let dir = std::env::temp_dir().join(format!("ghostflow-digits-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("digits_mlp.safetensors");
    model.try_save_safetensors(&path)?;
    let mut reloaded = Mlp::init(&Cpu::seed_from_u64(99));
    reloaded.try_load_safetensors(&path, Strict::Yes)?;
    reloaded.eval();
    let again = accuracy(&reloaded, &x_test, &test_labels);
    println!(
        "checkpoint {} reloaded: test accuracy {again:.1}%",
        path.display()
    );
    std::fs::remove_dir_all(&dir)?;
    if again != acc {
        return Err("the reloaded model scores differently".into());
    }
    if acc < 95.0 {
        return Err(format!("test accuracy {acc:.1}% is below 95%").into());
    }
    Ok(())
}
