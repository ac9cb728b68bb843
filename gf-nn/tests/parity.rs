//! Layers, activations and losses against PyTorch (fixtures from `make_fixtures.py`), in f64 to
//! 1e-10: outputs, input gradients, parameter gradients and batch-norm running statistics.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_nn::loss::*;
use gf_nn::prelude::*;
use serde_json::Value;

type T2 = (usize, usize);

/// Loads `case.state_before`, runs `case.x` through `m` on a tape, compares the output, then
/// backpropagates `Σ y·r` and compares the input and parameter gradients and the state after.
fn check<S: Shape, S2: Shape, M>(name: &str, m: &mut M)
where
    M: Module<Tensor<S, f64, Cpu, OwnedTape>, Output = Tensor<S2, f64, Cpu, OwnedTape>>
        + Visit<f64, Cpu>,
{
    check_to::<S, S2, M>(name, m, F64_TOL, F64_TOL)
}

/// [`check`] with a tolerance for the output and another for the gradients.
fn check_to<S: Shape, S2: Shape, M>(name: &str, m: &mut M, tol: f64, grad_tol: f64)
where
    M: Module<Tensor<S, f64, Cpu, OwnedTape>, Output = Tensor<S2, f64, Cpu, OwnedTape>>
        + Visit<f64, Cpu>,
{
    let all = fixture("layers.json");
    let case = &all[name];
    m.try_load_state_dict(&state_dict(&case["state_before"]), Strict::Yes)
        .unwrap();
    let x: Tensor<S, f64, Cpu> = tensor(&case["x"]);
    let y = m.forward(x.trace());
    assert_close(&format!("{name}: y"), &y.to_vec(), &values(&case["y"]), tol);
    let r: Tensor<S2, f64, Cpu> = tensor(&case["r"]);
    let axes: Vec<usize> = (0..y.shape().num_dims()).collect();
    let loss: Tensor<(), f64, Cpu, OwnedTape> = y
        .try_mul(r)
        .unwrap()
        .try_reduce_axes(ReduceOp::Sum, &axes)
        .unwrap();
    let grads = loss.backward();
    let gx = grads.get(&x).unwrap().to_vec();
    assert_close(
        &format!("{name}: grad x"),
        &gx,
        &values(&case["grad_x"]),
        grad_tol,
    );
    let want = case["grads"].as_object().unwrap();
    let got = m.gradients_by_name(&grads).unwrap();
    assert_eq!(got.len(), want.len(), "{name}: gradient count");
    for (k, g) in got {
        assert_close(
            &format!("{name}: grad {k}"),
            &g.to_vec(),
            &values(&want[&k]),
            grad_tol,
        );
    }
    let after = m.try_state_dict().unwrap();
    for (k, v) in case["state_after"].as_object().unwrap() {
        assert_close(
            &format!("{name}: state {k}"),
            &after[k].values,
            &values(v),
            F64_TOL,
        );
    }
}

fn dev() -> Cpu {
    Cpu::seed_from_u64(0)
}

#[test]
fn linear_matches_pytorch() {
    let mut m: Linear<usize, usize, f64> = Linear::try_new(&dev(), 4, 3, true).unwrap();
    check::<T2, T2, _>("linear", &mut m);
    check::<(usize, usize, usize), (usize, usize, usize), _>("linear_seq", &mut m);
    let mut m: Linear<Const<4>, Const<3>, f64> =
        Linear::try_new(&dev(), Const, Const, false).unwrap();
    check::<(usize, Const<4>), (usize, Const<3>), _>("linear_nobias", &mut m);
}

#[test]
fn batch_norm_matches_pytorch_in_both_modes() {
    let mut m: BatchNorm1d<usize, f64> = BatchNorm::try_new(&dev(), 3).unwrap();
    check::<T2, T2, _>("batchnorm1d_train", &mut m);
    m.eval();
    check::<T2, T2, _>("batchnorm1d_eval", &mut m);
    let mut m: BatchNorm2d<Const<2>, f64> = BatchNorm::init(&dev());
    type Img = (usize, Const<2>, usize, usize);
    check::<Img, Img, _>("batchnorm2d_train", &mut m);
}

#[test]
fn layer_norm_matches_pytorch() {
    let mut m: LayerNorm<usize, f64> = LayerNorm::try_new(&dev(), 4).unwrap();
    check::<T2, T2, _>("layernorm", &mut m);
    check::<(usize, usize, usize), (usize, usize, usize), _>("layernorm_seq", &mut m);
}

#[test]
fn rms_norm_group_norm_and_prelu_match_pytorch() {
    let mut m: RMSNorm<usize, f64> = RMSNorm::try_new(&dev(), 4).unwrap();
    m.eps = Some(1e-6);
    check::<T2, T2, _>("rmsnorm", &mut m);
    m.eps = None;
    type Seq = (usize, usize, Const<4>);
    let mut m: RMSNorm<Const<4>, f64> = RMSNorm::init(&dev());
    check::<Seq, Seq, _>("rmsnorm_seq_default_eps", &mut m);
    type Img = (usize, Const<4>, usize, usize);
    let mut m: GroupNorm<Const<4>, f64> = GroupNorm::try_new(&dev(), 2, Const).unwrap();
    check::<Img, Img, _>("groupnorm", &mut m);
    assert!(GroupNorm::<usize, f64>::try_new(&dev(), 3, 4).is_err());
    let mut m: PReLU<Const<1>, f64> = PReLU::init(&dev());
    check::<T2, T2, _>("prelu", &mut m);
    let mut m: PReLU<usize, f64> = PReLU::try_new(&dev(), 3).unwrap();
    check::<(usize, usize, usize), (usize, usize, usize), _>("prelu_channels", &mut m);
}

