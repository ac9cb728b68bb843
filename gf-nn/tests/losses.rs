//! The losses beyond `parity.rs`'s against PyTorch (fixtures from
//! `fixtures/make_loss_fixtures.py`, file `losses2.json`), in f64 to 1e-10 relative (absolute
//! below 1): Poisson NLL, cross entropy with probability targets, BCE-with-logits with
//! `pos_weight`, the sigmoid focal loss (torchvision's), margin ranking, triplet margin, cosine
//! embedding and InfoNCE, each with mean, sum and none; values and the gradients of every
//! input. Then finite-difference checks, and bad input.

mod common;

use std::sync::OnceLock;

use common::*;
use gf_core::prelude::*;
use gf_grad::gradcheck;
use gf_grad::prelude::*;
use gf_nn::loss::*;
use serde_json::Value;

type T1 = (usize,);
type T2 = (usize, usize);
type Traced<S> = Tensor<S, f64, Cpu, OwnedTape>;

const REDUCTIONS: [(&str, Reduction); 2] = [("mean", Reduction::Mean), ("sum", Reduction::Sum)];

fn all() -> &'static Value {
    static ALL: OnceLock<Value> = OnceLock::new();
    ALL.get_or_init(|| fixture("losses2.json"))
}

/// A constant of the case (a target or weight).
fn konst<S: Shape>(consts: &Value, name: &str) -> Tensor<S, f64, Cpu> {
    tensor(&consts[name])
}

