"""``eegdecode serve``: the live page and its calibration, a Flask app.

Flask, as the original's web server: the LSL reader, the recorder and the models run in
threads that block on pylsl, and a threaded WSGI server gives each open page its own thread
for the event stream, so nothing here needs an event loop. Every script, style and the video
are served from the package's ``static`` folder: the page needs no internet access.
"""

from pathlib import Path

from .._logging import logger
from .calibration import CalibrationRunner
from .events import EventHub
from .monitor import LiveMonitor

STATIC = Path(__file__).with_name("static")


def create_app(hub: EventHub, monitor: LiveMonitor, calibration: CalibrationRunner,
               *, video: str | Path | None = None):  # fmt: skip
    """The page (``/``), its event stream (``/events``) and its requests.

    ``POST /api/user`` ``{"user": name}``: predict with this user's models;
    ``POST /api/calibration`` ``{"user": name}``: record and fine-tune;
    ``POST /api/calibration/cancel``; ``GET /api/state``: the newest event of each kind;
    ``GET /video``: the clip whose speed follows the cognitive load (``video``, default the
    bundled one).
    """
    from flask import Flask, Response, jsonify, request, send_file

    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    video = Path(video) if video else STATIC / "playback.webm"

    def refused(message: str, status: int = 400):
        logger.warning("refused: %s", message)
        return jsonify({"error": message}), status

    def user_from_request() -> str:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "user" not in body:
            raise ValueError('The request must be JSON with a "user" field.')
        return body["user"]

    @app.get("/")
    def index():
        return send_file(STATIC / "index.html")

    @app.get("/video")
    def playback_video():
        return send_file(video, conditional=True)

    @app.get("/events")
    def events():
        return Response(
            hub.listen(), mimetype="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )  # fmt: skip

    @app.get("/api/state")
    def state():
        kinds = ("stream", "prediction", "signal", "calibration", "user")
        return jsonify({kind: hub.latest(kind) for kind in kinds}
                       | {"protocol": calibration.describe_protocol()})  # fmt: skip

    @app.post("/api/user")
    def choose_user():
        try:
            monitor.set_user(user_from_request())
        except ValueError as error:
            return refused(str(error))
        return jsonify({"user": monitor.user})

    @app.post("/api/calibration")
    def start_calibration():
        try:
            user = user_from_request()
            session = calibration.start(user)
        except ValueError as error:
            return refused(str(error))
        except RuntimeError as error:
            return refused(str(error), 409)
        monitor.set_user(user)
        return jsonify({"user": user, "session": session}), 202

    @app.post("/api/calibration/cancel")
    def cancel_calibration():
        calibration.cancel()
        return jsonify({"cancelled": calibration.running})

    return app


def serve(
    *,
    host: str,
    port: int,
    monitor: LiveMonitor,
    calibration: CalibrationRunner,
    hub: EventHub,
    video: str | Path | None = None,
    ready=None,
) -> None:
    """Serve the page until Ctrl-C; ``ready(url)`` is called once it listens."""
    from werkzeug.serving import make_server

    if video is not None and not Path(video).is_file():
        raise FileNotFoundError(f"--video {video}: no such file.")
    server = make_server(host, port, create_app(hub, monitor, calibration, video=video),
                         threaded=True)  # fmt: skip
    monitor.start()
    url = f"http://{host}:{server.server_port}"
    if ready is not None:
        ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        calibration.cancel()
        hub.close()
        monitor.stop()
        server.server_close()
