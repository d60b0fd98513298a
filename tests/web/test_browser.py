"""The live page in a real headless Chromium: `eegdecode serve` on loopback, reading a
simulated headset that the tests switch between states."""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from eegdecode.lsl import SimulatedHeadset

from .conftest import SHORT_CALIBRATION

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

REPO = Path(__file__).resolve().parents[2]
# Where the README's screenshots are written when EEGDECODE_SCREENSHOTS names a folder.
SCREENSHOTS = os.environ.get("EEGDECODE_SCREENSHOTS")


def _wait(driver, seconds, script, message):
    """The value of the JavaScript expression ``script`` once truthy (polled every 100 ms)."""
    deadline = time.monotonic() + seconds
    while True:
        value = driver.execute_script(f"return {script};")
        if value:
            return value
        if time.monotonic() > deadline:
            state = driver.execute_script("return document.body.innerText;")
            raise AssertionError(f"{message} within {seconds} s; the page says:\n{state}")
        time.sleep(0.1)


def _screenshot(driver, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(SCREENSHOTS) / f"{name}.png"))


@pytest.fixture(scope="module")
def page(tmp_path_factory, browser, headset_workload_model):
    """The page of `eegdecode serve` in Chromium, opened before the headset streams; yields
    (driver, headset (not yet started), workdir)."""
    work = tmp_path_factory.mktemp("serve") / "work"
    work.mkdir()
    (work / "config").symlink_to(REPO / "config")
    (work / "short.yaml").write_text(SHORT_CALIBRATION)
    name = f"serve-{uuid.uuid4().hex[:8]}"
    log = work / "serve.log"
    cli = str(Path(sys.executable).with_name("eegdecode"))
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [cli, "-v", "serve", "--port", "0", "--stream-name", name, "--configfile",
             "short.yaml", "--workload-model", str(headset_workload_model), "--",
             "--snakefile", str(REPO / "Snakefile")],
            cwd=work, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"Serving (http://\S+)", log.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        browser.get(found[1])
        headset = SimulatedHeadset(name=name, user="erin")
        yield browser, headset, work
    finally:
        server.terminate()
        server.wait(timeout=20)
        headset.stop() if "headset" in locals() else None


def test_without_a_stream_the_page_says_it_is_looking_then_shows_the_stream(page):
    driver, headset, _ = page
    _wait(driver, 20, "document.getElementById('stream').dataset.state === 'searching'",
          "the searching state")  # fmt: skip
    headset.start()
    text = _wait(driver, 30, "document.getElementById('stream').dataset.state === 'live' && "
                 "document.getElementById('stream').textContent", "the live state")  # fmt: skip
    assert headset.name in text and "128 Hz" in text and "F7 F3 P7 O1 O2 P8 F4" in text
    quality = _wait(
        driver,
        30,
        "[...document.querySelectorAll('#quality li')].map("
        "li => li.textContent).filter(t => t.includes(': ok')).length",
        "quality",
    )
    assert quality == 7


def test_a_hostile_user_name_is_refused(page):
    driver, _, work = page
    for hostile in ("../../etc", "a/b", ".hidden", "two words", "<script>"):
        field = driver.find_element("id", "user")
        field.clear()
        field.send_keys(hostile)
        driver.find_element("id", "use-user").click()
        error = _wait(driver, 5, "document.getElementById('user-error').textContent",
                      f"an error for {hostile!r}")  # fmt: skip
        assert "is not allowed" in error
        driver.execute_script("document.getElementById('user-error').textContent = '';")
    status = driver.execute_script(
        "return fetch('/api/calibration', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({user: '../x'})}).then(r => r.status);"
    )
    assert status == 400
    assert not (work / "results" / "calibration").exists()


def test_a_calibration_from_the_page_completes_and_the_page_names_the_new_model(page):
    driver, headset, work = page
    field = driver.find_element("id", "user")
    field.clear()
    field.send_keys("erin")
    driver.find_element("id", "start-calibration").click()
    _wait(driver, 30, "document.getElementById('calibration-label').dataset.phase === "
          "'focused' && document.getElementById('task').offsetParent !== null",
          "the focus task")  # fmt: skip
    _screenshot(driver, "serve-calibration")
    # The headset follows the page's recorder through its LSL markers, which the recorder
    # pushes after it tells the page of the phase and which LSL delivers a moment later.
    deadline = time.monotonic() + 5
    while headset.state != "focused" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert headset.state == "focused"
    status = _wait(
        driver,
        240,
        "['done', 'rejected', 'failed'].includes(document."
        "getElementById('calibration-status').dataset.status) && document."
        "getElementById('calibration-status').dataset.status",
        "the result",
    )
    message = driver.find_element("id", "calibration-message").text
    assert status == "done", message
    pointer = json.loads((work / "results/focus/users/erin/current.json").read_text())
    assert pointer["model"].startswith("1sessions-") and pointer["model"] in message
    sessions = list((work / "results/calibration/erin").glob("*/session.h5"))
    assert len(sessions) == 1
    model = _wait(driver, 10, "document.getElementById('model').dataset.model",
                  "the model in use")  # fmt: skip
    assert model == f"fine-tuned {pointer['model']}"


def test_the_bulb_and_the_video_follow_the_simulated_user(page):
    """Focus with the fine-tuned model of the calibration test; the load with a model of the
    simulated headset's own EEG (eegdecode.datasets.focus.FocusEEGSource)."""
    driver, headset, _ = page
    brightness = "Number(document.getElementById('bulb').dataset.brightness || NaN)"
    rate = "document.getElementById('video').playbackRate"
    headset.state, headset.workload = "focused", True
    _wait(driver, 40, f"{brightness} > 0.6 && {rate} > 1.6", "a bright bulb and a fast video")
    _screenshot(driver, "serve-live")
    headset.state, headset.workload = "unfocused", False
    _wait(driver, 40, f"{brightness} < 0.4 && {rate} < 1.4", "a dim bulb and a slow video")


def test_a_dropped_stream_shows_reconnecting_and_recovers(page):
    driver, headset, _ = page
    dropping = threading.Thread(target=headset.drop, args=(4.0,))
    dropping.start()
    text = _wait(driver, 10, "document.getElementById('stream').dataset.state === "
                 "'reconnecting' && document.getElementById('stream').textContent",
                 "the reconnecting state")  # fmt: skip
    assert "reconnecting" in text
    dropping.join()
    text = _wait(driver, 30, "document.getElementById('stream').dataset.state === 'live' && "
                 "document.getElementById('stream').textContent", "recovery")  # fmt: skip
    gap = float(re.search(r"after a ([\d.]+) s gap", text)[1])
    assert 3.0 < gap < 6.0, text
