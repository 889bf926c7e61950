#!/usr/bin/python3
"""The sidecar against a real PostgreSQL and real WebSocket clients (Debian's python3-websockets).

Usage: sidecar_test.py SIDECAR_BINARY CLUSTER_DIR
Starts the sidecar against the throwaway cluster, checks the protocol end to end, prints one line per
check ("ok - ..." / "not ok - ..."), and exits non-zero when any failed.
"""
import asyncio, json, os, socket, ssl, subprocess, tempfile, urllib.request, urllib.error
import websockets

from harness import (BINARY, CLUSTER, DATABASE, ROOT, SECRET, check, metric, finish, free_port, psql, run_against_sidecar,
                     start_sidecar, stop_process, token)


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
        check("metrics count refused handshakes", metric(text, "autoreport_sidecar_refused_auth_total") == 4, text[:200])
        check("metrics count drops by reason",
              [metric(text, f'autoreport_sidecar_drops_total{{reason="{r}"}}')
               for r in ("frame_too_large", "rate_limit", "slow_consumer")] == [1, 1, 0],
              [l for l in text.splitlines() if "drops" in l])
        # Three notifications were delivered to a client: sales.emea twice, sales.apac after the restart.
        check("metrics have a histogram of the delivery delay",
              metric(text, "autoreport_sidecar_delivery_delay_seconds_count") == 3
              and metric(text, 'autoreport_sidecar_delivery_delay_seconds_bucket{le="+Inf"}') == 3,
              [l for l in text.splitlines() if "delay" in l])

    # SIGTERM: every connected client is told "going away" (1001).
    clients = [await websockets.connect(base + "?token=" + token("sc_reader")) for _ in range(20)]
    for i, ws in enumerate(clients):
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.emea", "id": i}))
        await recv_json(ws)
    proc.terminate()

    async def close_code(ws):
        try:
            await asyncio.wait_for(ws.recv(), 10)
            return "no close"
        except websockets.exceptions.ConnectionClosed as e:
            return e.code
    codes = await asyncio.gather(*(close_code(ws) for ws in clients))
    check("SIGTERM closes every client (20) with 1001", codes == [1001] * 20, codes)


async def tls_and_deflate(port, cafile):
    """A sidecar serving TLS only, with permessage-deflate on."""
    ctx = ssl.create_default_context(cafile=cafile)
    url = f"wss://127.0.0.1:{port}/?token=" + token("sc_reader")
    async with websockets.connect(url, ssl=ctx, compression="deflate") as ws:
        extensions = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        check("a client connects over TLS (wss) and negotiates permessage-deflate", "permessage-deflate" in extensions,
              extensions)
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.tls", "id": 1}))
        check("subscribing over TLS works", (await recv_json(ws)).get("type") == "subscribed")
        big = {"rows": ["sales " * 10 + str(i) for i in range(100)]}
        psql(f"SELECT pg_notify('sales.tls', '{json.dumps(big)}')")
        got = await recv_json(ws)
        check("a compressed notification arrives intact over TLS", got.get("payload") == big and got.get("seq") == 1,
              str(got)[:200])
    async with websockets.connect(url, ssl=ctx, compression=None) as ws:
        await ws.send(json.dumps({"op": "ping", "id": 7}))
        check("a client without permessage-deflate is served too", await recv_json(ws) == {"type": "pong", "id": 7})
    with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", timeout=10, context=ctx) as r:
        check("healthz answers over HTTPS", r.status == 200)
    failures_before = tls_failures(port, ctx)
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
        check("plain HTTP is not served when TLS is configured", False, "answered")
    except (urllib.error.URLError, ConnectionError, OSError):
        check("plain HTTP is not served when TLS is configured", True)
    failures_after = tls_failures(port, ctx)
    check("metrics count the failed TLS handshake", failures_after == failures_before + 1,
          (failures_before, failures_after))


def tls_failures(port, ctx):
    with urllib.request.urlopen(f"https://127.0.0.1:{port}/metrics", timeout=10, context=ctx) as r:
        return metric(r.read().decode(), "autoreport_sidecar_tls_failures_total")


