//! The second set of layers against PyTorch (fixtures from `make_layer_fixtures.py`), in f64 to
//! 1e-10: Conv1d, ConvTranspose2d, MaxPool1d / AvgPool1d, Bilinear, Upsample (nearest and
//! bilinear, both align_corners, by a factor and to a size), InstanceNorm2d, CELU and
//! Residual. Each case loads PyTorch's weights by state-dict name and compares the output, the
//! input gradients and the parameter gradients of `Σ y·r`. Dropout2d draws its own masks, so
//! it is checked by what a mask must be.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_grad::prelude::*;
use gf_nn::prelude::*;
use serde_json::Value;

type T2 = (usize, usize);
type T3 = (usize, usize, usize);
type T4 = (usize, usize, usize, usize);

fn case(name: &str) -> Value {
    let all = fixture("layers2.json");
    all[name].clone()
}

/// `max |got − want| / max(1, |want|)`, asserted below `F64_TOL`.
#[track_caller]
fn compare(what: &str, got: &[f64], want: &[f64]) -> f64 {
    assert_close(what, got, want, F64_TOL);
    got.iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
        .fold(0.0, f64::max)
}

/// `Σ y·r` of a taped output against the case's `r`.
fn weighted_sum<S: Shape>(
    y: Tensor<S, f64, Cpu, OwnedTape>,
    c: &Value,
) -> Tensor<(), f64, Cpu, OwnedTape> {
    let r: Tensor<S, f64, Cpu> = tensor(&c["r"]);
    let axes: Vec<usize> = (0..y.shape().num_dims()).collect();
    y.try_mul(r)
        .unwrap()
        .try_reduce_axes(ReduceOp::Sum, &axes)
        .unwrap()
}

/// Compares the parameter gradients by name; returns the largest difference.
fn compare_param_grads<M: Visit<f64, Cpu>>(name: &str, m: &M, grads: &Gradients, c: &Value) -> f64 {
    let want = c["grads"].as_object().unwrap();
    let got = m.gradients_by_name(grads).unwrap();
    assert_eq!(got.len(), want.len(), "{name}: gradient count");
    got.into_iter()
        .map(|(k, g)| {
            compare(
                &format!("{name}: grad {k}"),
                &g.to_vec(),
                &values(&want[&k]),
            )
        })
        .fold(0.0, f64::max)
}

/// Loads the case's state, runs its `x` through `m` on a tape and compares output, input
/// gradient and parameter gradients.
fn check<S: Shape, S2: Shape, M>(name: &str, m: &mut M)
where
    M: Module<Tensor<S, f64, Cpu, OwnedTape>, Output = Tensor<S2, f64, Cpu, OwnedTape>>
        + Visit<f64, Cpu>,
{
    let c = case(name);
    m.try_load_state_dict(&state_dict(&c["state_before"]), Strict::Yes)
        .unwrap();
    let x: Tensor<S, f64, Cpu> = tensor(&c["x"]);
    let y = m.forward(x.trace());
    let dy = compare(&format!("{name}: y"), &y.to_vec(), &values(&c["y"]));
    let grads = weighted_sum(y, &c).backward();
    let gx = grads.get(&x).unwrap().to_vec();
    let dgx = compare(&format!("{name}: grad x"), &gx, &values(&c["grad_x"]));
    let dgp = compare_param_grads(name, m, &grads, &c);
    eprintln!("{name}: max diff y {dy:.1e}, grad x {dgx:.1e}, param grads {dgp:.1e}");
}

fn dev() -> Cpu {
    Cpu::seed_from_u64(0)
}

