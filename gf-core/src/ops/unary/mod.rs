//! Elementwise unary ops, each written once as `f` and `df`.
//!
//! An op states `f(x)`, its derivative, and what the derivative reads (nothing, `x` or `f(x)`,
//! [`UnaryOp::DF_USES`]); the forward and backward kernels of every device are
//! generic over that. Adding an activation is a struct and an impl.

mod cpu_kernel;
pub(crate) mod erf;

use gf_shape::Shape;

use crate::device::Storage;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::tape::Tape;
use crate::tensor::Tensor;

/// What an elementwise derivative reads, so a backward keeps only that alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DfUses {
    /// Nothing: the derivative is a constant (`x + c`, `−x`); backward keeps no buffer.
    Nothing,
    /// The input `x`.
    X,
    /// The output `f(x)` (cheaper for `exp`, `tanh`, `sigmoid`, ...).
    Fx,
}

/// An elementwise function and its derivative.
pub trait UnaryOp<E: Dtype>: 'static + Clone + Send + Sync + core::fmt::Debug {
    /// The op's name in messages.
    const NAME: &'static str;
    /// What [`df`](Self::df) reads; backward keeps that buffer and nothing else.
    const DF_USES: DfUses;
    /// The function.
    fn f(&self, x: E) -> E;
    /// The derivative, given `x` or `f(x)` as [`DF_USES`](Self::DF_USES) says (any value when
    /// it uses nothing).
    fn df(&self, v: E) -> E;
}

/// The elementwise-unary kernel family.
pub trait UnaryKernel<E: Dtype>: Storage<E> {
    /// `f` over every element of the view, into a contiguous buffer.
    fn try_unary_fwd<Op: UnaryOp<E>>(
        &self,
        op: &Op,
        inp: &Self::Vec,
        layout: &Layout,
    ) -> Result<Self::Vec>;
    /// `buf[i] = f(buf[i])` in place, over a whole contiguous buffer (an input no one else
    /// holds, or a parameter updated in place).
    fn try_unary_assign<Op: UnaryOp<E>>(&self, op: &Op, buf: &mut Self::Vec) -> Result<()>;
    /// `grad_inp[i] += df(saved[i]) * grad_out[i]`, `saved` being `x` or `f(x)` under its
    /// layout, or `None` when the derivative reads nothing.
    fn try_unary_bwd<Op: UnaryOp<E>>(
        &self,
        op: &Op,
        saved: Option<(&Self::Vec, &Layout)>,
        grad_inp: &mut Self::Vec,
        grad_out: &Self::Vec,
    ) -> Result<()>;
}

impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// Applies any [`UnaryOp`] and records its backward.
    pub fn try_unary<Op: UnaryOp<E>>(self, op: Op) -> Result<Self> {
        let (mut inp, mut tape) = self.split_tape();
        let layout = inp.layout();
        // an input no one else holds is overwritten, unless its backward must read it
        let keeps_input = tape.records() && Op::DF_USES == DfUses::X;
        let dev = inp.device.clone();
        let out = match inp.whole_buf_mut().filter(|_| !keeps_input) {
            Some(buf) => {
                dev.try_unary_assign(&op, buf)?;
                inp.with_same_buffer(inp.shape.clone())
            }
            None => {
                let out_buf = inp.device.try_unary_fwd(&op, &inp.data, &layout)?;
                inp.with_new_buffer(out_buf, inp.shape.clone())
            }
        };
        if tape.records() {
            let (inp_id, out_id, len) = (inp.id, out.id, inp.num_elements());
            let saved = match Op::DF_USES {
                DfUses::Nothing => None,
                DfUses::X => Some((inp.data.clone(), layout)),
                DfUses::Fx => Some((out.data.clone(), out.layout())),
            };
            tape.add_backward_op(out_id, move |grads| {
                let Some(g) = grads.take::<E, D>(out_id)? else {
                    return Ok(());
                };
                let gi = grads.get_or_alloc_mut::<E, D>(inp_id, &dev, len)?;
                let saved = saved.as_ref().map(|(b, l)| (&**b, l));
                dev.try_unary_bwd(&op, saved, gi, &g)
            });
        }
        Ok(out.put_tape(tape))
    }
}

