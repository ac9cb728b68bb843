use gf_core::prelude::*;
use gf_grad::prelude::*;

fn main() {
    let dev = Cpu::default();
    let w: Tensor<Rank1<3>, f32, Cpu> = dev.ones();
    let loss = w.trace().square().sum::<Axis<0>>();
    let grads = loss.backward();
    assert_eq!(grads.get(&w).unwrap().to_vec(), vec![2.0; 3]);
}
