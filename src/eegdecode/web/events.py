"""Server-sent events from the live page's threads to every open page."""

import json
import threading
from collections.abc import Iterator


class EventHub:
    """The newest event of each kind, pushed to every listener.

    Each kind (``stream``, ``prediction``, ``signal``, ``calibration``, ``user``) is a
    snapshot: a listener that falls behind or connects late gets the newest one of each kind
    at once, never a backlog.
    """

    def __init__(self):
        self._changed = threading.Condition()
        self._latest: dict[str, tuple[int, dict]] = {}
        self._serial = 0
        self._closed = False

    def publish(self, kind: str, data: dict) -> None:
        with self._changed:
            self._serial += 1
            self._latest[kind] = (self._serial, data)
            self._changed.notify_all()

    def latest(self, kind: str) -> dict | None:
        with self._changed:
            entry = self._latest.get(kind)
        return None if entry is None else entry[1]

    def close(self) -> None:
        """End every listener's stream."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def listen(self, keepalive_s: float = 10.0) -> Iterator[str]:
        """Server-sent events (``event:`` and ``data:`` lines), in publishing order, with a
        comment every ``keepalive_s`` of silence so that a dead connection is noticed."""
        seen: dict[str, int] = {}

        def fresh():
            return sorted(
                (serial, kind, data)
                for kind, (serial, data) in self._latest.items()
                if serial > seen.get(kind, 0)
            )

        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closed or fresh(), timeout=keepalive_s)
                if self._closed:
                    return
                events = fresh()
            if not events:
                yield ": keepalive\n\n"
            for serial, kind, data in events:
                seen[kind] = serial
                yield f"event: {kind}\ndata: {json.dumps(data, allow_nan=False)}\n\n"
