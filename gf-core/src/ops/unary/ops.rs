//! The unary ops, one row each: the function and its derivative for the CPU, what the
//! derivative reads, the same two as CUDA C expressions, and optionally a lane (SIMD) form.

use gf_shape::Shape;

use super::{erf, DfUses, UnaryKernel, UnaryOp};
use crate::device::lanes::Lanes;
use crate::device::simd::math::sigmoid_scalar as sigmoid;
use crate::dtype::Dtype;
use crate::error::Result;
use crate::tape::Tape;
use crate::tensor::Tensor;

/// A parameter of an op, as the CUDA kernel receives it.
pub trait ParamValue: Copy {
    /// The value as an `f64`.
    fn param(self) -> f64;
}
impl<E: Dtype> ParamValue for E {
    fn param(self) -> f64 {
        self.as_f64()
    }
}

impl ParamValue for i32 {
    fn param(self) -> f64 {
        f64::from(self)
    }
}

macro_rules! unary_ops {
    ($(
        $(#[$doc:meta])*
        $name:ident ($($field:ident : $fty:ty),*) {
            method: $method:ident / $try_method:ident,
            f: |$s:ident, $x:ident| $f:expr,
            df: |$s2:ident, $v:ident| $df:expr,
            df_reads: $uses:ident,
            cuda_f: $cuda_f:literal,
            cuda_df: $cuda_df:literal,
            $(lanes: |$s3:ident, $lx:ident| $lanes:expr,)?
            $(df_lanes: |$s4:ident, $lv:ident| $df_lanes:expr,)?
        }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $name<E> {
            $(
                #[allow(missing_docs)]
                pub $field: $fty,
            )*
            _e: core::marker::PhantomData<E>,
        }

        impl<E> $name<E> {
            /// The op with these parameters.
            #[allow(clippy::new_without_default)] // parameterless ops are built by their method
            pub fn new($($field: $fty),*) -> Self {
                $name { $($field,)* _e: core::marker::PhantomData }
            }
        }

        impl<E: Dtype> UnaryOp<E> for $name<E> {
            const NAME: &'static str = stringify!($method);
            const DF_USES: DfUses = DfUses::$uses;
            const CUDA_F: &'static str = $cuda_f;
            const CUDA_DF: &'static str = $cuda_df;
            const PARAMS: &'static [&'static str] = &[$(stringify!($field)),*];
            #[inline(always)]
            #[allow(unused_variables)]
            fn f(&self, $x: E) -> E {
                let $s = self;
                $f
            }
            #[inline(always)]
            #[allow(unused_variables)]
            fn df(&self, $v: E) -> E {
                let $s2 = self;
                $df
            }
            $(
                #[inline(always)]
                #[allow(unused_variables)]
                fn f_lanes<L: Lanes<E>>(&self, $lx: L) -> L {
                    let $s3 = self;
                    $lanes
                }
            )?
            $(
                #[inline(always)]
                #[allow(unused_variables)]
                fn df_lanes<L: Lanes<E>>(&self, $lv: L) -> L {
                    let $s4 = self;
                    $df_lanes
                }
            )?
            fn param_values(&self) -> Vec<f64> {
                vec![$(ParamValue::param(self.$field)),*]
            }
        }

        impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> Tensor<S, E, D, T> {
            $(#[$doc])*
            #[allow(clippy::should_implement_trait)] // `-x` forwards to `neg`
            #[track_caller]
            pub fn $method(self $(, $field: $fty)*) -> Self {
                self.$try_method($($field),*).unwrap()
            }
            #[doc = concat!("Fallible form of [`", stringify!($method), "`](Self::", stringify!($method), ").")]
            pub fn $try_method(self $(, $field: $fty)*) -> Result<Self> {
                self.try_unary($name::new($($field),*))
            }
        }
    )*};
}

fn softplus<E: Dtype>(x: E) -> E {
    // log(1 + e^x) without overflow: x + log(1 + e^-x) for large x
    if x > E::from_f64(20.0) {
        x
    } else if x < E::from_f64(-20.0) {
        x.exp()
    } else {
        x.exp().ln_1p()
    }
}

const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;
const GELU_TANH_C: f64 = 0.044_715;

unary_ops! {
    /// `-x`.
    Neg() {
        method: neg / try_neg,
        f: |s, x| -x,
        df: |s, v| -E::one(),
        df_reads: Nothing,
        cuda_f: "-x",
        cuda_df: "T(-1)",
        lanes: |s, x| x.mul(L::splat(-E::one())),
    }
    /// `|x|`; the derivative at 0 is 0, as in PyTorch.
    Abs() {
        method: abs / try_abs,
        f: |s, x| x.abs(),
        df: |s, v| if v > E::zero() { E::one() } else if v < E::zero() { -E::one() } else { E::zero() },
        df_reads: X,
        cuda_f: "fabs(x)",
        cuda_df: "(v > T(0)) ? T(1) : ((v < T(0)) ? T(-1) : T(0))",
    }
    /// `e^x`.
    Exp() {
        method: exp / try_exp,
        f: |s, x| x.exp(),
        df: |s, v| v,
        df_reads: Fx,
        cuda_f: "exp(x)",
        cuda_df: "v",
        lanes: |s, x| x.exp(),
        df_lanes: |s, v| v,
    }
    /// The natural logarithm.
    Ln() {
        method: ln / try_ln,
        f: |s, x| x.ln(),
        df: |s, v| E::one() / v,
        df_reads: X,
        cuda_f: "log(x)",
        cuda_df: "T(1) / v",
        lanes: |s, x| x.ln(),
        df_lanes: |s, v| L::splat(E::one()).div(v),
    }
    /// The square root.
    Sqrt() {
        method: sqrt / try_sqrt,
        f: |s, x| x.sqrt(),
        df: |s, v| E::from_f64(0.5) / v,
        df_reads: Fx,
        cuda_f: "sqrt(x)",
        cuda_df: "T(0.5) / v",
        df_lanes: |s, v| L::splat(E::from_f64(0.5)).div(v),
    }
    /// `x²`.
    Square() {
        method: square / try_square,
        f: |s, x| x * x,
        df: |s, v| v + v,
        df_reads: X,
        cuda_f: "x * x",
        cuda_df: "v + v",
        lanes: |s, x| x.mul(x),
        df_lanes: |s, v| v.add(v),
    }
    /// `xⁿ` for an integer `n`.
    PowI(n: i32) {
        method: powi / try_powi,
        f: |s, x| x.powi(s.n),
        df: |s, v| E::from_f64(f64::from(s.n)) * v.powi(s.n - 1),
        df_reads: X,
        cuda_f: "pow(x, T(n))",
        cuda_df: "T(n) * pow(v, T(n) - T(1))",
    }
    /// `xᵖ` for a float `p`.
    PowF(p: E) {
        method: powf / try_powf,
        f: |s, x| x.powf(s.p),
        df: |s, v| s.p * v.powf(s.p - E::one()),
        df_reads: X,
        cuda_f: "pow(x, p)",
        cuda_df: "p * pow(v, p - T(1))",
    }
    /// `1 / x`.
    Recip() {
        method: recip / try_recip,
        f: |s, x| x.recip(),
        df: |s, v| -(v * v),
        df_reads: Fx,
        cuda_f: "T(1) / x",
        cuda_df: "-(v * v)",
        lanes: |s, x| L::splat(E::one()).div(x),
        df_lanes: |s, v| L::splat(E::zero()).sub(v.mul(v)),
    }
    /// The sine.
    Sin() {
        method: sin / try_sin,
        f: |s, x| x.sin(),
        df: |s, v| v.cos(),
        df_reads: X,
        cuda_f: "sin(x)",
        cuda_df: "cos(v)",
    }
    /// The cosine.
    Cos() {
        method: cos / try_cos,
        f: |s, x| x.cos(),
        df: |s, v| -v.sin(),
        df_reads: X,
        cuda_f: "cos(x)",
        cuda_df: "-sin(v)",
    }
    /// The hyperbolic tangent.
    Tanh() {
        method: tanh / try_tanh,
        f: |s, x| x.tanh(),
        df: |s, v| E::one() - v * v,
        df_reads: Fx,
        cuda_f: "tanh(x)",
        cuda_df: "T(1) - v * v",
        lanes: |s, x| x.tanh(),
        df_lanes: |s, v| L::splat(E::one()).sub(v.mul(v)),
    }
    /// The logistic sigmoid `1 / (1 + e^-x)`.
    Sigmoid() {
        method: sigmoid / try_sigmoid,
        f: |s, x| sigmoid(x),
        df: |s, v| v * (E::one() - v),
        df_reads: Fx,
        cuda_f: "(x >= T(0)) ? T(1) / (T(1) + exp(-x)) : exp(x) / (T(1) + exp(x))",
        cuda_df: "v * (T(1) - v)",
        lanes: |s, x| x.sigmoid(),
        df_lanes: |s, v| v.mul(L::splat(E::one()).sub(v)),
    }
    /// `max(x, 0)`; NaN stays NaN and the derivative at 0 is 0, as in PyTorch.
    Relu() {
        method: relu / try_relu,
        f: |s, x| if x < E::zero() { E::zero() } else { x },
        df: |s, v| if v > E::zero() { E::one() } else { E::zero() },
        df_reads: X,
        cuda_f: "(x < T(0)) ? T(0) : x",
        cuda_df: "(v > T(0)) ? T(1) : T(0)",
        lanes: |s, x| { let z = L::splat(E::zero()); L::select_lt(x, z, z, x) },
        df_lanes: |s, v| { let z = L::splat(E::zero()); L::select_lt(z, v, L::splat(E::one()), z) },
    }
    /// `x` for positive `x`, `slope · x` otherwise (PyTorch's default slope is 0.01).
    LeakyRelu(slope: E) {
        method: leaky_relu / try_leaky_relu,
        f: |s, x| if x > E::zero() { x } else { s.slope * x },
        df: |s, v| if v > E::zero() { E::one() } else { s.slope },
        df_reads: X,
        cuda_f: "(x > T(0)) ? x : slope * x",
        cuda_df: "(v > T(0)) ? T(1) : slope",
    }
    /// `x` for positive `x`, `alpha · (e^x − 1)` otherwise.
    Elu(alpha: E) {
        method: elu / try_elu,
        f: |s, x| if x > E::zero() { x } else { s.alpha * x.exp_m1() },
        df: |s, v| if v > E::zero() { E::one() } else { s.alpha * v.exp() },
        df_reads: X,
        cuda_f: "(x > T(0)) ? x : alpha * expm1(x)",
        cuda_df: "(v > T(0)) ? T(1) : alpha * exp(v)",
    }
    /// Scaled ELU with the self-normalizing constants of Klambauer et al.
    Selu() {
        method: selu / try_selu,
        f: |s, x| E::from_f64(SELU_SCALE) * if x > E::zero() { x } else { E::from_f64(SELU_ALPHA) * x.exp_m1() },
        df: |s, v| E::from_f64(SELU_SCALE) * if v > E::zero() { E::one() } else { E::from_f64(SELU_ALPHA) * v.exp() },
        df_reads: X,
        cuda_f: "T(1.0507009873554805) * ((x > T(0)) ? x : T(1.6732632423543772) * expm1(x))",
        cuda_df: "T(1.0507009873554805) * ((v > T(0)) ? T(1) : T(1.6732632423543772) * exp(v))",
    }
    /// GELU with the exact Gaussian CDF: `x · Φ(x)`.
    Gelu() {
        method: gelu / try_gelu,
        f: |s, x| E::from_f64(0.5 * x.as_f64() * (1.0 + erf::erf(x.as_f64() * core::f64::consts::FRAC_1_SQRT_2))),
        df: |s, v| {
            let x = v.as_f64();
            let cdf = 0.5 * (1.0 + erf::erf(x * core::f64::consts::FRAC_1_SQRT_2));
            let pdf = (-0.5 * x * x).exp() / (2.0 * core::f64::consts::PI).sqrt();
            E::from_f64(cdf + x * pdf)
        },
        df_reads: X,
        cuda_f: "T(0.5) * x * (T(1) + erf(x * T(0.70710678118654752)))",
        cuda_df: "T(0.5) * (T(1) + erf(v * T(0.70710678118654752))) + v * exp(T(-0.5) * v * v) * T(0.39894228040143268)",
    }
    /// GELU with the tanh approximation (`approximate="tanh"` in PyTorch).
    GeluTanh() {
        method: gelu_tanh / try_gelu_tanh,
        f: |s, x| {
            let c = E::from_f64((2.0 / core::f64::consts::PI).sqrt());
            E::from_f64(0.5) * x * (E::one() + (c * (x + E::from_f64(GELU_TANH_C) * x * x * x)).tanh())
        },
        df: |s, v| {
            let c = E::from_f64((2.0 / core::f64::consts::PI).sqrt());
            let k = E::from_f64(GELU_TANH_C);
            let t = (c * (v + k * v * v * v)).tanh();
            let half = E::from_f64(0.5);
            half * (E::one() + t) + half * v * (E::one() - t * t) * c * (E::one() + E::from_f64(3.0) * k * v * v)
        },
        df_reads: X,
        cuda_f: "T(0.5) * x * (T(1) + tanh(T(0.79788456080286536) * (x + T(0.044715) * x * x * x)))",
        cuda_df: "T(0.5) * (T(1) + tanh(T(0.79788456080286536) * (v + T(0.044715) * v * v * v))) + T(0.5) * v * (T(1) - tanh(T(0.79788456080286536) * (v + T(0.044715) * v * v * v)) * tanh(T(0.79788456080286536) * (v + T(0.044715) * v * v * v))) * T(0.79788456080286536) * (T(1) + T(0.134145) * v * v)",
    }
    /// SiLU (swish): `x · sigmoid(x)`.
    Silu() {
        method: silu / try_silu,
        f: |s, x| x * sigmoid(x),
        df: |s, v| { let sg = sigmoid(v); sg * (E::one() + v * (E::one() - sg)) },
        df_reads: X,
        cuda_f: "x / (T(1) + exp(-x))",
        cuda_df: "(T(1) + v * (T(1) - T(1) / (T(1) + exp(-v)))) / (T(1) + exp(-v))",
        lanes: |s, x| x.mul(x.sigmoid()),
    }
    /// Mish: `x · tanh(softplus(x))`.
    Mish() {
        method: mish / try_mish,
        f: |s, x| x * softplus(x).tanh(),
        df: |s, v| { let t = softplus(v).tanh(); t + v * (E::one() - t * t) * sigmoid(v) },
        df_reads: X,
        cuda_f: "x * tanh((x > T(20)) ? x : log1p(exp(x)))",
        cuda_df: "tanh((v > T(20)) ? v : log1p(exp(v))) + v * (T(1) - tanh((v > T(20)) ? v : log1p(exp(v))) * tanh((v > T(20)) ? v : log1p(exp(v)))) / (T(1) + exp(-v))",
    }
    /// `log(1 + e^x)`, computed without overflow.
    Softplus() {
        method: softplus / try_softplus,
        f: |s, x| softplus(x),
        df: |s, v| sigmoid(v),
        df_reads: X,
        cuda_f: "(x > T(20)) ? x : log1p(exp(x))",
        cuda_df: "T(1) / (T(1) + exp(-v))",
    }
    /// `x` limited to `[min, max]` without checking `min ≤ max`; prefer [`Tensor::clamp`].
    Clamp(min: E, max: E) {
        method: clamp_unchecked / try_clamp_unchecked,
        f: |s, x| if x < s.min { s.min } else if x > s.max { s.max } else { x },
        df: |s, v| if v >= s.min && v <= s.max { E::one() } else { E::zero() },
        df_reads: X,
        cuda_f: "(x < min) ? min : ((x > max) ? max : x)",
        cuda_df: "(v >= min && v <= max) ? T(1) : T(0)",
    }
    /// `x + c`.
    ScalarAdd(c: E) {
        method: add_scalar / try_add_scalar,
        f: |s, x| x + s.c,
        df: |s, v| E::one(),
        df_reads: Nothing,
        cuda_f: "x + c",
        cuda_df: "T(1)",
        lanes: |s, x| x.add(L::splat(s.c)),
    }
    /// `x − c`.
    ScalarSub(c: E) {
        method: sub_scalar / try_sub_scalar,
        f: |s, x| x - s.c,
        df: |s, v| E::one(),
        df_reads: Nothing,
        cuda_f: "x - c",
        cuda_df: "T(1)",
        lanes: |s, x| x.sub(L::splat(s.c)),
    }
    /// `c − x`.
    ScalarRsub(c: E) {
        method: rsub_scalar / try_rsub_scalar,
        f: |s, x| s.c - x,
        df: |s, v| -E::one(),
        df_reads: Nothing,
        cuda_f: "c - x",
        cuda_df: "T(-1)",
        lanes: |s, x| L::splat(s.c).sub(x),
    }
    /// `x · c`.
    ScalarMul(c: E) {
        method: mul_scalar / try_mul_scalar,
        f: |s, x| x * s.c,
        df: |s, v| s.c,
        df_reads: Nothing,
        cuda_f: "x * c",
        cuda_df: "c",
        lanes: |s, x| x.mul(L::splat(s.c)),
    }
    /// `x / c`.
    ScalarDiv(c: E) {
        method: div_scalar / try_div_scalar,
        f: |s, x| x / s.c,
        df: |s, v| E::one() / s.c,
        df_reads: Nothing,
        cuda_f: "x / c",
        cuda_df: "T(1) / c",
        lanes: |s, x| x.div(L::splat(s.c)),
    }
}
