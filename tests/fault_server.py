"""A misbehaving OpenAI-compatible server on loopback, for endpoint-fault tests.

Modes: `429` (with Retry-After), `503`, `hang` (never answers), `cut` (a stream or body
closed half-way), `badjson` (a well-formed completion whose content is not JSON), `ok`.
`hits` counts chat-completion requests, so tests can prove retries are bounded.

Run as a program (`python tests/fault_server.py --port P [--mode ok]`) it is a stand-in model
server child, for supervisor tests that kill it: it drives code paths and judges nothing.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FaultServer"]


def _completion(content: str) -> bytes:
    return json.dumps({
        "id": "fault-1", "object": "chat.completion", "created": 0, "model": "fault",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }).encode()


def _chunk(content: str) -> bytes:
    body = json.dumps({"id": "fault-1", "object": "chat.completion.chunk", "created": 0,
                       "model": "fault", "choices": [{"index": 0, "delta": {"content": content},
                                                      "finish_reason": None}]})
    return f"data: {body}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # /v1/models: what a model server's readiness probe reads
        self._send(200, json.dumps({"object": "list", "data": [
            {"id": "fault", "object": "model", "owned_by": "keel-tests"}]}).encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        with self.server.lock:
            self.server.hits += 1
            if self.server.announce:  # run as a program: its stdout is the server log
                print(f"request {self.server.hits} received", flush=True)
        mode = self.server.mode
        if mode in ("429", "503"):
            self._send(int(mode), json.dumps({"error": {"message": f"fault {mode}"}}).encode(),
                       {"Retry-After": "1"} if mode == "429" else {})
        elif mode == "hang":
            self.server.release.wait(self.server.hang_s)
            self.close_connection = True
        elif mode == "cut":
            self._cut(bool(request.get("stream")))
        else:
            self._send(200, _completion("this is not JSON {" if mode == "badjson"
                                        else self.server.reply))

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _cut(self, stream: bool) -> None:
        self.send_response(200)
        if stream:
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(_chunk("Half an ans"))
        else:
            body = _completion("a complete answer that never arrives")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True


class FaultServer(ThreadingHTTPServer):
    """`with FaultServer("503") as server: ... server.url ...`"""

    daemon_threads = True

    def __init__(self, mode: str, reply: str = "OK", hang_s: float = 60.0,
                 port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.mode, self.reply, self.hang_s = mode, reply, hang_s
        self.hits = 0
        self.announce = False
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()
        time.sleep(0.05)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--reply", default="OK")
    args = parser.parse_args()
    server = FaultServer(args.mode, reply=args.reply, port=args.port)
    server.announce = True
    print(f"fault server on port {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
