import numpy as np
import pytest

from eegdecode.datasets.focus import (
    FocusEEGSource,
    FocusSignature,
    synthesize_attention_record,
)
from eegdecode.signal import FOCUS_CHANNELS, FocusFeatureConfig
from eegdecode.training.focus import (
    calibration_features,
    finetune_focus_model,
    train_base_focus_model,
)

CONFIG = FocusFeatureConfig()


def _records(signature_of, n_subjects=4, n_records=2):
    return {
        subject: [
            synthesize_attention_record(signature_of(subject), state_minutes=1,
                                        seed=100 * subject + r)
            for r in range(n_records)
        ]
        for subject in range(1, n_subjects + 1)
    }  # fmt: skip


def test_base_model_learns_the_states_and_not_noise():
    def same_in_every_state(subject):
        signature = FocusSignature.population(7, seed=subject)
        flat = {state: (3.0, 3.0, 3.0) for state in signature.amplitudes}
        return FocusSignature(signature.frequencies, flat, signature.channel_gains)

    _, null = train_base_focus_model(
        _records(same_in_every_state), sfreq=128, state_minutes=1, feature_config=CONFIG
    )
    metrics = train_base_focus_model(
        _records(lambda s: FocusSignature.population(7, seed=s)), sfreq=128, state_minutes=1,
        feature_config=CONFIG,
    )[1]  # fmt: skip
    assert metrics["test"]["balanced_accuracy"] > 0.75
    assert null["test"]["balanced_accuracy"] < 0.62
    assert metrics["test"]["chance"] == pytest.approx(2 / 3)


def _session(signature, seed):
    source = FocusEEGSource(signature, 128, seed=seed)
    return {"focused": [source.next(40 * 128, "focused")],
            "unfocused": [source.next(40 * 128, "unfocused")]}  # fmt: skip


def test_finetuned_model_beats_the_base_on_a_user_with_another_signature():
    base, _ = train_base_focus_model(
        _records(lambda s: FocusSignature.population(7, seed=s)), sfreq=128, state_minutes=1,
        feature_config=CONFIG,
    )  # fmt: skip
    user = FocusSignature.for_user("alice", 7)
    classes = {"focused": 1, "unfocused": 0}
    sessions = [(f"s{k}", *calibration_features(_session(user, k), classes, CONFIG))
                for k in range(3)]  # fmt: skip
    model, metrics = finetune_focus_model(base, sessions, l2=1.0, user="alice")
    held_out = metrics["held_out"]
    assert held_out["session"] == "s2" and metrics["n_windows"] == 3 * 2 * 12
    assert held_out["finetuned_accuracy"] > 0.9
    assert held_out["finetuned_accuracy"] > held_out["base_accuracy"] + 0.25
    assert model.config["kind"] == "finetuned" and model.config["sessions"] == ["s0", "s1", "s2"]
    _, metrics = finetune_focus_model(base, sessions[:1], l2=1.0, user="alice")
    assert metrics["held_out"] is None
    with pytest.raises(ValueError, match="no complete calibration session"):
        finetune_focus_model(base, [], l2=1.0, user="alice")


def test_file_entry_points_match_the_array_functions(tmp_path):
    from eegdecode.datasets.focus import write_attention_record
    from eegdecode.lsl.session import write_calibration_windows
    from eegdecode.models.focus import FocusModel
    from eegdecode.signal import EMOTIV_CHANNELS
    from eegdecode.training.focus import finetune_focus, focus_pointer, train_focus_base

    records = [[1, 2], [3, 4], [5]]
    paths = []
    for subject, numbers in enumerate(records, start=1):
        signature = FocusSignature.population(len(EMOTIV_CHANNELS), seed=subject)
        for number in numbers:
            eeg = synthesize_attention_record(signature, state_minutes=1, seed=number)
            paths.append(write_attention_record(tmp_path / f"eeg_record{number}.mat", eeg))
    base, metrics = train_focus_base(
        paths, records=records, state_minutes=1, test_subject=3, features={},
        l2_grid=[0.1, 10.0],
    )  # fmt: skip
    assert base.config["channel_names"] == list(FOCUS_CHANNELS)
    assert base.config["test_subject"] == 3 and set(metrics) >= {"validation", "test"}
    assert list(metrics["l2_validation_balanced_accuracy"]) == ["0.1", "10.0"]
    with pytest.raises(ValueError, match="Got 4 record files for the 5 records"):
        train_focus_base(paths[:4], records=records, state_minutes=1, test_subject=3,
                         features={}, l2_grid=[1.0])  # fmt: skip

    user, classes = FocusSignature.for_user("bob", 7), {"focused": 1, "unfocused": 0}
    windows = [
        write_calibration_windows(tmp_path / f"s{k}" / "windows.h5", _session(user, k),
                                  attrs={"user": "bob", "session": f"s{k}", "sfreq": 128})
        for k in range(2)
    ]  # fmt: skip
    model, metrics = finetune_focus(
        base.save(tmp_path / "base"), windows, classes=classes, features={}, l2=1.0, user="bob"
    )
    sessions = [(f"s{k}", *calibration_features(_session(user, k), classes, CONFIG))
                for k in range(2)]  # fmt: skip
    expected, expected_metrics = finetune_focus_model(
        FocusModel.load(tmp_path / "base"), sessions, l2=1.0, user="bob"
    )
    np.testing.assert_array_equal(model.weights, expected.weights)
    assert metrics == expected_metrics and metrics["sessions"] == ["s0", "s1"]

    folder = model.save(tmp_path / "users" / "bob" / "v2")
    assert focus_pointer(folder) == {"model": "v2", "user": "bob", "sessions": ["s0", "s1"]}
    base_folder = tmp_path / "base"
    with pytest.raises(ValueError, match=r"lacks \['user', 'sessions'\]"):
        focus_pointer(base_folder)


