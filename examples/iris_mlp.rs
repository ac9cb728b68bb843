//! Trains a two-layer network on the iris data that ships with gf-data: a stratified train/test
//! split, a standard scaler fitted on the training part, shuffled mini-batches from a
//! two-worker `DataLoader`, the tape, and a hand-written SGD step. Prints the loss as it falls
//! and the accuracy on both parts.
//!
//! The shapes carry the model's structure: features are `Const<4>`, the hidden layer
//! `Const<16>`, the classes `Const<3>`, and the batch is a run-time `usize`. Multiplying the
//! (batch, 4) input by a (16, 3) matrix, or adding a bias of the wrong width, does not compile.
//!
//! Run: `cargo run --release --example iris_mlp`

use ghost_flow::data::datasets::load_iris;
use ghost_flow::data::{DataLoader, Rows, TensorDataset};
use ghost_flow::learn::model_selection::{train_test_split, TrainTestSplit};
use ghost_flow::learn::preprocessing::StandardScaler;
use ghost_flow::prelude::*;

const FEATURES: usize = 4;
const HIDDEN: usize = 16;
const CLASSES: usize = 3;

type Batch<const N: usize> = (usize, Const<N>);

/// The parameters, as plain (untraced) tensors: each step traces them onto a fresh tape.
struct Mlp {
    w1: Tensor<Rank2<FEATURES, HIDDEN>, f32, Cpu>,
    b1: Tensor<Rank1<HIDDEN>, f32, Cpu>,
    w2: Tensor<Rank2<HIDDEN, CLASSES>, f32, Cpu>,
    b2: Tensor<Rank1<CLASSES>, f32, Cpu>,
}

impl Mlp {
    /// PyTorch's default `nn.Linear` init: uniform in ±1/√fan_in.
    fn new(dev: &Cpu) -> Self {
        let (k1, k2) = (1.0 / (FEATURES as f32).sqrt(), 1.0 / (HIDDEN as f32).sqrt());
        fn uniform<S: ConstShape>(dev: &Cpu, k: f32) -> Tensor<S, f32, Cpu> {
            dev.try_sample_uniform_like(&S::default(), -k, k).unwrap()
        }
        Mlp {
            w1: uniform(dev, k1),
            b1: uniform(dev, k1),
            w2: uniform(dev, k2),
            b2: uniform(dev, k2),
        }
    }

    /// Log-probabilities of each class. The parameters are watched onto `tape`: a recording
    /// tape (training) gives them gradients, `NoneTape` (evaluation) records nothing.
    fn forward<T>(
        &self,
        x: Tensor<Batch<FEATURES>, f32, Cpu>,
        tape: &T,
    ) -> Tensor<Batch<CLASSES>, f32, Cpu, T>
    where
        T: Tape + MergeSelf,
        NoneTape: Merge<T, Output = T>,
    {
        let n = x.dims()[0];
        let h = x.matmul(self.w1.watched(tape))
            + self
                .b1
                .watched(tape)
                .broadcast_like::<_, Axis<0>>(&(n, Const));
        let logits = h.relu().matmul(self.w2.watched(tape))
            + self
                .b2
                .watched(tape)
                .broadcast_like::<_, Axis<0>>(&(n, Const));
        logits.log_softmax::<Axis<1>>()
    }

    /// One SGD step: `p ← p − lr · ∂loss/∂p`, in place (each parameter keeps its id).
    fn step(&mut self, grads: &Gradients, lr: f32) {
        fn update<S: Shape>(p: &mut Tensor<S, f32, Cpu>, grads: &Gradients, lr: f32) {
            let g = grads.get(p).expect("every parameter is on the tape");
            *p -= &(g * lr);
        }
        update(&mut self.w1, grads, lr);
        update(&mut self.b1, grads, lr);
        update(&mut self.w2, grads, lr);
        update(&mut self.b2, grads, lr);
    }
}

/// Converts the f64 features the loaders and scalers give into the model's f32.
fn to_f32(x: &Tensor<Batch<FEATURES>, f64, Cpu>, dev: &Cpu) -> Tensor<Batch<FEATURES>, f32, Cpu> {
    let values = x.to_vec().into_iter().map(|v| v as f32).collect();
    dev.tensor_from_vec(values, (x.dims()[0], Const))
}

/// Share of rows whose highest log-probability is the true class.
fn accuracy(model: &Mlp, x: &Tensor<Batch<FEATURES>, f32, Cpu>, y: &[usize]) -> (usize, usize) {
    let predicted = model
        .forward(x.clone(), &NoneTape)
        .argmax::<Axis<1>>()
        .to_vec();
    let correct = predicted.iter().zip(y).filter(|(p, y)| p == y).count();
    (correct, y.len())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dev = Cpu::seed_from_u64(42);

    // scikit-learn's iris, bundled in gf-data; a stratified 80/20 split; features standardized
    // with statistics of the training part only.
    let iris = load_iris()?;
    let (x, y) = (iris.data_as::<FEATURES>()?, iris.target.clone());
    let split = TrainTestSplit::new()
        .test_size(0.2)
        .stratify(&y.to_vec())
        .seed(0);
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, &split)?;
    let mut scaler = StandardScaler::new();
    let x_train = to_f32(&scaler.fit_transform(&x_train)?, &dev);
    let x_test = to_f32(&scaler.transform(&x_test)?, &dev);
    println!(
        "iris: {} training and {} test samples, {} features, classes {:?}",
        y_train.dims()[0],
        y_test.dims()[0],
        FEATURES,
        iris.target_names
    );

    // Mini-batches of 16, a new order every epoch, fetched by two worker threads.
    let train = TensorDataset::new((Rows::new(&x_train)?, Rows::new(&y_train)?))?;
    let loader = DataLoader::new(train)
        .batch_size(16)
        .shuffle(true)
        .seed(7)
        .num_workers(2);

    let mut model = Mlp::new(&dev);
    let (epochs, lr) = (60, 0.1);
    for epoch in 1..=epochs {
        let (mut total, mut seen) = (0.0, 0);
        for batch in &loader {
            // x: Tensor<(usize, Const<4>), f32>, labels: Tensor<(usize,), usize>
            let (x, labels) = batch?;
            let n = labels.dims()[0];
            let targets: Tensor<Batch<CLASSES>, f32, Cpu> = labels.try_one_hot(CLASSES)?;
            let tape = OwnedTape::new();
            let log_probs = model.forward(x, &tape);
            // negative log-likelihood of the true class, averaged over the batch
            let loss = (log_probs * targets).sum::<(Axis<0>, Axis<1>)>() * (-1.0 / n as f32);
            total += loss.scalar() * n as f32;
            seen += n;
            model.step(&loss.backward(), lr);
        }
        if epoch == 1 || epoch % 10 == 0 {
            println!("epoch {epoch:3}  loss {:.4}", total / seen as f32);
        }
    }

    let (correct, n) = accuracy(&model, &x_train, &y_train.to_vec());
    println!(
        "training accuracy: {correct}/{n} = {:.1}%",
        100.0 * correct as f32 / n as f32
    );
    let (correct, n) = accuracy(&model, &x_test, &y_test.to_vec());
    println!(
        "test accuracy:     {correct}/{n} = {:.1}%",
        100.0 * correct as f32 / n as f32
    );
    Ok(())
}
