//! UMAP's spectral initialisation, as umap-learn's `spectral_layout`: the eigenvectors of the
//! normalised Laplacian `L = I - D^{-1/2} A D^{-1/2}` of the fuzzy graph for the smallest
//! eigenvalues after the first. umap-learn asks ARPACK (`eigsh`, `which="SM"`); here a Lanczos
//! iteration with full reorthogonalisation finds the same vectors as the largest eigenvectors
//! of `M = D^{-1/2} A D^{-1/2}` (`L = I - M`), on the sparse graph only (no dense `n × n`),
//! with the known first eigenvector `sqrt(deg)` deflated and converged vectors locked between
//! explicit restarts.

use faer::Mat;

use super::fuzzy::Graph;
use crate::error::Result;
use crate::linalg::symmetric_eigh;
use crate::validation::dot;

const OP: &str = "UMAP::fit";
/// The residual `‖M y - θ y‖` under which a Ritz pair counts as converged (`‖M‖ <= 1`).
const TOL: f64 = 1e-6;
/// The largest Krylov basis before a restart.
const MAX_BASIS: usize = 300;
const MAX_RESTARTS: usize = 20;

/// The connected components of the symmetric `g`: a label per vertex and their count.
pub(crate) fn connected_components(g: &Graph) -> (Vec<usize>, usize) {
    let n = g.rows;
    let mut label = vec![usize::MAX; n];
    let mut count = 0;
    let mut stack = Vec::new();
    for s in 0..n {
        if label[s] != usize::MAX {
            continue;
        }
        label[s] = count;
        stack.push(s);
        while let Some(i) = stack.pop() {
            for &j in &g.indices[g.indptr[i]..g.indptr[i + 1]] {
                if label[j] == usize::MAX {
                    label[j] = count;
                    stack.push(j);
                }
            }
        }
        count += 1;
    }
    (label, count)
}

/// The `dim` eigenvectors of the normalised Laplacian of the connected, symmetric `g` for its
/// smallest eigenvalues after the first (`0`, of `sqrt(deg)`), row-major `n × dim`, in
/// increasing order of eigenvalue; `None` when the graph is too small or the solver does not
/// converge (umap-learn then falls back to a random start).
pub(crate) fn spectral_layout(g: &Graph, dim: usize) -> Result<Option<Vec<f64>>> {
    let n = g.rows;
    if n < dim + 2 {
        return Ok(None);
    }
    let deg: Vec<f64> = (0..n)
        .map(|i| {
            g.data[g.indptr[i]..g.indptr[i + 1]]
                .iter()
                .map(|&v| f64::from(v))
                .sum()
        })
        .collect();
    if deg.iter().any(|&d| d <= 0.0) {
        return Ok(None);
    }
    let inv_sqrt: Vec<f64> = deg.iter().map(|d| 1.0 / d.sqrt()).collect();
    let matvec = |x: &[f64], y: &mut [f64]| {
        for i in 0..n {
            let mut s = 0.0;
            for p in g.indptr[i]..g.indptr[i + 1] {
                let j = g.indices[p];
                s += f64::from(g.data[p]) * inv_sqrt[j] * x[j];
            }
            y[i] = inv_sqrt[i] * s;
        }
    };
    let mut u0: Vec<f64> = deg.iter().map(|d| d.sqrt()).collect();
    let norm = dot(&u0, &u0).sqrt();
    u0.iter_mut().for_each(|v| *v /= norm);
    // umap-learn starts ARPACK from the vector of ones.
    let v0 = vec![1.0; n];
    let Some((_, vectors)) = lanczos_largest(n, &matvec, dim, &[u0], v0)? else {
        return Ok(None);
    };
    let mut out = vec![0.0; n * dim];
    for (c, v) in vectors.iter().enumerate() {
        for i in 0..n {
            out[i * dim + c] = v[i];
        }
    }
    Ok(Some(out))
}

