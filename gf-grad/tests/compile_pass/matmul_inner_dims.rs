use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let a: Tensor<Rank2<3, 4>, f32, Cpu> = dev.zeros();
    let b: Tensor<Rank2<4, 2>, f32, Cpu> = dev.zeros();
    let _: Tensor<Rank2<3, 2>, f32, Cpu> = a.matmul(b);
}
