//! What the run prints: a live bar per epoch on a terminal (indicatif, with the running loss
//! and metrics, samples/s and the ETA), one plain line per epoch when stdout is a file or a
//! pipe, or nothing.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::Logs;

/// How much the trainer prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verbosity {
    /// A bar on a terminal, a line per epoch otherwise.
    #[default]
    Auto,
    /// Always a bar.
    Bar,
    /// Always a line per epoch, no escape codes.
    Lines,
    /// Nothing.
    Quiet,
}

/// The progress of one epoch.
pub(crate) struct EpochProgress {
    bar: Option<ProgressBar>,
    lines: bool,
    start: Instant,
    samples: usize,
    epoch: usize,
    max_epochs: usize,
}

impl EpochProgress {
    pub(crate) fn start(
        verbosity: Verbosity,
        epoch: usize,
        max_epochs: usize,
        batches: usize,
    ) -> EpochProgress {
        let bar_wanted = match verbosity {
            Verbosity::Auto => std::io::stdout().is_terminal(),
            Verbosity::Bar => true,
            Verbosity::Lines | Verbosity::Quiet => false,
        };
        let bar = bar_wanted.then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(batches as u64), ProgressDrawTarget::stdout());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:28.cyan/blue}] {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(format!("epoch {}/{max_epochs}", epoch + 1));
            bar
        });
        EpochProgress {
            bar,
            lines: verbosity != Verbosity::Quiet,
            start: Instant::now(),
            samples: 0,
            epoch,
            max_epochs,
        }
    }

    fn rate(&self) -> f64 {
        self.samples as f64 / self.start.elapsed().as_secs_f64().max(1e-9)
    }

    /// Moves the bar past `batches` already done (a resumed epoch).
    pub(crate) fn skip(&mut self, batches: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(batches as u64);
        }
    }

    /// After a batch of `rows` samples; `running` are the running values to show.
    pub(crate) fn step(&mut self, rows: usize, running: &[(String, f64)]) {
        self.samples += rows;
        if let Some(bar) = &self.bar {
            let mut msg: String = running
                .iter()
                .map(|(k, v)| format!("{k} {v:.4} "))
                .collect();
            msg.push_str(&format!("{:.0} samples/s", self.rate()));
            bar.set_message(msg);
            bar.inc(1);
        }
    }

    /// At the end of the epoch, with its logs.
    pub(crate) fn finish(self, logs: &Logs) {
        let secs = self.start.elapsed().as_secs_f64();
        let rate = self.rate();
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if !self.lines {
            return;
        }
        let mut line = format!("epoch {:>3}/{}", self.epoch + 1, self.max_epochs);
        for (k, v) in logs {
            if k == "epoch" || k == "step" {
                continue;
            }
            if k == "lr" {
                line.push_str(&format!("  {k} {v:.3e}"));
            } else {
                line.push_str(&format!("  {k} {v:.4}"));
            }
        }
        line.push_str(&format!("  {rate:.0} samples/s  {secs:.1} s"));
        println!("{line}");
    }
}
