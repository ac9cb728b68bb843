//! Matrix products: vector·matrix, matrix·vector, matrix·matrix, and batched 3-D / 4-D products
//! with the right operand broadcast over the batch.

mod cpu_kernel;

use gf_shape::{MatMulShape, Shape};

use crate::device::{AccumulateKernel, Storage, ViewKernel};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::layout::buffer_len;
use crate::tape::{Merge, Recording, Tape};
use crate::tensor::Tensor;

/// Where a batch of matrices sits in a buffer: steps, in elements, between matrices, rows and
/// columns. [`fits`](MatView::fits) tells a kernel whether a batch of matrices of some size
/// stays inside a buffer; GEMM kernels check it for every operand before they read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatView {
    pub(crate) offset: usize,
    pub(crate) batch_stride: usize,
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

impl MatView {
    /// Matrices starting at `offset`, `batch_stride` apart (0 repeats one matrix), with these
    /// row and column steps.
    pub fn new(offset: usize, batch_stride: usize, row_stride: usize, col_stride: usize) -> Self {
        MatView {
            offset,
            batch_stride,
            row_stride,
            col_stride,
        }
    }

    /// Row-major matrices of `rows × cols`, one after another from offset 0.
    pub fn packed(rows: usize, cols: usize) -> Self {
        MatView::new(0, rows.saturating_mul(cols), cols, 1)
    }

    /// Offset of the first element of the first matrix.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Step between matrices of the batch.
    pub fn batch_stride(&self) -> usize {
        self.batch_stride
    }

    /// Step between rows.
    pub fn row_stride(&self) -> usize {
        self.row_stride
    }

    /// Step between columns.
    pub fn col_stride(&self) -> usize {
        self.col_stride
    }

    /// The view of the transposed matrices.
    pub fn t(self) -> Self {
        MatView {
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// `true` when `batch` matrices of `rows × cols` lie inside a buffer of `len` elements
    /// (always, when one of the sizes is 0).
    pub fn fits(&self, batch: usize, rows: usize, cols: usize, len: usize) -> bool {
        if batch == 0 || rows == 0 || cols == 0 {
            return true;
        }
        let last = [
            (batch, self.batch_stride),
            (rows, self.row_stride),
            (cols, self.col_stride),
        ]
        .iter()
        .try_fold(self.offset, |acc, &(n, s)| {
            acc.checked_add((n - 1).checked_mul(s)?)
        });
        last.is_some_and(|l| l < len)
    }
}

/// Sizes of a batched product `(batch, m, k) · (batch, k, n)`, built by [`GemmDims::new`],
/// which checks that every operand's element count fits `usize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GemmDims {
    pub(crate) batch: usize,
    pub(crate) m: usize,
    pub(crate) k: usize,
    pub(crate) n: usize,
}

impl GemmDims {
    /// The sizes of `batch` products of an `m × k` by a `k × n` matrix; `Err` when an operand
    /// (or one matrix of it, even in an empty batch) would hold more than `usize::MAX` elements.
    pub fn new(batch: usize, m: usize, k: usize, n: usize) -> Result<Self> {
        // each matrix on its own too: with an empty batch, a matrix's size is still a stride
        let count = |a: usize, b: usize| {
            let one = a.checked_mul(b)?;
            batch.checked_mul(one)
        };
        if count(m, k).is_none() || count(k, n).is_none() || count(m, n).is_none() {
            return Err(Error::shape(
                "matmul",
                format!("{batch} products of ({m}, {k}) by ({k}, {n}) are too large to address"),
            ));
        }
        Ok(GemmDims { batch, m, k, n })
    }

    /// Number of products.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Rows of the left operand and the result.
    pub fn m(&self) -> usize {
        self.m
    }

