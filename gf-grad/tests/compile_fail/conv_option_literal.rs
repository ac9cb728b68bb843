use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<8, 3, 28, 28>, f32, Cpu> = dev.zeros();
    let w: Tensor<Rank4<6, 3, 3, 3>, f32, Cpu> = dev.zeros();
    let _ = x.conv2d(w, Conv2dOpts::new().padding(1));
}
