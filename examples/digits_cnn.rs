//! A typed CNN on the 8×8 digits bundled with gf-data: two 3×3 conv + batch-norm + ReLU +
//! 2×2 max-pool stages (1 → 16 → 32 channels, 8×8 → 4×4 → 2×2), then a linear classifier on
//! the 128 flattened features. A stratified 80/20 split, Adam with a cosine schedule; prints the
//! held-out accuracy, saves a safetensors checkpoint (with the batch-norm running statistics),
//! reloads it and checks that the reloaded model scores the same.
//!
//! Every size is in the types: the flatten's 32·2·2 = 128 is computed when compiling and must
//! meet `Linear<Const<128>, _>`; a conv whose in-channels differ from the previous one's out-
//! channels does not compile.
//!
//! Run: `cargo run --release --example digits_cnn`

use ghost_flow::data::datasets::load_digits;
use ghost_flow::data::{DataLoader, Rows, TensorDataset};
use ghost_flow::learn::model_selection::{train_test_split, TrainTestSplit};
use ghost_flow::nn::Strict;
use ghost_flow::optim::sched::{CosineAnnealingLR, Scheduler};
use ghost_flow::optim::Adam;
use ghost_flow::prelude::*;

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

fn accuracy(model: &Cnn, x: &Tensor<Images, f32, Cpu>, y: &[usize]) -> f64 {
    let predicted = model.forward(x.clone()).argmax::<Axis<1>>().to_vec();
    let correct = predicted.iter().zip(y).filter(|(p, y)| p == y).count();
    100.0 * correct as f64 / y.len() as f64
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let dev = Cpu::seed_from_u64(0);
    let digits = load_digits()?;
    let (x, y) = (digits.data_as::<64>()?, digits.target.clone());
    let split = TrainTestSplit::new()
        .test_size(0.2)
        .stratify(&y.to_vec())
        .seed(0);
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, &split)?;
    let (x_train, x_test) = (images(&x_train, &dev), images(&x_test, &dev));
    let train = TensorDataset::new((Rows::new(&x_train)?, Rows::new(&y_train)?))?;
    let loader = DataLoader::new(train).batch_size(32).shuffle(true).seed(1);

    let mut model = Cnn::init(&dev);
    println!("parameters: {}", model.num_params());
    let epochs = 15;
    let mut opt = Adam::new(0.0);
    let cosine = CosineAnnealingLR {
        base_lr: 3e-3,
        t_max: epochs,
        eta_min: 1e-4,
    };
    let mut sched = Scheduler::new(cosine, &mut opt);
    let ce = CrossEntropyOpts::default();
    for epoch in 1..=epochs {
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
        sched.step(&mut opt);
        if epoch == 1 || epoch % 5 == 0 {
            println!("epoch {epoch:3}  loss {:.4}", total / seen as f32);
        }
    }

    model.eval();
    let test_labels = y_test.to_vec();
    let acc = accuracy(&model, &x_test, &test_labels);
    println!("test accuracy: {acc:.1}%");

    let dir = std::env::temp_dir().join(format!("ghostflow-digits-cnn-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("digits_cnn.safetensors");
    model.try_save_safetensors(&path)?;
    let mut reloaded = Cnn::init(&Cpu::seed_from_u64(99));
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
    if acc < 97.0 {
        return Err(format!("test accuracy {acc:.1}% is below 97%").into());
    }
    Ok(())
}
