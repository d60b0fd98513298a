"""The live page's server without a browser: its event hub, its input validation, its routes,
and a calibration from the page against a real simulated headset on loopback."""

import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from eegdecode.lsl import CalibrationSession, ProtocolStep, SimulatedHeadset
from eegdecode.lsl.calibration import check_name, pointer_file, session_file
from eegdecode.web.app import STATIC, create_app
from eegdecode.web.calibration import CalibrationRunner
from eegdecode.web.events import EventHub
from eegdecode.web.monitor import LiveMonitor

HOSTILE_NAMES = ["../../etc", "..", "a/b", "a\\b", ".hidden", "-rf", "two words", "<script>",
                 "x" * 65, "", "é", "name\n", 7, None]  # fmt: skip


def _parse(events: list[str]) -> list[tuple[str, dict]]:
    """(kind, data) of each server-sent event; keepalive comments left out."""
    parsed = []
    for text in events:
        if text.startswith(":"):
            continue
        kind, data = re.fullmatch(r"event: (\S+)\ndata: (.*)\n\n", text, re.S).groups()
        parsed.append((kind, json.loads(data)))
    return parsed


def test_a_late_listener_gets_the_newest_event_of_each_kind_in_publishing_order():
    hub = EventHub()
    hub.publish("stream", {"state": "searching"})
    hub.publish("prediction", {"focus": 0.1})
    hub.publish("stream", {"state": "live"})
    listener = hub.listen()
    assert _parse([next(listener), next(listener)]) == [
        ("prediction", {"focus": 0.1}), ("stream", {"state": "live"}),
    ]  # fmt: skip
    hub.publish("prediction", {"focus": 0.9})
    assert _parse([next(listener)]) == [("prediction", {"focus": 0.9})]
    assert hub.latest("prediction") == {"focus": 0.9} and hub.latest("signal") is None


def test_a_silent_hub_sends_keepalives_and_closing_ends_every_listener():
    hub = EventHub()
    listener = hub.listen(keepalive_s=0.05)
    assert next(listener) == ": keepalive\n\n"
    threading.Timer(0.1, hub.close).start()
    # However many keepalives a busy machine fits in before the close, the listener then ends.
    assert set(list(listener)) <= {": keepalive\n\n"}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused_before_any_path_is_made(name, tmp_path):
    with pytest.raises(ValueError, match="is not allowed"):
        check_name(name)
    with pytest.raises(ValueError, match="is not allowed"):
        session_file(tmp_path, name, "s1")
    with pytest.raises(ValueError, match="is not allowed"):
        session_file(tmp_path, "bob", name)
    with pytest.raises(ValueError, match="is not allowed"):
        pointer_file(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["bob", "Erin_2", "a", "x" * 64, "0-9"])
def test_safe_names_are_accepted(name, tmp_path):
    assert check_name(name) == name
    assert session_file(tmp_path, name, "20261204-120000").parts[-3:] == (
        name, "20261204-120000", "session.h5",
    )  # fmt: skip


@pytest.fixture
def client(tmp_path):
    """The app's test client, with a monitor and a calibration runner that are not started;
    yields (client, hub, monitor)."""
    hub = EventHub()
    stream = {"name": f"none-{uuid.uuid4().hex[:8]}", "stream_type": "EEG", "source_id": None}
    monitor = LiveMonitor(hub, stream=stream, results=tmp_path / "results")
    runner = CalibrationRunner(hub, stream=stream, protocol=[ProtocolStep("focused", 4.0)],
                               classes=["focused"], sfreq=128.0,
                               results=tmp_path / "results")  # fmt: skip
    app = create_app(hub, monitor, runner)
    yield app.test_client(), hub, monitor
    hub.close()


def test_the_page_and_everything_it_loads_are_served_by_the_app(client):
    test_client, _, _ = client
    page = test_client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    # No CDN: the page must work without internet access.
    assert "http:" not in html and "https:" not in html and "//" not in html.replace("://", "")
    loaded = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert set(loaded) == {"/static/style.css", "/static/app.js", "/video"}
    for path in loaded:
        response = test_client.get(path)
        assert response.status_code == 200, path
        response.close()
    assert test_client.get("/video").mimetype == "video/webm"
    script = (STATIC / "app.js").read_text()
    assert "http" not in script.replace("HTTP ${", "")


def test_the_state_names_the_protocol_and_the_newest_events(client):
    test_client, hub, _ = client
    hub.publish("stream", {"state": "searching", "message": "none yet"})
    state = test_client.get("/api/state").get_json()
    assert state["protocol"] == [{"label": "focused", "duration_s": 4.0, "cue": ""}]
    assert state["stream"]["state"] == "searching" and state["calibration"]["status"] == "idle"


def test_the_event_stream_is_server_sent_events(client):
    test_client, hub, _ = client
    hub.publish("prediction", {"focus": 0.5})
    response = test_client.get("/events", buffered=False)
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    chunks = iter(response.response)
    first = [next(chunks).decode(), next(chunks).decode()]
    assert ("prediction", {"focus": 0.5}) in _parse(first)
    hub.close()
    response.close()


