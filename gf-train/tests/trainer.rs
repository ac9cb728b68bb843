//! The trainer end to end on a small problem: it learns, early stopping stops at the right
//! epoch, NaN detection names the parameter, checkpoints reject corruption, logs are written.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_core::Gradients;
use gf_optim::{Adam, Sgd};
use gf_train::metrics::Accuracy;
use gf_train::*;
use gf_train::{Error, Result};

/// Classification whose validation loss follows a script (one value per validation pass).
struct Scripted {
    inner: Classification,
    valid_losses: Vec<f64>,
    passes: usize,
    batches_this_pass: usize,
}

impl TrainStep<Mlp, Batch, Cpu> for Scripted {
    fn train_step(&mut self, m: &Mlp, b: Batch, dev: &Cpu) -> Result<(StepOutput, Gradients)> {
        self.batches_this_pass = 0;
        self.inner.train_step(m, b, dev)
    }
    fn eval_step(&mut self, m: &Mlp, b: Batch, dev: &Cpu) -> Result<StepOutput> {
        if self.batches_this_pass == 0 {
            self.passes += 1;
        }
        self.batches_this_pass += 1;
        let mut out = self.inner.eval_step(m, b, dev)?;
        out.loss = self.valid_losses[self.passes - 1];
        Ok(out)
    }
}

fn quiet() -> Trainer {
    Trainer::new(Cpu::seed_from_u64(3)).verbosity(Verbosity::Quiet)
}

#[test]
fn a_classifier_learns_the_blobs() {
    let (train, valid) = (loader(192, 1), loader(96, 2));
    let mut model = mlp(0);
    let mut opt = Adam::new(1e-2);
    let mut trainer = quiet().max_epochs(8).metric(Accuracy::new());
    let report = trainer
        .fit(
            &mut model,
            &mut opt,
            &mut ConstantLr,
            &mut Classification::new(),
            &train,
            Some(&valid),
        )
        .unwrap();
    assert_eq!(report.history.len(), 8);
    assert_eq!(report.steps, 8 * 12);
    let last = report.history.last().unwrap();
    assert!(last["valid_accuracy"] > 0.95, "{last:?}");
    assert!(last["train_loss"] < report.history[0]["train_loss"]);
    // evaluate gives what the last validation logged
    let ev = trainer
        .evaluate(&mut model, &mut Classification::new(), &valid)
        .unwrap();
    assert_eq!(ev.logs["accuracy"], last["valid_accuracy"]);
    assert_eq!(ev.confusion.unwrap().classes(), 3);
    let pred = trainer
        .predict(&mut model, &mut Classification::new(), &valid)
        .unwrap();
    assert_eq!((pred.rows, pred.width()), (96, 3));
}

#[test]
fn early_stopping_stops_after_patience_epochs_without_improvement() {
    let (train, valid) = (loader(32, 1), loader(16, 2));
    let mut task = Scripted {
        inner: Classification::new(),
        // best at epoch 2; epochs 3, 4 do not beat it by min_delta 0.01 → stop after epoch 4
        valid_losses: vec![1.0, 0.8, 0.795, 0.9, 0.5, 0.4],
        passes: 0,
        batches_this_pass: 0,
    };
    let mut trainer = quiet()
        .max_epochs(6)
        .callback(EarlyStopping::new("valid_loss").patience(2).min_delta(0.01));
    let report = trainer
        .fit(
            &mut mlp(0),
            &mut Adam::new(1e-3),
            &mut ConstantLr,
            &mut task,
            &train,
            Some(&valid),
        )
        .unwrap();
    assert!(report.stopped_early);
    let seen: Vec<f64> = report.history.iter().map(|l| l["valid_loss"]).collect();
    assert_eq!(seen, [1.0, 0.8, 0.795, 0.9]);
}

#[test]
fn early_stopping_on_a_metric_that_is_not_logged_is_an_error_naming_it() {
    let train = loader(32, 1);
    let mut trainer = quiet()
        .max_epochs(2)
        .callback(EarlyStopping::new("valid_f1"));
    let e = fit_mlp(&mut trainer, 0, 1e-3, &train)
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"valid_f1\""), "{e}");
}

