//! The dense linear algebra the linear models need, on faer: minimum-norm least squares and
//! ridge solves by Cholesky or SVD, for one or several right-hand sides; and the thin SVD, the
//! (generalised) symmetric eigendecompositions and the positive-definite solve that the
//! decompositions and discriminant analysis need.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use gf_core::device::gemm;
use gf_core::ops::matmul::{GemmDims, MatView};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::validation::Matrix;

/// The columns of a faer matrix as `Vec`s.
fn columns(m: &Mat<f64>) -> Vec<Vec<f64>> {
    (0..m.ncols())
        .map(|j| (0..m.nrows()).map(|i| m[(i, j)]).collect())
        .collect()
}

/// `targets` (one `Vec` per target, each of length `rows`) as a `rows` x `t` faer matrix.
fn rhs(targets: &[Vec<f64>], rows: usize) -> Mat<f64> {
    Mat::from_fn(rows, targets.len(), |i, j| targets[j][i])
}

/// The thin SVD of `x`: `(U, s, V)` with `x = U diag(s) Vᵀ`, singular values largest first.
pub(crate) fn thin_svd(op: &'static str, x: &Matrix) -> Result<(Mat<f64>, Vec<f64>, Mat<f64>)> {
    let svd = x.to_faer().thin_svd().map_err(|e| Error::Linalg {
        op,
        message: format!("the SVD did not converge: {e:?}"),
    })?;
    let s = svd.S().column_vector();
    let s = (0..s.nrows()).map(|i| s[i]).collect();
    Ok((svd.U().to_owned(), s, svd.V().to_owned()))
}

/// `V diag(f(s)) Uᵀ b` for each target `b`: the SVD solve with the singular values filtered.
fn svd_apply(
    (u, s, v): &(Mat<f64>, Vec<f64>, Mat<f64>),
    targets: &[Vec<f64>],
    rows: usize,
    f: impl Fn(f64) -> f64,
) -> Vec<Vec<f64>> {
    let b = rhs(targets, rows);
    let mut utb = u.transpose() * &b;
    for (i, &si) in s.iter().enumerate() {
        let d = f(si);
        for j in 0..utb.ncols() {
            utb[(i, j)] *= d;
        }
    }
    columns(&(v * &utb))
}

/// The minimum-norm least-squares solution of `x w = b` for each target `b`, as LAPACK's gelsd
/// (which scipy's `lstsq` calls): singular values below `eps * max(rows, cols) * s_max` count as
/// zero, so a rank-deficient `x` gets the solution of smallest norm.
pub(crate) fn lstsq(op: &'static str, x: &Matrix, targets: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
    let svd = thin_svd(op, x)?;
    let s_max = svd.1.first().copied().unwrap_or(0.0);
    let cutoff = f64::EPSILON * x.rows.max(x.cols) as f64 * s_max;
    Ok(svd_apply(&svd, targets, x.rows, |s| {
        if s > cutoff {
            1.0 / s
        } else {
            0.0
        }
    }))
}

/// Ridge by SVD: `w = V diag(s / (s² + alpha)) Uᵀ b` (scikit-learn's `_solve_svd`, where
/// singular values below 1e-15 count as zero).
pub(crate) fn ridge_svd(
    op: &'static str,
    x: &Matrix,
    targets: &[Vec<f64>],
    alpha: f64,
) -> Result<Vec<Vec<f64>>> {
    let svd = thin_svd(op, x)?;
    Ok(svd_apply(&svd, targets, x.rows, |s| {
        if s > 1e-15 {
            s / (s * s + alpha)
        } else {
            0.0
        }
    }))
}

/// Ridge by Cholesky (scikit-learn's `_solve_cholesky`, or `_solve_cholesky_kernel` when there
/// are more features than samples): `(XᵀX + alpha I) w = Xᵀ b`, or its dual
/// `w = Xᵀ (XXᵀ + alpha I)⁻¹ b`.
pub(crate) fn ridge_cholesky(
    op: &'static str,
    x: &Matrix,
    targets: &[Vec<f64>],
    alpha: f64,
) -> Result<Vec<Vec<f64>>> {
    let a = x.to_faer();
    let b = rhs(targets, x.rows);
    let not_pd = |e| {
        Error::Linalg {
        op,
        message: format!(
            "the ridge system is not positive definite ({e:?}); use solver \"svd\" for a singular X with alpha = 0"
        ),
    }
    };
    if x.cols <= x.rows {
        let mut gram = a.transpose() * &a;
        for i in 0..x.cols {
            gram[(i, i)] += alpha;
        }
        let rhs = a.transpose() * &b;
        let llt = gram.llt(Side::Lower).map_err(not_pd)?;
        Ok(columns(&llt.solve(&rhs)))
    } else {
        let mut kernel = &a * a.transpose();
        for i in 0..x.rows {
            kernel[(i, i)] += alpha;
        }
        let llt = kernel.llt(Side::Lower).map_err(not_pd)?;
        let dual = llt.solve(&b);
        Ok(columns(&(a.transpose() * &dual)))
    }
}

/// The thin SVD of `x` as `(U, s, V)`, `x = U diag(s) Vᵀ`, singular values largest first.
pub(crate) fn svd(op: &'static str, x: &Matrix) -> Result<(Matrix, Vec<f64>, Matrix)> {
    let (u, s, v) = thin_svd(op, x)?;
    Ok((Matrix::from_faer(&u), s, Matrix::from_faer(&v)))
}

