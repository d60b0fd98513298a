"""What the live page's tests share: a cognitive-load model of the simulated headset's own
EEG, and the settings of a short calibration."""

import numpy as np
import pytest

# The loopback walk-through's 39 s protocol and shorter focus features (a feature vector
# needs 12 s of stream, not the default's 29), so that the bulb follows a change within
# seconds.
SHORT_CALIBRATION = """\
calibration:
  protocol:
    - {label: countdown, duration_s: 2, cue: "Get ready."}
    - {label: focused, duration_s: 18, cue: "Follow the dot and count its jumps."}
    - {label: countdown, duration_s: 1, cue: "Relax in a second."}
    - {label: unfocused, duration_s: 18, cue: "Relax and let your mind wander."}
  features: {window_s: 8, smoothing: 5}
  focus_dataset: {records: [[1], [2], [3, 4]], state_minutes: 0.5, test_subject: 1}
"""


@pytest.fixture(scope="session")
def headset_workload_model(tmp_path_factory):
    """A small cognitive-load model (2 s clips, 16 scales) trained on three recordings of the
    browser tests' simulated user (erin, at seeds other than the headset's) at low and high load,
    as rule train_workload_model writes it. The page's tests check that the page follows the
    model, not how the model generalises to new users: trained on other users (ana, ben, cho)
    it gave erin P(high load) 0.9 at rest, and the test passed only on its dips."""
    from eegdecode.datasets.focus import FocusEEGSource, FocusSignature
    from eegdecode.signal import FOCUS_CHANNELS
    from eegdecode.training.mental_state import stew_segments, train_deployed_model

    recordings = {}
    for subject in (1, 2, 3):
        source = FocusEEGSource(FocusSignature.for_user("erin", 7), 128.0, seed=subject,
                                channel_names=FOCUS_CHANNELS)  # fmt: skip
        # Either focus state at either load, so that the model learns the load alone.
        recordings[subject] = {
            condition: np.concatenate([
                source.next(60 * 128, state, workload=condition == "hi")
                for state in ("focused", "unfocused")
            ], axis=1)
            for condition in ("lo", "hi")
        }  # fmt: skip
    segments = stew_segments(recordings, sfreq=128.0, channel_index=range(7), clip_s=2.0,
                             n_scales=16)  # fmt: skip
    features = {"sfreq": 128.0, "channel_names": list(FOCUS_CHANNELS), "clip_s": 2.0,
                "n_scales": 16}  # fmt: skip
    trained = train_deployed_model(
        segments, features=features, model_name="BiLSTM", model_config={"hidden_size": 16},
        training={"epochs": 20, "batch_size": 16, "lr": 3e-3, "device": "cpu"}, standardize=False,
    )  # fmt: skip
    return trained.save(tmp_path_factory.mktemp("model") / "bilstm_7ch")


CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through its chromedriver (nothing is downloaded). Without
    them the browser tests are skipped, unless EEGDECODE_REQUIRE_BROWSER is set (.ci/run
    installs them and sets it), when they fail."""
    import os

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = (
            f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)"
        )
        if os.environ.get("EEGDECODE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(argument)  # fmt: skip
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()
