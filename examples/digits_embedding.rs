//! The 1797 bundled 8×8 digits embedded in 2-D and clustered, as scikit-learn's and
//! umap-learn's examples do: t-SNE (Barnes-Hut, PCA start, scikit-learn's defaults) and UMAP
//! (umap-learn's defaults), then k-means with 10 clusters on the t-SNE embedding and HDBSCAN
//! on the UMAP one. Prints each step's time, each embedding's trustworthiness (5 neighbours)
//! and the adjusted Rand index of each clustering against the true digits (k-means on the raw
//! pixels beside them for scale), and writes four PNG scatters: each embedding coloured by the
//! true digit, and by its clusters (HDBSCAN's noise in grey).
//!
//! Run: `cargo run --release --example digits_embedding [-- --out DIR]`

use std::path::PathBuf;
use std::time::Instant;

use ghost_flow::data::datasets::load_digits;
use ghost_flow::learn::cluster::{KMeans, HDBSCAN};
use ghost_flow::learn::manifold::{trustworthiness, TSNE, UMAP};
use ghost_flow::learn::metrics::adjusted_rand_score;
use ghost_flow::learn::Clusterer;
use ghost_flow::prelude::*;
use ghost_flow::train::plots::plot_scatter;

type Error = Box<dyn std::error::Error>;

fn out_dir() -> Result<PathBuf, String> {
    let mut out = PathBuf::from("runs/digits_embedding");
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--out" => out = PathBuf::from(it.next().ok_or("--out needs a value")?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(out)
}

/// 10-cluster k-means (scikit-learn's defaults, seed 0) of `x`, scored against `truth`.
fn kmeans_ari<F: Dim>(
    x: &Tensor<(usize, F), f64, Cpu>,
    truth: &[usize],
) -> Result<(Vec<i64>, f64), Error> {
    let labels = KMeans::new()
        .n_clusters(10)
        .random_state(0)
        .fit_predict(x)?;
    let ari = adjusted_rand_score(truth, labels.as_slice())?;
    Ok((labels, ari))
}

fn main() -> Result<(), Error> {
    let out = out_dir()?;
    std::fs::create_dir_all(&out)?;
    let digits = load_digits()?;
    let (x, truth) = (&digits.data, digits.target.to_vec());

    let clock = Instant::now();
    let (_, pixel_ari) = kmeans_ari(x, &truth)?;
    println!(
        "k-means on the 64 raw pixels: adjusted Rand {pixel_ari:.3} ({:.2} s)",
        clock.elapsed().as_secs_f64()
    );

    let clock = Instant::now();
    let mut tsne = TSNE::new().random_state(0);
    let embedding = tsne.fit_transform(x)?;
    let seconds = clock.elapsed().as_secs_f64();
    let trust = trustworthiness(x, &embedding, 5)?;
    println!(
        "t-SNE: KL divergence {:.4}, trustworthiness {trust:.4} ({seconds:.2} s)",
        tsne.kl_divergence_().unwrap_or(f64::NAN)
    );

    let clock = Instant::now();
    let (clusters, ari) = kmeans_ari(&embedding, &truth)?;
    println!(
        "k-means on the t-SNE embedding: adjusted Rand {ari:.3} ({:.2} s)",
        clock.elapsed().as_secs_f64()
    );

    let clock = Instant::now();
    let umap = UMAP::new().random_state(0).fit_transform(x)?;
    println!(
        "UMAP: trustworthiness {:.4} ({:.2} s)",
        trustworthiness(x, &umap, 5)?,
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    let dense = HDBSCAN::new().min_cluster_size(15).fit_predict(&umap)?;
    let found = dense
        .iter()
        .filter(|&&l| l >= 0)
        .max()
        .map_or(0, |&m| m + 1);
    let noise = dense.iter().filter(|&&l| l < 0).count();
    println!(
        "HDBSCAN on the UMAP embedding: {found} clusters, {noise} noise points, adjusted Rand {:.3} ({:.2} s)",
        adjusted_rand_score(&truth[..], dense.as_slice())?,
        clock.elapsed().as_secs_f64()
    );

    let digit_labels: Vec<i64> = truth.iter().map(|&d| d as i64).collect();
    let pictures = [
        (
            "tsne_digits.png",
            embedding.to_vec(),
            digit_labels.clone(),
            "t-SNE of the digits, by true digit".to_string(),
        ),
        (
            "tsne_kmeans.png",
            embedding.to_vec(),
            clusters,
            format!("k-means (k = 10) on the t-SNE embedding: ARI {ari:.3}"),
        ),
        (
            "umap_digits.png",
            umap.to_vec(),
            digit_labels,
            "UMAP of the digits, by true digit".to_string(),
        ),
        (
            "umap_hdbscan.png",
            umap.to_vec(),
            dense,
            "HDBSCAN (min_cluster_size 15) on the UMAP embedding".to_string(),
        ),
    ];
    for (name, points, labels, title) in pictures {
        let path = out.join(name);
        plot_scatter(&points, &labels, &title, &path)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
