//! `#[derive(Module)]`, tuples as sequences, train/eval, parameter counts, conversion and the
//! custom-function API.

use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_nn::prelude::*;

#[derive(Module)]
struct Block<E: Dtype, D: Device<E>> {
    fc: Linear<Const<3>, Const<3>, E, D>,
    bn1: BatchNorm1d<Const<3>, E, D>,
    drop: Dropout,
}

#[derive(Module)]
struct Net {
    stem: Linear<Const<4>, Const<3>>,
    blocks: (Block<f32, Cpu>, Block<f32, Cpu>),
    head: (ReLU, Linear<Const<3>, Const<2>>),
    #[module(skip)]
    label: String,
}

#[derive(Module)]
struct Pair(Linear<Const<2>, Const<2>>, Tensor<Rank1<2>, f32, Cpu>);

#[test]
fn derived_names_follow_pytorch_state_dicts() {
    let dev = Cpu::seed_from_u64(0);
    let net = Net::init(&dev);
    assert_eq!(net.label, "");
    let names: Vec<String> = net.tensor_names().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names[..9],
        [
            "stem.weight",
            "stem.bias",
            "blocks.0.fc.weight",
            "blocks.0.fc.bias",
            "blocks.0.bn1.weight",
            "blocks.0.bn1.bias",
            "blocks.0.bn1.running_mean",
            "blocks.0.bn1.running_var",
            "blocks.0.bn1.num_batches_tracked",
        ]
    );
    assert_eq!(names.last().unwrap(), "head.1.bias");
    // buffers are not parameters
    assert_eq!(
        net.num_params(),
        (4 * 3 + 3) + 2 * (3 * 3 + 3 + 3 + 3) + (3 * 2 + 2)
    );
    let pair = Pair::init(&dev);
    let names: Vec<String> = pair.tensor_names().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["0.weight", "0.bias", "1"]);
}

#[test]
fn train_and_eval_reach_every_nested_module() {
    let dev = Cpu::seed_from_u64(0);
    let mut net = Net::init(&dev);
    assert!(net.blocks.1.drop.training && net.blocks.1.bn1.training);
    net.eval();
    assert!(!net.blocks.0.drop.training && !net.blocks.1.bn1.training);
    net.train();
    assert!(net.blocks.1.drop.training);
}

#[test]
fn dropout_drops_only_in_training_mode() {
    let dev = Cpu::seed_from_u64(5);
    let x: Tensor<(usize,), f64, Cpu> = dev.ones_like(&(1000,));
    let mut d = Dropout::new(0.5);
    let kept = d
        .forward(x.clone())
        .to_vec()
        .iter()
        .filter(|&&v| v != 0.0)
        .count();
    assert!((400..600).contains(&kept), "{kept}");
    Visit::<f64, Cpu>::set_training(&mut d, false);
    assert_eq!(d.forward(x.clone()).to_vec(), x.to_vec());
}

