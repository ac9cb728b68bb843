use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<2, 8, 28, 28>, f32, Cpu> = dev.zeros();
    // 8 input channels in 2 groups of 4, and 6 out-channels in 2 groups of 3
    let w: Tensor<Rank4<6, 4, 3, 3>, f32, Cpu> = dev.zeros();
    let _: Tensor<Rank4<2, 6, 26, 26>, f32, Cpu> = x.conv2d(w, Conv2dOpts::new().groups(Const::<2>));
}
