//! The FFT-accelerated interpolation of t-SNE's repulsion (FIt-SNE, Linderman et al. 2019;
//! openTSNE's `negative_gradient_method="fft"`), for 1-D and 2-D embeddings.
//!
//! The repulsion needs, for every point `i`, the sums `Z_i = Σ_j 1/(1+d²)` and
//! `F_i = Σ_j (y_i - y_j)/(1+d²)²`: `O(n²)` pairs. Both are convolutions of unit point
//! charges with smooth kernels, so the embedding's bounding box is cut into equal boxes, each
//! holding [`N_INTERP`] equispaced Lagrange nodes per axis. The charges are spread onto the
//! nodes (by the Lagrange weights of each point within its box), convolved over the node grid
//! with the kernels, and interpolated back to the points. The nodes are
//! equispaced over the whole box, so the kernel matrix between them is Toeplitz (block
//! Toeplitz in 2-D): it is embedded in a circulant of twice the size per axis, and the
//! convolution is a product of FFTs. The cost is `O(n + B log B)` for `B` grid nodes, with an
//! error set by the box width, not by `n`.
//!
//! As FIt-SNE, `F_i = y_i φ₁(i) - φ_y(i)` with `φ₁ = Σ_j q²_ij` and `φ_y = Σ_j q²_ij y_j`:
//! the squared kernel on the charges `1` and `y`; `Z` is the plain kernel on the charge `1`
//! (not FIt-SNE's `(1 + |y|²) φ₁ - 2 y·φ_y + φ_{|y|²}`, a difference that cancels), and the
//! coordinates are taken from the box's centre, which keeps `y_i φ₁ - φ_y` from cancelling
//! more than it must. (Convolving the odd kernel `d/(1+d²)²` directly was tried: it
//! interpolates worse, 6e-3 against 4e-3 relative error on the forces.)
//!
//! Real data in complex FFTs go two at a time: both kernels are real and even, so their
//! spectra are real, and one FFT of `K₁ + i K₂` gives both; a real kernel on the charges
//! `w_x + i w_y` gives `K ∗ w_x + i K ∗ w_y`. A 2-D step costs three forward FFTs (the
//! kernels, the charge `1`, the coordinates) and two inverse ones (`Z + i φ₁`,
//! `φ_x + i φ_y`); a 1-D step two and two.

#[cfg(test)]
mod tests;

use std::sync::Arc;

use rayon::prelude::*;
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

use super::affinity::Csr;
use super::gradient::{attraction_on, error_of};
use super::quadtree::Kernel;

/// The Lagrange nodes per box and axis (FIt-SNE's and openTSNE's `n_interpolation_points`).
pub(crate) const N_INTERP: usize = 3;
/// The fewest boxes per axis (openTSNE's `min_num_intervals`).
const MIN_NUM_INTERVALS: usize = 50;
/// Boxes per unit of embedding length (openTSNE's `ints_in_interval`).
const INTS_IN_INTERVAL: f64 = 1.0;

/// The most boxes per axis: past it the boxes widen instead, which bounds the grid's memory
/// (`(2 · 3 · 200)²` complex values per buffer in 2-D) once the embedding has spread out.
fn max_boxes(d: usize) -> usize {
    if d == 1 {
        1000
    } else {
        200
    }
}

/// The smallest `m >= n` with no prime factor above 5, so that the FFTs' length
/// `2 · 3 · m` stays a fast mixed-radix one (FIt-SNE rounds up to such sizes too).
fn smooth_ceil(n: usize) -> usize {
    let mut m = n.max(1);
    loop {
        let mut r = m;
        for f in [2, 3, 5] {
            while r.is_multiple_of(f) {
                r /= f;
            }
        }
        if r == 1 {
            return m;
        }
        m += 1;
    }
}

/// The boxes per axis for an embedding spanning `range`: `ints_in_interval` per unit of
/// length, at least `min_boxes`, at most [`max_boxes`], rounded up to a 5-smooth count.
fn n_boxes(range: f64, d: usize, min_boxes: usize, ints_in_interval: f64) -> usize {
    // `as` saturates and sends NaN to 0, so a broken range still gets the minimum
    let wanted = (range * ints_in_interval).ceil() as usize;
    smooth_ceil(wanted.max(min_boxes).min(max_boxes(d)))
}

