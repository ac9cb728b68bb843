use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<2, 8, 28, 28>, f32, Cpu> = dev.zeros();
    // two groups of 4 channels
    let w: Tensor<Rank4<6, 4, 5, 5>, f32, Cpu> = dev.zeros();
    let _: Tensor<Rank4<2, 6, 24, 24>, f32, Cpu> =
        x.conv2d(w, Conv2dOpts::new().groups(Const::<2>));
}
