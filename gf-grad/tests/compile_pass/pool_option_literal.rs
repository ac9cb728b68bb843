use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let x: Tensor<Rank4<8, 6, 24, 24>, f32, Cpu> = dev.zeros();
    let _: Tensor<Rank4<8, 6, 12, 12>, f32, Cpu> = x.clone().max_pool2d(Pool2dOpts::new(Const::<2>));
    let _: Tensor<(Const<8>, Const<6>, usize, usize), f32, Cpu> =
        x.max_pool2d(Pool2dOpts::new(Runtime(2)));
}