/// Orthogonalises `w` against each vector of `basis` (orthonormal), twice (classical
/// Gram-Schmidt twice is as stable as modified Gram-Schmidt).
fn orthogonalise(w: &mut [f64], basis: &[Vec<f64>]) {
    for _ in 0..2 {
        for b in basis {
            let c = dot(w, b);
            w.iter_mut().zip(b).for_each(|(x, y)| *x -= c * y);
        }
    }
}

/// The `nev` largest eigenpairs of the symmetric operator `matvec` on `R^n` restricted to the
/// complement of the orthonormal `deflate`, largest first: Lanczos from `v0` with full
/// reorthogonalisation, converged Ritz pairs locked and the iteration restarted from the sum
/// of the wanted, unconverged Ritz vectors. `None` if they do not all converge.
#[allow(clippy::type_complexity)]
pub(crate) fn lanczos_largest(
    n: usize,
    matvec: &dyn Fn(&[f64], &mut [f64]),
    nev: usize,
    deflate: &[Vec<f64>],
    v0: Vec<f64>,
) -> Result<Option<(Vec<f64>, Vec<Vec<f64>>)>> {
    let mut locked: Vec<(f64, Vec<f64>)> = Vec::new();
    let mut start = v0;
    for restart in 0..MAX_RESTARTS {
        let want = nev - locked.len();
        if want == 0 {
            break;
        }
        let mut against: Vec<Vec<f64>> = deflate.to_vec();
        against.extend(locked.iter().map(|l| l.1.clone()));
        let m_max = MAX_BASIS.min(n - against.len());
        if m_max < want {
            return Ok(None);
        }
        orthogonalise(&mut start, &against);
        let mut norm = dot(&start, &start).sqrt();
        if norm < 1e-10 {
            // A start inside the deflated space: any fixed, generic vector will do.
            start = (0..n)
                .map(|i| ((i as f64 + 1.0) * (restart as f64 + 1.618)).sin())
                .collect();
            orthogonalise(&mut start, &against);
            norm = dot(&start, &start).sqrt();
        }
        start.iter_mut().for_each(|v| *v /= norm);
        let mut basis: Vec<Vec<f64>> = vec![start];
        let (mut alpha, mut beta): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut w = vec![0.0; n];
        let mut ritz: Option<(Vec<f64>, Mat<f64>, f64)> = None;
        loop {
            let j = basis.len() - 1;
            matvec(&basis[j], &mut w);
            let a = dot(&w, &basis[j]);
            alpha.push(a);
            orthogonalise(&mut w, &basis);
            orthogonalise(&mut w, &against);
            let b = dot(&w, &w).sqrt();
            beta.push(b);
            let m = basis.len();
            let invariant = b < 1e-10;
            if m >= want && (m.is_multiple_of(10) || m == m_max || invariant) {
                let (vals, vecs) = tridiagonal_eigh(&alpha, &beta[..m - 1])?;
                // The wanted Ritz pairs are the last `want` (values increase).
                let done = (m - want..m).all(|c| (b * vecs[(m - 1, c)]).abs() <= TOL);
                ritz = Some((vals, vecs, b));
                if done || invariant || m == m_max {
                    break;
                }
            }
            if m == m_max || invariant {
                break;
            }
            let next: Vec<f64> = w.iter().map(|v| v / b).collect();
            basis.push(next);
        }
        let Some((vals, vecs, b)) = ritz else {
            return Ok(None);
        };
        let m = basis.len();
        let mut restart_vec = vec![0.0; n];
        let mut new_locked = Vec::new();
        for c in (m - want..m).rev() {
            let mut y = vec![0.0; n];
            for (r, v) in basis.iter().enumerate() {
                let coef = vecs[(r, c)];
                y.iter_mut().zip(v).for_each(|(x, vv)| *x += coef * vv);
            }
            if (b * vecs[(m - 1, c)]).abs() <= TOL {
                new_locked.push((vals[c], y));
            } else {
                restart_vec.iter_mut().zip(&y).for_each(|(x, v)| *x += v);
            }
        }
        // Lock only the leading converged pairs: a converged pair below an unconverged one
        // may not be among the largest yet.
        let mut kept = 0;
        for c in (m - want..m).rev() {
            if (b * vecs[(m - 1, c)]).abs() <= TOL {
                kept += 1;
            } else {
                break;
            }
        }
        for (i, (val, y)) in new_locked.into_iter().enumerate() {
            if i < kept {
                locked.push((val, y));
            } else {
                restart_vec.iter_mut().zip(&y).for_each(|(x, v)| *x += v);
            }
        }
        start = restart_vec;
    }
    if locked.len() < nev {
        return Ok(None);
    }
    locked.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(Some(locked.into_iter().unzip()))
}

