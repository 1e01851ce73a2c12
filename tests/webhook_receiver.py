"""A real HTTP receiver on 127.0.0.1 for webhook tests: it answers from a script (a status,
or "hang" to say nothing for a while) and keeps every request it got."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.script: list[int | str] = []
        self.received: list[Received] = []
        self.hang_seconds = 3.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                answer = receiver.script.pop(0) if receiver.script else 200
                if answer == "hang":
                    time.sleep(receiver.hang_seconds)
                    answer = 200
                if answer == "trickle":  # a header line every 0.2 s, for hang_seconds
                    self.send_response(200)
                    ends = time.monotonic() + receiver.hang_seconds
                    with contextlib.suppress(OSError):
                        while time.monotonic() < ends:
                            self.send_header("X-Wait", "1")
                            self.flush_headers()
                            time.sleep(0.2)
                        self.end_headers()
                    return
                self.send_response(int(answer))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A sender that hangs up on a trickled answer is what the test wants, not an error.
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/aar"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
