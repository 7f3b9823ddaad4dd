"""The witness's HTTP interface (tlog-witness): `POST /add-checkpoint`, nothing else.
The standard library's threading server is enough: each request is one small
transaction on the witness's database."""

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.witness.state import MAX_REQUEST_BYTES, Answer, WitnessState, refuse

logger = logging.getLogger(__name__)


class WitnessServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], state: WitnessState, key: Ed25519PrivateKey
    ) -> None:
        super().__init__(address, WitnessHandler)
        self.state = state
        self.key = key


class WitnessHandler(BaseHTTPRequestHandler):
    server: WitnessServer
    protocol_version = "HTTP/1.1"  # keep-alive, as the spec asks clients to use

    def do_POST(self) -> None:
        if self.path.split("?")[0] != "/add-checkpoint":
            self.send(refuse(404, "only POST /add-checkpoint is served here"))
            return
        try:
            length = int(self.headers.get("Content-Length") or -1)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BYTES:
            self.send(refuse(400, "a body with its Content-Length, at most 1 MiB"))
            return
        body = self.rfile.read(length)
        try:
            answer = self.server.state.add_checkpoint(body, self.server.key)
        except Exception:
            logger.exception("add-checkpoint failed")
            answer = refuse(500, "the witness failed; nothing was cosigned")
        self.send(answer)

    def do_GET(self) -> None:
        self.send(refuse(405, "the witness takes POST /add-checkpoint"))

    def send(self, answer: Answer) -> None:
        data = answer.body.encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)
