import csv

import pytest
import torch

from eegdecode.models import GLFNetMLP, GLFNetMLPConfig
from eegdecode.training import TrainConfig, fit, infrastructure
from eegdecode.training import loop as loop_module


def _problem(n=480, signal=True, seed=0):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, 5, generator=generator)
    if signal:
        y = (x[:, :2].flatten(1) @ torch.randn(10, 4, generator=generator)).argmax(dim=1)
    else:
        y = torch.randint(0, 4, (n,), generator=generator)
    return (
        (x[: n // 2], y[: n // 2]),
        (x[n // 2 : 3 * n // 4], y[n // 2 : 3 * n // 4]),
        (x[3 * n // 4 :], y[3 * n // 4 :]),
    )


def _model(seed=0):
    torch.manual_seed(seed)
    return GLFNetMLP(GLFNetMLPConfig(n_chans=8, n_outputs=4, local_channels=(0, 1), emb_dim=16))


def _test_accuracy(result, test):
    return float((loop_module.predict(result.model, test[0]).argmax(1) == test[1]).float().mean())


def test_learns_a_learnable_problem_and_not_noise():
    config = TrainConfig(epochs=40, batch_size=64, lr=3e-3)
    train, validation, test = _problem()
    learned = _test_accuracy(
        fit(_model(), train, validation, loss="cross_entropy", config=config), test
    )
    train, validation, test = _problem(signal=False)
    noise = _test_accuracy(
        fit(_model(), train, validation, loss="cross_entropy", config=config), test
    )
    assert learned > 0.6  # chance 0.25
    assert noise < 0.4


def test_keeps_the_best_epoch_and_writes_metrics(tmp_path):
    train, validation, _ = _problem()
    result = fit(
        _model(),
        train,
        validation,
        loss="cross_entropy",
        config=TrainConfig(epochs=12, batch_size=64),
        workdir=tmp_path,
    )
    scores = [row["val_accuracy"] for row in result.history]
    assert result.best_score == max(scores) and result.best_epoch == scores.index(max(scores))
    assert loop_module.evaluate(result.model, *validation, "cross_entropy")[
        "accuracy"
    ] == pytest.approx(result.best_score)
    rows = list(csv.DictReader(open(tmp_path / "metrics.csv")))
    assert [int(row["epoch"]) for row in rows] == list(range(12))
    assert {"train_loss", "val_loss", "val_accuracy", "lr", "seconds"} <= set(rows[0])


def test_rerun_after_a_crash_resumes_exactly(tmp_path, monkeypatch):
    train, validation, _ = _problem()
    config = TrainConfig(epochs=8, batch_size=64, scheduler="cosine")
    straight = fit(
        _model(), train, validation, loss="cross_entropy", config=config
    ).model.state_dict()

    original = infrastructure.save_checkpoint
    calls = []

    def crash_after_five(*args, **kwargs):
        original(*args, **kwargs)
        calls.append(kwargs["epoch"])
        if kwargs["epoch"] == 4:
            raise KeyboardInterrupt("node lost")

    monkeypatch.setattr(infrastructure, "save_checkpoint", crash_after_five)
    with pytest.raises(KeyboardInterrupt):
        fit(_model(), train, validation, loss="cross_entropy", config=config, workdir=tmp_path)
    # A fresh process builds the model as the crashed one did; the checkpoint replaces its weights.
    resumed = fit(
        _model(), train, validation, loss="cross_entropy", config=config, workdir=tmp_path
    )
    assert calls == [0, 1, 2, 3, 4, 5, 6, 7]
    assert [row["epoch"] for row in resumed.history] == list(range(8))
    for name, value in straight.items():
        torch.testing.assert_close(resumed.model.state_dict()[name], value, rtol=0, atol=0)


def test_a_checkpoint_of_other_settings_is_not_resumed(tmp_path):
    train, validation, _ = _problem()
    fit(
        _model(),
        train,
        validation,
        loss="cross_entropy",
        config=TrainConfig(epochs=3, batch_size=64),
        workdir=tmp_path,
    )
    result = fit(
        _model(),
        train,
        validation,
        loss="cross_entropy",
        config=TrainConfig(epochs=4, batch_size=32),
        workdir=tmp_path,
    )
    assert [row["epoch"] for row in result.history] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("scheduler", "check"),
    [
        ("steplr", lambda lrs: lrs[0] == pytest.approx(1e-2) and lrs[2] == pytest.approx(1e-3)),
        ("cosine", lambda lrs: lrs[-1] == pytest.approx(1e-4, abs=1e-9) and lrs[0] < 1e-2),
        ("multistep", lambda lrs: lrs == pytest.approx([1e-2, 1e-3, 1e-3, 1e-4])),
    ],
)
def test_schedulers(scheduler, check):
    train, validation, _ = _problem()
    config = TrainConfig(
        epochs=4, batch_size=64, lr=1e-2, scheduler=scheduler, step_size=2, milestones=[1, 3],
        gamma=0.1, min_lr=1e-4,
    )  # fmt: skip
    history = fit(_model(), train, validation, loss="cross_entropy", config=config).history
    assert check([row["lr"] for row in history])


def test_gradient_clipping_bounds_each_step():
    # Adam's step does not depend on the gradient's scale until that scale nears its eps
    # (1e-8), so clipping the norm to far below eps all but stops training.
    train, _, _ = _problem()
    moved = {}
    for grad_clip in (None, 1e-14):
        model = _model()
        before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
        config = TrainConfig(epochs=1, batch_size=64, monitor="train_loss", grad_clip=grad_clip)
        fit(model, train, None, loss="cross_entropy", config=config)
        after = torch.cat([p.detach().flatten() for p in model.parameters()])
        moved[grad_clip] = float((after - before).abs().max())
    assert moved[None] > 1e-3
    assert moved[1e-14] < 1e-4


def test_plateau_scheduler_and_early_stopping():
    train, validation, _ = _problem(signal=False)
    config = TrainConfig(
        epochs=60, batch_size=64, lr=1e-2, scheduler="reducelronplateau", plateau_patience=1, plateau_factor=0.5,
        monitor="val_loss", early_stopping=4,
    )  # fmt: skip
    result = fit(_model(), train, validation, loss="cross_entropy", config=config)
    assert len(result.history) < 60
    assert len(result.history) - 1 - result.best_epoch == 4
    assert result.history[-1]["lr"] < 1e-2


def test_bad_settings():
    with pytest.raises(
        ValueError, match=r"Invalid value for the 'scheduler' parameter.*'cosine_warmup'"
    ):
        TrainConfig(scheduler="cosine_warmup")
    with pytest.raises(ValueError, match=r"Unknown training keys \['learning_rate'\]"):
        TrainConfig.from_dict({"learning_rate": 1e-3})
    with pytest.raises(ValueError, match="needs at least one epoch in milestones"):
        TrainConfig(scheduler="multistep")
    with pytest.raises(ValueError, match="grad_clip must be positive"):
        TrainConfig(grad_clip=0)
    with pytest.raises(ValueError, match="needs a validation split"):
        fit(_model(), _problem()[0], None, loss="cross_entropy", config=TrainConfig(epochs=1))
    train, validation, _ = _problem()
    with pytest.raises(ValueError, match="the 'mse' loss does not record; monitor 'val_loss'"):
        fit(_model(), train, validation, loss="mse", config=TrainConfig(epochs=1))


def test_keep_last_returns_the_final_weights():
    train, _, _ = _problem()
    config = TrainConfig(epochs=6, batch_size=64, keep="last", monitor="train_loss")
    result = fit(_model(), train, None, loss="cross_entropy", config=config)
    again = fit(
        _model(),
        train,
        None,
        loss="cross_entropy",
        config=TrainConfig(epochs=6, batch_size=64, monitor="train_loss", keep="last"),
    )
    for name, value in result.model.state_dict().items():
        torch.testing.assert_close(again.model.state_dict()[name], value, rtol=0, atol=0)
    assert result.history[-1]["epoch"] == 5


def test_models_with_several_inputs():
    class TwoInputs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(3, 2), torch.nn.Linear(4, 2)

        def forward(self, a, b):
            return self.a(a) + self.b(b)

    a, b = torch.randn(64, 3), torch.randn(64, 4)
    y = (a[:, 0] + b[:, 0] > 0).long()
    result = fit(
        TwoInputs(),
        ((a, b), y),
        ((a, b), y),
        loss="cross_entropy",
        config=TrainConfig(epochs=30, batch_size=16, lr=1e-2),
    )
    assert result.best_score > 0.8
    assert loop_module.predict(result.model, (a, b)).shape == (64, 2)


def test_a_checkpoint_of_other_data_is_not_resumed(tmp_path):
    train, validation, _ = _problem()
    config = TrainConfig(epochs=3, batch_size=64)
    fit(_model(), train, validation, loss="cross_entropy", config=config, workdir=tmp_path)
    changed = (train[0] + 0.1, train[1])
    fresh = fit(
        _model(), changed, validation, loss="cross_entropy", config=config, workdir=tmp_path
    )
    straight = fit(_model(), changed, validation, loss="cross_entropy", config=config)
    assert [row["epoch"] for row in fresh.history] == [0, 1, 2]
    for name, value in straight.model.state_dict().items():
        torch.testing.assert_close(fresh.model.state_dict()[name], value, rtol=0, atol=0)


class _TargetRecorder(torch.nn.Module):
    """A linear model that notes whether each call got the targets."""

    trains_with_targets = True

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)
        self.calls = []

    def forward(self, x, targets=None):
        self.calls.append((self.training, targets is not None))
        return self.linear(x)


def test_teacher_forced_models_get_targets_in_training_steps_only():
    x, y = torch.randn(20, 3), torch.randn(20, 2)
    model = _TargetRecorder()
    fit(model, (x, y), (x, y), loss="mse", config=TrainConfig(epochs=2, batch_size=10,
        monitor="val_loss"))  # fmt: skip
    assert set(model.calls) == {(True, True), (False, False)}
    assert model.calls.count((True, True)) == 4


def test_training_run_without_a_workdir_writes_nothing_and_never_resumes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters())
    run = infrastructure.TrainingRun({"lr": 1.0}, (torch.ones(2),), device="cpu", seed=3)
    assert run.device == torch.device("cpu") and run.autocast_dtype is None
    assert run.fingerprint is None and not run.due(10, 10)
    assert run.resume(model, optimizer) is None
    run.save(model, optimizer, position=0, history=[{"step": 1}])
    assert list(tmp_path.iterdir()) == []
    # The generator is the loop's: seeded, on CPU.
    torch.testing.assert_close(
        torch.rand(4, generator=run.generator),
        torch.rand(4, generator=torch.Generator().manual_seed(3)),
    )


def test_training_run_resumes_its_own_checkpoint_exactly(tmp_path, caplog):
    data = (torch.arange(6.0), (torch.ones(2), None))
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    run = infrastructure.TrainingRun({"lr": 0.1}, data, workdir=tmp_path, device="cpu", seed=1)
    assert run.resume(model, optimizer) is None  # no checkpoint yet
    assert [run.due(done, 7, every=3) for done in range(1, 8)] == [0, 0, 1, 0, 0, 1, 1]
    run.step(model(torch.ones(4, 3)).square().mean(), optimizer, max_norm=1e-3)
    torch.randperm(5, generator=run.generator)
    best = {"weight": torch.full((2, 3), 7.0)}
    run.save(model, optimizer, position=4, history=[{"step": 1, "loss": 0.5}],
             extra={"order": [3, 1]}, files={"best.safetensors": best})  # fmt: skip
    expected_draw, expected_global = torch.rand(3, generator=run.generator), torch.rand(3)
    assert (tmp_path / "metrics.csv").read_text().splitlines() == ["step,loss", "1,0.5"]

    torch.manual_seed(0)  # the rerun builds its model as the first run did
    again = torch.nn.Linear(3, 2)
    again_optimizer = torch.optim.Adam(again.parameters(), lr=0.1)
    resumed = infrastructure.TrainingRun({"lr": 0.1}, data, workdir=tmp_path, device="cpu",
                                         seed=1)  # fmt: skip
    with caplog.at_level("INFO", logger="eegdecode"):
        document = resumed.resume(again, again_optimizer, unit="step")
    assert "resuming from the checkpoint of step 4" in caplog.text
    assert document["epoch"] == 4 and document["order"] == [3, 1]
    assert document["history"] == [{"step": 1, "loss": 0.5}]
    for name, value in model.state_dict().items():
        torch.testing.assert_close(again.state_dict()[name], value, rtol=0, atol=0)
    assert again_optimizer.state_dict()["state"][0]["step"] == 1
    torch.testing.assert_close(torch.rand(3, generator=resumed.generator), expected_draw)
    torch.testing.assert_close(torch.rand(3), expected_global)
    torch.testing.assert_close(resumed.read("best.safetensors")["weight"], best["weight"])
    # Other settings, other data, or a model that starts from other weights (another
    # architecture, another initialisation) or another config: the checkpoint is ignored,
    # with a log line.
    torch.manual_seed(0)
    fresh, wider, reseeded = torch.nn.Linear(3, 2), torch.nn.Linear(3, 5), torch.nn.Linear(3, 2)
    torch.manual_seed(0)
    configured = torch.nn.Linear(3, 2)  # the first run's weights, with a config (dropout…)
    configured.config = {"dropout": 0.5}
    for config, other_data, model in (
        ({"lr": 0.2}, data, fresh),
        ({"lr": 0.1}, (torch.arange(7.0),), fresh),
        ({"lr": 0.1}, data, wider),
        ({"lr": 0.1}, data, reseeded),
        ({"lr": 0.1}, data, configured),
    ):
        caplog.clear()
        other = infrastructure.TrainingRun(config, other_data, workdir=tmp_path, device="cpu")
        with caplog.at_level("INFO", logger="eegdecode"):
            assert other.resume(model, torch.optim.Adam(model.parameters())) is None
        assert "other settings, data or starting model; starting afresh" in caplog.text


def test_training_run_checkpoints_gradients_on_cuda_only():
    class Stays(torch.nn.Linear):
        def to(self, *args, **kwargs):  # no GPU here: stay on the CPU
            return self

    class Checkpointable(Stays):
        enabled = False

        def enable_gradient_checkpointing(self):
            self.enabled = True

    def run(device, enabled):
        run = infrastructure.TrainingRun({}, (), device="cpu", gradient_checkpointing=enabled)
        run.device = torch.device(device)
        return run

    assert run("cuda", True).prepare(Checkpointable(2, 2)).enabled
    assert not run("cpu", True).prepare(Checkpointable(2, 2)).enabled
    assert not run("cuda", False).prepare(Checkpointable(2, 2)).enabled
    assert isinstance(run("cuda", True).prepare(Stays(2, 2)), Stays)  # no such method: as it is