#[test]
fn activations_match_pytorch() {
    check::<T2, T2, _>("act_relu", &mut ReLU);
    check::<T2, T2, _>("act_relu6", &mut ReLU6);
    check::<T2, T2, _>(
        "act_leaky_relu",
        &mut LeakyReLU {
            negative_slope: 0.2,
        },
    );
    check::<T2, T2, _>("act_elu", &mut ELU { alpha: 0.7 });
    check::<T2, T2, _>("act_selu", &mut SELU);
    check::<T2, T2, _>("act_gelu", &mut GELU::default());
    check::<T2, T2, _>(
        "act_gelu_tanh",
        &mut GELU {
            approximate_tanh: true,
        },
    );
    check::<T2, T2, _>("act_silu", &mut SiLU);
    check::<T2, T2, _>("act_mish", &mut Mish);
    check::<T2, T2, _>("act_softplus", &mut Softplus);
    check::<T2, T2, _>("act_sigmoid", &mut Sigmoid);
    check::<T2, T2, _>("act_tanh", &mut Tanh);
    check::<T2, T2, _>("act_hardtanh", &mut Hardtanh);
    // PyTorch's CPU backward of hardsigmoid / hardswish multiplies by `1.0f / 6.0f`, a float
    // constant, even in f64: its gradients are good to about 1e-8, ours to rounding
    check_to::<T2, T2, _>("act_hardsigmoid", &mut Hardsigmoid, F64_TOL, 1e-7);
    check_to::<T2, T2, _>("act_hardswish", &mut Hardswish, F64_TOL, 1e-7);
    check::<T2, T2, _>("act_softmax", &mut Softmax { dim: 1 });
    check::<T2, T2, _>("act_log_softmax", &mut LogSoftmax { dim: 1 });
}

#[test]
fn conv_and_pooling_match_pytorch() {
    type Img = (usize, usize, usize, usize);
    let opts = Conv2dOpts::new().stride(Runtime(2)).padding(Runtime(1));
    let mut m: Conv2d<usize, usize, usize, usize, usize, f64> =
        Conv2d::try_new(&dev(), 3, 4, 3, opts, true).unwrap();
    check::<Img, Img, _>("conv2d", &mut m);
    // typed: (1, 2, 4, 4) under a 2×2 kernel is (1, 3, 3, 3), computed when compiling
    type In = (usize, Const<2>, Const<4>, Const<4>);
    type Out = (usize, Const<3>, Const<3>, Const<3>);
    let mut m: Conv2d<Const<2>, Const<3>, Const<2>, Const<1>, Const<0>, f64> =
        Conv2d::try_new(&dev(), Const, Const, Const, Conv2dOpts::new(), false).unwrap();
    check::<In, Out, _>("conv2d_nobias", &mut m);
    type Pooled = (usize, Const<3>, Const<2>, Const<2>);
    let mut m: MaxPool2d<Const<2>, Const<2>> = Init::init(&dev());
    check::<(usize, Const<3>, Const<4>, Const<4>), Pooled, _>("maxpool2d", &mut m);
    let mut m = AvgPool2d::new(
        Pool2dOpts::new(Runtime(3))
            .stride(Runtime(2))
            .padding(Runtime(1)),
    );
    check::<Img, Img, _>("avgpool2d", &mut m);
    let mut m = AdaptiveAvgPool2d {
        oh: Const::<2>,
        ow: Const::<3>,
    };
    check::<Img, (usize, usize, Const<2>, Const<3>), _>("adaptive_avgpool2d", &mut m);
}

