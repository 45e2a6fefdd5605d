"""Real HTTP servers that answer like X's recent search and Twilio's List Messages with the
records a test gives them: for inputs the simulator does not produce (hand-written texts,
fuzzed records, contract corner cases)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeApi:
    """A server on 127.0.0.1 answering every GET with `self.answer(query)` as JSON."""

    def __init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {
                    key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()
                }
                status, headers = owner.status()
                answer = owner.answer(query) if status == 200 else {"title": "Too Many Requests"}
                body = json.dumps(answer).encode("utf-8", "surrogatepass")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        raise NotImplementedError

    def status(self) -> tuple[int, dict[str, str]]:
        """The status and extra headers of the next answer."""
        return 200, {}

    def close(self) -> None:
        self.server.shutdown()


class FakeX(FakeApi):
    """X API v2 recent search: `pages` of tweets (newest first), one author."""

    def __init__(self) -> None:
        self.pages: list[list[object]] = []
        super().__init__()

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        index = int(query.get("next_token", "0"))
        page = self.pages[index] if index < len(self.pages) else []
        meta: dict[str, object] = {"result_count": len(page)}
        if index + 1 < len(self.pages):
            meta["next_token"] = str(index + 1)
        body: dict[str, Any] = {"meta": meta}
        if page:
            users = [{"id": "42", "name": "Someone", "username": "someone"}]
            body |= {"data": page, "includes": {"users": users}}
        return body


class FakeTwilio(FakeApi):
    """Twilio List Messages: one page of `messages`."""

    def __init__(self, account_sid: str) -> None:
        self.account_sid = account_sid
        self.messages: list[dict[str, object]] = []
        super().__init__()

    def answer(self, query: dict[str, str]) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "page": 0,
            "page_size": 1000,
            "uri": "/page",
            "first_page_uri": "/page",
            "next_page_uri": None,
            "previous_page_uri": None,
            "start": 0,
            "end": max(0, len(self.messages) - 1),
        }

    def message(self, sid: str, body: str, sender: str, sent: str | None) -> dict[str, object]:
        """A message as Twilio lists it (valid under its spec)."""
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "from": sender,
            "to": "32123",
            "body": body,
            "direction": "inbound",
            "status": "received" if sent else "receiving",
            "num_segments": "1",
            "num_media": "0",
            "date_created": sent or "Thu, 20 Nov 2026 08:14:03 +0000",
            "date_sent": sent,
            "date_updated": sent or "Thu, 20 Nov 2026 08:14:03 +0000",
            "price": None,
            "error_code": None,
            "error_message": None,
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
