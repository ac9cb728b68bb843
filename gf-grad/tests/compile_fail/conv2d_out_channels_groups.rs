use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<2, 8, 28, 28>, f32, Cpu> = dev.zeros();
    // 8 input channels in 2 groups of 4 fit, but 5 out-channels do not split into 2 groups
    let w: Tensor<Rank4<5, 4, 3, 3>, f32, Cpu> = dev.zeros();
    let _ = x.conv2d(w, Conv2dOpts::new().groups(Const::<2>));
}
