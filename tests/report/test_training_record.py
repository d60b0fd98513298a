import csv

import torch

from eegdecode.report import save_training_record
from eegdecode.training import TrainConfig, fit


def _fit(keep):
    torch.manual_seed(0)
    x = torch.randn(40, 3)
    y = (x[:, 0] > 0).long()
    config = TrainConfig(epochs=5, batch_size=8, keep=keep, monitor="val_loss")
    return fit(torch.nn.Linear(3, 2), (x[:30], y[:30]), (x[30:], y[30:]), loss="cross_entropy",
               config=config)  # fmt: skip


def test_kept_epoch_follows_keep():
    best = _fit("best")
    assert best.kept_epoch == best.best_epoch
    assert _fit("last").kept_epoch == 4


def test_training_record_writes_the_history_and_a_figure(tmp_path):
    result = _fit("best")
    save_training_record(
        result, metrics=tmp_path / "m.csv", figure=tmp_path / "c.png", title="a title"
    )
    rows = list(csv.DictReader(open(tmp_path / "m.csv")))
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2, 3, 4]
    assert [float(row["val_loss"]) for row in rows] == [r["val_loss"] for r in result.history]
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
