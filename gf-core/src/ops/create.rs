//! Creating tensors: constants, host data, ranges, identity and random samples.

use gf_shape::{Const, ConstShape, Shape};

use crate::device::{RandomKernel, Storage};
use crate::dtype::{Dtype, Unit};
use crate::error::{Error, Result};
use crate::layout::{buffer_len, host_vec};
use crate::tape::NoneTape;
use crate::tensor::Tensor;

/// Host data with a shape known from its type: `2.0`, `[1.0, 2.0]`, `[[1.0], [2.0]]`, ...
pub trait Array<E: Unit> {
    /// The tensor shape of the data.
    type Shape: Shape;
    /// The shape value.
    fn shape(&self) -> Self::Shape;
    /// The elements in row-major order.
    fn flatten(&self) -> Vec<E>;
}

impl<E: Unit> Array<E> for E {
    type Shape = ();
    fn shape(&self) {}
    fn flatten(&self) -> Vec<E> {
        vec![*self]
    }
}

impl<E: Unit, const M: usize> Array<E> for [E; M] {
    type Shape = (Const<M>,);
    fn shape(&self) -> Self::Shape {
        (Const,)
    }
    fn flatten(&self) -> Vec<E> {
        self.to_vec()
    }
}

impl<E: Unit, const M: usize, const N: usize> Array<E> for [[E; N]; M] {
    type Shape = (Const<M>, Const<N>);
    fn shape(&self) -> Self::Shape {
        (Const, Const)
    }
    fn flatten(&self) -> Vec<E> {
        self.iter().flatten().copied().collect()
    }
}

impl<E: Unit, const M: usize, const N: usize, const O: usize> Array<E> for [[[E; O]; N]; M] {
    type Shape = (Const<M>, Const<N>, Const<O>);
    fn shape(&self) -> Self::Shape {
        (Const, Const, Const)
    }
    fn flatten(&self) -> Vec<E> {
        self.iter().flatten().flatten().copied().collect()
    }
}

impl<E: Unit, const M: usize, const N: usize, const O: usize, const P: usize> Array<E>
    for [[[[E; P]; O]; N]; M]
{
    type Shape = (Const<M>, Const<N>, Const<O>, Const<P>);
    fn shape(&self) -> Self::Shape {
        (Const, Const, Const, Const)
    }
    fn flatten(&self) -> Vec<E> {
        self.iter().flatten().flatten().flatten().copied().collect()
    }
}

impl<E: Unit> Array<E> for Vec<E> {
    type Shape = (usize,);
    fn shape(&self) -> (usize,) {
        (self.len(),)
    }
    fn flatten(&self) -> Vec<E> {
        self.clone()
    }
}

impl<E: Unit> Array<E> for &[E] {
    type Shape = (usize,);
    fn shape(&self) -> (usize,) {
        (self.len(),)
    }
    fn flatten(&self) -> Vec<E> {
        self.to_vec()
    }
}

/// Tensor constructors, available on every device.
///
/// ```
/// use gf_core::prelude::*;
/// let dev = Cpu::default();
/// let a: Tensor<Rank2<2, 3>, f32, _> = dev.zeros();
/// let b = dev.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// let c = dev.tensor_from_vec(vec![1.0f32; 6], (2usize, Const::<3>));
/// assert_eq!((a + b).to_vec(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// assert_eq!(c.dims(), [2, 3]);
/// ```
pub trait TensorCreate<E: Unit>: Storage<E> + Sized {
    /// A tensor holding `data`.
    fn tensor<A: Array<E>>(&self, data: A) -> Tensor<A::Shape, E, Self> {
        let shape = data.shape();
        let buf = self
            .try_from_host_vec(data.flatten())
            .expect("host allocation");
        Tensor::from_buffer(self.clone(), buf, shape, NoneTape)
    }

    /// A tensor of `shape` over `data` in row-major order; `Err` when the lengths differ.
    fn try_tensor_from_vec<S: Shape>(&self, data: Vec<E>, shape: S) -> Result<Tensor<S, E, Self>> {
        if shape.checked_num_elements() != Some(data.len()) {
            return Err(Error::shape(
                "tensor_from_vec",
                format!(
                    "{} elements do not fill shape {:?}",
                    data.len(),
                    shape.concrete()
                ),
            ));
        }
        let buf = self.try_from_host_vec(data)?;
        Ok(Tensor::from_buffer(self.clone(), buf, shape, NoneTape))
    }

