use gf_core::prelude::*;
use gf_nn::prelude::*;

fn main() {
    let dev = Cpu::seed_from_u64(0);
    let model: (Flatten, Linear<Const<120>, Const<10>>) = Init::init(&dev);
    let x: Tensor<(usize, Const<4>, Const<5>, Const<6>), f32, Cpu> =
        dev.zeros_like(&(2, Const, Const, Const));
    assert_eq!(model.forward(x).dims(), [2, 10]);
}
