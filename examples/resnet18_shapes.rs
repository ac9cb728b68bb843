//! ResNet-18 (He et al. 2015) with every shape in the type: 224×224 RGB images through the 7×7
//! stem, four stages of two basic blocks (64, 128, 256, 512 channels, the later stages halving
//! the size with a strided 3×3 conv and a 1×1 projection), global average pooling and a
//! 1000-way classifier. The compiler checks each layer against the next and every residual sum;
//! the annotations show the sizes it derived (224 → 112 → 56 → 28 → 14 → 7, flatten to 512).
//!
//! Batch normalisation is left out: GhostFlow has no norm layers yet, and they keep shapes.
//!
//! `cargo test` builds this example, so the shapes are checked on every test run. Running it does
//! one forward and backward pass on a single image:
//!
//! ```sh
//! cargo run --release --example resnet18_shapes
//! ```

use ghost_flow::prelude::*;

/// A batch of `C` feature maps of `S × S`, the batch size known only when running.
type Maps<const C: usize, const S: usize> = (usize, Const<C>, Const<S>, Const<S>);
type Traced<const C: usize, const S: usize> = Tensor<Maps<C, S>, f32, Cpu, OwnedTape>;
/// A conv weight: `O` outputs, `I` inputs, `K × K`.
type Weight<const O: usize, const I: usize, const K: usize> = Tensor<Rank4<O, I, K, K>, f32, Cpu>;

/// Kaiming-normal weights (fan-in), as torchvision initialises ResNet convolutions.
fn kaiming<S: ConstShape>(dev: &Cpu, fan_in: usize) -> Tensor<S, f32, Cpu> {
    let std = (2.0 / fan_in as f32).sqrt();
    dev.try_sample_normal_like(&S::default(), 0.0, std).unwrap()
}

/// Two 3×3 convolutions of `C` channels.
struct Block<const C: usize> {
    w1: Weight<C, C, 3>,
    w2: Weight<C, C, 3>,
}

/// A stage's first block: a strided 3×3 conv from `I` to `O` channels, then a 3×3 conv, with a
/// strided 1×1 projection on the shortcut.
struct DownBlock<const O: usize, const I: usize> {
    w1: Weight<O, I, 3>,
    w2: Weight<O, O, 3>,
    proj: Weight<O, I, 1>,
}

impl<const C: usize> Block<C> {
    fn new(dev: &Cpu) -> Self {
        Block {
            w1: kaiming(dev, C * 9),
            w2: kaiming(dev, C * 9),
        }
    }
}

impl<const O: usize, const I: usize> DownBlock<O, I> {
    fn new(dev: &Cpu) -> Self {
        DownBlock {
            w1: kaiming(dev, I * 9),
            w2: kaiming(dev, O * 9),
            proj: kaiming(dev, I),
        }
    }
}

/// `relu(conv(relu(conv(x))) + x)` at fixed sizes: a macro, because the shape relations of a
/// generic `C` and `S` would have to be spelled out as bounds.
macro_rules! basic_block {
    ($x:expr, $b:expr, $tape:expr) => {{
        let x = $x;
        let same = Conv2dOpts::new().padding(Const::<1>);
        let h = x.clone().conv2d($b.w1.watched($tape), same).relu();
        let h = h.conv2d($b.w2.watched($tape), same);
        (h + x).relu()
    }};
}

/// The strided first block of a stage, with its projected shortcut.
macro_rules! down_block {
    ($x:expr, $b:expr, $tape:expr) => {{
        let x = $x;
        let down = Conv2dOpts::new().stride(Const::<2>).padding(Const::<1>);
        let same = Conv2dOpts::new().padding(Const::<1>);
        let h = x.clone().conv2d($b.w1.watched($tape), down).relu();
        let h = h.conv2d($b.w2.watched($tape), same);
        let shortcut = x.conv2d($b.proj.watched($tape), Conv2dOpts::new().stride(Const::<2>));
        (h + shortcut).relu()
    }};
}