    /// See [`try_tensor_from_vec`](Self::try_tensor_from_vec).
    #[track_caller]
    fn tensor_from_vec<S: Shape>(&self, data: Vec<E>, shape: S) -> Tensor<S, E, Self> {
        self.try_tensor_from_vec(data, shape).unwrap()
    }

    /// A tensor of `shape` filled with `value`.
    fn try_full_like<S: Shape>(&self, shape: &S, value: E) -> Result<Tensor<S, E, Self>> {
        let n = buffer_len::<E>("full_like", shape.concrete().as_ref())?;
        self.try_tensor_from_vec(host_vec("full_like", n, |_| value)?, shape.clone())
    }

    /// See [`try_full_like`](Self::try_full_like).
    #[track_caller]
    fn full_like<S: Shape>(&self, shape: &S, value: E) -> Tensor<S, E, Self> {
        self.try_full_like(shape, value).unwrap()
    }

    /// A const-shaped tensor filled with `value`.
    fn full<S: ConstShape>(&self, value: E) -> Tensor<S, E, Self> {
        self.full_like(&S::default(), value)
    }

    /// A tensor of `shape` filled with zeros.
    fn try_zeros_like<S: Shape>(&self, shape: &S) -> Result<Tensor<S, E, Self>> {
        let n = buffer_len::<E>("zeros_like", shape.concrete().as_ref())?;
        let buf = self.try_alloc_zeros(n)?;
        Ok(Tensor::from_buffer(
            self.clone(),
            buf,
            shape.clone(),
            NoneTape,
        ))
    }

    /// See [`try_zeros_like`](Self::try_zeros_like).
    #[track_caller]
    fn zeros_like<S: Shape>(&self, shape: &S) -> Tensor<S, E, Self> {
        self.try_zeros_like(shape).unwrap()
    }

    /// A const-shaped tensor of zeros.
    fn zeros<S: ConstShape>(&self) -> Tensor<S, E, Self> {
        self.zeros_like(&S::default())
    }
}

impl<E: Unit, D: Storage<E>> TensorCreate<E> for D {}

/// Constructors that need arithmetic or randomness: ones, ranges, identity, samples.
pub trait TensorCreateFloat<E: Dtype>: TensorCreate<E> + RandomKernel<E> {
    /// A tensor of `shape` filled with ones.
    fn ones_like<S: Shape>(&self, shape: &S) -> Tensor<S, E, Self> {
        self.full_like(shape, E::one())
    }

    /// A const-shaped tensor of ones.
    fn ones<S: ConstShape>(&self) -> Tensor<S, E, Self> {
        self.ones_like(&S::default())
    }

    /// `start, start + step, ...` up to but excluding `end`, like `torch.arange`. `Err` when a
    /// bound or the step is NaN or infinite, the step is 0 or points away from `end`, or the
    /// length does not fit in memory.
    fn try_arange(&self, start: E, end: E, step: E) -> Result<Tensor<(usize,), E, Self>> {
        let finite = start.is_finite() && end.is_finite() && step.is_finite();
        if !finite || step == E::zero() {
            return Err(Error::argument(
                "arange",
                format!(
                    "start {start}, end {end} and step {step} must be finite and the step non-zero"
                ),
            ));
        }
        // torch.arange's own check: the step must point from start towards end
        let towards = (step > E::zero() && end >= start) || (step < E::zero() && end <= start);
        // in f64, as torch does, so that the length of an f32 range is not rounded twice
        let len = ((end.as_f64() - start.as_f64()) / step.as_f64()).ceil();
        if !towards || len.is_nan() {
            return Err(Error::argument(
                "arange",
                format!("step {step} never goes from {start} to {end}"),
            ));
        }
        // `as` saturates; a length at or past 2^64 is no real range either way
        let n = if len >= usize::MAX as f64 {
            usize::MAX
        } else {
            len as usize
        };
        let n = buffer_len::<E>("arange", &[n])?;
        let data = host_vec("arange", n, |i| start + step * E::from_usize(i))?;
        self.try_tensor_from_vec(data, (n,))
    }

