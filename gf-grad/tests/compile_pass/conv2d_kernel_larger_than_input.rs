use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<2, 3, 3, 3>, f32, Cpu> = dev.zeros();
    let w: Tensor<Rank4<6, 3, 5, 5>, f32, Cpu> = dev.zeros();
    // padding 1 makes the input 5×5, as large as the kernel
    let _: Tensor<Rank4<2, 6, 1, 1>, f32, Cpu> = x.conv2d(w, Conv2dOpts::new().padding(Const::<1>));
}
