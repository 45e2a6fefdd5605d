"""Local receivers for the alerts: a Slack-compatible webhook (HTTP, JSON `text`) and an SMTP
server (aiosmtpd), each with the settings that point the project at it."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Webhook:
    env: dict[str, str]
    bodies: list[dict] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [body["text"] for body in self.bodies]


@dataclass
class Mailbox:
    env: dict[str, str]
    messages: list[Message] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Each message as its subject, a line break and its body."""
        return [f"{message['Subject']}\n{body(message)}" for message in self.messages]


def body(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "".join(
        part.get_payload(decode=True).decode()
        for part in parts
        if part.get_content_type() == "text/plain"
    )


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A local endpoint that records the JSON bodies posted to it."""
    received = Webhook({})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    received.env["BEEJAN_ALERT_WEBHOOK_URL"] = f"http://127.0.0.1:{server.server_port}/alert"
    yield received
    server.shutdown()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A local SMTP server (no TLS, no login) that keeps the messages it is sent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = Mailbox(
        {
            "BEEJAN_SMTP_HOST": "127.0.0.1",
            "BEEJAN_SMTP_PORT": str(port),
            "BEEJAN_SMTP_SECURITY": "none",
            "BEEJAN_ALERT_EMAIL_TO": "noc@beejan.example",
            "BEEJAN_ALERT_EMAIL_FROM": "warehouse@beejan.example",
        }
    )

    class Keep:
        async def handle_DATA(self, server, session, envelope) -> str:
            received.messages.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield received
    controller.stop()