/// The largest `|got − want| / max(1, |want|)`.
fn max_diff(got: &[f64], want: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// Runs `f` on the case's inputs, traced on one tape, with the case's constants; compares the
/// output, then backpropagates `Σ out·r` (`r` = 1 for reduced cases) and compares every input's
/// gradient. Returns the largest difference seen.
fn check<S: Shape, S2: Shape>(name: &str, f: impl Fn(Vec<Traced<S>>, &Value) -> Traced<S2>) -> f64 {
    let case = &all()[name];
    assert!(case.is_object(), "no fixture case {name}");
    let xs: Vec<Tensor<S, f64, Cpu>> = case["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(tensor)
        .collect();
    let tape = OwnedTape::new();
    let traced = xs.iter().map(|x| x.trace_into(&tape)).collect();
    let out = f(traced, &case["consts"]);
    let got = out.to_vec();
    let want = values(&case["out"]);
    assert_close(&format!("{name}: out"), &got, &want, F64_TOL);
    let mut worst = max_diff(&got, &want);
    let r: Tensor<S2, f64, Cpu> = if case["r"].is_object() {
        tensor(&case["r"])
    } else {
        Cpu::default().tensor_from_vec(vec![1.0; out.num_elements()], out.shape().clone())
    };
    let axes: Vec<usize> = (0..out.shape().num_dims()).collect();
    let total: Traced<()> = out
        .try_mul(r)
        .unwrap()
        .try_reduce_axes(ReduceOp::Sum, &axes)
        .unwrap();
    let grads = total.backward();
    for (i, (x, want)) in xs.iter().zip(case["grads"].as_array().unwrap()).enumerate() {
        let got = grads
            .get(x)
            .map_or_else(|| vec![0.0; x.num_elements()], |g| g.to_vec());
        let want = values(want);
        assert_close(&format!("{name}: grad of input {i}"), &got, &want, F64_TOL);
        worst = worst.max(max_diff(&got, &want));
    }
    worst
}

/// Prints the family's largest difference (shown with `--nocapture`; the report quotes it).
fn report(family: &str, worst: f64) {
    eprintln!("{family}: max difference {worst:.2e}");
}

#[test]
fn poisson_nll_matches_pytorch() {
    let mut worst = 0.0f64;
    for (kind, log_input) in [("log", true), ("rate", false)] {
        for (tag, full) in [("", false), ("_full", true)] {
            let base = PoissonNllOpts {
                log_input,
                full,
                ..PoissonNllOpts::default()
            };
            for (red, r) in REDUCTIONS {
                let opts = PoissonNllOpts {
                    reduction: r,
                    ..base
                };
                worst = worst.max(check(&format!("poisson_{kind}{tag}_{red}"), |x, c| {
                    let y: Tensor<T2, f64, Cpu> = konst(c, "target");
                    poisson_nll_loss(x[0].clone(), &y, &opts).unwrap()
                }));
            }
            worst = worst.max(check(&format!("poisson_{kind}{tag}_none"), |x, c| {
                let y: Tensor<T2, f64, Cpu> = konst(c, "target");
                poisson_nll_loss_none(x[0].clone(), &y, &base).unwrap()
            }));
        }
    }
    report("poisson_nll", worst);
}

#[test]
fn cross_entropy_with_probability_targets_matches_pytorch() {
    let weight = || values(&all()["ce_probs_weight_mean"]["consts"]["weight"]);
    let variants = [
        ("ce_probs", CrossEntropyOpts::default()),
        (
            "ce_probs_smooth",
            CrossEntropyOpts {
                label_smoothing: 0.2,
                ..Default::default()
            },
        ),
        (
            "ce_probs_weight_smooth",
            CrossEntropyOpts {
                label_smoothing: 0.1,
                weight: Some(weight()),
                ..Default::default()
            },
        ),
    ];
    let mut worst = 0.0f64;
    for (name, base) in &variants {
        for (red, r) in REDUCTIONS {
            let opts = CrossEntropyOpts {
                reduction: r,
                ..base.clone()
            };
            worst = worst.max(check(&format!("{name}_{red}"), |x: Vec<Traced<T2>>, c| {
                cross_entropy_probs(x[0].clone(), &konst(c, "target"), &opts).unwrap()
            }));
        }
        worst = worst.max(check(&format!("{name}_none"), |x: Vec<Traced<T2>>, c| {
            cross_entropy_probs_none(x[0].clone(), &konst(c, "target"), base).unwrap()
        }));
    }
    let weighted = CrossEntropyOpts {
        weight: Some(weight()),
        ..Default::default()
    };
    worst = worst.max(check("ce_probs_weight_mean", |x: Vec<Traced<T2>>, c| {
        cross_entropy_probs(x[0].clone(), &konst(c, "target"), &weighted).unwrap()
    }));
    // scores of ±1e3: log-softmax keeps them finite
    worst = worst.max(check("ce_probs_huge_mean", |x: Vec<Traced<T2>>, c| {
        let x = x[0].clone().try_mul_scalar(1e3).unwrap();
        cross_entropy_probs(x, &konst(c, "target"), &Default::default()).unwrap()
    }));
    report("cross_entropy_probs", worst);
}

/// The case's `(C,)` pos_weight broadcast over the rows, as PyTorch broadcasts it.
fn pos_weight(c: &Value, like: &T2) -> Tensor<T2, f64, Cpu> {
    let w: Tensor<T1, f64, Cpu> = konst(c, "pos_weight");
    w.try_broadcast_axes(*like, &[0]).unwrap()
}

#[test]
fn bce_with_logits_and_pos_weight_match_pytorch_at_logits_of_800() {
    let mut worst = 0.0f64;
    for (red, r) in REDUCTIONS {
        worst = worst.max(check(
            &format!("bce_logits_pw_{red}"),
            |x: Vec<Traced<T2>>, c| {
                let w = pos_weight(c, x[0].shape());
                binary_cross_entropy_with_logits(x[0].clone(), &konst(c, "target"), Some(&w), r)
                    .unwrap()
            },
        ));
    }
    worst = worst.max(check("bce_logits_pw_none", |x: Vec<Traced<T2>>, c| {
        let w = pos_weight(c, x[0].shape());
        binary_cross_entropy_with_logits_none(x[0].clone(), &konst(c, "target"), Some(&w)).unwrap()
    }));
    report("bce_with_logits pos_weight", worst);
}

#[test]
fn sigmoid_focal_loss_matches_torchvision() {
    let variants = [
        ("focal", FocalOpts::default()),
        (
            "focal_a50_g1.5",
            FocalOpts {
                alpha: Some(0.5),
                gamma: 1.5,
                ..Default::default()
            },
        ),
        (
            "focal_noalpha_g0",
            FocalOpts {
                alpha: None,
                gamma: 0.0,
                ..Default::default()
            },
        ),
    ];
    let mut worst = 0.0f64;
    for (name, base) in variants {
        for (red, r) in REDUCTIONS {
            let opts = FocalOpts {
                reduction: r,
                ..base
            };
            worst = worst.max(check(&format!("{name}_{red}"), |x: Vec<Traced<T2>>, c| {
                sigmoid_focal_loss(x[0].clone(), &konst(c, "target"), &opts).unwrap()
            }));
        }
        worst = worst.max(check(&format!("{name}_none"), |x: Vec<Traced<T2>>, c| {
            sigmoid_focal_loss_none(x[0].clone(), &konst(c, "target"), &base).unwrap()
        }));
    }
    report("sigmoid_focal_loss", worst);
}

#[test]
fn margin_ranking_matches_pytorch_with_inactive_hinges() {
    let mut worst = 0.0f64;
    for m in [0.0, 0.5] {
        for (red, r) in REDUCTIONS {
            worst = worst.max(check(
                &format!("margin_ranking_m{m:?}_{red}"),
                |x: Vec<Traced<T1>>, c| {
                    margin_ranking_loss(x[0].clone(), x[1].clone(), &konst(c, "target"), m, r)
                        .unwrap()
                },
            ));
        }
        worst = worst.max(check(
            &format!("margin_ranking_m{m:?}_none"),
            |x: Vec<Traced<T1>>, c| {
                margin_ranking_loss_none(x[0].clone(), x[1].clone(), &konst(c, "target"), m)
                    .unwrap()
            },
        ));
    }
    report("margin_ranking_loss", worst);
}

#[test]
fn triplet_margin_matches_pytorch_with_swap_and_p() {
    let variants = [
        ("triplet", TripletOpts::default()),
        (
            "triplet_swap",
            TripletOpts {
                swap: true,
                ..Default::default()
            },
        ),
        (
            "triplet_p1_m0.5",
            TripletOpts {
                p: 1.0,
                margin: 0.5,
                ..Default::default()
            },
        ),
        (
            "triplet_p3",
            TripletOpts {
                p: 3.0,
                ..Default::default()
            },
        ),
    ];
    let mut worst = 0.0f64;
    for (name, base) in variants {
        for (red, r) in REDUCTIONS {
            let opts = TripletOpts {
                reduction: r,
                ..base
            };
            worst = worst.max(check(&format!("{name}_{red}"), |x: Vec<Traced<T2>>, _| {
                triplet_margin_loss(x[0].clone(), x[1].clone(), x[2].clone(), &opts).unwrap()
            }));
        }
        worst = worst.max(check(&format!("{name}_none"), |x: Vec<Traced<T2>>, _| {
            triplet_margin_loss_none(x[0].clone(), x[1].clone(), x[2].clone(), &base).unwrap()
        }));
    }
    report("triplet_margin_loss", worst);
}

#[test]
fn cosine_embedding_matches_pytorch_with_inactive_hinges() {
    let mut worst = 0.0f64;
    for m in [0.0, 0.3] {
        for (red, r) in REDUCTIONS {
            worst = worst.max(check(
                &format!("cosine_m{m:?}_{red}"),
                |x: Vec<Traced<T2>>, c| {
                    let y: Tensor<T1, f64, Cpu> = konst(c, "target");
                    cosine_embedding_loss(x[0].clone(), x[1].clone(), &y, m, r).unwrap()
                },
            ));
        }
        worst = worst.max(check(
            &format!("cosine_m{m:?}_none"),
            |x: Vec<Traced<T2>>, c| {
                let y: Tensor<T1, f64, Cpu> = konst(c, "target");
                cosine_embedding_loss_none(x[0].clone(), x[1].clone(), &y, m).unwrap()
            },
        ));
    }
    report("cosine_embedding_loss", worst);
}

#[test]
fn info_nce_matches_its_pytorch_definition() {
    let mut worst = 0.0f64;
    for temp in [0.1, 0.5] {
        for (red, r) in REDUCTIONS {
            worst = worst.max(check(
                &format!("info_nce_t{temp:?}_{red}"),
                |x: Vec<Traced<T2>>, _| info_nce_loss(x[0].clone(), x[1].clone(), temp, r).unwrap(),
            ));
        }
        worst = worst.max(check(
            &format!("info_nce_t{temp:?}_none"),
            |x: Vec<Traced<T2>>, _| info_nce_loss_none(x[0].clone(), x[1].clone(), temp).unwrap(),
        ));
    }
    // a zero query row: finite gradients, PyTorch's (F.normalize's) values
    worst = worst.max(check("info_nce_zero_row_mean", |x: Vec<Traced<T2>>, _| {
        info_nce_loss(x[0].clone(), x[1].clone(), 0.1, Reduction::Mean).unwrap()
    }));
    // untraced keys (a momentum encoder's): the query's gradient is the same
    let case = &all()["info_nce_t0.1_mean"];
    let [q, k]: [Tensor<T2, f64, Cpu>; 2] = [0, 1].map(|i| tensor(&case["inputs"][i]));
    let l = info_nce_loss(q.trace(), k, 0.1, Reduction::Mean).unwrap();
    let g = l.backward().get(&q).unwrap().to_vec();
    assert_close(
        "info_nce, untraced keys",
        &g,
        &values(&case["grads"][0]),
        F64_TOL,
    );
    report("info_nce_loss", worst);
}

/// The traced `DynShape` input of `gradcheck` viewed as `(rows, cols)`.
fn as_matrix(x: &Traced<DynShape>, rows: usize, cols: usize) -> Traced<T2> {
    x.clone().try_reshape_like(&(rows, cols)).unwrap()
}

#[test]
fn finite_differences_agree_with_the_backward() {
    let dev = Cpu::seed_from_u64(7);
    let x: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new([3, 4]));
    let rate = x.clone().abs().add_scalar(0.5);
    let counts: Tensor<DynShape, f64, Cpu> = dev.tensor_from_vec(
        vec![0.0, 1.0, 2.0, 5.0, 3.0, 0.0, 0.5, 1.5, 7.0, 1.0, 0.0, 12.0],
        DynShape::new([3, 4]),
    );
    // Poisson NLL on rates, with Stirling's term
    let opts = PoissonNllOpts {
        log_input: false,
        full: true,
        ..Default::default()
    };
    gradcheck(&[rate], |xs| {
        poisson_nll_loss(xs[0].clone(), &counts, &opts).unwrap()
    })
    .unwrap();
    // the focal loss, γ = 1.5 (a non-integer power)
    let y: Tensor<DynShape, f64, Cpu> = dev.tensor_from_vec(
        vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0],
        DynShape::new([3, 4]),
    );
    let focal = FocalOpts {
        gamma: 1.5,
        ..Default::default()
    };
    gradcheck(std::slice::from_ref(&x), |xs| {
        sigmoid_focal_loss(xs[0].clone(), &y, &focal).unwrap()
    })
    .unwrap();
    // the triplet loss with swap, p = 3, on every row active (margin 5)
    let triplet = TripletOpts {
        margin: 5.0,
        p: 3.0,
        swap: true,
        ..Default::default()
    };
    let p: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new([3, 4]));
    let n: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new([3, 4]));
    gradcheck(&[x.clone(), p, n], |xs| {
        let [a, p, n] = [0, 1, 2].map(|i| as_matrix(&xs[i], 3, 4));
        triplet_margin_loss(a, p, n, &triplet).unwrap()
    })
    .unwrap();
    // InfoNCE through both normalisations and the matmul
    let k: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new([3, 4]));
    gradcheck(&[x, k], |xs| {
        let [q, k] = [0, 1].map(|i| as_matrix(&xs[i], 3, 4));
        info_nce_loss(q, k, 0.5, Reduction::Mean).unwrap()
    })
    .unwrap();
}

