//! Optimizers and schedulers against PyTorch (fixtures from
//! `gf-nn/tests/fixtures/make_fixtures.py`): parameters after 5 steps in f64 to 1e-10, and
//! learning rates over 100 scheduler steps to 1e-10.

use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_nn::prelude::*;
use gf_nn::{StateDict, StateEntry};
use gf_optim::sched::*;
use gf_optim::*;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../gf-nn/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn dims(v: &Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn state_dict(v: &Value) -> StateDict {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, t)| {
            let e = StateEntry {
                kind: TensorKind::Param,
                dtype: "f64",
                shape: dims(t),
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
            "{what}[{i}]: got {g:e}, PyTorch gives {w:e}"
        );
    }
}

type Model = Linear<Const<3>, Const<2>, f64>;
type X = Tensor<(usize, Const<3>), f64, Cpu>;
type Y = Tensor<(usize, Const<2>), f64, Cpu>;

/// Five steps of `opt` on the fixture's MSE problem; the parameters must match PyTorch's.
fn five_steps<O: Optimizer<f64, Cpu>>(name: &str, mut opt: O) {
    let all = fixture("optim.json");
    let dev = Cpu::seed_from_u64(0);
    let mut m: Model = Linear::init(&dev);
    m.try_load_state_dict(&state_dict(&all["init"]), Strict::Yes)
        .unwrap();
    let ids: Vec<_> = [m.weight.id()].to_vec();
    let to = |v: &Value, n: usize| floats(&v["data"])[..n].to_vec();
    let x: X = dev.tensor_from_vec(to(&all["x"], 18), (6, Const));
    let y: Y = dev.tensor_from_vec(to(&all["y"], 12), (6, Const));
    for _ in 0..5 {
        let loss = mse_loss(m.forward(x.trace()), &y, Reduction::Mean).unwrap();
        opt.step(&mut m, &loss.backward()).unwrap();
    }
    assert_eq!(
        ids,
        [m.weight.id()],
        "{name}: updates keep the parameter's id"
    );
    let got = m.try_state_dict().unwrap();
    for (k, v) in all[name].as_object().unwrap() {
        assert_close(
            &format!("{name} {k}"),
            &got[k].values,
            &floats(&v["data"]),
            1e-10,
        );
    }
}

#[test]
fn sgd_variants_match_pytorch() {
    five_steps("sgd", Sgd::new(0.1));
    five_steps(
        "sgd_momentum",
        Sgd::new(0.1)
            .momentum(0.9)
            .dampening(0.1)
            .weight_decay(0.01),
    );
    five_steps("sgd_nesterov", Sgd::new(0.1).momentum(0.9).nesterov(true));
}

#[test]
fn adam_variants_match_pytorch() {
    five_steps("adam", Adam::new(0.01));
    five_steps(
        "adam_amsgrad_wd",
        Adam::new(0.01).amsgrad(true).weight_decay(0.1),
    );
    five_steps("adamw", Adam::adamw(0.01).weight_decay(0.1));
}

#[test]
fn rmsprop_and_adagrad_match_pytorch() {
    five_steps("rmsprop", RMSprop::new(0.01));
    five_steps(
        "rmsprop_centered_momentum",
        RMSprop::new(0.01)
            .centered(true)
            .momentum(0.5)
            .weight_decay(0.01),
    );
    five_steps(
        "adagrad",
        Adagrad::new(0.1).lr_decay(0.01).weight_decay(0.01),
    );
}

#[test]
fn optimizer_state_round_trips_through_a_state_dict() {
    let dev = Cpu::seed_from_u64(1);
    let x: X = dev.randn_like(&(4, Const));
    let y: Y = dev.randn_like(&(4, Const));
    let mut a: Model = Linear::init(&dev);
    let mut b = a.clone();
    let mut opt_a = Adam::new(0.05);
    let step = |m: &mut Model, o: &mut Adam<f64, Cpu>| {
        let loss = mse_loss(m.forward(x.trace()), &y, Reduction::Mean).unwrap();
        o.step(m, &loss.backward()).unwrap();
    };
    for _ in 0..3 {
        step(&mut a, &mut opt_a);
    }
    // b continues from a's parameters and a's optimizer state, loaded by name
    b.try_load_state_dict(&a.try_state_dict().unwrap(), Strict::Yes)
        .unwrap();
    let mut opt_b = Adam::new(0.05);
    opt_b
        .load_state_dict(&opt_a.state_dict().unwrap(), &dev)
        .unwrap();
    assert_eq!(opt_b.states()["weight"].step, 3);
    step(&mut a, &mut opt_a);
    step(&mut b, &mut opt_b);
    assert_eq!(a.weight.to_vec(), b.weight.to_vec());
    let mut bad = opt_a.state_dict().unwrap();
    let e = bad["weight.exp_avg"].clone();
    bad.insert("weight.nonsense".into(), e);
    assert!(opt_b.load_state_dict(&bad, &dev).is_err());
}