struct ResNet18 {
    stem: Weight<64, 3, 7>,
    layer1: [Block<64>; 2],
    layer2: (DownBlock<128, 64>, Block<128>),
    layer3: (DownBlock<256, 128>, Block<256>),
    layer4: (DownBlock<512, 256>, Block<512>),
    fc: Tensor<Rank2<512, 1000>, f32, Cpu>,
    fc_bias: Tensor<Rank1<1000>, f32, Cpu>,
}

impl ResNet18 {
    fn new(dev: &Cpu) -> Self {
        ResNet18 {
            stem: kaiming(dev, 3 * 49),
            layer1: [Block::new(dev), Block::new(dev)],
            layer2: (DownBlock::new(dev), Block::new(dev)),
            layer3: (DownBlock::new(dev), Block::new(dev)),
            layer4: (DownBlock::new(dev), Block::new(dev)),
            fc: kaiming(dev, 512),
            fc_bias: dev.zeros(),
        }
    }

    /// Class logits of a batch of 224×224 images, recording on `tape`.
    fn forward(
        &self,
        x: Tensor<Maps<3, 224>, f32, Cpu>,
        tape: &OwnedTape,
    ) -> Tensor<(usize, Const<1000>), f32, Cpu, OwnedTape> {
        let stem = Conv2dOpts::new().stride(Const::<2>).padding(Const::<3>);
        let x: Traced<64, 112> = x.conv2d(self.stem.watched(tape), stem).relu();
        let pool = Pool2dOpts::new(Const::<3>)
            .stride(Const::<2>)
            .padding(Const::<1>);
        let x: Traced<64, 56> = x.max_pool2d(pool);
        let x: Traced<64, 56> = basic_block!(x, self.layer1[0], tape);
        let x: Traced<64, 56> = basic_block!(x, self.layer1[1], tape);
        let x: Traced<128, 28> = down_block!(x, self.layer2.0, tape);
        let x: Traced<128, 28> = basic_block!(x, self.layer2.1, tape);
        let x: Traced<256, 14> = down_block!(x, self.layer3.0, tape);
        let x: Traced<256, 14> = basic_block!(x, self.layer3.1, tape);
        let x: Traced<512, 7> = down_block!(x, self.layer4.0, tape);
        let x: Traced<512, 7> = basic_block!(x, self.layer4.1, tape);
        let x: Traced<512, 1> = x.adaptive_avg_pool2d(Const::<1>, Const::<1>);
        let x: Tensor<(usize, Const<512>), f32, Cpu, OwnedTape> = x.flatten::<Axis<1>>();
        let logits = x.matmul(self.fc.watched(tape));
        let bias = self
            .fc_bias
            .watched(tape)
            .broadcast_like::<_, Axis<0>>(logits.shape());
        logits + bias
    }
}

fn main() {
    let dev = Cpu::seed_from_u64(0);
    let model = ResNet18::new(&dev);
    let image: Tensor<Maps<3, 224>, f32, Cpu> = dev.randn_like(&(1, Const, Const, Const));
    let logits = model.forward(image, &OwnedTape::new());
    println!("logits: {:?}", logits.dims());
    // without batch normalisation the random network's logits spread widely; any scalar will do
    // to run backward through every layer
    let loss = logits.log_softmax::<Axis<1>>().mean::<(Axis<0>, Axis<1>)>();
    let value = loss.scalar();
    let grads = loss.backward();
    let g = grads
        .get(&model.fc)
        .expect("the classifier is on the tape")
        .to_vec();
    let mean_abs = g.iter().map(|x| x.abs()).sum::<f32>() / g.len() as f32;
    println!(
        "mean log-probability {value:.4}; {} parameter gradients; mean |∂/∂fc| {mean_abs:.3e}",
        grads.len()
    );
}