/// The message of an `Err`, which must name `word`.
#[track_caller]
fn assert_err_names<T>(r: gf_core::Result<T>, word: &str) {
    match r {
        Ok(_) => panic!("expected an error naming {word}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains(word), "{msg:?} does not name {word}");
        }
    }
}

#[test]
fn bad_input_is_an_err_naming_it() {
    let dev = Cpu::default();
    let m = |r: usize, c: usize| -> Tensor<T2, f64, Cpu> {
        dev.tensor_from_vec(vec![0.5; r * c], (r, c))
    };
    let v = |n: usize| -> Tensor<T1, f64, Cpu> { dev.tensor_from_vec(vec![1.0; n], (n,)) };
    // run-time shape mismatches
    let po = PoissonNllOpts::default();
    assert_err_names(poisson_nll_loss(m(2, 3), &m(3, 2), &po), "target");
    assert_err_names(
        cross_entropy_probs(m(2, 3), &m(2, 4), &Default::default()),
        "target",
    );
    assert_err_names(
        sigmoid_focal_loss(m(2, 3), &m(3, 3), &Default::default()),
        "target",
    );
    assert_err_names(
        margin_ranking_loss(v(3), v(4), &v(3), 0.0, Reduction::Mean),
        "input2",
    );
    assert_err_names(
        margin_ranking_loss(v(3), v(3), &v(2), 0.0, Reduction::Mean),
        "target",
    );
    let to = TripletOpts::default();
    assert_err_names(
        triplet_margin_loss(m(2, 3), m(2, 3), m(2, 4), &to),
        "negative",
    );
    assert_err_names(
        triplet_margin_loss(m(2, 3), m(3, 3), m(2, 3), &to),
        "positive",
    );
    assert_err_names(
        cosine_embedding_loss(m(2, 3), m(2, 4), &v(2), 0.0, Reduction::Mean),
        "input2",
    );
    assert_err_names(
        cosine_embedding_loss(m(2, 3), m(2, 3), &v(3), 0.0, Reduction::Mean),
        "target",
    );
    assert_err_names(
        info_nce_loss(m(2, 3), m(3, 3), 0.1, Reduction::Mean),
        "keys",
    );
    // bad parameters
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_err_names(
            info_nce_loss(m(2, 3), m(2, 3), bad, Reduction::Mean),
            "temperature",
        );
        let o = TripletOpts { margin: bad, ..to };
        assert_err_names(triplet_margin_loss(m(2, 3), m(2, 3), m(2, 3), &o), "margin");
        let o = TripletOpts { p: bad, ..to };
        assert_err_names(triplet_margin_loss(m(2, 3), m(2, 3), m(2, 3), &o), "p =");
    }
    assert_err_names(
        margin_ranking_loss(v(3), v(3), &v(3), -0.1, Reduction::Mean),
        "margin",
    );
    assert_err_names(
        cosine_embedding_loss(m(2, 3), m(2, 3), &v(2), 1.5, Reduction::Mean),
        "margin",
    );
    let o = PoissonNllOpts { eps: -1e-8, ..po };
    assert_err_names(poisson_nll_loss(m(2, 3), &m(2, 3), &o), "eps");
    let o = FocalOpts {
        alpha: Some(1.5),
        ..Default::default()
    };
    assert_err_names(sigmoid_focal_loss(m(2, 3), &m(2, 3), &o), "alpha");
    let o = FocalOpts {
        gamma: -1.0,
        ..Default::default()
    };
    assert_err_names(sigmoid_focal_loss(m(2, 3), &m(2, 3), &o), "gamma");
    let o = CrossEntropyOpts {
        ignore_index: Some(0),
        ..Default::default()
    };
    assert_err_names(cross_entropy_probs(m(2, 3), &m(2, 3), &o), "ignore_index");
    let o = CrossEntropyOpts {
        label_smoothing: 1.5,
        ..Default::default()
    };
    assert_err_names(
        cross_entropy_probs(m(2, 3), &m(2, 3), &o),
        "label_smoothing",
    );
    let o = CrossEntropyOpts {
        weight: Some(vec![1.0; 2]),
        ..Default::default()
    };
    assert_err_names(cross_entropy_probs(m(2, 3), &m(2, 3), &o), "class weights");
    // labels of the pair losses must be ±1
    let y = dev.tensor_from_vec(vec![1.0, 0.0, -1.0], (3,));
    assert_err_names(
        margin_ranking_loss(v(3), v(3), &y, 0.0, Reduction::Mean),
        "target[1]",
    );
    let y2 = dev.tensor_from_vec(vec![1.0, 2.0], (2,));
    assert_err_names(
        cosine_embedding_loss(m(2, 3), m(2, 3), &y2, 0.0, Reduction::Mean),
        "target[1]",
    );
}

