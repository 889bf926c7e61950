#!/usr/bin/python3
"""A local SMTP server (Debian's python3-aiosmtpd) that keeps what it receives: the delivery tests and
the demo use it. With a certificate it offers STARTTLS and requires it before MAIL; with `auth` it
requires AUTH (user:password) too.

Standalone (the demo): smtp_sink.py --port P --out DIR --cert CERT --key KEY writes each message to
DIR as <n>.eml and prints one line per message.
"""
import argparse, os, ssl, sys, threading, time, warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

warnings.filterwarnings("ignore", message="Session.login_data")  # aiosmtpd 1.4 warns about its own use


class SmtpSink:
    def __init__(self, cert=None, key=None, auth=None, out_dir=None, quiet=True):
        self.messages = []  # dicts: mail_from, rcpt_tos, content (bytes), at, tls
        self.lock = threading.Lock()
        self.out_dir, self.quiet = out_dir, quiet
        kwargs = {}
        if cert:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(cert, key)
            kwargs.update(tls_context=ctx, require_starttls=True)
        if auth:
            user, password = auth.split(":", 1)

            def authenticator(server, session, envelope, mechanism, data):
                ok = data is not None and data.login == user.encode() and data.password == password.encode()
                return AuthResult(success=ok)
            kwargs.update(auth_required=True, authenticator=authenticator, auth_require_tls=bool(cert))
        self.kwargs = kwargs
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        record = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                  "content": envelope.original_content or envelope.content, "at": time.time(),
                  "tls": session.ssl is not None}
        with self.lock:
            self.messages.append(record)
            n = len(self.messages)
        if self.out_dir:
            with open(os.path.join(self.out_dir, f"{n}.eml"), "wb") as f:
                f.write(record["content"])
        if not self.quiet:
            print(f"{time.strftime('%H:%M:%S')} mail from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}: "
                  f"{len(record['content'])} bytes, tls {record['tls']}", flush=True)
        return "250 Message accepted for delivery"

    def start(self, port):
        self.controller = Controller(self, hostname="127.0.0.1", port=port, **self.kwargs)
        self.controller.start()
        return port

    def stop(self):
        if self.controller:
            self.controller.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    a = parser.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sink = SmtpSink(cert=a.cert, key=a.key, out_dir=a.out, quiet=False)
    sink.start(a.port)
    print(f"smtp sink listening on 127.0.0.1:{a.port}{' (STARTTLS required)' if a.cert else ''}, "
          f"writing to {a.out}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.exit(0)