/// The eigenpairs of the symmetric tridiagonal matrix with diagonal `alpha` and
/// off-diagonal `beta`: values increasing, vectors as columns.
fn tridiagonal_eigh(alpha: &[f64], beta: &[f64]) -> Result<(Vec<f64>, Mat<f64>)> {
    let m = alpha.len();
    let t = Mat::from_fn(m, m, |i, j| {
        if i == j {
            alpha[i]
        } else if i + 1 == j {
            beta[i]
        } else if j + 1 == i {
            beta[j]
        } else {
            0.0
        }
    });
    symmetric_eigh(OP, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connected graph of 60 vertices: a ring plus seeded chords, weights in (0, 1].
    fn graph() -> Graph {
        let n = 60;
        let mut dense = vec![0.0f32; n * n];
        let mut s = 12345u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as f64 / (1u64 << 31) as f64
        };
        for i in 0..n {
            let j = (i + 1) % n;
            let w = 0.2 + 0.8 * next() as f32;
            dense[i * n + j] = w;
            dense[j * n + i] = w;
            for _ in 0..2 {
                let j = (next() * n as f64) as usize % n;
                if j != i {
                    let w = next() as f32 * 0.5 + 0.01;
                    dense[i * n + j] = w;
                    dense[j * n + i] = w;
                }
            }
        }
        let mut g = Graph {
            rows: n,
            cols: n,
            indptr: vec![0; n + 1],
            indices: vec![],
            data: vec![],
        };
        for i in 0..n {
            for j in 0..n {
                if dense[i * n + j] != 0.0 {
                    g.indices.push(j);
                    g.data.push(dense[i * n + j]);
                }
            }
            g.indptr[i + 1] = g.indices.len();
        }
        g
    }

    /// The layout spans the eigenvectors of the 2nd and 3rd smallest eigenvalues of the dense
    /// normalised Laplacian from `symmetric_eigh`: each column equals one of them up to sign,
    /// to 1e-5.
    #[test]
    fn lanczos_layout_matches_dense_eigh() {
        let g = graph();
        let n = g.rows;
        assert_eq!(connected_components(&g).1, 1);
        let deg: Vec<f64> = (0..n)
            .map(|i| {
                g.data[g.indptr[i]..g.indptr[i + 1]]
                    .iter()
                    .map(|&v| f64::from(v))
                    .sum()
            })
            .collect();
        let mut l = Mat::<f64>::identity(n, n);
        for i in 0..n {
            for p in g.indptr[i]..g.indptr[i + 1] {
                let j = g.indices[p];
                l[(i, j)] -= f64::from(g.data[p]) / (deg[i] * deg[j]).sqrt();
            }
        }
        let (vals, vecs) = symmetric_eigh("test", &l).unwrap();
        assert!(vals[0].abs() < 1e-10 && vals[2] < vals[3] - 1e-3);
        let got = spectral_layout(&g, 2).unwrap().unwrap();
        for c in 0..2 {
            let sign = if got[c] * vecs[(0, c + 1)] < 0.0 {
                -1.0
            } else {
                1.0
            };
            for i in 0..n {
                let d = (got[i * 2 + c] - sign * vecs[(i, c + 1)]).abs();
                assert!(d < 1e-5, "column {c} row {i}: {d}");
            }
        }
    }
}
