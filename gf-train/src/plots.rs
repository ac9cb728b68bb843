//! PNG pictures of a run (plotters, with a bundled font so no system font is needed): the
//! training and validation curves of each logged quantity, and a confusion matrix.

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
