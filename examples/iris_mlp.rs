//! Trains a two-layer network on the iris data that ships with the project, with the tape and a
//! hand-written SGD step, printing the loss as it falls.
//!
//! The shapes carry the model's structure: features are `Const<4>`, the hidden layer
//! `Const<16>`, the classes `Const<3>`, and the batch is a run-time `usize`. Multiplying the
//! (batch, 4) input by a (16, 3) matrix, or adding a bias of the wrong width, does not compile.
//!
//! Run: `cargo run --release --example iris_mlp`

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

    /// Log-probabilities of each class, recording on `tape`.
    fn forward(
        &self,
        x: Tensor<Batch<FEATURES>, f32, Cpu>,
        tape: &OwnedTape<f32, Cpu>,
    ) -> Tensor<Batch<CLASSES>, f32, Cpu, OwnedTape<f32, Cpu>> {
        let n = x.dims()[0];
        let h = x.matmul(self.w1.trace_into(tape))
            + self
                .b1
                .trace_into(tape)
                .broadcast_like::<_, Axis<0>>(&(n, Const));
        let logits = h.relu().matmul(self.w2.trace_into(tape))
            + self
                .b2
                .trace_into(tape)
                .broadcast_like::<_, Axis<0>>(&(n, Const));
        logits.log_softmax::<Axis<1>>()
    }

    /// One SGD step: `p ← p − lr · ∂loss/∂p`.
    fn step(&mut self, grads: &Gradients<f32, Cpu>, lr: f32) {
        fn update<S: Shape>(p: &mut Tensor<S, f32, Cpu>, grads: &Gradients<f32, Cpu>, lr: f32) {
            let g = grads.get(p).expect("every parameter is on the tape");
            *p = p.clone() - g * lr;
        }
        update(&mut self.w1, grads, lr);
        update(&mut self.b1, grads, lr);
        update(&mut self.w2, grads, lr);
        update(&mut self.b2, grads, lr);
    }
}

/// Reads `examples/data/iris.csv` (scikit-learn's copy): a header line, then 4 features and a label.
fn load_iris() -> (Vec<[f32; FEATURES]>, Vec<usize>) {
    let text = include_str!("data/iris.csv");
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for line in text.lines().skip(1) {
        let v: Vec<&str> = line.split(',').collect();
        let f = |i: usize| v[i].trim().parse::<f32>().expect("iris.csv holds numbers");
        xs.push([f(0), f(1), f(2), f(3)]);
        ys.push(v[4].trim().parse().expect("iris.csv labels are integers"));
    }
    (xs, ys)
}

fn main() {
    let dev = Cpu::seed_from_u64(42);
    let (raw, labels) = load_iris();
    let n = raw.len();

    // standardize each feature, as StandardScaler would
    let mut mean = [0.0f32; FEATURES];
    let mut std = [0.0f32; FEATURES];
    for j in 0..FEATURES {
        mean[j] = raw.iter().map(|r| r[j]).sum::<f32>() / n as f32;
        std[j] = (raw.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f32>() / n as f32).sqrt();
    }
    let flat: Vec<f32> = raw
        .iter()
        .flat_map(|r| (0..FEATURES).map(move |j| (r[j] - mean[j]) / std[j]))
        .collect();
    let x: Tensor<Batch<FEATURES>, f32, Cpu> = dev.tensor_from_vec(flat, (n, Const));
    let one_hot: Vec<f32> = labels
        .iter()
        .flat_map(|&c| (0..CLASSES).map(move |k| if k == c { 1.0 } else { 0.0 }))
        .collect();
    let targets: Tensor<Batch<CLASSES>, f32, Cpu> = dev.tensor_from_vec(one_hot, (n, Const));

    let mut model = Mlp::new(&dev);
    let (epochs, lr) = (300, 0.5);
    for epoch in 1..=epochs {
        let tape = OwnedTape::new();
        let log_probs = model.forward(x.clone(), &tape);
        // negative log-likelihood of the true class, averaged over the batch
        let loss = (log_probs * targets.clone()).sum::<(Axis<0>, Axis<1>)>() * (-1.0 / n as f32);
        let value = loss.scalar();
        let grads = loss.backward();
        model.step(&grads, lr);
        if epoch == 1 || epoch % 50 == 0 {
            println!("epoch {epoch:4}  loss {value:.4}");
        }
    }

    let predictions = model
        .forward(x, &OwnedTape::new())
        .argmax::<Axis<1>>()
        .to_vec();
    let correct = predictions
        .iter()
        .zip(&labels)
        .filter(|(p, y)| p == y)
        .count();
    println!(
        "training accuracy: {correct}/{n} = {:.1}%",
        100.0 * correct as f32 / n as f32
    );
}
