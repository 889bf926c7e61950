#!/usr/bin/python3
"""A webhook receiver for the sidecar's deliveries: the delivery tests, the demo and the delivery
benchmark use it. It records every request, verifies X-Autoreport-Signature the way a user's receiver
should (receiver_verify below is the snippet the README shows), and answers by path:

  /ok                 200
  /status/CODE        always CODE
  /flaky/N            500 to the first N requests of each Idempotency-Key, then 200
  /retry-after/S      429 with Retry-After: S to the first request of each key, then 200
  /slow/S             waits S seconds, then 200
  /hang               the first request of each key gets no answer for 60 s; later ones 200
  /redirect           302 to /ok (a sender must not follow it)

Standalone (the demo): receiver.py --port P --out DIR [--secret VALUE] writes each accepted body to DIR
under its delivery id and file name, and prints one line per request.
"""
import argparse, hashlib, hmac, http.server, os, re, sys, threading, time


def receiver_verify(secret: str, headers, body: bytes, tolerance=300) -> bool:
    """True when the request was signed with secret less than `tolerance` seconds ago."""
    timestamp = headers.get("X-Autoreport-Timestamp", "")
    signature = headers.get("X-Autoreport-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


class Receiver:
    """A threaded HTTP/1.1 server on 127.0.0.1 recording requests: start() returns its port."""

    def __init__(self, secret=None, out_dir=None, quiet=True, tls=None):
        self.secret, self.out_dir, self.quiet = secret, out_dir, quiet
        self.tls = tls  # (certificate file, key file): HTTPS
        self.requests = []  # dicts: path, headers, body, at, status, signed
        self.lock = threading.Lock()
        self.seen = {}  # (path, key) -> requests so far
        self.server = None

    def start(self, port=0):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                owner.handle(self, body)

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # the listen backlog (5 by default) for a sender's parallel connections

        self.server = Server(("127.0.0.1", port), Handler)
        if self.tls:
            import ssl
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(*self.tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.server_address[1]

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def handle(self, h, body):
        key = h.headers.get("Idempotency-Key", "")
        with self.lock:
            n = self.seen.get((h.path, key), 0)
            self.seen[(h.path, key)] = n + 1
        status, extra = 200, {}
        m = re.fullmatch(r"/(\w[\w-]*)(?:/(\d+))?", h.path)
        kind, arg = (m.group(1), int(m.group(2) or 0)) if m else ("ok", 0)
        if kind == "status":
            status = arg
        elif kind == "flaky" and n < arg:
            status = 500
        elif kind == "retry-after" and n == 0:
            status, extra = 429, {"Retry-After": str(arg)}
        elif kind == "redirect":
            status, extra = 302, {"Location": "/ok"}
        # Recorded on arrival (a request that hangs is seen at once); "at" is when it arrived.
        record = {"path": h.path, "headers": dict(h.headers.items()), "body": body, "at": time.time(),
                  "status": status, "key": key,
                  "signed": receiver_verify(self.secret, h.headers, body) if self.secret else None}
        with self.lock:
            self.requests.append(record)
        if kind == "slow":
            time.sleep(arg)
        elif kind == "hang" and n == 0:
            time.sleep(60)
        if 200 <= status < 300 and self.out_dir:
            disposition = h.headers.get("Content-Disposition", "")
            name = re.search(r'filename="([^"/]+)"', disposition)
            file_name = f"{h.headers.get('X-Autoreport-Delivery', 'x')}-" + (name.group(1) if name else "body")
            with open(os.path.join(self.out_dir, file_name), "wb") as f:
                f.write(body)
        if not self.quiet:
            print(f"{time.strftime('%H:%M:%S')} {h.path} delivery {h.headers.get('X-Autoreport-Delivery')} "
                  f"{len(body)} bytes signature {'ok' if record['signed'] else 'BAD' if self.secret else '-'} "
                  f"-> {status}", flush=True)
        reply = b"" if 200 <= status < 300 else f"{status}\n".encode()
        try:
            h.send_response(status)
            for k, v in extra.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(reply)))
            h.end_headers()
            h.wfile.write(reply)
        except OSError:
            pass

    def matching(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]


class FastReceiver:
    """The same records as Receiver (every request answered 200), on one asyncio event loop in a thread
    instead of a thread per connection: for the delivery benchmark, where the receiver must not be what
    limits the rate. HTTP/1.1 with keep-alive and Content-Length bodies only."""

    def __init__(self, secret=None):
        self.secret = secret
        self.requests = []
        self.lock = threading.Lock()
        self.loop = None
        self.server = None

    def start(self, port=0):
        import asyncio
        owner = self
        ready = threading.Event()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                self.transport, self.buffer = transport, bytearray()

            def data_received(self, data):
                self.buffer += data
                while True:
                    end = self.buffer.find(b"\r\n\r\n")
                    if end < 0:
                        return
                    head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
                    headers = {}
                    for line in head[1:]:
                        name, _, value = line.partition(":")
                        headers[name.strip().title()] = value.strip()
                    length = int(headers.get("Content-Length", "0"))
                    if len(self.buffer) < end + 4 + length:
                        return
                    body = bytes(self.buffer[end + 4:end + 4 + length])
                    del self.buffer[:end + 4 + length]
                    path = head[0].split(" ")[1] if " " in head[0] else "/"
                    owner.record(path, headers, body)
                    self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

        def run():
            self.loop = asyncio.new_event_loop()
            self.server = self.loop.run_until_complete(
                self.loop.create_server(Protocol, "127.0.0.1", port, backlog=256))
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)
        return self.server.sockets[0].getsockname()[1]

    def record(self, path, headers, body):
        signed = None
        if self.secret:
            signed = receiver_verify(self.secret, headers, body)
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "body": body, "at": time.time(), "status": 200,
                                  "key": headers.get("Idempotency-Key", ""), "signed": signed})

    def matching(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def stop(self):
        if self.loop:
            self.loop.call_soon_threadsafe(self.server.close)
            self.loop.call_soon_threadsafe(self.loop.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--secret", default=os.environ.get("RECEIVER_SECRET"))
    a = parser.parse_args()
    os.makedirs(a.out, exist_ok=True)
    r = Receiver(secret=a.secret, out_dir=a.out, quiet=False)
    print(f"receiver listening on 127.0.0.1:{r.start(a.port)}, writing to {a.out}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.exit(0)
