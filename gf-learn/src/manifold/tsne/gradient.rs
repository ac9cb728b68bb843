//! The t-SNE objective, the KL divergence of P and the Student-t Q of the embedding, with its
//! gradient: every pair in `float64` (scikit-learn's `_kl_divergence`), or Barnes-Hut's
//! approximation in `float32` (`_kl_divergence_bh`, `_barnes_hut_tsne.gradient`): the
//! attraction over the neighbours of P, the repulsion summarised by a [`QuadTree`].

use rayon::prelude::*;

use super::affinity::{Csr, MACHINE_EPSILON};
use super::quadtree::{bounds, Kernel, QuadTree};
use crate::validation::np_sum;

/// `np.finfo(np.float32).tiny`, the floor inside the logarithm of the Barnes-Hut error.
const FLOAT32_TINY: f32 = f32::MIN_POSITIVE;

/// The scale `2 (dof + 1) / dof` of both gradients.
fn gradient_scale(dof: f64) -> f64 {
    2.0 * (dof + 1.0) / dof
}

/// The buffers of the exact objective, reused from one iteration to the next.
#[derive(Debug, Default)]
pub(crate) struct ExactWorkspace {
    /// The Student-t kernel `(1 + d²/dof)^(-(dof+1)/2)` of each pair, `n × n`.
    t: Vec<f64>,
}

/// The KL divergence (when `compute_error`, else NaN) of P (`n × n`, zero diagonal) and Q,
/// and its gradient written to `grad`, for the embedding `y` (`n × d`).
pub(crate) fn kl_divergence_exact(
    y: &[f64],
    p: &[f64],
    dof: f64,
    d: usize,
    compute_error: bool,
    grad: &mut [f64],
    ws: &mut ExactWorkspace,
) -> f64 {
    let n = y.len() / d;
    ws.t.resize(n * n, 0.0);
    let exponent = (dof + 1.0) / -2.0;
    let row_sums: Vec<f64> =
        ws.t.par_chunks_mut(n)
            .enumerate()
            .map(|(i, row)| {
                let yi = &y[i * d..(i + 1) * d];
                let mut sum = 0.0;
                for (j, t) in row.iter_mut().enumerate() {
                    let yj = &y[j * d..(j + 1) * d];
                    let d2: f64 = yi.iter().zip(yj).map(|(a, b)| (a - b) * (a - b)).sum();
                    let base = d2 / dof + 1.0;
                    *t = if exponent == -1.0 {
                        1.0 / base
                    } else {
                        base.powf(exponent)
                    };
                    if j > i {
                        sum += *t;
                    }
                }
                sum
            })
            .collect();
    // Q over the condensed pairs, whose sum counts each pair once.
    let two_sum = 2.0 * np_sum(&row_sums);
    let t = &ws.t;
    let kl = if compute_error {
        let parts: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| {
                (i + 1..n)
                    .map(|j| {
                        let pij = p[i * n + j];
                        let q = (t[i * n + j] / two_sum).max(MACHINE_EPSILON);
                        pij * (pij.max(MACHINE_EPSILON) / q).ln()
                    })
                    .sum::<f64>()
            })
            .collect();
        2.0 * np_sum(&parts)
    } else {
        f64::NAN
    };
    let c = gradient_scale(dof);
    grad.par_chunks_mut(d).enumerate().for_each(|(i, g)| {
        g.iter_mut().for_each(|v| *v = 0.0);
        let yi = &y[i * d..(i + 1) * d];
        for j in 0..n {
            if j == i {
                continue;
            }
            let tij = t[i * n + j];
            let q = (tij / two_sum).max(MACHINE_EPSILON);
            let pqd = (p[i * n + j] - q) * tij;
            for (ax, gv) in g.iter_mut().enumerate() {
                *gv += pqd * (yi[ax] - y[j * d + ax]);
            }
        }
        g.iter_mut().for_each(|v| *v *= c);
    });
    kl
}