/// The Lagrange weights of the nodes `(k + 1/2) / N_INTERP` of a box at the relative
/// position `u` in `[0, 1]`.
fn lagrange(u: f64) -> [f64; N_INTERP] {
    let t: [f64; N_INTERP] = std::array::from_fn(|k| (k as f64 + 0.5) / N_INTERP as f64);
    std::array::from_fn(|k| {
        let mut w = 1.0;
        for m in 0..N_INTERP {
            if m != k {
                w *= (u - t[m]) / (t[k] - t[m]);
            }
        }
        w
    })
}

/// The FFT of each row of length `len` of `buf`, in parallel over groups of rows (each row
/// is transformed on its own, so the result does not depend on the threads).
fn rows_fft(buf: &mut [Complex64], plan: &Arc<dyn Fft<f64>>) {
    let len = plan.len();
    let scratch_len = plan.get_inplace_scratch_len();
    buf.par_chunks_mut(len * 8).for_each_init(
        || vec![Complex64::default(); scratch_len],
        |scratch, rows| plan.process_with_scratch(rows, scratch),
    );
}

/// `out = inᵀ` for a square `len × len` row-major matrix.
fn transpose(input: &[Complex64], out: &mut [Complex64], len: usize) {
    out.par_chunks_mut(len).enumerate().for_each(|(r, row)| {
        for (c, v) in row.iter_mut().enumerate() {
            *v = input[c * len + r];
        }
    });
}

/// The FFT plans of one length, forward and inverse.
struct Plans {
    len: usize,
    forward: Arc<dyn Fft<f64>>,
    inverse: Arc<dyn Fft<f64>>,
}

/// The interpolation grid and its buffers, reused from one gradient evaluation to the next;
/// the FFT plans are made once per length.
pub(crate) struct FftRepulsion<const D: usize> {
    /// The fewest boxes per axis.
    min_boxes: usize,
    /// Boxes per unit of length.
    ints_in_interval: f64,
    planner: FftPlanner<f64>,
    plans: Option<Plans>,
    /// Each point's box per axis.
    boxes: Vec<[u32; D]>,
    /// Each point's Lagrange weights per axis.
    weights: Vec<[[f64; N_INTERP]; D]>,
    /// The points grouped by their box along the last axis (index order within a group).
    order: Vec<u32>,
    /// Where each group of `order` starts, one more than the boxes.
    starts: Vec<usize>,
    /// The charges on the nodes, `N^D × (D + 1)` interleaved: `1`, then each coordinate.
    nodes: Vec<f64>,
    /// The spectrum on the padded grid of `1/(1+d²) + i/(1+d²)²`, whose real and imaginary
    /// parts are the two kernels' spectra.
    kernels: Vec<Complex64>,
    /// The spectra of the packed charges on the padded grid: `1 + i x` in 1-D; `1`, then
    /// `x + i y` in 2-D.
    charges: Vec<Vec<Complex64>>,
    work: Vec<Complex64>,
    scratch: Vec<Complex64>,
    /// The potentials on the nodes, `N^D × (D + 1)` interleaved: `Z`, then `F` per axis.
    potentials: Vec<f64>,
    /// Each point's `Σ_j 1/(1+d²)` (with `j = i`) and unnormalised repulsive force.
    pub(crate) per_point: Vec<(f64, [f64; D])>,
}

impl<const D: usize> Default for FftRepulsion<D> {
    fn default() -> Self {
        FftRepulsion {
            min_boxes: MIN_NUM_INTERVALS,
            ints_in_interval: INTS_IN_INTERVAL,
            planner: FftPlanner::new(),
            plans: None,
            boxes: Vec::new(),
            weights: Vec::new(),
            order: Vec::new(),
            starts: Vec::new(),
            nodes: Vec::new(),
            kernels: Vec::new(),
            charges: Vec::new(),
            work: Vec::new(),
            scratch: Vec::new(),
            potentials: Vec::new(),
            per_point: Vec::new(),
        }
    }
}

impl<const D: usize> FftRepulsion<D> {
    /// A finer or coarser grid than t-SNE's: at least `min_boxes` boxes per axis, and
    /// `ints_in_interval` per unit of length.
    #[cfg(test)]
    pub(crate) fn with_grid(min_boxes: usize, ints_in_interval: f64) -> Self {
        FftRepulsion {
            min_boxes,
            ints_in_interval,
            ..Self::default()
        }
    }

