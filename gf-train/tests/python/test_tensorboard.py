"""gf-train's TensorBoard event files, read with the real `tensorboard` package.

Reads the committed fixture (written byte for byte by `tests/tensorboard.rs`) and, when
GF_TB_DIR names a run's log folder (`cargo run --release --example digits_cnn` prints it),
that run's event files too. Skipped with a message when tensorboard is not installed; CI
installs it (see `.ci/run`).

    python -m pytest gf-train/tests/python
"""
import glob
import os

import pytest

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator",
    reason="the tensorboard package is not installed: pip install tensorboard",
)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "fixtures", "tensorboard")


def scalars(folder):
    acc = event_accumulator.EventAccumulator(folder)
    acc.Reload()
    return {tag: [(e.step, e.value) for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}


def test_the_committed_event_file_parses_with_its_scalars():
    got = scalars(FIXTURE)
    assert sorted(got) == ["lr", "train_loss", "valid_accuracy"]
    assert [s for s, _ in got["train_loss"]] == [1, 2, 3]
    assert got["train_loss"][1][1] == pytest.approx(0.5)
    assert got["lr"][2][1] == pytest.approx(0.3, rel=1e-6)
    assert got["valid_accuracy"] == [(3, 0.875)]


@pytest.mark.skipif(not os.environ.get("GF_TB_DIR"), reason="GF_TB_DIR names no run folder")
def test_a_runs_event_files_parse():
    folder = os.environ["GF_TB_DIR"]
    assert glob.glob(os.path.join(folder, "events.out.tfevents.*")), folder
    got = scalars(folder)
    assert "train_loss" in got and "step/train_loss" in got
    epochs = [s for s, _ in got["train_loss"]]
    assert epochs == sorted(epochs) and epochs[0] == 1