/// The buffers of the Barnes-Hut objective, reused from one iteration to the next.
#[derive(Debug, Default)]
pub(crate) struct BhWorkspace<const D: usize> {
    tree: QuadTree<D>,
    pos: Vec<f32>,
    attraction: Vec<[f32; D]>,
    negative: Vec<([f32; D], f64)>,
    /// The points in the Z-order of their positions, the order the repulsion walks them in.
    order: Vec<u32>,
    /// The repulsion on the points of `order`, before it is put back in point order.
    walked: Vec<([f32; D], f64)>,
    /// Gradient evaluations so far; `order` is refreshed every [`REORDER_EVERY`].
    calls: usize,
}

/// How many gradient evaluations reuse one Z-order: the points move little between two, and
/// the order only decides how fast the walk runs, never what it computes.
const REORDER_EVERY: usize = 10;

/// The points' indices sorted by the Morton code (Z-order, 21 bits per axis within their
/// bounding box) of their position, so that points walked one after the other sit close
/// together and open nearly the same cells of the tree: the walk then finds its nodes in
/// cache. The first axis is the high bit of each level, as in the tree's child slots.
fn z_order<const D: usize>(pos: &[f32], order: &mut Vec<u32>) {
    const BITS: u32 = 21;
    let (lo, hi) = bounds::<D>(pos);
    let top = ((1u32 << BITS) - 1) as f32;
    let scale: [f32; D] = std::array::from_fn(|ax| {
        if hi[ax] > lo[ax] {
            top / (hi[ax] - lo[ax])
        } else {
            0.0
        }
    });
    let mut keyed: Vec<(u64, u32)> = pos
        .chunks_exact(D)
        .enumerate()
        .map(|(i, p)| {
            // `as` saturates, and sends NaN to 0: any order is a correct one
            let cell: [u32; D] = std::array::from_fn(|ax| ((p[ax] - lo[ax]) * scale[ax]) as u32);
            let mut code = 0u64;
            for bit in (0..BITS).rev() {
                for c in cell {
                    code = (code << 1) | u64::from((c >> bit) & 1);
                }
            }
            (code, i as u32)
        })
        .collect();
    keyed.sort_unstable();
    order.clear();
    order.extend(keyed.iter().map(|&(_, i)| i));
}

/// The Student-t kernel of two embedded points and their difference `a - b`.
fn kernel_of<const D: usize>(a: &[f32], b: &[f32], kernel: Kernel) -> (f32, [f32; D]) {
    let mut buff = [0.0f32; D];
    let mut dij = 0.0f32;
    for ax in 0..D {
        buff[ax] = a[ax] - b[ax];
        dij += buff[ax] * buff[ax];
    }
    let mut qij = kernel.dof / (kernel.dof + dij);
    if kernel.dof != 1.0 {
        qij = qij.powf(kernel.exponent);
    }
    (qij, buff)
}

/// The attractive force on point `i` from its neighbours in P (`compute_gradient_positive`).
pub(super) fn attraction_on<const D: usize>(
    i: usize,
    pos: &[f32],
    p: &Csr,
    val_p: &[f32],
    kernel: Kernel,
) -> [f32; D] {
    let mut attraction = [0.0f32; D];
    let row = p.indptr[i]..p.indptr[i + 1];
    let yi = &pos[i * D..(i + 1) * D];
    for (&j, &pij) in p.indices[row.clone()].iter().zip(&val_p[row]) {
        let (qij, buff) = kernel_of::<D>(yi, &pos[j * D..(j + 1) * D], kernel);
        let force = pij * qij;
        for ax in 0..D {
            attraction[ax] += force * buff[ax];
        }
    }
    attraction
}

