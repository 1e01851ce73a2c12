"""A Server-Sent Events reader for tests: one real HTTP connection, events read in a thread."""

from __future__ import annotations

import http.client
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Event:
    event: str
    data: str
    id: str | None
    at: float  # time.monotonic() when it was read


class EventStream:
    def __init__(
        self,
        url: str,
        cookies: dict[str, str],
        *,
        last_event_id: int | None = None,
        timeout: float = 20,
    ) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=timeout
        )
        headers = {
            "Accept": "text/event-stream",
            "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        }
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", parts.path or "/", headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = {name.lower(): value for name, value in self.response.getheaders()}
        self.events: queue.Queue[Event] = queue.Queue()
        self.retry: int | None = None
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = self.response.read().decode(errors="replace")

    def _read(self) -> None:
        event, data, event_id = "message", [], None
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n").rstrip("\r")
                if not line:
                    if data or event != "message":
                        self.events.put(Event(event, "\n".join(data), event_id, time.monotonic()))
                    event, data = "message", []
                elif line.startswith(":"):
                    self.events.put(Event("comment", line[1:].strip(), None, time.monotonic()))
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        event = value
                    elif field == "data":
                        data.append(value)
                    elif field == "id":
                        event_id = value
                    elif field == "retry":
                        self.retry = int(value)
        except (OSError, ValueError, AttributeError, http.client.HTTPException):  # closed
            pass
        self.events.put(Event("closed", "", None, time.monotonic()))

    def next(self, event: str | None = None, timeout: float = 5) -> Event:
        """The next event (of this kind, if named); AssertionError if none comes in time."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event or 'event'} within {timeout} s")
            try:
                got = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event is None or got.event == event or got.event == "closed":
                return got

    def close(self) -> None:
        try:
            self.response.close()
        finally:
            self.connection.close()
