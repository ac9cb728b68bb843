use gf_core::prelude::*;
use gf_grad::prelude::*;

fn main() {
    let dev = Cpu::default();
    let w: Tensor<Rank1<3>, f32, Cpu> = dev.ones();
    let loss = w.square().sum::<Axis<0>>();
    let _ = loss.backward();
}