/// Point `i`'s terms of the KL divergence, over its neighbours in P.
pub(super) fn error_of<const D: usize>(
    i: usize,
    pos: &[f32],
    p: &Csr,
    val_p: &[f32],
    kernel: Kernel,
    sum_q: f64,
) -> f64 {
    let row = p.indptr[i]..p.indptr[i + 1];
    let yi = &pos[i * D..(i + 1) * D];
    let mut error = 0.0f64;
    for (&j, &pij) in p.indices[row.clone()].iter().zip(&val_p[row]) {
        let (qij, _) = kernel_of::<D>(yi, &pos[j * D..(j + 1) * D], kernel);
        let q = (f64::from(qij) / sum_q) as f32;
        error += f64::from(pij) * f64::from(pij.max(FLOAT32_TINY) / q.max(FLOAT32_TINY)).ln();
    }
    error
}

/// Barnes-Hut's KL divergence (when `compute_error`, else NaN) and gradient, written to
/// `grad`, for the embedding `y` (`n × D`) and P's neighbours `p` with their values `val_p`
/// (`float32`, as scikit-learn passes them). The tree's build is serial and the attraction
/// needs no tree, so the two run side by side; the repulsion then walks the tree.
#[allow(clippy::too_many_arguments)]
pub(crate) fn kl_divergence_bh<const D: usize>(
    y: &[f64],
    p: &Csr,
    val_p: &[f32],
    dof: f64,
    angle: f64,
    compute_error: bool,
    grad: &mut [f64],
    ws: &mut BhWorkspace<D>,
) -> f64 {
    ws.pos.clear();
    ws.pos.extend(y.iter().map(|&v| v as f32));
    let kernel = Kernel {
        dof: dof as f32,
        exponent: ((dof + 1.0) / 2.0) as f32,
    };
    let n = ws.pos.len() / D;
    if ws.order.len() != n || ws.calls.is_multiple_of(REORDER_EVERY) {
        z_order::<D>(&ws.pos, &mut ws.order);
    }
    ws.calls += 1;
    let BhWorkspace {
        tree,
        pos,
        attraction,
        negative,
        order,
        walked,
        ..
    } = ws;
    let pos = &*pos;
    rayon::join(
        || tree.build(pos),
        || {
            attraction.clear();
            attraction.par_extend(
                (0..n)
                    .into_par_iter()
                    .map(|i| attraction_on::<D>(i, pos, p, val_p, kernel)),
            );
        },
    );
    debug_assert_eq!(
        tree.n_points() as usize,
        y.len() / D,
        "every point in the tree"
    );
    let theta = angle as f32;
    let tree = &*tree;
    walked.clear();
    walked.par_extend(order.par_iter().map(|&i| {
        let i = i as usize;
        let mut point = [0.0f32; D];
        point.copy_from_slice(&pos[i * D..(i + 1) * D]);
        tree.negative_force(&point, theta * theta, kernel)
    }));
    negative.clear();
    negative.resize(n, ([0.0; D], 0.0));
    for (&i, w) in order.iter().zip(walked.iter()) {
        negative[i as usize] = *w;
    }
    let sum_q = negative
        .iter()
        .map(|n| n.1)
        .sum::<f64>()
        .max(f64::from(f64::EPSILON as f32));
    let c = gradient_scale(dof) as f32;
    // n × D additions: cheaper in one thread than a parallel region's start and join
    grad.chunks_exact_mut(D)
        .zip(&*attraction)
        .zip(&*negative)
        .for_each(|((g, a), (repulsion, _))| {
            for ax in 0..D {
                let total = (f64::from(a[ax]) - f64::from(repulsion[ax]) / sum_q) as f32;
                g[ax] = f64::from(total * c);
            }
        });
    if compute_error {
        // per point, then summed in order: the same total whatever the threads
        let errors: Vec<f64> = (0..pos.len() / D)
            .into_par_iter()
            .map(|i| error_of::<D>(i, pos, p, val_p, kernel, sum_q))
            .collect();
        errors.iter().sum()
    } else {
        f64::NAN
    }
}
