//! PNG pictures (plotters, with a bundled font so no system font is needed): the training and
//! validation curves of each logged quantity, a confusion matrix, and a scatter of a 2-D
//! embedding or clustering coloured by label.

use std::path::{Path, PathBuf};
use std::sync::Once;

use image::ImageEncoder;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{Error, Result};
use crate::metrics::ConfusionMatrix;
use crate::Logs;

const FONT: &str = "sans-serif";
static REGISTER: Once = Once::new();

/// Registers the bundled DejaVu Sans subset (see `assets/README.md`) as plotters' sans-serif.
fn register_font() {
    REGISTER.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../assets/DejaVuSans-subset.ttf");
        // a font that does not parse leaves the plots without text rather than failing them
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, bytes);
    });
}

fn plot_error(path: &Path) -> impl Fn(String) -> Error + '_ {
    move |reason| Error::Plot {
        path: path.to_path_buf(),
        reason,
    }
}

/// The drawing area of a bitmap of `size`, white.
type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

/// Draws with `draw` on a white RGB bitmap of `size` and writes it to `path` as a PNG,
/// atomically (image's encoder, the one gf-data already uses).
fn render(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> std::result::Result<(), String>,
) -> Result<()> {
    let err = plot_error(path);
    let mut buf = vec![255u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        draw(&root).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&buf, size.0, size.1, image::ExtendedColorType::Rgb8)
        .map_err(|e| err(e.to_string()))?;
    crate::logs::write_atomically(path, &png)
}

/// Turns a drawing error into its message.
fn msg(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The quantities logged for training and validation: `loss` for `train_loss` and
/// `valid_loss`, and so on, in the order first seen.
fn quantities(history: &[Logs]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in history {
        for k in l.keys() {
            let q = k
                .strip_prefix("train_")
                .or_else(|| k.strip_prefix("valid_"));
            if let Some(q) = q {
                if !out.iter().any(|o| o == q) {
                    out.push(q.to_string());
                }
            }
        }
    }
    out
}

/// Draws the curves of `quantity` (training and validation, by epoch) to `path`.
fn curves(history: &[Logs], quantity: &str, path: &Path) -> Result<()> {
    let series: Vec<(String, Vec<(f64, f64)>)> = ["train", "valid"]
        .iter()
        .map(|side| {
            let key = format!("{side}_{quantity}");
            let points = history
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    let epoch = l.get("epoch").copied().unwrap_or(i as f64 + 1.0);
                    l.get(&key).filter(|v| v.is_finite()).map(|&v| (epoch, v))
                })
                .collect();
            (key, points)
        })
        .filter(|(_, p): &(String, Vec<(f64, f64)>)| !p.is_empty())
        .collect();
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if series.is_empty() {
        return Ok(());
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    render(path, (800, 500), |root| {
        root.fill(&WHITE).map_err(msg)?;
        let mut chart = ChartBuilder::on(root)
            .caption(format!("{quantity} by epoch"), (FONT, 24))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))
            .map_err(msg)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_desc(quantity)
            .label_style((FONT, 14))
            .draw()
            .map_err(msg)?;
        for (i, (name, points)) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(msg)?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(msg)?;
        Ok(())
    })
}

/// Draws one PNG per logged quantity (`loss.png`, `accuracy.png`, ...) into `dir`, each with
/// its training and validation curves; returns their paths.
pub fn plot_history(history: &[Logs], dir: &Path) -> Result<Vec<PathBuf>> {
    register_font();
    std::fs::create_dir_all(dir).map_err(crate::error::io_at(dir))?;
    let mut written = Vec::new();
    for q in quantities(history) {
        let path = dir.join(format!("{q}.png"));
        curves(history, &q, &path)?;
        written.push(path);
    }
    Ok(written)
}

