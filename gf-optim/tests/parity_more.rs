//! NAdam, RAdam, Adamax, Adadelta, Lion, LAMB, parameter groups and the schedulers added with
//! them, against reference values from `gf-optim/tests/fixtures/make_fixtures.py`: parameters
//! after 5 steps in f64 to 1e-10 (PyTorch's optimizers and param groups; Lion and LAMB against
//! numpy transcriptions of their papers), and learning rates over 100 scheduler steps to 1e-10
//! (PyTorch's schedulers).

use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_nn::prelude::*;
use gf_nn::{StateDict, StateEntry};
use gf_optim::sched::*;
use gf_optim::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn state_dict(v: &Value) -> StateDict {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, t)| {
            let shape = t["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            let e = StateEntry {
                kind: TensorKind::Param,
                dtype: "f64",
                shape,
                values: floats(&t["data"]),
            };
            (k.clone(), e)
        })
        .collect()
}

#[track_caller]
fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g:e}, the reference gives {w:e}"
        );
    }
}

type Model = Linear<Const<3>, Const<2>, f64>;
type X = Tensor<(usize, Const<3>), f64, Cpu>;
type Y = Tensor<(usize, Const<2>), f64, Cpu>;

/// The fixture's model at its initial parameters, and its MSE problem.
fn problem() -> (Model, X, Y) {
    let all = fixture("optim.json");
    let dev = Cpu::seed_from_u64(0);
    let mut m: Model = Linear::init(&dev);
    m.try_load_state_dict(&state_dict(&all["init"]), Strict::Yes)
        .unwrap();
    let x: X = dev.tensor_from_vec(floats(&all["x"]["data"]), (6, Const));
    let y: Y = dev.tensor_from_vec(floats(&all["y"]["data"]), (6, Const));
    (m, x, y)
}

fn train<O: Optimizer<f64, Cpu>>(m: &mut Model, x: &X, y: &Y, opt: &mut O, steps: usize) {
    for _ in 0..steps {
        let loss = mse_loss(m.forward(x.trace()), y, Reduction::Mean).unwrap();
        opt.step(m, &loss.backward()).unwrap();
    }
}

/// Five steps of `opt` on the fixture's problem; the parameters must match the reference's.
fn five_steps<O: Optimizer<f64, Cpu>>(name: &str, opt: O) {
    n_steps(name, opt, 5)
}

/// `steps` steps of `opt` on the fixture's problem, checked against the fixture `name`.
fn n_steps<O: Optimizer<f64, Cpu>>(name: &str, mut opt: O, steps: usize) {
    let (mut m, x, y) = problem();
    let id = m.weight.id();
    train(&mut m, &x, &y, &mut opt, steps);
    assert_eq!(id, m.weight.id(), "{name}: updates keep the parameter's id");
    let got = m.try_state_dict().unwrap();
    let all = fixture("optim.json");
    let want = all[name].as_object().unwrap();
    assert_eq!(want.len(), 2, "{name}: the fixture has weight and bias");
    for (k, v) in want {
        assert_close(
            &format!("{name} {k}"),
            &got[k].values,
            &floats(&v["data"]),
            1e-10,
        );
    }
}

#[test]
fn nadam_variants_match_pytorch() {
    five_steps("nadam", NAdam::new(0.01));
    five_steps(
        "nadam_wd",
        NAdam::new(0.01).weight_decay(0.1).momentum_decay(0.01),
    );
    five_steps(
        "nadamw",
        NAdam::new(0.01)
            .weight_decay(0.1)
            .decoupled_weight_decay(true),
    );
}

#[test]
fn radam_variants_match_pytorch_on_both_sides_of_the_rectification_threshold() {
    five_steps("radam", RAdam::new(0.01));
    five_steps("radam_wd", RAdam::new(0.01).weight_decay(0.1));
    five_steps(
        "radamw",
        RAdam::new(0.01)
            .weight_decay(0.1)
            .decoupled_weight_decay(true),
    );
    // steps 1–5 unrectified, 6–10 rectified (ρ_t > 5)
    n_steps(
        "radam_rectified_10_steps",
        RAdam::new(0.01).betas(0.9, 0.9),
        10,
    );
}

