"""A small SMTP server for tests: records what it accepts, can refuse or hold a recipient."""

from __future__ import annotations

import email
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import Message


@dataclass
class Sink:
    messages: list[Message] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)  # address -> how many more refusals
    hold: set[str] = field(default_factory=set)  # addresses whose DATA is never answered
    held: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def recipients(self) -> list[str]:
        with self.lock:
            return [m["To"] for m in self.messages]


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink = self.server.sink
        rcpts: list[str] = []
        self.reply("220 sink ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink\r\n250 8BITMIME" if verb == "EHLO" else "250 sink")
            elif verb == "MAIL":
                rcpts = []
                self.reply("250 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>").split(">")[0]
                with sink.lock:
                    left = sink.refuse.get(address, 0)
                    if left:
                        sink.refuse[address] = left - 1
                if left:
                    self.reply("451 4.3.0 try again later")
                else:
                    rcpts.append(address)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk in (b".\r\n", b".\n"):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                if any(r in sink.hold for r in rcpts):
                    sink.held.set()
                    threading.Event().wait(120)  # never answer: the sender hangs here
                    return
                with sink.lock:
                    sink.messages.append(email.message_from_bytes(b"".join(data)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sink: Sink


def start_sink() -> tuple[Sink, _Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.sink = Sink(port=server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.sink, server