    /// Interpolates the repulsion of the embedding `y` (`n × D`): fills [`Self::per_point`]
    /// and returns `Z = Σ_{i≠j} 1/(1+d²_ij)`.
    pub(crate) fn compute(&mut self, y: &[f64]) -> f64 {
        assert!(
            D == 1 || D == 2,
            "the FFT repulsion is for 1-D and 2-D embeddings"
        );
        let n = y.len() / D;
        // One square box over every axis, as FIt-SNE's.
        let (lo, hi) = y
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let range = if hi - lo > 0.0 { hi - lo } else { 1.0 };
        let nb = n_boxes(range, D, self.min_boxes, self.ints_in_interval);
        let h = range / nb as f64;
        let nn = nb * N_INTERP; // nodes per axis
        let spacing = h / N_INTERP as f64;
        let m = 2 * nn; // the padded (circulant) length per axis
        let centre = lo + range / 2.0;
        let n_charges = D + 1;
        let n_out = D + 2;
        // `N^(D-1)` and `M^(D-1)`: the rows of the grid and of the padded grid
        let (rows, padded_rows) = if D == 2 { (nn, m) } else { (1, 1) };

        if self.plans.as_ref().map(|p| p.len) != Some(m) {
            self.plans = Some(Plans {
                len: m,
                forward: self.planner.plan_fft_forward(m),
                inverse: self.planner.plan_fft_inverse(m),
            });
        }
        let plans = self.plans.as_ref().expect("planned just now");

        // Each point's box and weights per axis.
        self.boxes.clear();
        self.weights.clear();
        (0..n)
            .into_par_iter()
            .map(|i| {
                let mut b = [0u32; D];
                let mut w = [[0.0; N_INTERP]; D];
                for ax in 0..D {
                    let t = (y[i * D + ax] - lo) / h;
                    // `as` saturates and sends NaN to 0: a broken point lands somewhere
                    let k = (t.floor().max(0.0) as usize).min(nb - 1);
                    b[ax] = k as u32;
                    w[ax] = lagrange(t - k as f64);
                }
                (b, w)
            })
            .unzip_into_vecs(&mut self.boxes, &mut self.weights);

        // Group the points by their box along the last axis: each group then owns the
        // nodes of its slab of boxes, and spreads its charges there without sharing.
        self.starts.clear();
        self.starts.resize(nb + 1, 0);
        for b in &self.boxes {
            self.starts[b[D - 1] as usize + 1] += 1;
        }
        for k in 0..nb {
            self.starts[k + 1] += self.starts[k];
        }
        self.order.clear();
        self.order.resize(n, 0);
        let mut next = self.starts.clone();
        for (i, b) in self.boxes.iter().enumerate() {
            let slot = &mut next[b[D - 1] as usize];
            self.order[*slot] = i as u32;
            *slot += 1;
        }

        // Point charges to nodes, one slab of `N_INTERP` node rows (2-D) or one box (1-D)
        // per task.
        let slab_len = if D == 2 { N_INTERP * nn } else { N_INTERP } * n_charges;
        self.nodes.clear();
        self.nodes.resize(nn * rows * n_charges, 0.0);
        {
            let (order, starts, boxes, weights) =
                (&self.order, &self.starts, &self.boxes, &self.weights);
            self.nodes
                .par_chunks_mut(slab_len)
                .enumerate()
                .for_each(|(k, out)| {
                    for &i in &order[starts[k]..starts[k + 1]] {
                        let i = i as usize;
                        let mut charge = [1.0; 3];
                        for ax in 0..D {
                            charge[1 + ax] = y[i * D + ax] - centre;
                        }
                        let w = &weights[i];
                        let col0 = boxes[i][0] as usize * N_INTERP;
                        let ny = if D == 2 { N_INTERP } else { 1 };
                        for ky in 0..ny {
                            let wy = if D == 2 { w[1][ky] } else { 1.0 };
                            for (kx, wx) in w[0].iter().enumerate() {
                                // 1-D has one box per slab, whose nodes start at 0
                                let col = if D == 2 { col0 + kx } else { kx };
                                let at = (ky * nn + col) * n_charges;
                                let wxy = wy * wx;
                                for c in 0..n_charges {
                                    out[at + c] += wxy * charge[c];
                                }
                            }
                        }
                    }
                });
        }

        // The kernels on the padded grid, by the circulant embedding of the Toeplitz node
        // distances: index `j < N` is offset `j`, index `M - j` offset `-j`, at the same
        // distance; `N` is unused. The embedding is real and even, so its spectrum is real.
        let padded = padded_rows * m;
        let wrap = |j: usize| -> Option<f64> {
            match j.cmp(&nn) {
                std::cmp::Ordering::Less => Some(j as f64 * spacing),
                std::cmp::Ordering::Equal => None,
                std::cmp::Ordering::Greater => Some((m - j) as f64 * spacing),
            }
        };
        self.kernels.resize(padded, Complex64::default());
        self.kernels
            .par_chunks_mut(m)
            .enumerate()
            .for_each(|(r, row)| {
                let dr = if D == 2 { wrap(r) } else { Some(0.0) };
                for (c, v) in row.iter_mut().enumerate() {
                    *v = match (dr, wrap(c)) {
                        (Some(dy), Some(dx)) => {
                            let q = 1.0 / (1.0 + dx * dx + dy * dy);
                            Complex64::new(q, q * q)
                        }
                        _ => Complex64::default(),
                    };
                }
            });
        self.scratch.resize(padded, Complex64::default());
        forward::<D>(&mut self.kernels, &mut self.scratch, padded_rows, plans);

        // The charges' spectra, two real grids to a complex one where they share a kernel.
        let packs: &[(usize, Option<usize>)] = if D == 2 {
            &[(0, None), (1, Some(2))]
        } else {
            &[(0, Some(1))]
        };
        self.charges.resize_with(packs.len(), Vec::new);
        for (spectrum, &(re, im)) in self.charges.iter_mut().zip(packs) {
            spectrum.clear();
            spectrum.resize(padded, Complex64::default());
            for r in 0..rows {
                for col in 0..nn {
                    let at = (r * nn + col) * n_charges;
                    spectrum[r * m + col] =
                        Complex64::new(self.nodes[at + re], im.map_or(0.0, |c| self.nodes[at + c]));
                }
            }
            forward::<D>(spectrum, &mut self.scratch, rows, plans);
        }

        // Convolve, and keep the potentials on the nodes, interleaved: `Z`, `φ₁`, then `φ_y`
        // per axis. Each product is (which kernel: 0 both as `K₁ + i K₂`, 1 `K₁`, 2 `K₂`;
        // which charge spectrum; where its real and imaginary parts go).
        let products: &[(usize, usize, Option<usize>, Option<usize>)] = if D == 2 {
            &[(0, 0, Some(0), Some(1)), (2, 1, Some(2), Some(3))]
        } else {
            &[(1, 0, Some(0), None), (2, 0, Some(1), Some(2))]
        };
        self.potentials.clear();
        self.potentials.resize(nn * rows * n_out, 0.0);
        self.work.resize(padded, Complex64::default());
        let norm = 1.0 / padded as f64;
        for &(kernel, charge, re, im) in products {
            let charge = &self.charges[charge];
            self.work
                .par_iter_mut()
                .zip(self.kernels.par_iter().zip(charge.par_iter()))
                .for_each(|(w, (k, q))| {
                    *w = match kernel {
                        0 => k * q,
                        1 => q * k.re,
                        _ => q * k.im,
                    }
                });
            inverse::<D>(&mut self.work, &mut self.scratch, rows, plans);
            for r in 0..rows {
                for col in 0..nn {
                    let v = self.work[r * m + col] * norm;
                    let at = (r * nn + col) * n_out;
                    if let Some(o) = re {
                        self.potentials[at + o] = v.re;
                    }
                    if let Some(o) = im {
                        self.potentials[at + o] = v.im;
                    }
                }
            }
        }

        // Nodes back to the points.
        let (boxes, weights, potentials) = (&self.boxes, &self.weights, &self.potentials);
        self.per_point.clear();
        self.per_point.par_extend((0..n).into_par_iter().map(|i| {
            let mut phi = [0.0; 4];
            let w = &weights[i];
            let col0 = boxes[i][0] as usize * N_INTERP;
            let row0 = if D == 2 {
                boxes[i][1] as usize * N_INTERP
            } else {
                0
            };
            let ny = if D == 2 { N_INTERP } else { 1 };
            for ky in 0..ny {
                let wy = if D == 2 { w[1][ky] } else { 1.0 };
                for (kx, wx) in w[0].iter().enumerate() {
                    let at = ((row0 + ky) * nn + col0 + kx) * n_out;
                    let wxy = wy * wx;
                    for o in 0..n_out {
                        phi[o] += wxy * potentials[at + o];
                    }
                }
            }
            let force = std::array::from_fn(|ax| (y[i * D + ax] - centre) * phi[1] - phi[2 + ax]);
            (phi[0], force)
        }));
        // summed in point order: the same total whatever the threads
        self.per_point.iter().map(|p| p.0).sum::<f64>() - n as f64
    }
}