#[test]
fn conv1d_matches_pytorch_typed_and_run_time() {
    let opts = Conv2dOpts::new().stride(Runtime(2)).padding(Runtime(1));
    let mut m: Conv1d<usize, usize, usize, usize, usize, f64> =
        Conv1d::try_new(&dev(), 3, 4, 3, opts, true).unwrap();
    check::<T3, T3, _>("conv1d", &mut m);
    let mut m: Conv1d<Const<3>, Const<4>, Const<3>, Const<2>, Const<1>, f64> = Init::init(&dev());
    check::<(usize, Const<3>, Const<7>), (usize, Const<4>, Const<4>), _>("conv1d", &mut m);
    let mut m: Conv1d<Const<2>, Const<3>, Const<2>, Const<1>, Const<0>, f64> =
        Conv1d::try_new(&dev(), Const, Const, Const, Conv2dOpts::new(), false).unwrap();
    check::<(usize, Const<2>, usize), (usize, Const<3>, usize), _>("conv1d_nobias", &mut m);
}

#[test]
fn conv1d_rejects_other_channel_counts() {
    let m: Conv1d<usize, usize, usize, Const<1>, Const<0>, f64> =
        Conv1d::try_new(&dev(), 3, 4, 3, Conv2dOpts::new(), true).unwrap();
    let x: Tensor<T3, f64, Cpu> = dev().zeros_like(&(1, 2, 7));
    let e = m.try_forward(x).unwrap_err().to_string();
    assert!(e.contains("3 input channels") && e.contains("has 2"), "{e}");
}

#[test]
fn conv_transpose2d_matches_pytorch_with_output_padding() {
    let opts = Conv2dOpts::new()
        .stride(Runtime(2))
        .padding(Runtime(1))
        .output_padding(1);
    let mut m: ConvTranspose2d<usize, usize, usize, usize, usize, f64> =
        ConvTranspose2d::try_new(&dev(), 3, 2, 3, opts, true).unwrap();
    check::<T4, T4, _>("conv_transpose2d", &mut m);
    type In = (usize, Const<2>, Const<3>, Const<3>);
    type Out = (usize, Const<3>, Const<4>, Const<4>);
    let mut m: ConvTranspose2d<Const<2>, Const<3>, Const<2>, Const<1>, Const<0>, f64> =
        Init::init(&dev());
    check::<In, Out, _>("conv_transpose2d_plain", &mut m);
}

#[test]
fn conv_transpose2d_output_padding_needs_run_time_sizes() {
    let opts = Conv2dOpts::new()
        .stride(Const::<2>)
        .padding(Const::<1>)
        .output_padding(1);
    let m: ConvTranspose2d<Const<3>, Const<2>, Const<3>, Const<2>, Const<1>, f64> =
        ConvTranspose2d::try_new(&dev(), Const, Const, Const, opts, true).unwrap();
    let x: Tensor<(usize, Const<3>, Const<3>, Const<3>), f64, Cpu> =
        dev().zeros_like(&(1, Const, Const, Const));
    assert!(m.try_forward(x).is_err());
    // the same layer with run-time sizes fits the 6 × 6 output
    let x: Tensor<(usize, Const<3>, usize, usize), f64, Cpu> = dev().zeros_like(&(1, Const, 3, 3));
    assert_eq!(m.try_forward(x).unwrap().dims(), [1, 2, 6, 6]);
}

#[test]
fn pools_1d_match_pytorch() {
    let mut m: MaxPool1d<Const<2>> = Init::init(&dev());
    check::<(usize, usize, Const<6>), (usize, usize, Const<3>), _>("maxpool1d", &mut m);
    let mut m = MaxPool1d::new(
        Pool2dOpts::new(Runtime(3))
            .stride(Runtime(2))
            .padding(Runtime(1)),
    );
    check::<T3, T3, _>("maxpool1d_pad", &mut m);
    let mut m: AvgPool1d<Const<3>, Const<2>, Const<1>> = Init::init(&dev());
    check::<(usize, usize, Const<7>), (usize, usize, Const<4>), _>("avgpool1d", &mut m);
}

