use gf_core::prelude::*;

fn main() {
    let dev = Cpu::default();
    let a: Tensor<Rank2<2, 3>, f32, Cpu> = dev.zeros();
    let _ = a.sum::<Axis<2>>();
}