/// The `D`-dimensional FFT of the padded grid `buf` (`M^D`, of which the first `nonzero`
/// rows may be nonzero); the result is left transposed in 2-D, which a pointwise product
/// and [`inverse`] do not mind.
fn forward<const D: usize>(
    buf: &mut Vec<Complex64>,
    scratch: &mut Vec<Complex64>,
    nonzero: usize,
    plans: &Plans,
) {
    let m = plans.len;
    rows_fft(&mut buf[..nonzero * m], &plans.forward);
    if D == 2 {
        transpose(buf, scratch, m);
        rows_fft(scratch, &plans.forward);
        std::mem::swap(buf, scratch);
    }
}

/// The inverse of [`forward`] (unnormalised), of which only the first `needed` rows are
/// computed in full.
fn inverse<const D: usize>(
    buf: &mut Vec<Complex64>,
    scratch: &mut Vec<Complex64>,
    needed: usize,
    plans: &Plans,
) {
    let m = plans.len;
    rows_fft(buf, &plans.inverse);
    if D == 2 {
        transpose(buf, scratch, m);
        rows_fft(&mut scratch[..needed * m], &plans.inverse);
        std::mem::swap(buf, scratch);
    }
}

/// The buffers of the FFT objective, reused from one iteration to the next.
#[derive(Default)]
pub(crate) struct FftWorkspace<const D: usize> {
    repulsion: FftRepulsion<D>,
    pos: Vec<f32>,
    attraction: Vec<[f32; D]>,
}