#[test]
fn embedding_matches_pytorch() {
    let all = fixture("layers.json");
    let case = &all["embedding"];
    let mut m: Embedding<usize, usize, f64> = Embedding::try_new(&dev(), 5, 3).unwrap();
    m.try_load_state_dict(&state_dict(&case["state_before"]), Strict::Yes)
        .unwrap();
    let idx: Vec<usize> = case["idx"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let n = idx.len();
    let tape = OwnedTape::new();
    let idx = Cpu::default().tensor_from_vec(idx, (n,)).put_tape(tape);
    let y = m.forward(idx);
    assert_close("embedding y", &y.to_vec(), &values(&case["y"]), F64_TOL);
    let r: Tensor<T2, f64, Cpu> = tensor(&case["r"]);
    let loss: Tensor<(), f64, Cpu, OwnedTape> = y
        .try_mul(r)
        .unwrap()
        .try_reduce_axes(ReduceOp::Sum, &[0, 1])
        .unwrap();
    let g = m.gradients_by_name(&loss.backward()).unwrap();
    assert_close(
        "embedding grad",
        &g[0].1.to_vec(),
        &values(&case["grads"]["weight"]),
        F64_TOL,
    );
    let bad = Cpu::default().tensor_from_vec(vec![5usize], (1,));
    assert!(m.try_forward(bad).is_err());
}

/// Runs `f` on the fixture's `x` traced and compares the loss and its input gradient.
fn check_loss(
    name: &str,
    f: impl Fn(Tensor<T2, f64, Cpu, OwnedTape>) -> Tensor<(), f64, Cpu, OwnedTape>,
) {
    let all = fixture("losses.json");
    let case = &all[name];
    let x: Tensor<T2, f64, Cpu> = tensor(&case["x"]);
    let v = f(x.trace());
    let want = case["value"].as_f64().unwrap();
    assert_close(&format!("{name}: value"), &[v.scalar()], &[want], F64_TOL);
    let g = v.backward().get(&x).unwrap().to_vec();
    assert_close(
        &format!("{name}: grad"),
        &g,
        &values(&case["grad_x"]),
        F64_TOL,
    );
}

fn get(v: &Value, k: &str) -> Tensor<T2, f64, Cpu> {
    tensor(&v[k])
}

#[test]
fn regression_losses_match_pytorch() {
    let all = fixture("losses.json");
    let t = get(&all, "target");
    for (red, r) in [("mean", Reduction::Mean), ("sum", Reduction::Sum)] {
        check_loss(&format!("mse_{red}"), |x| mse_loss(x, &t, r).unwrap());
        check_loss(&format!("l1_{red}"), |x| l1_loss(x, &t, r).unwrap());
        check_loss(&format!("huber_{red}"), |x| {
            huber_loss(x, &t, 0.7, r).unwrap()
        });
        check_loss(&format!("smooth_l1_{red}"), |x| {
            smooth_l1_loss(x, &t, 0.5, r).unwrap()
        });
    }
}

#[test]
fn kl_div_matches_pytorch() {
    let all = fixture("losses.json");
    let t = get(&all, "kl_target");
    check_loss("kl_div_mean", |x| kl_div(x, &t, Reduction::Mean).unwrap());
    check_loss("kl_div_sum", |x| kl_div(x, &t, Reduction::Sum).unwrap());
}

#[test]
fn binary_losses_match_pytorch_and_stay_finite_for_large_logits() {
    let all = fixture("losses.json");
    let y = get(&all, "bin_target");
    let w = get(&all, "pos_weight");
    check_loss("bce", |x| {
        binary_cross_entropy(x, &y, Reduction::Mean).unwrap()
    });
    check_loss("bce_logits", |x| {
        binary_cross_entropy_with_logits(x, &y, None, Reduction::Mean).unwrap()
    });
    check_loss("bce_logits_pos_weight", |x| {
        binary_cross_entropy_with_logits(x, &y, Some(&w), Reduction::Mean).unwrap()
    });
}

#[test]
fn cross_entropy_and_nll_match_pytorch_with_every_option() {
    let all = fixture("losses.json");
    let classes: Vec<usize> = all["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let cw: Vec<f64> = all["class_weight"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let n = classes.len();
    let y = Cpu::default().tensor_from_vec(classes, (n,));
    let ce = |opts: CrossEntropyOpts| {
        let y = y.clone();
        move |x: Tensor<T2, f64, Cpu, OwnedTape>| cross_entropy(x, &y, &opts).unwrap()
    };
    let base = CrossEntropyOpts::default();
    check_loss("ce_mean", ce(base.clone()));
    check_loss(
        "ce_sum",
        ce(CrossEntropyOpts {
            reduction: Reduction::Sum,
            ..base.clone()
        }),
    );
    check_loss(
        "ce_weight",
        ce(CrossEntropyOpts {
            weight: Some(cw.clone()),
            ..base.clone()
        }),
    );
    check_loss(
        "ce_ignore",
        ce(CrossEntropyOpts {
            ignore_index: Some(3),
            ..base.clone()
        }),
    );
    check_loss(
        "ce_smooth",
        ce(CrossEntropyOpts {
            label_smoothing: 0.2,
            ..base.clone()
        }),
    );
    check_loss(
        "ce_all",
        ce(CrossEntropyOpts {
            weight: Some(cw.clone()),
            ignore_index: Some(1),
            label_smoothing: 0.1,
            reduction: Reduction::Mean,
        }),
    );
    check_loss("ce_huge", |x| {
        cross_entropy(x.try_mul_scalar(1e3).unwrap(), &y, &base).unwrap()
    });
    let nll_opts = CrossEntropyOpts {
        weight: Some(cw),
        ..base.clone()
    };
    check_loss("nll_weight", |x| {
        nll_loss(x.try_log_softmax_axis(1).unwrap(), &y, &nll_opts).unwrap()
    });
    let bad = Cpu::default().tensor_from_vec(vec![0usize, 9, 0, 0, 0], (5,));
    let x: Tensor<T2, f64, Cpu> = get(&all["ce_mean"], "x");
    assert!(cross_entropy(x, &bad, &base).is_err());
}