#[test]
fn a_model_converts_to_f64_with_the_same_outputs() {
    let dev = Cpu::seed_from_u64(0);
    let m: (Linear<Const<4>, Const<3>>, Tanh, Linear<Const<3>, Const<2>>) = Init::init(&dev);
    let m64: (
        Linear<Const<4>, Const<3>, f64>,
        Tanh,
        Linear<Const<3>, Const<2>, f64>,
    ) = m.try_convert(&dev).unwrap();
    let x: Tensor<(usize, Const<4>), f32, Cpu> = dev.randn_like(&(3, Const));
    let y32 = m.forward(x.clone()).to_vec();
    let y64 = m64.forward(x.to_dtype::<f64>()).to_vec();
    for (a, b) in y32.iter().zip(&y64) {
        assert!((f64::from(*a) - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn typed_and_run_time_sizes_run_the_same_code() {
    let dev = Cpu::seed_from_u64(0);
    let typed: (Linear<Const<4>, Const<8>>, GELU, Linear<Const<8>, Const<2>>) = Init::init(&dev);
    let mut dynamic: (Linear<usize, usize>, GELU, Linear<usize, usize>) = (
        Linear::try_new(&dev, 4, 8, true).unwrap(),
        GELU::default(),
        Linear::try_new(&dev, 8, 2, true).unwrap(),
    );
    dynamic
        .try_load_state_dict(&typed.try_state_dict().unwrap(), Strict::Yes)
        .unwrap();
    let x: Tensor<(usize, Const<4>), f32, Cpu> = dev.randn_like(&(5, Const));
    let xd = x.clone().try_into_shape::<(usize, usize)>().unwrap();
    assert_eq!(
        typed.forward(x).to_vec(),
        dynamic.forward(xd.clone()).to_vec()
    );
    // a run-time size mismatch is an Err, not a panic
    let wrong: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(5, 3));
    assert!(dynamic.try_forward(wrong).is_err());
}

#[test]
fn training_only_records_when_the_input_records() {
    let dev = Cpu::seed_from_u64(0);
    let m: Linear<Const<3>, Const<2>> = Linear::init(&dev);
    let x: Tensor<(usize, Const<3>), f32, Cpu> = dev.randn_like(&(4, Const));
    // the same forward on NoneTape: plain values, nothing recorded
    let y: Tensor<(usize, Const<2>), f32, Cpu, NoneTape> = m.forward(x.clone());
    let loss = y.sum::<(Axis<0>, Axis<1>)>();
    let _ = loss.scalar();
    let traced = m.forward(x.trace()).sum::<(Axis<0>, Axis<1>)>();
    let grads = traced.backward();
    assert!(grads.get(&m.weight).is_some() && grads.get(&m.bias.clone().unwrap()).is_some());
}

/// `y = x·|x|`, whose derivative `2|x|` is written by hand.
struct SignedSquare;
impl<S: Shape, D: Device<f64>> CustomFn<S, S, f64, D> for SignedSquare {
    fn forward(&self, x: &Tensor<S, f64, D>) -> Result<Tensor<S, f64, D>> {
        x.clone().try_mul(x.clone().try_abs()?)
    }
    fn backward(
        &self,
        x: &Tensor<S, f64, D>,
        _y: &Tensor<S, f64, D>,
        grad_y: &Tensor<S, f64, D>,
    ) -> Result<Tensor<S, f64, D>> {
        x.clone()
            .try_abs()?
            .try_mul_scalar(2.0)?
            .try_mul(grad_y.clone())
    }
}

/// Returns the wrong gradient shape, which the backward reports.
struct BadGrad;
impl CustomFn<(usize,), (usize,), f64, Cpu> for BadGrad {
    fn forward(&self, x: &Tensor<(usize,), f64, Cpu>) -> Result<Tensor<(usize,), f64, Cpu>> {
        Ok(x.clone())
    }
    fn backward(
        &self,
        _: &Tensor<(usize,), f64, Cpu>,
        _: &Tensor<(usize,), f64, Cpu>,
        _: &Tensor<(usize,), f64, Cpu>,
    ) -> Result<Tensor<(usize,), f64, Cpu>> {
        Ok(Cpu::default().zeros_like(&(7,)))
    }
}

#[test]
fn custom_functions_pass_gradcheck_inside_larger_graphs() {
    let dev = Cpu::seed_from_u64(3);
    let x = dev.randn_like(&DynShape::new([3, 4]));
    gradcheck(&[x], |xs| {
        // used twice and mixed with built-in ops, on a permuted (non-contiguous) view
        let a = xs[0].clone().try_permute_axes::<DynShape>(&[1, 0]).unwrap();
        let y = apply(SignedSquare, a.clone())
            .try_mul(a.try_tanh().unwrap())
            .unwrap();
        apply(SignedSquare, y)
            .try_reduce_axes(ReduceOp::Sum, &[0, 1])
            .unwrap()
    })
    .unwrap();
    // on NoneTape only the forward runs
    let v = apply(SignedSquare, dev.tensor([-2.0f64, 3.0]));
    assert_eq!(v.to_vec(), [-4.0, 9.0]);
    let w = dev.tensor_from_vec(vec![1.0f64, 2.0], (2,));
    let loss = apply(BadGrad, w.trace())
        .try_reduce_axes::<()>(ReduceOp::Sum, &[0])
        .unwrap();
    assert!(loss.try_backward().is_err());
}

#[test]
fn losses_and_norms_pass_gradcheck() {
    let dev = Cpu::seed_from_u64(4);
    let x = dev.randn_like(&DynShape::new([4, 3]));
    let targets = dev.tensor_from_vec(vec![2usize, 0, 1, 1], (4,));
    let opts = CrossEntropyOpts {
        weight: Some(vec![0.5, 1.0, 2.0]),
        label_smoothing: 0.1,
        ..Default::default()
    };
    gradcheck(std::slice::from_ref(&x), |xs| {
        let l = xs[0].clone().try_into_shape::<(usize, usize)>().unwrap();
        cross_entropy(l, &targets, &opts).unwrap()
    })
    .unwrap();
    let bn: BatchNorm1d<usize, f64> = BatchNorm::try_new(&dev, 3).unwrap();
    let ln: LayerNorm<usize, f64> = LayerNorm::try_new(&dev, 3).unwrap();
    let y: Tensor<(usize, usize), f64, Cpu> = dev.randn_like(&(4, 3));
    gradcheck(&[x], |xs| {
        let h = xs[0].clone().try_into_shape::<(usize, usize)>().unwrap();
        let h = ln.forward(bn.forward(h));
        huber_loss(h, &y, 0.5, Reduction::Sum).unwrap()
    })
    .unwrap();
}
