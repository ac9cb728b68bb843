use gf_core::prelude::*;
use gf_nn::prelude::*;

fn main() {
    let dev = Cpu::seed_from_u64(0);
    let model: (
        Conv2d<Const<1>, Const<8>, Const<3>>,
        ReLU,
        Conv2d<Const<8>, Const<16>, Const<3>>,
    ) = Init::init(&dev);
    let x: Tensor<(usize, Const<1>, Const<8>, Const<8>), f32, Cpu> =
        dev.zeros_like(&(1, Const, Const, Const));
    let y: Tensor<(usize, Const<16>, Const<4>, Const<4>), f32, Cpu> = model.forward(x);
    assert_eq!(y.dims(), [1, 16, 4, 4]);
}
