use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<8, 6, 24, 24>, f32, Cpu> = dev.zeros();
    let _ = x.max_pool2d(Pool2dOpts::new(2));
}
