"""A stand-in for Brevo's transactional SMS API on loopback, so that the real client
(portal/sms/providers.py) runs in tests, benches and the demo without sending any SMS.

    python -m portal.sms.stand_in [--port N]   # prints "PORT <n>" once listening

Speaks ``POST /v3/transactionalSMS/sms`` as Brevo documents it (``api-key`` header, JSON
body with sender, recipient, content, tag, webUrl; 201 with messageId and smsCount) and
checks the key against ``SMS_API_KEY``; it answers many clients at once (a thread per
connection, kept alive), as the real API does. For the tests, under ``/_stand_in/``:
``GET messages`` (everything received), ``GET count`` (how many: the bench's polling),
``POST fail`` ({"count": n}: the next n sends answer 503), ``POST reply`` ({"to":
"336...", "text": "STOP"}: the event Brevo posts to the webUrl when the recipient replies
STOP), ``GET events`` (events produced, each also posted to its webUrl when one was given).
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from portal.sms.gsm7 import sms_segments

SEND_PATH = "/v3/transactionalSMS/sms"
# Seconds before answering each SMS (after recording it): a slow provider, for the tests.
DELAY = float(os.environ.get("SMS_STAND_IN_DELAY") or 0)


class State:
    def __init__(self, api_key: str):
        self.api_key = api_key
        self.lock = threading.Lock()
        self.messages: list[dict] = []
        self.events: list[dict] = []
        self.failures = 0
        self.web_urls: dict[str, str] = {}


def _post_event(url: str, event: dict) -> None:
    try:
        request = urllib.request.Request(
            url, data=json.dumps(event).encode(), headers={"content-type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).close()
    except Exception:  # noqa: BLE001 — a portal not listening (tests) misses the push only
        pass


class Handler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"
    # The answer's headers and body leave in two writes: with Nagle's algorithm on, the
    # second waited for the client's delayed ACK, 40 ms per SMS on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def _json(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("content-length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return {}

    def do_GET(self):
        with self.state.lock:
            if self.path == "/_stand_in/messages":
                return self._json(200, self.state.messages)
            if self.path == "/_stand_in/count":
                return self._json(200, {"count": len(self.state.messages)})
            if self.path == "/_stand_in/events":
                return self._json(200, self.state.events)
        self._json(404, {"code": "not_found"})

    def do_POST(self):
        body = self._body()
        if self.path == SEND_PATH:
            return self._send(body)
        if self.path == "/_stand_in/fail":
            with self.state.lock:
                self.state.failures = int(body.get("count", 1))
            return self._json(200, {})
        if self.path == "/_stand_in/reply":
            return self._reply(body)
        self._json(404, {"code": "not_found"})

    def _send(self, body: dict):
        state = self.state
        if self.headers.get("api-key") != state.api_key:
            return self._json(401, {"code": "unauthorized", "message": "Key not found"})
        missing = [k for k in ("sender", "recipient", "content") if not body.get(k)]
        sender, recipient = str(body.get("sender", "")), str(body.get("recipient", ""))
        if missing or len(sender) > 11 or not recipient.isdigit():
            return self._json(400, {"code": "invalid_parameter", "message": str(missing)})
        with state.lock:
            if state.failures > 0:
                state.failures -= 1
                return self._json(503, {"code": "unavailable"})
            message_id = len(state.messages) + 1
            segments = sms_segments(body["content"])
            state.messages.append(dict(body, messageId=message_id, smsCount=segments))
            if body.get("webUrl"):
                state.web_urls[recipient] = body["webUrl"]
            event = {
                "msg_status": "delivered",
                "messageId": message_id,
                "to": recipient,
                "tag": body.get("tag", ""),
                "sms_count": segments,
            }
            state.events.append(event)
        if body.get("webUrl"):
            threading.Thread(target=_post_event, args=(body["webUrl"], event)).start()
        if DELAY:  # the tests' worker is killed while the provider "thinks"
            time.sleep(DELAY)
        self._json(
            201,
            {
                "reference": f"stand-in-{message_id}",
                "messageId": message_id,
                "smsCount": segments,
                "usedCredits": float(segments),
                "remainingCredits": 1e6,
            },
        )

    def _reply(self, body: dict):
        to, text = str(body.get("to", "")), str(body.get("text", ""))
        event = {"msg_status": "replied", "to": to, "reply": text}
        if text.strip().upper() == "STOP":
            event = {"msg_status": "unsubscribed", "to": to, "reply": text}
        with self.state.lock:
            self.state.events.append(event)
            url = self.state.web_urls.get(to)
        if url:
            _post_event(url, event)
        self._json(200, event)


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client killed mid-request (the tests' and benches' SIGKILLed worker): expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(*, port: int = 0, api_key: str) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"state": State(api_key)})
    server = Server(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("SMS_STAND_IN_PORT", 0)))
    args = parser.parse_args()
    server = serve(port=args.port, api_key=os.environ.get("SMS_API_KEY", "stand-in-key"))
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