    /// Columns of the left operand, rows of the right.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns of the right operand and the result.
    pub fn n(&self) -> usize {
        self.n
    }
}

/// The matrix-multiplication kernel family.
pub trait MatMulKernel<E: Dtype>: Storage<E> {
    /// `c[b] += a[b] · b[b]` for each batch entry. `c` has unit column stride; when its batch
    /// stride is 0 the products of the batch add up into one matrix.
    #[allow(clippy::too_many_arguments)]
    fn try_gemm(
        &self,
        dims: GemmDims,
        a: &Self::Vec,
        av: MatView,
        b: &Self::Vec,
        bv: MatView,
        c: &mut Self::Vec,
        cv: MatView,
    ) -> Result<()>;
}

/// How the operands of a matmul of these ranks map onto a batched product.
struct Plan {
    dims: GemmDims,
    out: Vec<usize>,
    rhs_batched: bool,
}

fn plan(l: &[usize], r: &[usize]) -> Result<Plan> {
    let bad = || {
        Error::shape("matmul", format!("cannot matmul {l:?} by {r:?}: the inner dimensions differ or the ranks do not combine"))
    };
    let (lb, lm, lk) = match l.len() {
        1 => (&l[..0], 1, l[0]),
        n if n >= 2 => (&l[..n - 2], l[n - 2], l[n - 1]),
        _ => return Err(bad()),
    };
    let (rb, rk, rn) = match r.len() {
        1 => (&r[..0], r[0], 1),
        n if n >= 2 => (&r[..n - 2], r[n - 2], r[n - 1]),
        _ => return Err(bad()),
    };
    if lk != rk || !(rb.is_empty() || rb == lb) {
        return Err(bad());
    }
    let batch = if lb.contains(&0) {
        0
    } else {
        lb.iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(bad)?
    };
    let mut out: Vec<usize> = lb.to_vec();
    if l.len() >= 2 {
        out.push(lm);
    }
    if r.len() >= 2 {
        out.push(rn);
    }
    Ok(Plan {
        dims: GemmDims::new(batch, lm, lk, rn)?,
        out,
        rhs_batched: !rb.is_empty(),
    })
}

/// The batched-matrix view of a tensor whose batch dims are collapsible into one stride.
fn mat_view(
    dims: &[usize],
    strides: &[usize],
    offset: usize,
    vector_is_row: bool,
) -> Option<MatView> {
    match dims.len() {
        1 if vector_is_row => Some(MatView {
            offset,
            batch_stride: 0,
            row_stride: 0,
            col_stride: strides[0],
        }),
        1 => Some(MatView {
            offset,
            batch_stride: 0,
            row_stride: strides[0],
            col_stride: 0,
        }),
        n => {
            let (bd, bs) = (&dims[..n - 2], &strides[..n - 2]);
            // an empty batch reads nothing, and its strides may be saturated
            let collapsible_empty = bd.contains(&0);
            // batch dims collapse when each outer stride steps over the inner batch dims exactly
            let collapsible = collapsible_empty
                || (1..bd.len()).all(|i| bd[i] == 1 || bs[i].checked_mul(bd[i]) == Some(bs[i - 1]));
            if !collapsible {
                return None;
            }
            let batch_stride = if collapsible_empty {
                0
            } else {
                bd.iter()
                    .zip(bs)
                    .rev()
                    .find(|(&d, _)| d != 1)
                    .map_or(0, |(_, &s)| s)
            };
            Some(MatView {
                offset,
                batch_stride,
                row_stride: strides[n - 2],
                col_stride: strides[n - 1],
            })
        }
    }
}

impl<S: Shape, E: Dtype, D: MatMulKernel<E> + ViewKernel<E> + AccumulateKernel<E>, T: Tape>
    Tensor<S, E, D, T>
{
    /// The matrix product; see [`MatMulShape`] for the shapes that combine.
    ///
    /// ```
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let a = dev.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
    /// let b = dev.tensor([[5.0f32], [6.0]]);
    /// assert_eq!(a.matmul(b).to_vec(), vec![17.0, 39.0]);
    /// ```
    ///
    /// Mismatched inner dimensions do not compile; above the `Const` table (a flatten to 131072
    /// meeting a `Const<131073>`) the sizes are compared when building, so `cargo build` (not
    /// `cargo check`) reports it:
    ///
    /// ```compile_fail
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let x: Tensor<(usize, Const<512>, Const<16>, Const<16>), f32, _> = dev.zeros_like(&(1, Const, Const, Const));
    /// let w: Tensor<Rank2<131073, 2>, f32, _> = dev.zeros();
    /// let y = x.flatten::<Axis<1>>().matmul(w);
    /// ```
    ///
    /// And with `Const` sizes in the table, when checking:
    ///
    /// ```compile_fail
    /// # use gf_core::prelude::*;
    /// let dev = Cpu::default();
    /// let a: Tensor<Rank2<3, 4>, f32, _> = dev.zeros();
    /// let b: Tensor<Rank2<5, 2>, f32, _> = dev.zeros();
    /// let c = a.matmul(b);
    /// ```
    #[track_caller]
    pub fn matmul<S2: Shape, R: Tape>(
        self,
        rhs: Tensor<S2, E, D, R>,
    ) -> Tensor<S::Output, E, D, T::Output>
    where
        S: MatMulShape<S2>,
        T: Merge<R>,
        T::Output: Tape,
    {
        self.try_matmul(rhs).unwrap()
    }

    /// Fallible form of [`matmul`](Self::matmul): `Err` when run-time inner dims differ.
    pub fn try_matmul<S2: Shape, R: Tape>(
        self,
        rhs: Tensor<S2, E, D, R>,
    ) -> Result<Tensor<S::Output, E, D, T::Output>>
    where
        S: MatMulShape<S2>,
        T: Merge<R>,
        T::Output: Tape,
    {
        // a computed inner size above the `Const` table against a `Const`: compared when building
        #[allow(clippy::let_unit_value)]
        let () = <S as MatMulShape<S2>>::CHECK;
        let p = plan(self.dims().as_ref(), rhs.dims().as_ref())?;
        let shape = S::Output::from_concrete(&p.out).ok_or_else(|| {
            Error::shape(
                "matmul",
                format!("{:?} does not fit the output type", p.out),
            )
        })?;
        let view = |t: &Layout2, row| mat_view(&t.0, &t.1, t.2, row);
        let lhs = if view(&lay(&self), true).is_some() {
            self
        } else {
            self.try_contiguous()?
        };
        let rhs = if view(&lay(&rhs), false).is_some() {
            rhs
        } else {
            rhs.try_contiguous()?
        };
        let strided = || Error::shape("matmul", "a contiguous operand has no batched-matrix view");
        let av = view(&lay(&lhs), true).ok_or_else(strided)?;
        let bv = view(&lay(&rhs), false).ok_or_else(strided)?;
        let bv = if p.rhs_batched {
            bv
        } else {
            MatView {
                batch_stride: 0,
                ..bv
            }
        };
        let (lhs, lt) = lhs.split_tape();
        let (rhs, rt) = rhs.split_tape();
        lhs.check_same_device("matmul", &rhs)?;
        let rec = Recording::of(&lt, &rt);
        let mut tape = lt.merge(rt);
        let d = p.dims;
        let cv = MatView {
            offset: 0,
            batch_stride: d.m * d.n,
            row_stride: d.n,
            col_stride: 1,
        };
        let dev = lhs.device.clone();
        // an empty inner dim lets small operands ask for a large product
        let mut c = dev.try_alloc_zeros(buffer_len::<E>("matmul", &[d.batch, d.m, d.n])?)?;
        dev.try_gemm(d, &lhs.data, av, &rhs.data, bv, &mut c, cv)?;
        let out = lhs.with_new_buffer(c, shape);
        if rec.any() {
            let (lid, rid, oid) = (lhs.id, rhs.id, out.id);
            let (ln, rn) = (lhs.num_elements(), rhs.num_elements());
            // dA = dC · Bᵀ reads B, dB = Aᵀ · dC reads A: keep only what a recording side needs,
            // and skip the other product entirely
            let bdata = rec.lhs.then(|| rhs.data.clone());
            let adata = rec.rhs.then(|| lhs.data.clone());
            let rhs_batched = p.rhs_batched;
            tape.add_backward_op(oid, move |grads| {
                let Some(g) = grads.take::<E, D>(oid)? else {
                    return Ok(());
                };
                let gv = cv;
                if let Some(bdata) = &bdata {
                    // dA, (batch, m, n)·(batch, n, k), written contiguous in A's own shape
                    let ga_v = MatView {
                        offset: 0,
                        batch_stride: d.m * d.k,
                        row_stride: d.k,
                        col_stride: 1,
                    };
                    let dims = GemmDims {
                        batch: d.batch,
                        m: d.m,
                        k: d.n,
                        n: d.k,
                    };
                    let ga = grads.get_or_alloc_mut::<E, D>(lid, &dev, ln)?;
                    dev.try_gemm(dims, &g, gv, bdata, bv.t(), ga, ga_v)?;
                }
                if let Some(adata) = &adata {
                    // dB, (batch, k, m)·(batch, m, n); an unbatched B sums over the batch
                    let gb_v = MatView {
                        offset: 0,
                        batch_stride: if rhs_batched { d.k * d.n } else { 0 },
                        row_stride: d.n,
                        col_stride: 1,
                    };
                    let dims = GemmDims {
                        batch: d.batch,
                        m: d.k,
                        k: d.m,
                        n: d.n,
                    };
                    let gb = grads.get_or_alloc_mut::<E, D>(rid, &dev, rn)?;
                    dev.try_gemm(dims, adata, av.t(), &g, gv, gb, gb_v)?;
                }
                Ok(())
            });
        }
        Ok(out.put_tape(tape))
    }
}

type Layout2 = (Vec<usize>, Vec<usize>, usize);
fn lay<S: Shape, E: crate::dtype::Unit, D: Storage<E>, T>(t: &Tensor<S, E, D, T>) -> Layout2 {
    (
        t.dims().as_ref().to_vec(),
        t.strides().as_ref().to_vec(),
        t.offset(),
    )
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::testing::TestDevice;

    #[test]
    fn batched_and_broadcast_products() {
        let dev = Cpu::default();
        let a = dev.tensor([[[1.0f32, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]]);
        let b = dev.tensor([[1.0f32, 1.0], [0.0, 2.0]]);
        assert_eq!(
            a.clone().matmul(b.clone()).to_vec(),
            vec![1.0, 5.0, 3.0, 11.0, 1.0, 1.0, 0.0, 2.0]
        );
        let bb = dev.tensor([[[1.0f32, 1.0], [0.0, 2.0]], [[2.0, 0.0], [0.0, 2.0]]]);
        assert_eq!(
            a.matmul(bb).to_vec(),
            vec![1.0, 5.0, 3.0, 11.0, 2.0, 0.0, 0.0, 2.0]
        );
        let v = dev.tensor([1.0f32, 1.0]);
        assert_eq!(v.clone().matmul(b.clone()).to_vec(), vec![1.0, 3.0]);
        assert_eq!(b.clone().matmul(v).to_vec(), vec![2.0, 2.0]);
        assert_eq!(
            b.clone().transpose().matmul(b).to_vec(),
            vec![1.0, 1.0, 1.0, 5.0]
        );
    }

    #[test]
    fn a_computed_inner_size_above_the_const_table_meets_an_equal_const() {
        // 512·16·16 = 131072 is above the table, so flatten gives an exact `Computed` dim
        let dev = TestDevice::default();
        let x: Tensor<(usize, Const<512>, Const<16>, Const<16>), f32, TestDevice> =
            dev.ones_like(&(1, Const, Const, Const));
        let w: Tensor<Rank2<131072, 2>, f32, TestDevice> = dev.ones();
        let y: Tensor<(usize, Const<2>), f32, TestDevice> = x.flatten::<Axis<1>>().matmul(w);
        assert_eq!(y.to_vec(), vec![131072.0, 131072.0]);
        // a run-time inner dim meets a `Const` one and is compared when running
        let a: Tensor<(usize, usize), f32, TestDevice> = dev.zeros_like(&(2, 3));
        let b: Tensor<Rank2<4, 2>, f32, TestDevice> = dev.zeros();
        assert!(a.clone().try_matmul(b).is_err());
        let c: Tensor<Rank2<3, 2>, f32, TestDevice> = dev.zeros();
        assert_eq!(a.matmul(c).dims(), [2, 2]);
    }

    #[test]
    fn runtime_inner_mismatch_is_an_error() {
        let dev = Cpu::default();
        let a: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(2, 3));
        let b: Tensor<(usize, usize), f32, Cpu> = dev.zeros_like(&(4, 2));
        assert!(a.try_matmul(b).is_err());
    }
}
