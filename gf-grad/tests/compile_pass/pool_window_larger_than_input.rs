use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<2, 16, 3, 3>, f32, Cpu> = dev.zeros();
    let _: Tensor<Rank4<2, 16, 1, 1>, f32, Cpu> = x.max_pool2d(Pool2dOpts::new(Const::<3>));
}
