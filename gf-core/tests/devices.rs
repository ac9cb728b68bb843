//! Devices outside gf-core: a backend implements only the kernel families its ops need, and
//! multi-operand ops refuse operands from two different devices.

use gf_core::device::{AccumulateKernel, BinaryKernel, DeviceInfo, Storage, ViewKernel};
use gf_core::ops::binary::{BinaryOp, Saved};
use gf_core::prelude::*;
use gf_core::Layout;

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

impl Storage<f32> for Board {
    type Vec = <Cpu as Storage<f32>>::Vec;
    fn try_alloc_zeros(&self, len: usize) -> Result<Self::Vec> {
        self.cpu.try_alloc_zeros(len)
    }
    fn try_from_host(&self, data: &[f32]) -> Result<Self::Vec> {
        self.cpu.try_from_host(data)
    }
    fn try_to_host(&self, buf: &Self::Vec) -> Result<Vec<f32>> {
        Storage::<f32>::try_to_host(&self.cpu, buf)
    }
    fn buf_len(&self, buf: &Self::Vec) -> usize {
        Storage::<f32>::buf_len(&self.cpu, buf)
    }
}

impl ViewKernel<f32> for Board {
    fn try_contiguous(&self, src: &Self::Vec, layout: &Layout) -> Result<Self::Vec> {
        self.cpu.try_contiguous(src, layout)
    }
}

impl AccumulateKernel<f32> for Board {
    fn try_scatter_add(&self, dst: &mut Self::Vec, l: &Layout, src: &Self::Vec) -> Result<()> {
        self.cpu.try_scatter_add(dst, l, src)
    }
}

impl BinaryKernel<f32> for Board {
    fn try_binary_fwd<Op: BinaryOp<f32>>(
        &self,
        op: &Op,
        lhs: &Self::Vec,
        ll: &Layout,
        rhs: &Self::Vec,
        rl: &Layout,
    ) -> Result<Self::Vec> {
        self.cpu.try_binary_fwd(op, lhs, ll, rhs, rl)
    }
    fn try_binary_assign<Op: BinaryOp<f32>>(
        &self,
        op: &Op,
        lhs: &mut Self::Vec,
        rhs: &Self::Vec,
        rl: &Layout,
    ) -> Result<()> {
        self.cpu.try_binary_assign(op, lhs, rhs, rl)
    }
    fn try_binary_bwd<Op: BinaryOp<f32>>(
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

fn on(ordinal: usize, data: &[f32]) -> Tensor<(usize,), f32, Board> {
    let dev = Board {
        ordinal,
        cpu: Cpu::default(),
    };
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