#[test]
fn adamax_and_adadelta_match_pytorch() {
    five_steps("adamax", Adamax::new(0.01));
    five_steps(
        "adamax_wd",
        Adamax::new(0.01).betas(0.8, 0.9).weight_decay(0.1),
    );
    five_steps("adadelta", Adadelta::default());
    five_steps("adadelta_wd", Adadelta::new(0.5).rho(0.8).weight_decay(0.1));
}

#[test]
fn lion_matches_the_papers_algorithm() {
    five_steps("lion", Lion::new(1e-3));
    five_steps(
        "lion_wd",
        Lion::new(1e-2).betas(0.8, 0.95).weight_decay(0.5),
    );
}

#[test]
fn lamb_matches_the_papers_algorithm() {
    five_steps("lamb", Lamb::new(1e-2));
    five_steps(
        "lamb_wd",
        Lamb::new(5e-2).betas(0.8, 0.99).weight_decay(0.1),
    );
}

#[test]
fn nadam_resumes_exactly_from_its_state_dict() {
    // NAdam's momentum product is recomputed from the step count, so the saved step is enough
    let (mut a, x, y) = problem();
    let mut b = a.clone();
    let mut opt_a = NAdam::new(0.01).weight_decay(0.1);
    train(&mut a, &x, &y, &mut opt_a, 3);
    b.try_load_state_dict(&a.try_state_dict().unwrap(), Strict::Yes)
        .unwrap();
    let mut opt_b = NAdam::new(0.01).weight_decay(0.1);
    opt_b
        .load_state_dict(&opt_a.state_dict().unwrap(), &Cpu::seed_from_u64(0))
        .unwrap();
    assert_eq!(opt_b.states()["weight"].step, 3);
    train(&mut a, &x, &y, &mut opt_a, 2);
    train(&mut b, &x, &y, &mut opt_b, 2);
    let (sa, sb) = (a.try_state_dict().unwrap(), b.try_state_dict().unwrap());
    for k in ["weight", "bias"] {
        assert_eq!(sa[k].values, sb[k].values, "{k} after resuming");
    }
}

/// 101 learning rates (the start and after each of 100 steps), as PyTorch records them.
fn lrs<S: LrSchedule>(s: S) -> Vec<f64> {
    let mut opt: Sgd<f64, Cpu> = Sgd::new(0.1);
    let mut sched = Scheduler::new(s, &mut opt);
    let mut out = vec![Update::<f64, Cpu>::lr(&opt)];
    for _ in 0..100 {
        out.push(sched.step(&mut opt));
    }
    out
}

#[track_caller]
fn check(name: &str, got: Vec<f64>) {
    let all = fixture("sched.json");
    assert_close(name, &got, &floats(&all[name]), 1e-10);
}

#[test]
fn warm_restarts_match_pytorch() {
    let base_lr = 0.1;
    check(
        "warm_restarts",
        lrs(CosineAnnealingWarmRestarts {
            base_lr,
            t_0: 10,
            t_mult: 1,
            eta_min: 0.001,
        }),
    );
    check(
        "warm_restarts_mult",
        lrs(CosineAnnealingWarmRestarts {
            base_lr,
            t_0: 5,
            t_mult: 2,
            eta_min: 0.002,
        }),
    );
}

#[test]
fn polynomial_and_constant_match_pytorch() {
    check(
        "polynomial",
        lrs(PolynomialLR {
            base_lr: 0.1,
            total_iters: 40,
            power: 2.0,
        }),
    );
    check("polynomial_default", lrs(PolynomialLR::new(0.1)));
    check(
        "constant",
        lrs(ConstantLR {
            base_lr: 0.1,
            factor: 0.25,
            total_iters: 7,
        }),
    );
    check("constant_default", lrs(ConstantLR::new(0.1)));
}

