//! The ξ-steep cluster extraction of scikit-learn's `cluster_optics_xi` (Ankerst et al.,
//! section 4.3), with its predecessor correction, on the reachability plot.

/// One steep-down area: its first and last index in the plot and the largest reachability
/// seen since it ended (`mib`).
struct SteepDown {
    start: usize,
    end: usize,
    mib: f64,
}

/// The last index of the steep region starting at `start`: it goes on through steep points
/// and through at most `min_samples` consecutive points that are neither steep nor
/// `xward`, and stops before the first `xward` point (scikit-learn's `_extend_region`).
fn extend_region(steep: &[bool], xward: &[bool], start: usize, min_samples: usize) -> usize {
    let mut non_xward = 0;
    let mut end = start;
    for index in start..steep.len() {
        if steep[index] {
            non_xward = 0;
            end = index;
        } else if !xward[index] {
            non_xward += 1;
            if non_xward > min_samples {
                break;
            }
        } else {
            return end;
        }
    }
    end
}

/// Drops the steep-down areas whose start is too low for `mib` and raises the others' `mib`.
fn update_filter_sdas(
    sdas: Vec<SteepDown>,
    mib: f64,
    xi_complement: f64,
    plot: &[f64],
) -> Vec<SteepDown> {
    if mib.is_infinite() {
        return Vec::new();
    }
    sdas.into_iter()
        .filter(|d| mib <= plot[d.start] * xi_complement)
        .map(|d| SteepDown {
            mib: d.mib.max(mib),
            ..d
        })
        .collect()
}

/// Shrinks `[s, e]` from the end until the predecessor of its last point lies inside it or
/// the first point is higher than the last; `None` if nothing is left.
fn correct_predecessor(
    plot: &[f64],
    predecessor_plot: &[i64],
    ordering: &[usize],
    s: usize,
    mut e: usize,
) -> Option<(usize, usize)> {
    while s < e {
        if plot[s] > plot[e] {
            return Some((s, e));
        }
        let p_e = predecessor_plot[e];
        if ordering[s..e].iter().any(|&o| o as i64 == p_e) {
            return Some((s, e));
        }
        e -= 1;
    }
    None
}

/// The clusters `(start, end)` (inclusive positions in the ordering) of the reachability
/// plot, in scikit-learn's order: by end, and among equal ends the larger first.
pub(super) fn xi_cluster(
    reachability_plot: &[f64],
    predecessor_plot: &[i64],
    ordering: &[usize],
    xi: f64,
    min_samples: usize,
    min_cluster_size: usize,
    predecessor_correction: bool,
) -> Vec<(usize, usize)> {
    let n = reachability_plot.len();
    let mut plot = reachability_plot.to_vec();
    plot.push(f64::INFINITY);
    let xi_complement = 1.0 - xi;
    let ratio: Vec<f64> = (0..n).map(|i| plot[i] / plot[i + 1]).collect();
    let steep_upward: Vec<bool> = ratio.iter().map(|&r| r <= xi_complement).collect();
    let steep_downward: Vec<bool> = ratio.iter().map(|&r| r >= 1.0 / xi_complement).collect();
    let downward: Vec<bool> = ratio.iter().map(|&r| r > 1.0).collect();
    let upward: Vec<bool> = ratio.iter().map(|&r| r < 1.0).collect();

    let mut sdas: Vec<SteepDown> = Vec::new();
    let mut clusters = Vec::new();
    let mut index = 0;
    let mut mib = 0.0f64;
    for steep_index in (0..n).filter(|&i| steep_upward[i] || steep_downward[i]) {
        if steep_index < index {
            continue;
        }
        // np.max over the slice; there are no NaN in a reachability plot.
        mib = plot[index..=steep_index].iter().fold(mib, |m, &v| m.max(v));
        sdas = update_filter_sdas(sdas, mib, xi_complement, &plot);
        if steep_downward[steep_index] {
            let end = extend_region(&steep_downward, &upward, steep_index, min_samples);
            sdas.push(SteepDown {
                start: steep_index,
                end,
                mib: 0.0,
            });
            index = end + 1;
            mib = plot[index];
        } else {
            let u_start = steep_index;
            let u_end = extend_region(&steep_upward, &downward, u_start, min_samples);
            index = u_end + 1;
            mib = plot[index];
            let mut u_clusters = Vec::new();
            for d in &sdas {
                let mut c_start = d.start;
                let mut c_end = u_end;
                if plot[c_end + 1] * xi_complement < d.mib {
                    continue;
                }
                let d_max = plot[d.start];
                if d_max * xi_complement >= plot[c_end + 1] {
                    while plot[c_start + 1] > plot[c_end + 1] && c_start < d.end {
                        c_start += 1;
                    }
                } else if plot[c_end + 1] * xi_complement >= d_max {
                    while c_end > u_start && plot[c_end - 1] > d_max {
                        c_end -= 1;
                    }
                }
                if predecessor_correction {
                    match correct_predecessor(&plot, predecessor_plot, ordering, c_start, c_end) {
                        Some((s, e)) => {
                            c_start = s;
                            c_end = e;
                        }
                        None => continue,
                    }
                }
                if c_end + 1 - c_start < min_cluster_size || c_start > d.end || c_end < u_start {
                    continue;
                }
                u_clusters.push((c_start, c_end));
            }
            u_clusters.reverse();
            clusters.extend(u_clusters);
        }
    }
    clusters
}

/// The labels of the samples: each cluster in turn labels its stretch of the ordering
/// unless a point of it is labelled already (scikit-learn's `_extract_xi_labels`).
pub(super) fn extract_xi_labels(ordering: &[usize], clusters: &[(usize, usize)]) -> Vec<i64> {
    let mut by_position = vec![-1i64; ordering.len()];
    let mut label = 0;
    for &(s, e) in clusters {
        if by_position[s..=e].iter().all(|&l| l == -1) {
            by_position[s..=e].fill(label);
            label += 1;
        }
    }
    let mut labels = vec![-1i64; ordering.len()];
    for (pos, &point) in ordering.iter().enumerate() {
        labels[point] = by_position[pos];
    }
    labels
}
