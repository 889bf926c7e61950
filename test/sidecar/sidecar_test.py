#!/usr/bin/python3
"""The sidecar against a real PostgreSQL and real WebSocket clients (Debian's python3-websockets).

Usage: sidecar_test.py SIDECAR_BINARY CLUSTER_DIR
Starts the sidecar against the throwaway cluster, checks the protocol end to end, prints one line per
check ("ok - ..." / "not ok - ..."), and exits non-zero when any failed.
"""
import asyncio, base64, hashlib, hmac, json, os, socket, subprocess, sys, time, urllib.request, urllib.error
import websockets

BINARY, CLUSTER = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "test-secret-that-is-long-enough-0123456789"
failed = 0


def check(what, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + what + ("" if ok else f"  ({detail})"), flush=True)
    failed += 0 if ok else 1


def psql(sql):
    return subprocess.run([f"{ROOT}/scripts/cluster.sh", "psql", CLUSTER, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(role, exp_in=600, alg="HS256", secret=SECRET):
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64(json.dumps({"role": role, "exp": int(time.time()) + exp_in}).encode())
    signing = f"{header}.{payload}".encode()
    sig = b64(hmac.new(secret.encode(), signing, hashlib.sha256).digest()) if alg == "HS256" else ""
    return f"{header}.{payload}.{sig}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def recv_json(ws, timeout=10):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def handshake_status(url, headers=None):
    try:
        async with websockets.connect(url, extra_headers=headers or {}, open_timeout=10):
            return 101
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code


async def main(port):
    base = f"ws://127.0.0.1:{port}/"
    # Handshakes that must be refused: no token, expired, wrong secret, alg none, foreign Origin.
    check("no token is refused with 401", await handshake_status(base) == 401)
    check("an expired token is refused with 401", await handshake_status(base + "?token=" + token("sc_reader", -120)) == 401)
    check("a wrongly signed token is refused with 401",
          await handshake_status(base + "?token=" + token("sc_reader", secret="another-secret-0123456789abcdef!")) == 401)
    check("alg none is refused with 401", await handshake_status(base + "?token=" + token("sc_reader", alg="none")) == 401)
    check("a foreign Origin is refused with 403",
          await handshake_status(base + "?token=" + token("sc_reader"), {"Origin": "https://evil.example"}) == 403)

    async with websockets.connect(base, extra_headers={"Authorization": "Bearer " + token("sc_reader")}) as ws:
        await ws.send(json.dumps({"op": "ping", "id": 1}))
        check("ping gets pong", await recv_json(ws) == {"type": "pong", "id": 1})
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.emea", "id": 2}))
        reply = await recv_json(ws)
        check("a granted channel is subscribed", reply == {"type": "subscribed", "channel": "sales.emea", "id": 2}, reply)
        await ws.send(json.dumps({"op": "subscribe", "channel": "hr.salaries", "id": 3}))
        reply = await recv_json(ws)
        check("a channel without a grant is refused", reply.get("type") == "error" and reply.get("code") == "forbidden", reply)
        psql("""SELECT pg_notify('sales.emea', '{"output_id": 42}')""")
        psql("SELECT pg_notify('hr.salaries', 'secret')")
        psql("SELECT pg_notify('sales.emea', 'plain text')")
        first, second = await recv_json(ws), await recv_json(ws)
        check("a NOTIFY arrives with its JSON payload embedded",
              first.get("type") == "notify" and first.get("payload") == {"output_id": 42} and first.get("seq") == 1, first)
        check("a non-JSON payload arrives as a string, and nothing from the refused channel",
              second.get("payload") == "plain text" and second.get("seq") == 2, second)
        await ws.send(json.dumps({"op": "unsubscribe", "channel": "sales.emea", "id": 4}))
        check("unsubscribe is confirmed", (await recv_json(ws)).get("type") == "unsubscribed")
        psql("SELECT pg_notify('sales.emea', 'after')")
        await ws.send(json.dumps({"op": "ping", "id": 5}))
        check("nothing arrives after unsubscribing", await recv_json(ws) == {"type": "pong", "id": 5})
        await ws.send("not json")
        check("a malformed frame gets an error", (await recv_json(ws)).get("code") == "bad_json")
        await ws.send("x" * 70000)
        try:
            await asyncio.wait_for(ws.recv(), 10)
            check("an oversize frame closes with 1009", False, "no close")
        except websockets.exceptions.ConnectionClosed as e:
            check("an oversize frame closes with 1009", e.code == 1009, e.code)

    # The database restarts under a subscribed client: it is told of the gap, then hears new notifications.
    async with websockets.connect(base + "?token=" + token("sc_reader")) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.apac", "id": 1}))
        await recv_json(ws)
        db_port = open(CLUSTER + "/port").read().strip()
        subprocess.run([f"{ROOT}/scripts/cluster.sh", "stop", CLUSTER], check=True, capture_output=True)
        subprocess.run([f"{ROOT}/scripts/cluster.sh", "start", CLUSTER], check=True, capture_output=True,
                       env=dict(os.environ, AUTOREPORT_PORT_BASE=db_port))
        check("the database came back on its port", open(CLUSTER + "/port").read().strip() == db_port)
        gap = await recv_json(ws, timeout=60)
        check("a subscribed client gets a gap frame after the database restarted",
              gap.get("type") == "gap" and gap.get("channels") == ["sales.apac"], gap)
        psql("SELECT pg_notify('sales.apac', 'after restart')")
        after = await recv_json(ws, timeout=30)
        check("notifications flow again after the restart", after.get("payload") == "after restart", after)

    # A client sending more frames a minute than allowed is closed with 1008.
    async with websockets.connect(base + "?token=" + token("sc_reader")) as ws:
        try:
            for i in range(40):
                await ws.send(json.dumps({"op": "ping", "id": i}))
            for _ in range(41):
                await asyncio.wait_for(ws.recv(), 10)
            check("a client over the message rate is closed with 1008", False, "not closed")
        except websockets.exceptions.ConnectionClosed as e:
            check("a client over the message rate is closed with 1008", e.code == 1008, e.code)

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
        check("healthz answers 200 when the database is up", r.status == 200)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
        check("metrics count refused handshakes", "autoreport_sidecar_refused_auth_total 4" in text, text[:200])

    # SIGTERM: a connected client is told "going away" (1001).
    async with websockets.connect(base + "?token=" + token("sc_reader")) as ws:
        proc.terminate()
        try:
            await asyncio.wait_for(ws.recv(), 10)
            check("SIGTERM closes clients with 1001", False, "no close")
        except websockets.exceptions.ConnectionClosed as e:
            check("SIGTERM closes clients with 1001", e.code == 1001, e.code)


psql("CREATE EXTENSION IF NOT EXISTS autoreport")
psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc_reader') THEN CREATE ROLE sc_reader; END IF; END $$")
psql("SELECT autoreport.grant_channel('sc_reader', 'sales.*')")
port = free_port()
env = dict(os.environ, AUTOREPORT_SIDECAR_JWT_SECRET=SECRET,
           AUTOREPORT_SIDECAR_DATABASE=f"host=127.0.0.1 port={open(CLUSTER + '/port').read().strip()} user=postgres dbname=postgres")
proc = subprocess.Popen([BINARY, "--port", str(port), "--shutdown-seconds", "1", "--max-messages-per-minute", "30"],
                        env=env, stderr=subprocess.DEVNULL, text=True)
for _ in range(100):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            break
    except OSError:
        time.sleep(0.1)
try:
    asyncio.run(main(port))
finally:
    try:
        proc.wait(timeout=15)
        check("the sidecar exits after SIGTERM", True)
    except subprocess.TimeoutExpired:
        proc.kill()
        check("the sidecar exits after SIGTERM", False, "still running")
print(f"{failed} checks failed")
sys.exit(1 if failed else 0)