#[test]
fn cyclic_modes_match_pytorch() {
    check(
        "cyclic_triangular",
        lrs(CyclicLR::new(0.01, 0.1).step_size_up(10)),
    );
    check(
        "cyclic_triangular2",
        lrs(CyclicLR::new(0.01, 0.1)
            .step_size_up(6)
            .step_size_down(9)
            .mode(CyclicMode::Triangular2)),
    );
    check(
        "cyclic_exp_range",
        lrs(CyclicLR::new(0.01, 0.1)
            .step_size_up(7)
            .mode(CyclicMode::ExpRange { gamma: 0.98 })),
    );
}

#[test]
fn chained_factors_match_pytorchs_chained_scheduler() {
    let base_lr = 0.1;
    check(
        "chained",
        lrs(ChainedScheduler {
            base_lr,
            schedules: vec![
                Box::new(ConstantLR {
                    base_lr,
                    factor: 0.5,
                    total_iters: 10,
                }),
                Box::new(ExponentialLR {
                    base_lr,
                    gamma: 0.97,
                }),
                Box::new(MultiStepLR {
                    base_lr,
                    milestones: vec![30, 60],
                    gamma: 0.5,
                }),
            ],
        }),
    );
    check(
        "chained_poly_linear",
        lrs(ChainedScheduler {
            base_lr,
            schedules: vec![
                Box::new(LinearLR {
                    base_lr,
                    start_factor: 0.2,
                    end_factor: 1.0,
                    total_iters: 10,
                }),
                Box::new(PolynomialLR {
                    base_lr,
                    total_iters: 80,
                    power: 0.5,
                }),
                Box::new(StepLR {
                    base_lr,
                    step_size: 25,
                    gamma: 0.9,
                }),
            ],
        }),
    );
}

#[test]
fn parameter_groups_match_pytorchs_param_groups() {
    // AdamW(lr 0.01, wd 0.1) with the bias in a group at lr 0.05 and no decay
    five_steps(
        "groups_adamw",
        ParamGroups::new(Adam::adamw(0.01).weight_decay(0.1))
            .group(ParamGroup::new("bias").lr_scale(5.0).weight_decay(0.0)),
    );
    // SGD with momentum, decay on the weight only
    five_steps(
        "groups_sgd",
        ParamGroups::new(Sgd::new(0.1).momentum(0.9))
            .group(ParamGroup::new("weight").weight_decay(0.05)),
    );
}

#[test]
fn a_group_takes_names_on_a_dot_boundary_and_the_first_match_wins() {
    let g = ParamGroup::new("encoder");
    assert!(g.contains("encoder"));
    assert!(g.contains("encoder.0.weight"));
    assert!(!g.contains("encoder2.weight"));
    assert!(ParamGroup::new("").contains("anything"));
    let groups = ParamGroups::new(Sgd::<f64, Cpu>::new(0.1))
        .group(ParamGroup::new("encoder.0").lr_scale(0.5))
        .group(ParamGroup::new("encoder").lr_scale(2.0));
    assert_eq!(groups.group_of("encoder.0.bias").unwrap().lr_scale, 0.5);
    assert_eq!(groups.group_of("encoder.1.bias").unwrap().lr_scale, 2.0);
    assert!(groups.group_of("head.weight").is_none());
}

#[test]
fn a_frozen_group_keeps_its_parameters_and_the_rule_keeps_its_own_rate() {
    let (mut m, x, y) = problem();
    let bias = m.bias.as_ref().unwrap().to_vec();
    let weight = m.weight.to_vec();
    let mut opt = ParamGroups::new(Adam::new(0.01)).group(ParamGroup::new("bias").lr_scale(0.0));
    train(&mut m, &x, &y, &mut opt, 3);
    assert_eq!(m.bias.as_ref().unwrap().to_vec(), bias);
    assert_ne!(m.weight.to_vec(), weight);
    assert_eq!(Update::<f64, Cpu>::lr(&opt), 0.01);
    // the frozen parameter still has its moments, as PyTorch keeps state for lr-0 groups
    assert_eq!(opt.states()["bias"].step, 3);
}