/// The KL divergence (when `compute_error`, else NaN) and gradient, written to `grad`, of the
/// embedding `y` (`n × D`, `D` 1 or 2, so one degree of freedom) with the repulsion
/// interpolated by FFT and the attraction over P's neighbours `p` (values `val_p`) as
/// Barnes-Hut's. The error is Barnes-Hut's too: the KL over P's neighbours with the
/// interpolated `Z` as Q's normaliser.
pub(crate) fn kl_divergence_fft<const D: usize>(
    y: &[f64],
    p: &Csr,
    val_p: &[f32],
    compute_error: bool,
    grad: &mut [f64],
    ws: &mut FftWorkspace<D>,
) -> f64 {
    let kernel = Kernel {
        dof: 1.0,
        exponent: 1.0,
    };
    let FftWorkspace {
        repulsion,
        pos,
        attraction,
    } = ws;
    pos.clear();
    pos.extend(y.iter().map(|&v| v as f32));
    let n = pos.len() / D;
    let pos = &*pos;
    let (z, ()) = rayon::join(
        || repulsion.compute(y),
        || {
            attraction.clear();
            attraction.par_extend(
                (0..n)
                    .into_par_iter()
                    .map(|i| attraction_on::<D>(i, pos, p, val_p, kernel)),
            );
        },
    );
    let sum_q = z.max(f64::from(f64::EPSILON as f32));
    // 2 (dof + 1) / dof with one degree of freedom
    let c = 4.0f32;
    grad.chunks_exact_mut(D)
        .zip(&*attraction)
        .zip(&repulsion.per_point)
        .for_each(|((g, a), (_, force))| {
            for ax in 0..D {
                let total = (f64::from(a[ax]) - force[ax] / sum_q) as f32;
                g[ax] = f64::from(total * c);
            }
        });
    if compute_error {
        let errors: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| error_of::<D>(i, pos, p, val_p, kernel, sum_q))
            .collect();
        errors.iter().sum()
    } else {
        f64::NAN
    }
}