#[test]
fn anomaly_detection_names_the_first_parameter_that_overflows() {
    let train = loader(32, 1);
    // a learning rate so large that the first update overflows f32
    let mut opt = Sgd::new(1e39);
    let mut trainer = quiet().max_epochs(1).detect_anomaly(true);
    let e = trainer
        .fit(
            &mut mlp(0),
            &mut opt,
            &mut ConstantLr,
            &mut Classification::new(),
            &train,
            None,
        )
        .unwrap_err();
    match &e {
        Error::NonFinite { what, step, .. } => {
            assert_eq!(what, "parameter 0.weight", "{e}");
            assert_eq!(*step, 0);
        }
        other => panic!("expected NonFinite, got {other}"),
    }
    // without the parameter check the next loss is what gives it away
    let mut trainer = quiet().max_epochs(1);
    let e = trainer
        .fit(
            &mut mlp(0),
            &mut Sgd::new(1e39),
            &mut ConstantLr,
            &mut Classification::new(),
            &train,
            None,
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::NonFinite { what, step: 1, .. } if what == "loss"),
        "{e}"
    );
}

#[test]
fn a_truncated_checkpoint_is_an_error_naming_the_file_and_the_good_one_still_resumes() {
    let dir = temp_dir("corrupt");
    let train = loader(32, 1);
    let mut trainer = quiet().max_epochs(2).callback(ModelCheckpoint::new(&dir));
    fit_mlp(&mut trainer, 0, 1e-3, &train).unwrap();
    let good = dir.join("last.safetensors");
    let bytes = std::fs::read(&good).unwrap();
    let bad = dir.join("truncated.safetensors");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    for path in [&bad, &dir.join("missing.safetensors")] {
        let mut t = quiet()
            .max_epochs(3)
            .callback(ModelCheckpoint::new(&dir))
            .resume_from(path);
        let e = fit_mlp(&mut t, 0, 1e-3, &train).unwrap_err();
        assert!(matches!(e, Error::Checkpoint { .. }), "{e}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    }
    assert_eq!(
        std::fs::read(&good).unwrap(),
        bytes,
        "the good checkpoint is untouched"
    );
    let ck = Checkpoint::open(&good).unwrap();
    assert_eq!((ck.run().epoch, ck.run().step), (2, 4));
    let mut t = quiet()
        .max_epochs(3)
        .callback(ModelCheckpoint::new(&dir))
        .resume_from(&good);
    let report = fit_mlp(&mut t, 5, 1e-3, &train).unwrap();
    assert_eq!((report.history.len(), report.steps), (3, 6));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn accumulation_averages_micro_batches_and_clipping_bounds_the_step() {
    let train = loader(64, 1);
    let mut trainer = quiet()
        .max_epochs(2)
        .accumulate_grad_batches(2)
        .clip(Clip::Norm(1.0));
    let report = fit_mlp(&mut trainer, 0, 1e-2, &train).unwrap();
    // 4 batches per epoch, 2 per step
    assert_eq!(report.steps, 4);
    let e = Trainer::new(Cpu::default())
        .accumulate_grad_batches(0)
        .fit(
            &mut mlp(0),
            &mut Adam::new(1e-2),
            &mut ConstantLr,
            &mut Classification::new(),
            &train,
            None,
        )
        .unwrap_err();
    assert!(e.to_string().contains("accumulate_grad_batches"), "{e}");
}

#[test]
fn a_log_folder_gets_events_a_csv_and_plots() {
    let dir = temp_dir("logs");
    let (train, valid) = (loader(64, 1), loader(32, 2));
    let lr = LrMonitor::new();
    let mut opt = Adam::new(0.0);
    let mut sched = gf_optim::sched::Scheduler::new(
        gf_optim::sched::StepLR {
            base_lr: 1e-2,
            step_size: 1,
            gamma: 0.5,
        },
        &mut opt,
    );
    let mut trainer = quiet()
        .max_epochs(3)
        .metric(Accuracy::new())
        .callback(lr.clone())
        .log_dir(&dir);
    let report = trainer
        .fit(
            &mut mlp(0),
            &mut opt,
            &mut sched,
            &mut Classification::new(),
            &train,
            Some(&valid),
        )
        .unwrap();
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "epoch,lr,step,train_accuracy,train_loss,valid_accuracy,valid_loss"
    );
    assert_eq!(csv.lines().count(), 4);
    let lrs: Vec<f64> = report.history.iter().map(|l| l["lr"]).collect();
    assert_eq!(lrs, [1e-2, 5e-3, 2.5e-3]);
    assert_eq!(lr.history().len(), 12);
    for name in ["loss.png", "accuracy.png", "confusion_matrix.png"] {
        let png = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(&png[1..4], b"PNG", "{name}");
    }
    assert!(report
        .files
        .iter()
        .any(|p| p.to_string_lossy().contains("tfevents")));
    std::fs::remove_dir_all(&dir).unwrap();
}