    /// `0, 1, ..., n - 1`.
    #[track_caller]
    fn arange(&self, n: usize) -> Tensor<(usize,), E, Self> {
        self.try_arange(E::zero(), E::from_usize(n), E::one())
            .unwrap()
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive, like `torch.linspace`;
    /// `Err` when `steps` values do not fit in memory.
    fn try_linspace(&self, start: E, end: E, steps: usize) -> Result<Tensor<(usize,), E, Self>> {
        let n = buffer_len::<E>("linspace", &[steps])?;
        let data = match n {
            0 => vec![],
            1 => vec![start],
            _ => {
                let step = (end - start) / E::from_usize(n - 1);
                host_vec("linspace", n, |i| start + step * E::from_usize(i))?
            }
        };
        self.try_tensor_from_vec(data, (n,))
    }

    /// See [`try_linspace`](Self::try_linspace).
    #[track_caller]
    fn linspace(&self, start: E, end: E, steps: usize) -> Tensor<(usize,), E, Self> {
        self.try_linspace(start, end, steps).unwrap()
    }

    /// The `n × n` identity matrix; `Err` when `n · n` elements do not fit in memory.
    fn try_eye(&self, n: usize) -> Result<Tensor<(usize, usize), E, Self>> {
        let len = buffer_len::<E>("eye", &[n, n])?;
        let data = host_vec("eye", len, |i| {
            if i % (n + 1) == 0 {
                E::one()
            } else {
                E::zero()
            }
        })?;
        self.try_tensor_from_vec(data, (n, n))
    }

    /// See [`try_eye`](Self::try_eye).
    #[track_caller]
    fn eye(&self, n: usize) -> Tensor<(usize, usize), E, Self> {
        self.try_eye(n).unwrap()
    }

    /// Samples uniform in `[low, high)`.
    fn try_sample_uniform_like<S: Shape>(
        &self,
        shape: &S,
        low: E,
        high: E,
    ) -> Result<Tensor<S, E, Self>> {
        if low.partial_cmp(&high) != Some(core::cmp::Ordering::Less) {
            return Err(Error::argument(
                "sample_uniform",
                format!("low {low} must be below high {high}"),
            ));
        }
        let n = crate::layout::buffer_len::<E>("sample_uniform", shape.concrete().as_ref())?;
        let buf = self.try_sample_uniform(n, low, high)?;
        Ok(Tensor::from_buffer(
            self.clone(),
            buf,
            shape.clone(),
            NoneTape,
        ))
    }

    /// Samples from a normal distribution with `mean` and standard deviation `std`.
    fn try_sample_normal_like<S: Shape>(
        &self,
        shape: &S,
        mean: E,
        std: E,
    ) -> Result<Tensor<S, E, Self>> {
        if std.is_nan() || std < E::zero() {
            return Err(Error::argument(
                "sample_normal",
                format!("std {std} must be non-negative"),
            ));
        }
        let n = crate::layout::buffer_len::<E>("sample_normal", shape.concrete().as_ref())?;
        let buf = self.try_sample_normal(n, mean, std)?;
        Ok(Tensor::from_buffer(
            self.clone(),
            buf,
            shape.clone(),
            NoneTape,
        ))
    }

    /// Uniform samples in `[0, 1)` of `shape`, like `torch.rand`.
    #[track_caller]
    fn rand_like<S: Shape>(&self, shape: &S) -> Tensor<S, E, Self> {
        self.try_sample_uniform_like(shape, E::zero(), E::one())
            .unwrap()
    }

    /// Standard normal samples of `shape`, like `torch.randn`.
    #[track_caller]
    fn randn_like<S: Shape>(&self, shape: &S) -> Tensor<S, E, Self> {
        self.try_sample_normal_like(shape, E::zero(), E::one())
            .unwrap()
    }

    /// Uniform samples in `[0, 1)` of a const shape.
    fn rand<S: ConstShape>(&self) -> Tensor<S, E, Self> {
        self.rand_like(&S::default())
    }

    /// Standard normal samples of a const shape.
    fn randn<S: ConstShape>(&self) -> Tensor<S, E, Self> {
        self.randn_like(&S::default())
    }
}

impl<E: Dtype, D: TensorCreate<E> + RandomKernel<E>> TensorCreateFloat<E> for D {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Cpu;