/// Draws a confusion matrix as a heat map with its counts (rows: true class, columns:
/// predicted) to `path`.
pub fn plot_confusion(cm: &ConfusionMatrix, path: &Path) -> Result<()> {
    register_font();
    let n = cm.classes();
    let max = (0..n * n)
        .map(|i| cm.count(i / n, i % n))
        .max()
        .unwrap_or(0)
        .max(1);
    render(path, (640, 640), |root| {
        root.fill(&WHITE).map_err(msg)?;
        let mut chart = ChartBuilder::on(root)
            .caption("confusion matrix", (FONT, 24))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(40)
            .build_cartesian_2d(
                (0..n.saturating_sub(1)).into_segmented(),
                (0..n.saturating_sub(1)).into_segmented(),
            )
            .map_err(msg)?;
        // class labels at the cell centres; row 0 at the top, as the matrix is printed
        let class = |v: &SegmentValue<usize>, flip: bool| match *v {
            SegmentValue::CenterOf(i) if i < n => (if flip { n - 1 - i } else { i }).to_string(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("predicted")
            .y_desc("true")
            .x_labels(n)
            .y_labels(n)
            .x_label_formatter(&|v| class(v, false))
            .y_label_formatter(&|v| class(v, true))
            .label_style((FONT, 14))
            .draw()
            .map_err(msg)?;
        let cells = (0..n).flat_map(|t| (0..n).map(move |p| (t, p)));
        chart
            .draw_series(cells.map(|(t, p)| {
                let share = cm.count(t, p) as f64 / max as f64;
                let shade = (255.0 * (1.0 - share)) as u8;
                let y = n - 1 - t;
                let corner = |a, b| (SegmentValue::Exact(a), SegmentValue::Exact(b));
                Rectangle::new(
                    [corner(p, y), corner(p + 1, y + 1)],
                    RGBColor(shade, shade, 255).filled(),
                )
            }))
            .map_err(msg)?;
        let cells = (0..n).flat_map(|t| (0..n).map(move |p| (t, p)));
        for (t, p) in cells {
            let c = cm.count(t, p);
            if c == 0 {
                continue;
            }
            // white on the dark cells, black on the light ones
            let color = if c as f64 / max as f64 > 0.5 {
                WHITE
            } else {
                BLACK
            };
            let font = (FONT, 14).into_font().color(&color);
            let at = chart.backend_coord(&(SegmentValue::Exact(p), SegmentValue::Exact(n - t)));
            let text = Text::new(c.to_string(), (at.0 + 6, at.1 + 6), font);
            root.draw(&text).map_err(msg)?;
        }
        Ok(())
    })
}

/// Matplotlib's `tab10` colours, so a 10-class scatter reads as readers know it from
/// scikit-learn's examples; labels past ten take plotters' 99-colour palette.
const TAB10: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// The colour of the `rank`-th distinct label; `None` (noise, label `-1`) is light grey.
fn label_color(rank: Option<usize>) -> RGBColor {
    match rank {
        None => RGBColor(200, 200, 200),
        Some(r) if r < TAB10.len() => {
            let (red, green, blue) = TAB10[r];
            RGBColor(red, green, blue)
        }
        Some(r) => {
            let c = Palette99::pick(r).to_rgba();
            RGBColor(c.0, c.1, c.2)
        }
    }
}

/// Draws a scatter of the 2-D `points` (row-major, `x0 y0 x1 y1 …`) coloured by `labels`
/// (one per point; `-1` marks noise, drawn grey and underneath) to `path` as an 800×800 PNG
/// with `title` and a legend of the labels, each label also written at the median of its
/// points so that clusters can be named at a glance. Errors name the path and what was wrong:
/// a point count that is not `labels.len()`, or a coordinate that is not finite.
pub fn plot_scatter(points: &[f64], labels: &[i64], title: &str, path: &Path) -> Result<()> {
    register_font();
    let err = plot_error(path);
    if points.len() != 2 * labels.len() {
        return Err(err(format!(
            "{} coordinates given for {} labels; a 2-D scatter takes two per label",
            points.len(),
            labels.len()
        )));
    }
    if let Some(i) = points.iter().position(|v| !v.is_finite()) {
        return Err(err(format!(
            "point {} has a coordinate that is not finite ({})",
            i / 2,
            points[i]
        )));
    }
    let mut classes: Vec<i64> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let clusters: Vec<i64> = classes.iter().copied().filter(|&c| c >= 0).collect();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in points.chunks_exact(2) {
        (x0, x1, y0, y1) = (x0.min(p[0]), x1.max(p[0]), y0.min(p[1]), y1.max(p[1]));
    }
    if labels.is_empty() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = |lo: f64, hi: f64| ((hi - lo) * 0.05).max(1e-9);
    let (px, py) = (pad(x0, x1), pad(y0, y1));
    // the median of each cluster's points, where its label is written
    let centre = |class: i64| {
        let median = |axis: usize| {
            let mut v: Vec<f64> = points
                .chunks_exact(2)
                .zip(labels)
                .filter(|(_, &l)| l == class)
                .map(|(p, _)| p[axis])
                .collect();
            v.sort_unstable_by(f64::total_cmp);
            v[v.len() / 2]
        };
        (median(0), median(1))
    };
    render(path, (800, 800), |root| {
        root.fill(&WHITE).map_err(msg)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 24))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))
            .map_err(msg)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .label_style((FONT, 12))
            .draw()
            .map_err(msg)?;
        // noise first, so the clusters are drawn over it
        let series = classes
            .iter()
            .map(|&c| (c, clusters.binary_search(&c).ok()));
        for (class, rank) in series {
            let color = label_color(rank);
            let members = points
                .chunks_exact(2)
                .zip(labels)
                .filter(move |(_, &l)| l == class)
                .map(|(p, _)| Circle::new((p[0], p[1]), 3, color.mix(0.7).filled()));
            let name = if rank.is_some() {
                class.to_string()
            } else {
                "noise".to_string()
            };
            chart
                .draw_series(members)
                .map_err(msg)?
                .label(name)
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        for &class in &clusters {
            let text = Text::new(class.to_string(), centre(class), (FONT, 22).into_font());
            chart.draw_series(std::iter::once(text)).map_err(msg)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT, 14))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(msg)?;
        Ok(())
    })
}
