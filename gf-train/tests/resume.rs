//! A run killed with SIGKILL mid-epoch and resumed from its last checkpoint ends with the same
//! weights, bit for bit, as the same run left alone.
//!
//! The killed run is this test binary started again as a child process running the ignored
//! test `child_training_run`, which checkpoints after every step and sleeps a little per step
//! so that the parent can kill it part-way through.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use gf_core::prelude::*;
use gf_optim::Adam;
use gf_train::Result;
use gf_train::*;

const EPOCHS: usize = 4;
const ENV_DIR: &str = "GF_TRAIN_CHILD_DIR";

/// Slows the child down so that the parent's kill lands mid-run.
struct Slow;
impl Callback for Slow {
    fn on_step_end(&mut self, _: &Context, _: &StepOutput) -> Result<Control> {
        std::thread::sleep(Duration::from_millis(15));
        Ok(Control::Continue)
    }
}

/// The run: the same model, data, optimizer and trainer seed every time.
fn train(dir: &Path, resume: bool, slow: bool) -> Mlp {
    let train = loader(160, 1);
    let mut model = mlp(0);
    let mut opt = Adam::new(3e-3);
    let mut trainer = Trainer::new(Cpu::seed_from_u64(11))
        .verbosity(Verbosity::Quiet)
        .max_epochs(EPOCHS)
        .callback(ModelCheckpoint::new(dir).every_n_steps(1));
    if slow {
        trainer = trainer.callback(Slow);
    } else {
        // the same number of callbacks, so the checkpoint's callback states line up
        trainer = trainer.callback(LrMonitor::new());
    }
    if resume {
        trainer = trainer.resume_from(dir.join("last.safetensors"));
    }
    trainer
        .fit(
            &mut model,
            &mut opt,
            &mut ConstantLr,
            &mut Classification::new(),
            &train,
            None,
        )
        .unwrap();
    model
}

#[test]
#[ignore = "started as a child process by resume_after_sigkill_matches_an_uninterrupted_run"]
fn child_training_run() {
    let dir = std::env::var(ENV_DIR).expect("the parent sets the checkpoint folder");
    train(Path::new(&dir), false, true);
}

#[test]
fn resume_after_sigkill_matches_an_uninterrupted_run() {
    let dir = temp_dir("resume");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_training_run", "--ignored", "--nocapture"])
        .env(ENV_DIR, &dir)
        .spawn()
        .unwrap();
    // wait until the child is in its third epoch (10 batches per epoch), then kill it
    let last = dir.join("last.safetensors");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let step = Checkpoint::open(&last).map(|c| c.run().step).unwrap_or(0);
        if step >= 23 {
            break;
        }
        assert!(Instant::now() < deadline, "the child made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed, not finished");
    let at = Checkpoint::open(&last).unwrap().run().clone();
    assert!(at.epoch >= 2 && at.epoch < EPOCHS, "killed at {at:?}");

    let resumed = train(&dir, true, false);
    let uninterrupted = train(&temp_dir("resume-whole"), false, false);
    assert_eq!(bits(&resumed), bits(&uninterrupted));
    std::fs::remove_dir_all(&dir).unwrap();
}
