use gf_core::prelude::*;
use gf_nn::prelude::*;

fn main() {
    let dev = Cpu::seed_from_u64(0);
    // the first conv gives 8 channels, the second takes 4
    let model: (
        Conv1d<Const<1>, Const<8>, Const<3>>,
        ReLU,
        Conv1d<Const<4>, Const<16>, Const<3>>,
    ) = Init::init(&dev);
    let x: Tensor<(usize, Const<1>, Const<16>), f32, Cpu> = dev.zeros_like(&(1, Const, Const));
    let _ = model.forward(x);
}