    #[test]
    fn constructors_fill_as_torch_does() {
        let dev = Cpu::default();
        assert_eq!(
            TensorCreateFloat::<f32>::arange(&dev, 4).to_vec(),
            vec![0.0, 1.0, 2.0, 3.0]
        );
        assert_eq!(
            dev.try_arange(1.0f64, 2.0, 0.25).unwrap().to_vec(),
            vec![1.0, 1.25, 1.5, 1.75]
        );
        assert_eq!(
            dev.linspace(0.0f64, 1.0, 5).to_vec(),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(
            TensorCreateFloat::<f32>::eye(&dev, 2).to_vec(),
            vec![1.0, 0.0, 0.0, 1.0]
        );
        assert_eq!(dev.tensor([[1.0f32, 2.0], [3.0, 4.0]]).dims(), [2, 2]);
        assert!(dev
            .try_tensor_from_vec(vec![1.0f32; 5], (2usize, 3usize))
            .is_err());
        assert!(dev.try_arange(0.0f32, 1.0, -1.0).is_err());
    }

    #[test]
    fn arange_rejects_non_finite_zero_and_endless_ranges() {
        let dev = Cpu::default();
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        // torch.arange raises for each of these: a zero step, a NaN or infinite bound
        for (start, end, step) in [
            (0.0, 1.0, 0.0),
            (0.0, inf, 1.0),
            (-inf, 0.0, 1.0),
            (nan, 1.0, 1.0),
            (0.0, nan, 1.0),
            (0.0, 1.0, nan),
            (0.0, 1.0, inf),
            (0.0, 1.0, -0.5),
            (0.0, -0.5, 1.0),
        ] {
            assert!(
                dev.try_arange(start, end, step).is_err(),
                "arange({start}, {end}, {step})"
            );
        }
        // a length past usize, and one whose bytes pass isize::MAX, are rejected before any
        // allocation
        assert!(dev.try_arange(0.0f64, f64::MAX, 1.0).is_err());
        assert!(dev.try_arange(0.0f32, 1e19, 1.0).is_err());
        assert_eq!(dev.try_arange(1.0f32, 1.0, 1.0).unwrap().dims(), [0]);
        // torch.arange(0, 1, 0.3) = [0.0, 0.3, 0.6, 0.9]
        assert_eq!(dev.try_arange(0.0f64, 1.0, 0.3).unwrap().dims(), [4]);
    }

    #[test]
    fn sizes_past_memory_are_errs_before_allocating() {
        let dev = Cpu::default();
        let huge = (usize::MAX, 2usize);
        assert!(TensorCreate::<f32>::try_zeros_like(&dev, &huge).is_err());
        assert!(dev.try_full_like(&huge, 1.0f32).is_err());
        assert!(dev.try_full_like(&(1usize << 62,), 1.0f32).is_err());
        assert!(dev.try_tensor_from_vec(vec![0.0f32; 0], huge).is_err());
        // 2^32 · 2^32 wraps to 0 in release: an empty vector must not fill it
        let wraps = (1usize << 32, 1usize << 32);
        assert!(dev.try_tensor_from_vec(Vec::<f32>::new(), wraps).is_err());
        assert!(TensorCreateFloat::<f32>::try_eye(&dev, 1 << 32).is_err());
        assert!(TensorCreateFloat::<f32>::try_linspace(&dev, 0.0, 1.0, usize::MAX).is_err());
        let empty = TensorCreate::<f32>::try_zeros_like(&dev, &(usize::MAX, 0usize)).unwrap();
        assert_eq!(empty.num_elements(), 0);
        assert_eq!(
            TensorCreateFloat::<f64>::try_eye(&dev, 3).unwrap().to_vec(),
            vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
        );
    }

    #[test]
    fn seeded_samples_repeat_and_have_the_right_moments() {
        let a: Tensor<(usize,), f64, Cpu> = Cpu::seed_from_u64(7).randn_like(&(20000,));
        let b: Tensor<(usize,), f64, Cpu> = Cpu::seed_from_u64(7).randn_like(&(20000,));
        assert_eq!(a.to_vec(), b.to_vec());
        let v = a.to_vec();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "mean {mean} var {var}"
        );
        let u = Cpu::seed_from_u64(1)
            .try_sample_uniform_like(&(1000usize,), -2.0f32, 3.0)
            .unwrap();
        assert!(u.to_vec().iter().all(|&x| (-2.0..3.0).contains(&x)));
    }
}
