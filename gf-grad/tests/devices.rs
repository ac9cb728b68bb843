//! Devices outside gf-core: a backend implements only the kernel families its ops need,
//! multi-operand ops refuse operands from two different devices, and `to_device` carries
//! values there and gradients back.

use gf_core::device::{AccumulateKernel, BinaryKernel, DeviceInfo, Storage, ViewKernel};
use gf_core::ops::binary::{BinaryOp, Saved};
use gf_core::prelude::*;
use gf_core::Layout;
use gf_grad::prelude::*;

/// A stand-in accelerator with several ordinals, running on the CPU's kernels.
#[derive(Clone, Debug)]
struct Board {
    ordinal: usize,
    cpu: Cpu,
}

impl DeviceInfo for Board {
    fn name(&self) -> String {
        format!("board:{}", self.ordinal)
    }
    fn same_device(&self, other: &Self) -> bool {
        self.ordinal == other.ordinal
    }
}

impl<E: Dtype> Storage<E> for Board {
    type Vec = <Cpu as Storage<E>>::Vec;
    fn try_alloc_zeros(&self, len: usize) -> Result<Self::Vec> {
        self.cpu.try_alloc_zeros(len)
    }
    fn try_from_host(&self, data: &[E]) -> Result<Self::Vec> {
        self.cpu.try_from_host(data)
    }
    fn try_to_host(&self, buf: &Self::Vec) -> Result<Vec<E>> {
        Storage::<E>::try_to_host(&self.cpu, buf)
    }
    fn buf_len(&self, buf: &Self::Vec) -> usize {
        Storage::<E>::buf_len(&self.cpu, buf)
    }
}

impl<E: Dtype> ViewKernel<E> for Board {
    fn try_contiguous(&self, src: &Self::Vec, layout: &Layout) -> Result<Self::Vec> {
        self.cpu.try_contiguous(src, layout)
    }
}

impl<E: Dtype> AccumulateKernel<E> for Board {
    fn try_scatter_add(&self, dst: &mut Self::Vec, l: &Layout, src: &Self::Vec) -> Result<()> {
        self.cpu.try_scatter_add(dst, l, src)
    }
}

impl<E: Dtype> BinaryKernel<E> for Board {
    fn try_binary_fwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &Self::Vec,
        ll: &Layout,
        rhs: &Self::Vec,
        rl: &Layout,
    ) -> Result<Self::Vec> {
        self.cpu.try_binary_fwd(op, lhs, ll, rhs, rl)
    }
    fn try_binary_assign<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: &mut Self::Vec,
        rhs: &Self::Vec,
        rl: &Layout,
    ) -> Result<()> {
        self.cpu.try_binary_assign(op, lhs, rhs, rl)
    }
    fn try_binary_bwd<Op: BinaryOp<E>>(
        &self,
        op: &Op,
        lhs: Saved<'_, Self::Vec>,
        rhs: Saved<'_, Self::Vec>,
        gl: Option<&mut Self::Vec>,
        gr: Option<&mut Self::Vec>,
        g: &Self::Vec,
    ) -> Result<()> {
        self.cpu.try_binary_bwd(op, lhs, rhs, gl, gr, g)
    }
}

fn board(ordinal: usize) -> Board {
    Board {
        ordinal,
        cpu: Cpu::default(),
    }
}

fn on(ordinal: usize, data: &[f32]) -> Tensor<(usize,), f32, Board> {
    let dev = board(ordinal);
    let buf = dev.try_from_host(data).unwrap();
    Tensor::from_parts(
        dev,
        std::sync::Arc::new(buf),
        (data.len(),),
        [1],
        0,
        NoneTape,
    )
    .unwrap()
}

#[test]
fn a_backend_with_only_the_binary_family_runs_binary_ops() {
    let c = on(0, &[1.0, 2.0]).try_add(on(0, &[3.0, 4.0])).unwrap();
    assert_eq!(c.try_to_vec().unwrap(), vec![4.0, 6.0]);
}

#[test]
fn operands_on_two_devices_are_an_error_naming_both() {
    let err = on(0, &[1.0, 2.0]).try_mul(on(1, &[3.0, 4.0])).unwrap_err();
    assert!(matches!(err, Error::DeviceMismatch { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("mul") && msg.contains("board:0") && msg.contains("board:1"),
        "{msg}"
    );
    let mut p = on(0, &[1.0, 2.0]);
    assert!(p.try_sub_assign(&on(1, &[1.0, 1.0])).is_err());
}

#[test]
fn to_device_carries_values_there_and_gradients_back() {
    let dev = Cpu::seed_from_u64(7);
    let x = dev.randn_like(&DynShape::new([2, 3]));
    let w = dev.randn_like(&DynShape::new([2, 3]));
    // x and w move to the board, multiply there, and the product comes back for the sum
    gradcheck(&[x.clone(), w.clone()], |xs| {
        let b = board(1);
        let p = xs[0].clone().to_device(&b) * xs[1].clone().to_device(&b);
        p.to_device(&Cpu::default())
            .try_reduce_axes(ReduceOp::Sum, &[0, 1])
            .unwrap()
    })
    .unwrap();
    let moved = x.clone().to_device(&board(0));
    assert_eq!(moved.device().name(), "board:0");
    assert_eq!(moved.to_vec(), x.to_vec());
}

#[test]
fn to_dtype_rounds_there_and_casts_gradients_back() {
    let dev = Cpu::default();
    // dyadic values and step: every f32 operation below is exact, so central differences are
    let x = dev.tensor_from_vec(vec![0.5f64, -1.25, 3.0, 0.75], DynShape::new([4]));
    let opts = GradcheckOpts {
        h: 1.0 / 128.0,
        atol: 1e-9,
        rtol: 1e-9,
    };
    gradcheck_with(
        std::slice::from_ref(&x),
        |xs| {
            xs[0]
                .clone()
                .to_dtype::<f32>()
                .square()
                .mul_scalar(3.0)
                .to_dtype::<f64>()
                .try_reduce_axes(ReduceOp::Sum, &[0])
                .unwrap()
        },
        opts,
    )
    .unwrap();
    gradcheck(std::slice::from_ref(&x), |xs| {
        (xs[0].clone().to_dtype::<f64>().exp() * xs[0].clone())
            .try_reduce_axes(ReduceOp::Sum, &[0])
            .unwrap()
    })
    .unwrap();
    let narrow: Tensor<Rank1<2>, f32, Cpu> = dev.tensor([0.1f64, 1e40]).to_dtype();
    assert_eq!(narrow.to_vec(), vec![0.1f32, f32::INFINITY]);
}