/// [`check`] for a two-input layer.
fn check_bilinear<M>(name: &str, m: &mut M)
where
    M: Module<
            (
                Tensor<T2, f64, Cpu, OwnedTape>,
                Tensor<T2, f64, Cpu, OwnedTape>,
            ),
            Output = Tensor<T2, f64, Cpu, OwnedTape>,
        > + Visit<f64, Cpu>,
{
    let c = case(name);
    m.try_load_state_dict(&state_dict(&c["state_before"]), Strict::Yes)
        .unwrap();
    let x1: Tensor<T2, f64, Cpu> = tensor(&c["x"]);
    let x2: Tensor<T2, f64, Cpu> = tensor(&c["x2"]);
    let x1t = x1.trace();
    let x2t = x2.trace_into(x1t.tape());
    let y = m.forward((x1t, x2t));
    let dy = compare(&format!("{name}: y"), &y.to_vec(), &values(&c["y"]));
    let grads = weighted_sum(y, &c).backward();
    let g1 = grads.get(&x1).unwrap().to_vec();
    let g2 = grads.get(&x2).unwrap().to_vec();
    let dg1 = compare(&format!("{name}: grad x1"), &g1, &values(&c["grad_x"]));
    let dg2 = compare(&format!("{name}: grad x2"), &g2, &values(&c["grad_x2"]));
    let dgp = compare_param_grads(name, m, &grads, &c);
    eprintln!(
        "{name}: max diff y {dy:.1e}, grad x1 {dg1:.1e}, grad x2 {dg2:.1e}, param grads {dgp:.1e}"
    );
}

#[test]
fn bilinear_matches_pytorch() {
    let mut m: Bilinear<usize, usize, usize, f64> =
        Bilinear::try_new(&dev(), 3, 4, 2, true).unwrap();
    check_bilinear("bilinear", &mut m);
    let mut m: Bilinear<usize, usize, usize, f64> =
        Bilinear::try_new(&dev(), 2, 3, 4, false).unwrap();
    check_bilinear("bilinear_nobias", &mut m);
    // typed sizes, and PyTorch's initial bound 1/√in1
    let m: Bilinear<Const<3>, Const<4>, Const<2>, f64> = Init::init(&dev());
    let bound = 1.0 / 3f64.sqrt();
    assert!(m.weight.to_vec().iter().all(|w| w.abs() <= bound));
    let x1: Tensor<(usize, Const<3>), f64, Cpu> = dev().randn_like(&(5, Const));
    let x2: Tensor<(usize, Const<4>), f64, Cpu> = dev().randn_like(&(5, Const));
    let y: Tensor<(usize, Const<2>), f64, Cpu> = m.forward((x1, x2));
    assert_eq!(y.dims(), [5, 2]);
}

#[test]
fn bilinear_rejects_mismatched_inputs() {
    let m: Bilinear<usize, usize, usize, f64> = Bilinear::try_new(&dev(), 3, 4, 2, true).unwrap();
    let x1: Tensor<T2, f64, Cpu> = dev().zeros_like(&(5, 3));
    let x2: Tensor<T2, f64, Cpu> = dev().zeros_like(&(4, 4));
    assert!(m.try_forward((x1.clone(), x2)).is_err());
    let x2: Tensor<T2, f64, Cpu> = dev().zeros_like(&(5, 3));
    assert!(m.try_forward((x1, x2)).is_err());
}

const BILINEAR: UpsampleMode = UpsampleMode::Bilinear {
    align_corners: false,
};
const BILINEAR_AC: UpsampleMode = UpsampleMode::Bilinear {
    align_corners: true,
};

#[test]
fn upsample_by_a_factor_matches_pytorch() {
    type In = (usize, Const<2>, Const<3>, Const<4>);
    type Out = (usize, Const<2>, Const<6>, Const<8>);
    let mut m: Upsample<Const<2>> = Init::init(&dev());
    check::<In, Out, _>("upsample_nearest_x2", &mut m);
    let mut m = Upsample::new(Const::<2>, BILINEAR);
    check::<In, Out, _>("upsample_bilinear_x2", &mut m);
    let mut m = Upsample::new(Runtime(2), BILINEAR_AC);
    check::<T4, T4, _>("upsample_bilinear_x2_ac", &mut m);
}

