//! The event writer reproduces the committed event file byte for byte (a fixed clock), which
//! `tests/python/test_tensorboard.py` reads with the real `tensorboard` package.

use gf_train::logs::EventWriter;

/// The scalars of the fixture: what the pytest expects to read back.
fn write(path: &std::path::Path) {
    let mut w = EventWriter::open(path, || 1_700_000_000.5).unwrap();
    for step in 1..=3 {
        let s = step as f64;
        w.scalars(step, &[("train_loss", 1.0 / s), ("lr", 0.1 * s)])
            .unwrap();
    }
    w.scalars(3, &[("valid_accuracy", 0.875)]).unwrap();
    w.flush().unwrap();
}

#[test]
fn the_event_file_matches_the_committed_fixture() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tensorboard/events.out.tfevents.1700000000.ghostflow.0.0"
    );
    let path = std::env::temp_dir().join(format!("gf-train-events-{}", std::process::id()));
    write(&path);
    let ours = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    if std::env::var_os("GF_TRAIN_WRITE_FIXTURES").is_some() {
        std::fs::write(fixture, &ours).unwrap();
    }
    let committed = std::fs::read(fixture).unwrap();
    assert_eq!(ours, committed, "regenerate with GF_TRAIN_WRITE_FIXTURES=1");
}