macro_rules! unary_ops {
    ($(
        $(#[$doc:meta])*
        $name:ident ($($field:ident : $fty:ty),*) $method:ident $try_method:ident, uses: $uses:ident,
        |$s:ident, $x:ident| $f:expr, |$s2:ident, $v:ident| $df:expr;
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
        }

        impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> Tensor<S, E, D, T> {
            $(#[$doc])*
            #[allow(clippy::should_implement_trait)] // `-x` forwards to `neg`
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

fn sigmoid<E: Dtype>(x: E) -> E {
    if x >= E::zero() {
        E::one() / (E::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (E::one() + e)
    }
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
    Neg() neg try_neg, uses: Nothing, |s, x| -x, |s, v| -E::one();
    /// `|x|`; the derivative at 0 is 0, as in PyTorch.
    Abs() abs try_abs, uses: X, |s, x| x.abs(), |s, v| if v > E::zero() { E::one() } else if v < E::zero() { -E::one() } else { E::zero() };
    /// `e^x`.
    Exp() exp try_exp, uses: Fx, |s, x| x.exp(), |s, v| v;
    /// The natural logarithm.
    Ln() ln try_ln, uses: X, |s, x| x.ln(), |s, v| E::one() / v;
    /// The square root.
    Sqrt() sqrt try_sqrt, uses: Fx, |s, x| x.sqrt(), |s, v| E::from_f64(0.5) / v;
    /// `x²`.
    Square() square try_square, uses: X, |s, x| x * x, |s, v| v + v;
    /// `xⁿ` for an integer `n`.
    PowI(n: i32) powi try_powi, uses: X, |s, x| x.powi(s.n), |s, v| E::from_f64(s.n as f64) * v.powi(s.n - 1);
    /// `xᵖ` for a float `p`.
    PowF(p: E) powf try_powf, uses: X, |s, x| x.powf(s.p), |s, v| s.p * v.powf(s.p - E::one());
    /// `1 / x`.
    Recip() recip try_recip, uses: Fx, |s, x| x.recip(), |s, v| -(v * v);
    /// The sine.
    Sin() sin try_sin, uses: X, |s, x| x.sin(), |s, v| v.cos();
    /// The cosine.
    Cos() cos try_cos, uses: X, |s, x| x.cos(), |s, v| -v.sin();
    /// The hyperbolic tangent.
    Tanh() tanh try_tanh, uses: Fx, |s, x| x.tanh(), |s, v| E::one() - v * v;
    /// The logistic sigmoid `1 / (1 + e^-x)`.
    Sigmoid() sigmoid try_sigmoid, uses: Fx, |s, x| sigmoid(x), |s, v| v * (E::one() - v);
    /// `max(x, 0)`; the derivative at 0 is 0, as in PyTorch.
    Relu() relu try_relu, uses: X, |s, x| if x > E::zero() { x } else { E::zero() }, |s, v| if v > E::zero() { E::one() } else { E::zero() };
    /// `x` for positive `x`, `slope · x` otherwise (PyTorch's default slope is 0.01).
    LeakyRelu(slope: E) leaky_relu try_leaky_relu, uses: X, |s, x| if x > E::zero() { x } else { s.slope * x }, |s, v| if v > E::zero() { E::one() } else { s.slope };
    /// `x` for positive `x`, `alpha · (e^x − 1)` otherwise.
    Elu(alpha: E) elu try_elu, uses: X, |s, x| if x > E::zero() { x } else { s.alpha * x.exp_m1() }, |s, v| if v > E::zero() { E::one() } else { s.alpha * v.exp() };
    /// Scaled ELU with the self-normalizing constants of Klambauer et al.
    Selu() selu try_selu, uses: X,
        |s, x| E::from_f64(SELU_SCALE) * if x > E::zero() { x } else { E::from_f64(SELU_ALPHA) * x.exp_m1() },
        |s, v| E::from_f64(SELU_SCALE) * if v > E::zero() { E::one() } else { E::from_f64(SELU_ALPHA) * v.exp() };
    /// GELU with the exact Gaussian CDF: `x · Φ(x)`.
    Gelu() gelu try_gelu, uses: X,
        |s, x| E::from_f64(0.5 * x.as_f64() * (1.0 + erf::erf(x.as_f64() * core::f64::consts::FRAC_1_SQRT_2))),
        |s, v| {
            let x = v.as_f64();
            let cdf = 0.5 * (1.0 + erf::erf(x * core::f64::consts::FRAC_1_SQRT_2));
            let pdf = (-0.5 * x * x).exp() / (2.0 * core::f64::consts::PI).sqrt();
            E::from_f64(cdf + x * pdf)
        };
    /// GELU with the tanh approximation (`approximate="tanh"` in PyTorch).
    GeluTanh() gelu_tanh try_gelu_tanh, uses: X,
        |s, x| {
            let c = E::from_f64((2.0 / core::f64::consts::PI).sqrt());
            E::from_f64(0.5) * x * (E::one() + (c * (x + E::from_f64(GELU_TANH_C) * x * x * x)).tanh())
        },
        |s, v| {
            let c = E::from_f64((2.0 / core::f64::consts::PI).sqrt());
            let k = E::from_f64(GELU_TANH_C);
            let t = (c * (v + k * v * v * v)).tanh();
            let half = E::from_f64(0.5);
            half * (E::one() + t) + half * v * (E::one() - t * t) * c * (E::one() + E::from_f64(3.0) * k * v * v)
        };
    /// SiLU (swish): `x · sigmoid(x)`.
    Silu() silu try_silu, uses: X,
        |s, x| x * sigmoid(x),
        |s, v| { let sg = sigmoid(v); sg * (E::one() + v * (E::one() - sg)) };
    /// Mish: `x · tanh(softplus(x))`.
    Mish() mish try_mish, uses: X,
        |s, x| x * softplus(x).tanh(),
        |s, v| { let t = softplus(v).tanh(); t + v * (E::one() - t * t) * sigmoid(v) };
    /// `log(1 + e^x)`, computed without overflow.
    Softplus() softplus try_softplus, uses: X, |s, x| softplus(x), |s, v| sigmoid(v);
    /// `x` limited to `[min, max]` without checking `min ≤ max`; prefer [`Tensor::clamp`].
    Clamp(min: E, max: E) clamp_unchecked try_clamp_unchecked, uses: X,
        |s, x| if x < s.min { s.min } else if x > s.max { s.max } else { x },
        |s, v| if v >= s.min && v <= s.max { E::one() } else { E::zero() };
    /// `x + c`.
    ScalarAdd(c: E) add_scalar try_add_scalar, uses: Nothing, |s, x| x + s.c, |s, v| E::one();
    /// `x − c`.
    ScalarSub(c: E) sub_scalar try_sub_scalar, uses: Nothing, |s, x| x - s.c, |s, v| E::one();
    /// `c − x`.
    ScalarRsub(c: E) rsub_scalar try_rsub_scalar, uses: Nothing, |s, x| s.c - x, |s, v| -E::one();
    /// `x · c`.
    ScalarMul(c: E) mul_scalar try_mul_scalar, uses: Nothing, |s, x| x * s.c, |s, v| s.c;
    /// `x / c`.
    ScalarDiv(c: E) div_scalar try_div_scalar, uses: Nothing, |s, x| x / s.c, |s, v| E::one() / s.c;
}

impl<S: Shape, E: Dtype, D: UnaryKernel<E>, T: Tape> Tensor<S, E, D, T> {
    /// `x` limited to `[min, max]`; the gradient passes where `min ≤ x ≤ max`. Panics when
    /// `min > max`; see [`try_clamp`](Self::try_clamp).
    pub fn clamp(self, min: E, max: E) -> Self {
        self.try_clamp(min, max).unwrap()
    }

    /// `x` limited to `[min, max]`; `Err` when `min > max`.
    pub fn try_clamp(self, min: E, max: E) -> Result<Self> {
        if min > max {
            return Err(Error::argument(
                "clamp",
                format!("min {min} is above max {max}"),
            ));
        }
        self.try_clamp_unchecked(min, max)
    }
}
