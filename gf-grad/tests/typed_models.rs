//! Whole models written with every shape in the type, as a new user would write them: the
//! compiler checks each layer against the next, and the annotations show what it derived.

use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_grad::testing::TestDevice;

/// A batch of images of `C` channels, `H × W`, whose size is known only when running.
type Images<const C: usize, const H: usize, const W: usize> = (usize, Const<C>, Const<H>, Const<W>);

/// LeNet-5's parameters, untraced: each step traces them onto a fresh tape.
struct LeNet5 {
    c1: Tensor<Rank4<6, 1, 5, 5>, f32, TestDevice>,
    b1: Tensor<Rank1<6>, f32, TestDevice>,
    c2: Tensor<Rank4<16, 6, 5, 5>, f32, TestDevice>,
    b2: Tensor<Rank1<16>, f32, TestDevice>,
    f1: Tensor<Rank2<256, 120>, f32, TestDevice>,
    g1: Tensor<Rank1<120>, f32, TestDevice>,
    f2: Tensor<Rank2<120, 84>, f32, TestDevice>,
    g2: Tensor<Rank1<84>, f32, TestDevice>,
    f3: Tensor<Rank2<84, 10>, f32, TestDevice>,
    g3: Tensor<Rank1<10>, f32, TestDevice>,
}

/// Small random weights, which keep the activations of a random image in range.
fn small<S: ConstShape>(dev: &TestDevice) -> Tensor<S, f32, TestDevice> {
    let mut t = dev.randn();
    t *= 0.1;
    t
}

impl LeNet5 {
    fn new(dev: &TestDevice) -> Self {
        LeNet5 {
            c1: small(dev),
            b1: dev.zeros(),
            c2: small(dev),
            b2: dev.zeros(),
            f1: small(dev),
            g1: dev.zeros(),
            f2: small(dev),
            g2: dev.zeros(),
            f3: small(dev),
            g3: dev.zeros(),
        }
    }

    /// The logits of a batch, every intermediate shape spelled out.
    fn forward(
        &self,
        x: Tensor<Images<1, 28, 28>, f32, TestDevice>,
    ) -> Tensor<(usize, Const<10>), f32, TestDevice, OwnedTape> {
        let pool = Pool2dOpts::new(Const::<2>);
        let y: Tensor<Images<6, 24, 24>, f32, TestDevice, OwnedTape> =
            x.conv2d(self.c1.trace(), Conv2dOpts::new());
        let bias = self
            .b1
            .trace()
            .broadcast_like::<_, (Axis<0>, Axis<2>, Axis<3>)>(y.shape());
        let y: Tensor<Images<6, 24, 24>, f32, TestDevice, OwnedTape> = (y + bias).relu();
        let y: Tensor<Images<6, 12, 12>, f32, TestDevice, OwnedTape> = y.max_pool2d(pool);
        let y: Tensor<Images<16, 8, 8>, f32, TestDevice, OwnedTape> =
            y.conv2d(self.c2.trace(), Conv2dOpts::new());
        let bias = self
            .b2
            .trace()
            .broadcast_like::<_, (Axis<0>, Axis<2>, Axis<3>)>(y.shape());
        let y: Tensor<Images<16, 8, 8>, f32, TestDevice, OwnedTape> = (y + bias).relu();
        let y: Tensor<Images<16, 4, 4>, f32, TestDevice, OwnedTape> = y.max_pool2d(pool);
        let y: Tensor<(usize, Const<256>), f32, TestDevice, OwnedTape> = y.flatten::<Axis<1>>();
        let y: Tensor<(usize, Const<120>), f32, TestDevice, OwnedTape> = y.matmul(self.f1.trace());
        let bias = self.g1.trace().broadcast_like::<_, Axis<0>>(y.shape());
        let y: Tensor<(usize, Const<120>), f32, TestDevice, OwnedTape> = (y + bias).relu();
        let y: Tensor<(usize, Const<84>), f32, TestDevice, OwnedTape> = y.matmul(self.f2.trace());
        let bias = self.g2.trace().broadcast_like::<_, Axis<0>>(y.shape());
        let y: Tensor<(usize, Const<84>), f32, TestDevice, OwnedTape> = (y + bias).relu();
        let y: Tensor<(usize, Const<10>), f32, TestDevice, OwnedTape> = y.matmul(self.f3.trace());
        let bias = self.g3.trace().broadcast_like::<_, Axis<0>>(y.shape());
        y + bias
    }
}

#[test]
fn lenet5_runs_forward_and_backward_with_every_shape_typed() {
    let dev = TestDevice::seed_from_u64(0);
    let net = LeNet5::new(&dev);
    let batch = 3;
    let x: Tensor<Images<1, 28, 28>, f32, TestDevice> =
        dev.randn_like(&(batch, Const, Const, Const));
    let logits: Tensor<(usize, Const<10>), f32, TestDevice, OwnedTape> = net.forward(x);
    assert_eq!(logits.dims(), [batch, 10]);
    let loss: Tensor<(), f32, TestDevice, OwnedTape> = logits.square().mean::<(Axis<0>, Axis<1>)>();
    assert!(loss.scalar().is_finite(), "loss {}", loss.scalar());
    let grads = loss.backward();
    let g: Tensor<Rank4<6, 1, 5, 5>, f32, TestDevice> = grads.get(&net.c1).unwrap();
    assert!(
        g.to_vec().iter().any(|v| *v != 0.0),
        "no gradient reached the first conv"
    );
    let g: Tensor<Rank4<16, 6, 5, 5>, f32, TestDevice> = grads.get(&net.c2).unwrap();
    assert_eq!(g.dims(), [16, 6, 5, 5]);
    let g: Tensor<Rank2<256, 120>, f32, TestDevice> = grads.get(&net.f1).unwrap();
    assert_eq!(g.dims(), [256, 120]);
    for (name, g) in [
        ("b1", grads.get(&net.b1).map(|g| g.to_vec())),
        ("b2", grads.get(&net.b2).map(|g| g.to_vec())),
        ("g1", grads.get(&net.g1).map(|g| g.to_vec())),
        ("g2", grads.get(&net.g2).map(|g| g.to_vec())),
        ("g3", grads.get(&net.g3).map(|g| g.to_vec())),
    ] {
        assert!(g.is_some(), "{name} has no gradient");
    }
    let g: Tensor<Rank2<84, 10>, f32, TestDevice> = grads.get(&net.f3).unwrap();
    assert_eq!(g.dims(), [84, 10]);
    let g: Tensor<Rank2<120, 84>, f32, TestDevice> = grads.get(&net.f2).unwrap();
    assert_eq!(g.dims(), [120, 84]);
}

#[test]
fn language_model_logits_flatten_over_a_vocabulary_of_50257() {
    // GPT-2's vocabulary is above the compile-time arithmetic bound; with run-time batch and
    // sequence dims the reshape is checked when running, and the vocabulary stays `Const`
    let dev = TestDevice::default();
    let logits: Tensor<(usize, usize, Const<50257>), f32, TestDevice> =
        dev.zeros_like(&(2, 3, Const));
    let flat: Tensor<(usize, Const<50257>), f32, TestDevice> = logits.reshape_like(&(6, Const));
    assert_eq!(flat.dims(), [6, 50257]);
    let bad: Tensor<(usize, usize, Const<50257>), f32, TestDevice> = dev.zeros_like(&(2, 3, Const));
    assert!(bad.try_reshape_like(&(5usize, Const::<50257>)).is_err());
}
