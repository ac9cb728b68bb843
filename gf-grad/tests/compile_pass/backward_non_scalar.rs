use gf_core::prelude::*;
use gf_grad::prelude::*;

fn main() {
    let dev = Cpu::default();
    let w: Tensor<Rank1<3>, f32, Cpu> = dev.ones();
    let _ = w.trace().square().mean::<Axis<0>>().backward();
}