@pytest.mark.parametrize(
    "body", ["not json", json.dumps([1]), json.dumps({"name": "bob"}),
             *(json.dumps({"user": name}) for name in HOSTILE_NAMES if name is not None)],
)  # fmt: skip
def test_bad_requests_are_refused_with_a_reason(client, body, tmp_path):
    test_client, _, monitor = client
    for url in ("/api/user", "/api/calibration"):
        response = test_client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400, url
        assert response.get_json()["error"]
    assert monitor.user is None
    assert not (tmp_path / "results").exists()


def test_choosing_a_user_switches_the_models_without_a_restart(client, tmp_path):
    test_client, hub, monitor = client
    response = test_client.post("/api/user", json={"user": "bob"})
    assert response.status_code == 200 and response.get_json() == {"user": "bob"}
    assert monitor.user == "bob" and hub.latest("user") == {"user": "bob"}
    assert str(tmp_path / "results" / "focus" / "users" / "bob") in str(monitor.selector.pointer)
    # No user: back to the base model.
    assert test_client.post("/api/user", json={"user": None}).get_json() == {"user": None}
    assert monitor.user is None and monitor.selector.pointer is None


def _runner(hub, tmp_path, name, protocol):
    return CalibrationRunner(hub, stream={"name": name, "stream_type": "EEG", "source_id": None},
                             protocol=protocol, classes=["focused", "unfocused"], sfreq=128.0,
                             results=tmp_path / "results")  # fmt: skip


def _wait_for_status(hub, statuses, seconds):
    deadline = time.monotonic() + seconds
    while (event := hub.latest("calibration"))["status"] not in statuses:
        assert time.monotonic() < deadline, event
        time.sleep(0.05)
    return event


@pytest.mark.slow
def test_a_session_with_a_gap_is_rejected_with_the_reason_and_kept(tmp_path):
    name = f"gap-{uuid.uuid4().hex[:8]}"
    hub = EventHub()
    protocol = [ProtocolStep("countdown", 1.0), ProtocolStep("focused", 5.0),
                ProtocolStep("unfocused", 5.0)]  # fmt: skip
    runner = _runner(hub, tmp_path, name, protocol)
    with SimulatedHeadset(name=name) as headset:
        session = runner.start("bob")
        event = _wait_for_status(hub, {"recording"}, 10)
        while hub.latest("calibration").get("phase") != "focused":
            time.sleep(0.05)
        headset.drop(1.5)
        runner.wait(30)
    event = hub.latest("calibration")
    assert event["status"] == "rejected", event
    assert "overlaps a gap" in event["reason"] and "'focused'" in event["reason"]
    folder = tmp_path / "results" / "calibration" / "bob" / session
    assert event["kept"] == str(folder / "rejected-session.h5")
    assert sorted(p.name for p in folder.iterdir()) == ["rejected-session.h5"]
    kept = CalibrationSession.load(folder / "rejected-session.h5")
    assert kept.complete and len(kept.gaps) == 1
    assert [p.label for p in kept.phases] == ["countdown", "focused", "unfocused"]


@pytest.mark.slow
def test_a_stopped_calibration_keeps_the_incomplete_session_and_fine_tunes_nothing(tmp_path):
    name = f"stop-{uuid.uuid4().hex[:8]}"
    hub = EventHub()
    runner = _runner(hub, tmp_path, name, [ProtocolStep("focused", 60.0)])
    client = create_app(hub, LiveMonitor(hub, stream={"name": name}), runner).test_client()
    with SimulatedHeadset(name=name):
        session = runner.start("bob")
        with pytest.raises(RuntimeError, match="already running"):
            runner.start("bob")
        second = client.post("/api/calibration", json={"user": "carol"})
        assert second.status_code == 409 and "already running" in second.get_json()["error"]
        while hub.latest("calibration").get("phase") != "focused":
            time.sleep(0.05)
        time.sleep(1.0)
        runner.cancel()
        runner.wait(20)
    event = hub.latest("calibration")
    assert event["status"] == "interrupted", event
    path = session_file(tmp_path / "results", "bob", session)
    assert event["kept"] == str(path)
    recorded = CalibrationSession.load(path)
    assert not recorded.complete and recorded.phases[0].partial
    assert not (tmp_path / "results" / "focus").exists()


@pytest.mark.parametrize("option", ["video", "port"])
def test_serve_refuses_a_missing_video_or_a_busy_port_with_a_message(option, tmp_path):
    cli = str(Path(sys.executable).with_name("eegdecode"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1] if option == "port" else 0
        extra = ["--video", str(tmp_path / "missing.webm")] if option == "video" else []
        done = subprocess.run(
            [cli, "serve", "--port", str(port), "--stream-name", "none", *extra],
            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode != 0
    expected = "missing.webm: no such file" if option == "video" else "Address already in use"
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert "Serving" not in done.stderr
