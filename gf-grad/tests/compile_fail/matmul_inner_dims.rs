use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let a: Tensor<Rank2<3, 4>, f32, Cpu> = dev.zeros();
    let b: Tensor<Rank2<5, 2>, f32, Cpu> = dev.zeros();
    let _ = a.matmul(b);
}
