use gf_core::prelude::*;
use gf_nn::prelude::*;

fn main() {
    let dev = Cpu::seed_from_u64(0);
    // 4 · 5 · 6 = 120 features reach a layer that takes 100
    let model: (Flatten, Linear<Const<100>, Const<10>>) = Init::init(&dev);
    let x: Tensor<(usize, Const<4>, Const<5>, Const<6>), f32, Cpu> =
        dev.zeros_like(&(2, Const, Const, Const));
    let _ = model.forward(x);
}