def test_session_windows_are_the_complete_sessions_phases(tmp_path):
    from eegdecode.lsl.session import (
        CalibrationSession,
        ClockRelation,
        Phase,
        cut_phases,
        read_calibration_windows,
    )
    from eegdecode.training.focus import session_windows

    sfreq, n = 256.0, 60 * 256
    eeg = np.random.default_rng(0).standard_normal((len(FOCUS_CHANNELS), n)).astype(np.float32)
    times = np.arange(n) / sfreq
    session = CalibrationSession(
        eeg=eeg, timestamps=times, sfreq=sfreq, channel_names=list(FOCUS_CHANNELS),
        clock=ClockRelation([[0.0, 0.0]], [[0.0, 0.0]]),
        phases=[Phase("focused", 5.0, 25.0), Phase("unfocused", 30.0, 50.0)],
        complete=True, user="carol", session="s1", stream={},
    )  # fmt: skip
    path = session_windows(
        session.save(tmp_path / "session.h5"), tmp_path / "windows.h5",
        classes={"focused": 1, "unfocused": 0}, sfreq=128,
    )  # fmt: skip
    expected = cut_phases(session, ["focused", "unfocused"], target_sfreq=128)
    phases = read_calibration_windows(path)
    assert list(phases) == ["focused", "unfocused"]
    for label, parts in expected.items():
        np.testing.assert_array_equal(phases[label][0], parts[0])
    session.complete = False
    with pytest.raises(ValueError, match="incomplete session"):
        session_windows(session.save(tmp_path / "cut.h5"), tmp_path / "w.h5",
                        classes=["focused"], sfreq=128)  # fmt: skip
    # A flat focus channel is flagged in the windows' attributes, or stops the job.
    from eegdecode.artifacts import read_attrs

    assert read_attrs(path)["flagged_channels"] == []
    session.complete = True
    session.eeg[FOCUS_CHANNELS.index("O2")] = 0.0
    flat = session.save(tmp_path / "flat.h5")
    flagged = session_windows(flat, tmp_path / "w2.h5", classes=["focused"], sfreq=128)
    assert read_attrs(flagged)["flagged_channels"] == ["O2 (flat)"]
    with pytest.raises(ValueError, match=r"flat.h5: 1 channel\(s\) look broken: O2 \(flat\)"):
        session_windows(flat, tmp_path / "w3.h5", classes=["focused"], sfreq=128,
                        on_flat_channel="error")  # fmt: skip
    assert not (tmp_path / "w3.h5").exists()


def _band_amplitude(eeg, frequency, sfreq=128):
    """Each channel's spectral amplitude at ``frequency`` (a whole number of cycles)."""
    spectrum = np.abs(np.fft.rfft(eeg, axis=1)) / eeg.shape[1]
    return spectrum[:, round(frequency * eeg.shape[1] / sfreq)]


def test_simulated_load_raises_frontal_theta_and_lowers_posterior_alpha_only():
    signature = FocusSignature(
        (6.0, 10.0, 20.0), {"focused": (20.0, 20.0, 10.0)}, np.ones(7)
    )  # whole cycles in 8 s, so that each rhythm is one FFT bin; strong, so the noise is small
    eeg = {
        load: FocusEEGSource(signature, 128, seed=3, channel_names=FOCUS_CHANNELS).next(
            8 * 128, "focused", workload=load
        )
        for load in (False, True)
    }
    plain = FocusEEGSource(signature, 128, seed=3).next(8 * 128, "focused")
    np.testing.assert_array_equal(eeg[False], plain)  # without load: as before
    ratio = {
        band: _band_amplitude(eeg[True], f) / _band_amplitude(eeg[False], f)
        for band, f in (("theta", 6.0), ("alpha", 10.0), ("beta", 20.0))
    }
    frontal = [FOCUS_CHANNELS.index(c) for c in ("F7", "F3", "F4")]
    posterior = [FOCUS_CHANNELS.index(c) for c in ("P7", "O1", "O2", "P8")]
    # The same noise and wobble in both runs: the rhythms' bins carry the factor 3 up to the
    # noise's share of the bin.
    np.testing.assert_allclose(ratio["theta"][frontal], 3.0, rtol=0.05)
    np.testing.assert_allclose(ratio["theta"][posterior], 1.0, rtol=0.05)
    np.testing.assert_allclose(ratio["alpha"][posterior], 1 / 3, rtol=0.05)
    np.testing.assert_allclose(ratio["alpha"][frontal], 1.0, rtol=0.05)
    np.testing.assert_allclose(ratio["beta"], 1.0, rtol=0.05)
    with pytest.raises(ValueError, match="channel_names"):
        FocusEEGSource(signature, 128, seed=3).next(128, "focused", workload=True)
