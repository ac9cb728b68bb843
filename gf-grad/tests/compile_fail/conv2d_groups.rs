use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<2, 8, 28, 28>, f32, Cpu> = dev.zeros();
    // 4 in-channels divide the image's 8, but with one group the weight must take all 8
    let w: Tensor<Rank4<6, 4, 5, 5>, f32, Cpu> = dev.zeros();
    let _ = x.conv2d(w, Conv2dOpts::new());
}