#[test]
fn upsample_to_a_size_matches_pytorch() {
    for (mode, tag) in [
        (UpsampleMode::Nearest, "nearest"),
        (BILINEAR, "bilinear"),
        (BILINEAR_AC, "bilinear"),
    ] {
        let ac = if mode == BILINEAR_AC { "_ac" } else { "" };
        let mut m = UpsampleTo::new(Runtime(5), Runtime(7), mode);
        check::<T4, T4, _>(&format!("upsample_{tag}_size{ac}"), &mut m);
        let mut m = UpsampleTo::new(Const::<2>, Const::<3>, mode);
        type Out = (usize, usize, Const<2>, Const<3>);
        check::<T4, Out, _>(&format!("upsample_{tag}_down{ac}"), &mut m);
    }
}

#[test]
fn upsample_rejects_empty_sizes() {
    let x: Tensor<T4, f64, Cpu> = dev().zeros_like(&(1, 1, 2, 2));
    assert!(UpsampleTo::new(Runtime(0), Runtime(3), BILINEAR)
        .try_forward(x)
        .is_err());
}

#[test]
fn instance_norm_matches_pytorch() {
    type Img = (usize, Const<3>, usize, usize);
    let mut m: InstanceNorm2d<Const<3>, f64> = Init::init(&dev());
    assert_eq!(m.num_params(), 0);
    check::<Img, Img, _>("instancenorm2d", &mut m);
    let mut m: InstanceNorm2d<usize, f64> = InstanceNorm2d::try_new(&dev(), 3, true).unwrap();
    check::<T4, T4, _>("instancenorm2d_affine", &mut m);
    // no running statistics: eval mode normalises with each plane's own statistics
    m.eval();
    check::<T4, T4, _>("instancenorm2d_eval", &mut m);
    let x: Tensor<T4, f64, Cpu> = dev().zeros_like(&(1, 2, 3, 3));
    assert!(m.try_forward(x).is_err());
}

#[test]
fn celu_matches_pytorch() {
    check::<T2, T2, _>("act_celu_default", &mut CELU::default());
    // PyTorch's CELU backward rounds α to f32 in its input scale (`1.0/alpha.toFloat()` in
    // derivatives.yaml), so for α = 0.7 its gradient is off the exact `r·e^(x/α)` by ~4e-9;
    // ours is the exact one, and the output matches to 1e-10
    let c = case("act_celu");
    let x: Tensor<T2, f64, Cpu> = tensor(&c["x"]);
    let y = CELU { alpha: 0.7 }.forward(x.trace());
    let dy = compare("act_celu: y", &y.to_vec(), &values(&c["y"]));
    let g = weighted_sum(y, &c).backward().get(&x).unwrap().to_vec();
    let r = values(&c["r"]);
    let exact: Vec<f64> = x
        .to_vec()
        .iter()
        .zip(&r)
        .map(|(&x, &r)| if x > 0.0 { r } else { r * (x / 0.7).exp() })
        .collect();
    assert_close("act_celu: grad x, exact", &g, &exact, 1e-14);
    assert_close("act_celu: grad x, PyTorch", &g, &values(&c["grad_x"]), 1e-7);
    eprintln!("act_celu: max diff y {dy:.1e}");
    let x: Tensor<T2, f64, Cpu> = dev().zeros_like(&(1, 2));
    assert!(CELU { alpha: 0.0 }.try_forward(x).is_err());
}

#[test]
fn residual_matches_pytorch_alone_and_in_a_sequence() {
    let lin: Linear<usize, usize, f64> = Linear::try_new(&dev(), 4, 4, true).unwrap();
    let mut m = Residual((lin, Tanh));
    check::<T2, T2, _>("residual", &mut m);
    type Block = Residual<(Linear<Const<4>, Const<4>, f64>, Tanh)>;
    let mut m: (Block, Linear<Const<4>, Const<2>, f64>) = Init::init(&dev());
    check::<(usize, Const<4>), (usize, Const<2>), _>("residual_in_seq", &mut m);
}