async def slow_client(port):
    """A client that stops reading is closed as slow (its queue over the limit with nothing leaving it for
    --slow-consumer-seconds 2); 100 others still receive everything, even on a busy machine."""
    base = f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    slow = await websockets.connect(base, sock=sock, max_queue=None)
    await slow.send(json.dumps({"op": "subscribe", "channel": "sales.slow", "id": 1}))
    await recv_json(slow)
    slow.transport.pause_reading()  # from here on it reads nothing
    load = await asyncio.create_subprocess_exec(
        f"{ROOT}/build/sidecar-load", "count", "--url", f"ws://127.0.0.1:{port}/", "--token", token("sc_reader"),
        "--database", DATABASE, "--channel", "sales.slow", "--clients", "100",
        "--notifications", "3000", "--payload-bytes", "2000", "--rate", "1000", "--timeout", "60",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output = (await load.communicate())[0].decode()
    check("100 clients each receive all 3000 notifications while one client stops reading",
          load.returncode == 0, output[-600:])
    for _ in range(30):  # it may finish its close after the others have all they were sent
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            text = r.read().decode()
        if metric(text, 'autoreport_sidecar_drops_total{reason="slow_consumer"}'):
            break
        await asyncio.sleep(0.5)
    check("the client that stopped reading is closed as a slow consumer, counted once",
          metric(text, 'autoreport_sidecar_drops_total{reason="slow_consumer"}') == 1,
          [l for l in text.splitlines() if "drops" in l])
    slow.transport.resume_reading()
    received, code, reason = 0, None, None
    try:
        while True:
            await asyncio.wait_for(slow.recv(), 30)
            received += 1
    except websockets.exceptions.ConnectionClosed as e:
        code, reason = e.code, e.reason
    except asyncio.TimeoutError:
        code = "timeout"
    # Its close frame waits behind what it was sent; if that cannot drain within the close deadline, the
    # connection is reset (1006) instead.
    check("the slow client gets close 1008 \"slow consumer\" after what it was sent, or a reset",
          (code, reason) in ((1008, "slow consumer"), (1006, "")) and received < 3000, (code, reason, received))


async def keepalive(port):
    """--ping-interval 1 --pong-timeout 1: a quiet client that answers pings stays; one that does not is dropped."""
    url = f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")
    answering = await websockets.connect(url, ping_interval=None)  # answers pings, sends none of its own
    silent = await websockets.connect(url, ping_interval=None)
    silent.transport.pause_reading()  # reads nothing, so answers no ping
    await asyncio.sleep(4.5)
    await answering.send(json.dumps({"op": "ping", "id": 1}))
    check("a quiet client that answers the server's pings stays connected",
          await recv_json(answering) == {"type": "pong", "id": 1})
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    check("a client that does not answer a ping within --pong-timeout is dropped, counted once",
          metric(text, 'autoreport_sidecar_drops_total{reason="pong_timeout"}') == 1
          and metric(text, "autoreport_sidecar_connections") == 1,
          [l for l in text.splitlines() if "drops" in l or l.startswith("autoreport_sidecar_connections ")])
    await answering.close()


async def two_instances(port):
    """Two sidecars sharing one port (--reuse-port on): every client hears the notification."""
    url = f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")
    clients = [await websockets.connect(url) for _ in range(40)]
    for i, ws in enumerate(clients):
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.shared", "id": i}))
        await recv_json(ws)
    psql("SELECT pg_notify('sales.shared', 'to all')")
    got = [await recv_json(ws) for ws in clients]
    check("two sidecars on one port (--reuse-port): all 40 clients receive the notification",
          all(g.get("payload") == "to all" for g in got), got[:2])
    for ws in clients:
        await ws.close()


async def revoke(port):
    """Revoking a grant ends live subscriptions within --grant-cache-seconds (1 here)."""
    psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc_temp') THEN CREATE ROLE sc_temp; END IF; END $$")
    psql("SELECT autoreport.grant_channel('sc_temp', 'temp.*')")
    async with websockets.connect(f"ws://127.0.0.1:{port}/?token=" + token("sc_temp")) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channel": "temp.feed", "id": 1}))
        check("a granted role subscribes (before the revoke)", (await recv_json(ws)).get("type") == "subscribed")
        psql("SELECT pg_notify('temp.feed', 'before')")
        check("and hears the channel", (await recv_json(ws)).get("payload") == "before")
        psql("SELECT autoreport.revoke_channel('sc_temp', 'temp.*')")
        ended = await recv_json(ws, timeout=10)
        check("revoking the grant ends the live subscription, and the client is told",
              ended == {"type": "unsubscribed", "channel": "temp.feed", "reason": "revoked"}, ended)
        psql("SELECT pg_notify('temp.feed', 'after')")
        await ws.send(json.dumps({"op": "ping", "id": 2}))
        check("nothing arrives from the channel after the revoke", await recv_json(ws) == {"type": "pong", "id": 2})
        await ws.send(json.dumps({"op": "subscribe", "channel": "temp.feed", "id": 3}))
        again = await recv_json(ws)
        check("subscribing again is refused", again.get("type") == "error" and again.get("code") == "forbidden", again)


async def run_event(ws, run_id, timeout=60):
    """The payload of the notification about run run_id, or None when none came within the timeout."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            frame = await recv_json(ws, left)
        except asyncio.TimeoutError:
            break
        payload = frame.get("payload")
        if frame.get("type") == "notify" and isinstance(payload, dict) and payload.get("run_id") == run_id:
            return payload
    return None


async def scheduled_job(port):
    """A job run by the scheduler's background worker: the run's NOTIFY reaches a WebSocket client intact."""
    psql("SELECT autoreport.define_report('sc_numbers', $$SELECT g AS n, 10 * g AS tens FROM generate_series(1, :n) AS g$$,"
         """ '{"n": {"type": "integer", "default": 3}}')""")
    psql("""SELECT autoreport.define_report('sc_divide', $$SELECT 1 / :d AS x$$, '{"d": {"type": "integer", "default": 0}}')""")
    job_id = int(psql("""SELECT autoreport.schedule('sc_job', '0 0 1 1 *', 'sc_numbers', '{"n": 7}', 'csv', 'UTC',
                                                    '{"channel": "sales.jobs", "retries": 0}')"""))
    psql("""SELECT autoreport.schedule('sc_failing', '0 0 1 1 *', 'sc_divide', time_zone => 'UTC',
                                       options => '{"channel": "sales.jobs", "retries": 0}')""")
    iso = "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"
    async with websockets.connect(f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.jobs", "id": 1}))
        await recv_json(ws)
        run_id = int(psql("SELECT autoreport.run_now('sc_job')"))
        got = await run_event(ws, run_id)
        finished = json.dumps(got.get("finished_at")) if got else "null"  # a JSON string, or null
        row = psql(f"""SELECT json_build_object('status', r.status, 'rows', r.rows, 'bytes', r.bytes, 'output_id', r.output_id,
                              'size', o.size, 'read', octet_length(autoreport.output(r.output_id)),
                              'scheduled_for', to_char(r.scheduled_for AT TIME ZONE 'UTC', {iso}),
                              'started_at', to_char(r.started_at AT TIME ZONE 'UTC', {iso}),
                              'finished_lag', abs(extract(epoch FROM r.finished_at - ('{finished}'::jsonb ->> 0)::timestamptz)))
                         FROM autoreport.job_runs AS r JOIN autoreport.outputs AS o ON o.id = r.output_id
                        WHERE r.id = {run_id}""")
        run = json.loads(row) if row else {}
        check("a scheduled job's run (run_now) sends report_ready, and a WebSocket client receives it", got is not None)
        expected = {"event": "report_ready", "job": "sc_job", "job_id": job_id, "report": "sc_numbers", "format": "csv",
                    "run_id": run_id, "attempt": 1, "manual": True, "output_id": run.get("output_id"), "rows": 7,
                    "bytes": run.get("bytes"), "scheduled_for": run.get("scheduled_for"),
                    "started_at": run.get("started_at"), "deliveries": []}
        check("its payload arrives intact: the job, report, run, output, rows and bytes that job_runs recorded",
              got is not None and run.get("status") == "succeeded" and run.get("rows") == 7
              and run.get("bytes") == run.get("size") == run.get("read")
              and {k: v for k, v in got.items() if k != "finished_at"} == expected, [got, run])
        check("its finished_at is the run's finish time, in UTC",
              run.get("finished_lag") is not None and run["finished_lag"] < 5, [got, run])

        run_id = int(psql("SELECT autoreport.run_now('sc_failing')"))
        got = await run_event(ws, run_id)
        failed_run = psql(f"SELECT status || ' ' || sqlstate FROM autoreport.job_runs WHERE id = {run_id}")
        check("a failing run sends report_failed with its error and SQLSTATE, and no retry when none is left",
              got is not None and got.get("event") == "report_failed" and got.get("sqlstate") == "22012"
              and "division by zero" in got.get("error", "") and "retry_at" in got and got["retry_at"] is None
              and got.get("output_id") is None and failed_run == "failed 22012", [got, failed_run])
    psql("SELECT autoreport.unschedule('sc_job')")
    psql("SELECT autoreport.unschedule('sc_failing')")


psql("CREATE EXTENSION IF NOT EXISTS autoreport")
psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc_reader') THEN CREATE ROLE sc_reader; END IF; END $$")
psql("SELECT autoreport.grant_channel('sc_reader', 'sales.*')")
port = free_port()
proc = start_sidecar(port, "--shutdown-seconds", "1", "--max-messages-per-minute", "30")
try:
    asyncio.run(main(port))
finally:
    try:
        proc.wait(timeout=15)
        check("the sidecar exits after SIGTERM", True)
    except subprocess.TimeoutExpired:
        proc.kill()
        check("the sidecar exits after SIGTERM", False, "still running")

run_against_sidecar(slow_client, "--slow-consumer-seconds", "2")

run_against_sidecar(keepalive, "--ping-interval", "1", "--pong-timeout", "1")

run_against_sidecar(revoke, "--grant-cache-seconds", "1")

run_against_sidecar(scheduled_job)

port = free_port()
procs = [start_sidecar(port, "--reuse-port", "on") for _ in range(2)]
try:
    check("both sidecars are running on the shared port", all(p.poll() is None for p in procs))
    asyncio.run(two_instances(port))
    loner = subprocess.run([BINARY, "--port", str(port)],
                           env=dict(os.environ, AUTOREPORT_SIDECAR_JWT_SECRET=SECRET, AUTOREPORT_SIDECAR_DATABASE=DATABASE), capture_output=True, text=True, timeout=10)
    check("without --reuse-port a third sidecar cannot take the port", loner.returncode != 0, loner.returncode)
finally:
    for p in procs:
        stop_process(p)

with tempfile.TemporaryDirectory() as tmp:
    cert, key = f"{tmp}/cert.pem", f"{tmp}/key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    run_against_sidecar(lambda port: tls_and_deflate(port, cert), "--tls-certificate-file", cert, "--tls-key-file", key,
                        "--permessage-deflate", "on")
finish()
