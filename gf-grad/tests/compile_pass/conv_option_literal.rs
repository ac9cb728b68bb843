use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<8, 3, 28, 28>, f32, Cpu> = dev.zeros();
    let w: Tensor<Rank4<6, 3, 3, 3>, f32, Cpu> = dev.zeros();
    let _: Tensor<Rank4<8, 6, 28, 28>, f32, Cpu> =
        x.clone().conv2d(w.clone(), Conv2dOpts::new().padding(Const::<1>));
    // a size known only when running makes the sizes computed from it run-time ones
    let _: Tensor<(Const<8>, Const<6>, usize, usize), f32, Cpu> =
        x.conv2d(w, Conv2dOpts::new().padding(Runtime(1)));
}