#[test]
fn zero_rate_and_large_logits_stay_finite() {
    // log_input = false at a zero rate: the eps keeps ln finite, PyTorch's value
    let dev = Cpu::default();
    let zero: Tensor<T1, f64, Cpu> = dev.tensor_from_vec(vec![0.0, 0.0], (2,));
    let y = dev.tensor_from_vec(vec![0.0, 2.0], (2,));
    let opts = PoissonNllOpts {
        log_input: false,
        reduction: Reduction::Sum,
        ..Default::default()
    };
    let l = poisson_nll_loss(zero.trace(), &y, &opts).unwrap();
    assert_close(
        "poisson at rate 0",
        &[l.scalar()],
        &[-2.0 * 1e-8f64.ln()],
        F64_TOL,
    );
    let g = l.backward().get(&zero).unwrap().to_vec();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    // the focal loss at logits of ±1000 on the wrong side: finite, BCE-with-logits inside
    let x: Tensor<T1, f64, Cpu> = dev.tensor_from_vec(vec![1000.0, -1000.0], (2,));
    let y = dev.tensor_from_vec(vec![0.0, 1.0], (2,));
    let l = sigmoid_focal_loss(x.trace(), &y, &Default::default()).unwrap();
    assert!(l.scalar().is_finite());
    let g = l.backward().get(&x).unwrap().to_vec();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
}
