use gf_core::prelude::*;
use gf_nn::prelude::*;

fn main() {
    let dev = Cpu::seed_from_u64(0);
    let model: (Linear<Const<784>, Const<128>>, ReLU, Linear<Const<128>, Const<10>>) =
        Init::init(&dev);
    let x: Tensor<(usize, Const<784>), f32, Cpu> = dev.zeros_like(&(1, Const));
    let y: Tensor<(usize, Const<10>), f32, Cpu> = model.forward(x);
    assert_eq!(y.dims(), [1, 10]);
}