/// The eigendecomposition of the symmetric `a` (its lower triangle is read) as
/// `(eigenvalues, eigenvectors)`: eigenvalues ascending, as LAPACK's `syevd` (scipy's `eigh`),
/// eigenvectors in the matching columns.
pub(crate) fn symmetric_eigen(op: &'static str, a: &Matrix) -> Result<(Vec<f64>, Matrix)> {
    let (values, vectors) = symmetric_eigh(op, &a.to_faer())?;
    Ok((values, Matrix::from_faer(&vectors)))
}

/// The solution `X` of `a X = b` for a symmetric positive definite `a`, by Cholesky.
pub(crate) fn solve_spd(op: &'static str, a: &Matrix, b: &Matrix) -> Result<Matrix> {
    let llt = a.to_faer().llt(Side::Lower).map_err(|e| Error::Linalg {
        op,
        message: format!("the matrix is not positive definite: {e:?}"),
    })?;
    Ok(Matrix::from_faer(&llt.solve(b.to_faer())))
}

/// `xᵀ x` (`cols × cols`) for the row-major `rows × cols` `x`, on gf-core's GEMM, which reads
/// the transpose through its strides: the covariance-style products of tall data without a
/// transposed copy. A tall x has one GEMM block of output, so the GEMM alone would run on one
/// thread: the rows are split into one slab per thread instead and the slabs' products summed.
pub(crate) fn gram_t(x: &[f64], rows: usize, cols: usize) -> Matrix {
    /// Below this many rows per slab the threads cost more than they save.
    const MIN_SLAB: usize = 4096;
    let slabs = rayon::current_num_threads().min(rows / MIN_SLAB).max(1);
    let per = rows.div_ceil(slabs).max(1);
    let d = cols;
    let slab_gram = |slab: &[f64]| -> Vec<f64> {
        let n = slab.len() / d.max(1);
        let mut out = vec![0.0; d * d];
        let dims = GemmDims::new(1, d, n, d).expect("the sizes of a matrix in memory");
        gemm::dgemm(
            dims,
            slab,
            MatView::packed(n, d).t(),
            slab,
            MatView::packed(n, d),
            &mut out,
            MatView::packed(d, d),
        )
        .expect("views within their buffers");
        out
    };
    let data = x[..rows * d]
        .par_chunks(per * d.max(1))
        .map(slab_gram)
        .reduce(
            || vec![0.0; d * d],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
                a
            },
        );
    Matrix {
        rows: d,
        cols: d,
        data,
    }
}

/// The product `a b`.
pub(crate) fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
    Matrix::from_faer(&(a.to_faer() * b.to_faer()))
}

/// The product `a bᵀ`.
pub(crate) fn matmul_bt(a: &Matrix, b: &Matrix) -> Matrix {
    Matrix::from_faer(&(a.to_faer() * b.to_faer().transpose()))
}

/// The eigenvalues of the symmetric `a` (smallest first, as LAPACK's `syevd`) and its
/// orthonormal eigenvectors as the columns of the returned matrix.
pub(crate) fn symmetric_eigh(op: &'static str, a: &Mat<f64>) -> Result<(Vec<f64>, Mat<f64>)> {
    let evd = a
        .self_adjoint_eigen(Side::Lower)
        .map_err(|e| Error::Linalg {
            op,
            message: format!("the eigendecomposition did not converge: {e:?}"),
        })?;
    let s = evd.S().column_vector();
    Ok(((0..s.nrows()).map(|i| s[i]).collect(), evd.U().to_owned()))
}

/// The generalised symmetric-definite eigenproblem `a x = λ b x` (scipy's `eigh(a, b)`, LAPACK's
/// `sygvd`): with `b = L Lᵀ`, the eigenvectors `y` of `L⁻¹ a L⁻ᵀ` give `x = L⁻ᵀ y`, normalised
/// so that `xᵀ b x = 1`. Eigenvalues smallest first; eigenvectors as columns.
pub(crate) fn generalized_eigh(
    op: &'static str,
    a: &Mat<f64>,
    b: &Mat<f64>,
) -> Result<(Vec<f64>, Mat<f64>)> {
    use faer::linalg::triangular_solve::{
        solve_lower_triangular_in_place, solve_upper_triangular_in_place,
    };
    let llt = b.llt(Side::Lower).map_err(|e| Error::Linalg {
        op,
        message: format!("the matrix b of eigh(a, b) is not positive definite ({e:?})"),
    })?;
    let l = llt.L();
    // W = L⁻¹ a, then C = L⁻¹ Wᵀ = L⁻¹ a L⁻ᵀ.
    let mut w = a.clone();
    solve_lower_triangular_in_place(l, w.as_mut(), faer::Par::Seq);
    let mut c = w.transpose().to_owned();
    solve_lower_triangular_in_place(l, c.as_mut(), faer::Par::Seq);
    let c = Mat::from_fn(c.nrows(), c.ncols(), |i, j| 0.5 * (c[(i, j)] + c[(j, i)]));
    let (values, mut vectors) = symmetric_eigh(op, &c)?;
    solve_upper_triangular_in_place(l.transpose(), vectors.as_mut(), faer::Par::Seq);
    Ok((values, vectors))
}
