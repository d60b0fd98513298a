"""What the live tests share: a small trained cognitive-load model."""

import pytest


@pytest.fixture(scope="session")
def workload_model(tmp_path_factory):
    """A small cognitive-load model trained on three demo STEW subjects (2 s clips, 16
    scales), as rule train_workload_model writes it, and a fourth subject it never saw."""
    from eegdecode.datasets.mental_state_demo import write_demo_stew
    from eegdecode.datasets.stew import load_stew
    from eegdecode.signal import FOCUS_CHANNELS
    from eegdecode.signal.focus import EMOTIV_CHANNELS
    from eegdecode.training.mental_state import stew_segments, train_deployed_model

    root = tmp_path_factory.mktemp("stew")
    write_demo_stew(root, [1, 2, 3, 4], recording_s=30, effect=2.0, seed=0)
    recordings = load_stew(root, [1, 2, 3, 4])
    channel_index = [EMOTIV_CHANNELS.index(name) for name in FOCUS_CHANNELS]
    segments = stew_segments({s: recordings[s] for s in (1, 2, 3)}, sfreq=128.0,
                             channel_index=channel_index, clip_s=2.0, n_scales=16)  # fmt: skip
    features = {
        "sfreq": 128.0,
        "channel_names": list(FOCUS_CHANNELS),
        "clip_s": 2.0,
        "n_scales": 16,
    }
    trained = train_deployed_model(
        segments, features=features, model_name="BiLSTM", model_config={"hidden_size": 16},
        training={"epochs": 12, "batch_size": 8, "lr": 3e-3, "device": "cpu"}, standardize=False,
    )  # fmt: skip
    folder = trained.save(tmp_path_factory.mktemp("model") / "bilstm_7ch")
    return folder, {c: recordings[4][c][channel_index] for c in ("lo", "hi")}