#[test]
fn dropout2d_drops_whole_channels_in_training_only() {
    let x: Tensor<T4, f64, Cpu> = dev().full_like(&(8, 16, 3, 3), 1.0);
    let mut m = Dropout2d::new(0.25);
    let xt = x.trace();
    let y = m.forward(xt);
    let v = y.to_vec();
    let mut kept = 0;
    for plane in v.chunks(9) {
        // a plane is all dropped or all kept and scaled by 1/(1 − p)
        assert!(
            plane.iter().all(|&e| e == 0.0)
                || plane.iter().all(|&e| (e - 1.0 / 0.75).abs() < 1e-12)
        );
        kept += usize::from(plane[0] != 0.0);
    }
    let frac = kept as f64 / 128.0;
    assert!((frac - 0.75).abs() < 0.15, "kept {frac}");
    // the gradient goes through the same mask
    let axes = [0, 1, 2, 3];
    let loss: Tensor<(), f64, Cpu, OwnedTape> = y.try_reduce_axes(ReduceOp::Sum, &axes).unwrap();
    let g = loss.backward().get(&x).unwrap().to_vec();
    assert_eq!(g, v);
    ModuleExt::<f64, Cpu>::eval(&mut m);
    assert_eq!(m.forward(x.clone()).to_vec(), x.to_vec());
    ModuleExt::<f64, Cpu>::train(&mut m);
    assert!(Dropout2d::new(2.0).try_forward(x).is_err());
}

/// Every value lies in `±bound`, and the largest is near it (the draw spans the range).
#[track_caller]
fn assert_spans(what: &str, v: &[f64], bound: f64) {
    let max = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(
        max <= bound && max > 0.5 * bound,
        "{what}: max |w| {max}, bound {bound}"
    );
}

/// Every value lies in `±bound` (a bias has too few values to span it surely).
#[track_caller]
fn assert_within(what: &str, v: &[f64], bound: f64) {
    assert!(v.iter().all(|x| x.abs() <= bound), "{what}: beyond {bound}");
}

#[test]
fn initialisation_uses_pytorchs_bounds() {
    // Conv1d: 1/√(CI·K)
    let m: Conv1d<Const<4>, Const<8>, Const<3>, Const<1>, Const<0>, f64> = Init::init(&dev());
    let b = 1.0 / 12f64.sqrt();
    assert_spans("conv1d weight", &m.weight.to_vec(), b);
    assert_within("conv1d bias", &m.bias.unwrap().to_vec(), b);
    // ConvTranspose2d: the fan-in is the weight's second axis, CO·K·K
    let m: ConvTranspose2d<Const<2>, Const<6>, Const<3>, Const<1>, Const<0>, f64> =
        Init::init(&dev());
    let b = 1.0 / 54f64.sqrt();
    assert_eq!(m.weight.dims(), [2, 6, 3, 3]);
    assert_spans("conv_transpose2d weight", &m.weight.to_vec(), b);
    assert_within("conv_transpose2d bias", &m.bias.unwrap().to_vec(), b);
    // Bilinear: 1/√in1 for weight and bias
    let m: Bilinear<Const<5>, Const<3>, Const<4>, f64> = Init::init(&dev());
    let b = 1.0 / 5f64.sqrt();
    assert_spans("bilinear weight", &m.weight.to_vec(), b);
    assert_within("bilinear bias", &m.bias.unwrap().to_vec(), b);
    // InstanceNorm2d with affine: weight 1, bias 0
    let m: InstanceNorm2d<usize, f64> = InstanceNorm2d::try_new(&dev(), 3, true).unwrap();
    assert_eq!(m.weight.unwrap().to_vec(), [1.0; 3]);
    assert_eq!(m.bias.unwrap().to_vec(), [0.0; 3]);
}
