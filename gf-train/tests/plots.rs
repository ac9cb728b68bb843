//! The scatter plot of a 2-D embedding: it writes a real PNG whose pixels carry the label
//! colours, and it refuses input it cannot draw with an error naming the file.

use std::path::PathBuf;

use gf_train::plots::plot_scatter;

fn out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gf-train-plots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// How many pixels of the decoded PNG at `path` are exactly `rgb`.
fn pixels_of(path: &PathBuf, rgb: [u8; 3]) -> usize {
    let img = image::open(path).unwrap().to_rgb8();
    img.pixels().filter(|p| p.0 == rgb).count()
}

#[test]
fn a_scatter_draws_each_label_in_its_own_colour() {
    // two clusters and one noise point
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for i in 0..50 {
        let t = i as f64 * 0.1;
        points.extend([t.cos(), t.sin()]);
        labels.push(0);
        points.extend([10.0 + t.cos(), 10.0 + t.sin()]);
        labels.push(1);
    }
    points.extend([5.0, 5.0]);
    labels.push(-1);
    let path = out("scatter.png");
    plot_scatter(&points, &labels, "two clusters", &path).unwrap();
    let png = std::fs::read(&path).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let img = image::open(&path).unwrap();
    assert_eq!((img.width(), img.height()), (800, 800));
    // the legend markers are drawn fully opaque in tab10's blue and orange
    let blue = pixels_of(&path, [31, 119, 180]);
    let orange = pixels_of(&path, [255, 127, 14]);
    let grey = pixels_of(&path, [200, 200, 200]);
    assert!(
        blue > 10 && orange > 10 && grey > 10,
        "{blue} {orange} {grey}"
    );
}

#[test]
fn a_scatter_refuses_mismatched_or_non_finite_points() {
    let path = out("bad.png");
    let e = plot_scatter(&[0.0, 1.0, 2.0], &[0, 1], "bad", &path).unwrap_err();
    assert!(
        e.to_string().contains("3 coordinates given for 2 labels"),
        "{e}"
    );
    assert!(e.to_string().contains("bad.png"), "{e}");
    let e = plot_scatter(&[0.0, 1.0, f64::NAN, 2.0], &[0, 1], "bad", &path).unwrap_err();
    assert!(e.to_string().contains("point 1"), "{e}");
    assert!(!path.exists());
}

#[test]
fn an_empty_scatter_is_an_empty_chart() {
    let path = out("empty.png");
    plot_scatter(&[], &[], "nothing", &path).unwrap();
    assert!(path.exists());
}