#[test]
fn clipping_scales_to_the_global_norm_and_clamps_values() {
    let dev = Cpu::seed_from_u64(2);
    let m: Model = Linear::init(&dev);
    let x: X = dev.randn_like(&(4, Const)) * 10.0;
    let y: Y = dev.zeros_like(&(4, Const));
    let loss = mse_loss(m.forward(x.trace()), &y, Reduction::Sum).unwrap();
    let mut grads = loss.backward();
    let norm = |g: &Gradients| {
        m.gradients_by_name(g)
            .unwrap()
            .iter()
            .flat_map(|(_, t)| t.to_vec())
            .map(|v| v * v)
            .sum::<f64>()
            .sqrt()
    };
    let before = norm(&grads);
    let reported = clip_grad_norm(&m, &mut grads, 1.0).unwrap();
    assert!((reported - before).abs() < 1e-9 * before);
    assert!((norm(&grads) - 1.0).abs() < 1e-5, "{}", norm(&grads));
    clip_grad_value(&m, &mut grads, 0.1).unwrap();
    let all: Vec<f64> = m
        .gradients_by_name(&grads)
        .unwrap()
        .iter()
        .flat_map(|(_, t)| t.to_vec())
        .collect();
    assert!(all.iter().all(|v| v.abs() <= 0.1));
    let mut acc = Gradients::default();
    accumulate(&m, &mut acc, &grads).unwrap();
    accumulate(&m, &mut acc, &grads).unwrap();
    assert_eq!(
        acc.get(&m.weight).unwrap().to_vec(),
        (grads.get(&m.weight).unwrap() * 2.0).to_vec()
    );
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

#[test]
fn schedulers_match_pytorch_over_100_steps() {
    let all = fixture("sched.json");
    let check = |name: &str, got: Vec<f64>| assert_close(name, &got, &floats(&all[name]), 1e-10);
    let base_lr = 0.1;
    check(
        "step",
        lrs(StepLR {
            base_lr,
            step_size: 10,
            gamma: 0.5,
        }),
    );
    check(
        "multistep",
        lrs(MultiStepLR {
            base_lr,
            milestones: vec![20, 50, 80],
            gamma: 0.3,
        }),
    );
    check(
        "exponential",
        lrs(ExponentialLR {
            base_lr,
            gamma: 0.97,
        }),
    );
    check(
        "cosine",
        lrs(CosineAnnealingLR {
            base_lr,
            t_max: 30,
            eta_min: 0.001,
        }),
    );
    check(
        "linear",
        lrs(LinearLR {
            base_lr,
            start_factor: 0.25,
            end_factor: 1.0,
            total_iters: 8,
        }),
    );
    check("onecycle", lrs(OneCycleLR::new(0.1, 101)));
    check(
        "sequential",
        lrs(SequentialLR {
            schedules: vec![
                Box::new(LinearLR {
                    base_lr,
                    start_factor: 0.1,
                    end_factor: 1.0,
                    total_iters: 5,
                }),
                Box::new(CosineAnnealingLR {
                    base_lr,
                    t_max: 95,
                    eta_min: 0.0,
                }),
            ],
            milestones: vec![5],
        }),
    );
    let metrics = floats(&all["plateau_metrics"]);
    let mut opt: Sgd<f64, Cpu> = Sgd::new(0.1);
    let mut plateau = ReduceLROnPlateau::default();
    plateau.patience = 3;
    plateau.factor = 0.5;
    let mut got = vec![0.1];
    for m in metrics {
        got.push(plateau.step(m, &mut opt));
    }
    check("plateau", got);
}
