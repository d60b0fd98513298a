import numpy as np
import pytest
import torch

from eegdecode.models import AudioSeq2Seq, AudioSeq2SeqConfig
from eegdecode.training import TrainConfig, fit, predict

SMALL = dict(n_channels=6, n_frames=12, n_mels=10, hidden=16, encoder_layers=2, prenet_dim=16,
             postnet_channels=16, positional_dim=8, attention_filters=4)  # fmt: skip


def _model(**overrides):
    torch.manual_seed(0)
    return AudioSeq2Seq(AudioSeq2SeqConfig(**{**SMALL, **overrides}))


def test_reference_shapes():
    """1230 samples (0.4 s with ±0.4 s context at 1024 Hz) → 21 encoder steps → 35 frames."""
    model = AudioSeq2Seq(AudioSeq2SeqConfig(n_channels=8, n_frames=35)).eval()
    seeg = torch.randn(2, 8, 1230)
    keys, state = model.encode(seeg)
    assert keys.shape == (2, 21, 333) and state.shape == (2, 333)
    with torch.no_grad():
        assert model(seeg).shape == (2, 35, 80)


def test_teacher_forcing_feeds_the_true_previous_frame_only_when_training():
    model = _model(dropout=0.0, teacher_forcing=1.0).train()
    # In training mode the postnet's batch norm pools all frames; freeze it to see the decoder.
    model.postnet.eval()
    seeg, targets = torch.randn(3, 6, 1230), torch.randn(3, 12, 10)
    changed = targets.clone()
    changed[:, 5] += 1.0
    with torch.no_grad():
        a, b = model(seeg, targets), model(seeg, changed)
    # Frames up to 5 never saw target frame 5; frame 6 on did.
    torch.testing.assert_close(a[:, :6], b[:, :6])
    assert not torch.allclose(a[:, 6:], b[:, 6:])
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(seeg, targets), model(seeg, changed))
        torch.testing.assert_close(model(seeg, targets), model(seeg))


def test_time_flip_reverses_the_input():
    flipped, plain = _model(dropout=0.0).eval(), _model(dropout=0.0, flip_time=False).eval()
    plain.load_state_dict(flipped.state_dict())
    seeg = torch.randn(2, 6, 1230)
    with torch.no_grad():
        torch.testing.assert_close(flipped(seeg), plain(seeg.flip(-1)))


def test_saved_model_predicts_the_same(tmp_path):
    model = _model(dropout=0.0).eval()
    seeg = torch.randn(2, 6, 1230)
    reloaded = AudioSeq2Seq.from_pretrained(model.save_pretrained(tmp_path / "model")).eval()
    with torch.no_grad():
        torch.testing.assert_close(model(seeg), reloaded(seeg))


@pytest.mark.slow
def test_learns_a_mapping_from_envelopes_to_mel():
    """Each sample's mel frames are a fixed function of its channels' envelope level."""
    rng = np.random.default_rng(0)
    gains = rng.uniform(0.2, 2.0, (64, 6)).astype(np.float32)
    noise = 0.1 * rng.standard_normal((64, 6, 1230)).astype(np.float32)
    seeg = torch.from_numpy(gains[:, :, None] + noise)
    mixing = rng.standard_normal((6, 10)).astype(np.float32)
    mel = torch.from_numpy(np.repeat((np.log(gains) @ mixing)[:, None], 12, axis=1))
    model = _model(dropout=0.0)
    result = fit(model, (seeg[:48], mel[:48]), None, loss="mse",
                 config=TrainConfig(epochs=40, batch_size=16, lr=3e-3, monitor="train_loss",
                                    keep="last"))  # fmt: skip
    model.eval()
    predicted = predict(result.model, seeg[48:])
    error = torch.mean((predicted - mel[48:]) ** 2) / torch.var(mel[48:])
    assert error < 0.5
