#!/usr/bin/python3
"""The sidecar when things go wrong around it: a hung database, a locked grants table, a client that
stops reading.

Usage: availability_test.py SIDECAR_BINARY CLUSTER_DIR
Prints one line per check ("ok - ..." / "not ok - ...") and exits non-zero when any failed.
"""
import asyncio, json, os, signal, socket, subprocess, time, urllib.request, urllib.error
import websockets

from harness import CLUSTER, DATABASE, ROOT, check, metric, finish, psql, run_against_sidecar, token



def get(port, path, timeout=10):
    """(status, body, seconds taken) of GET path; status is the exception's repr when there is no answer."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), time.monotonic() - started
    except Exception as e:  # no answer at all
        return repr(e), "", time.monotonic() - started


async def aget(port, path, timeout=10):
    return await asyncio.get_running_loop().run_in_executor(None, get, port, path, timeout)


async def recv_json(ws, timeout=10):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def postmaster_pid():
    return int(open(CLUSTER + "/data/postmaster.pid").readline())


async def hung_database(port):
    """SIGSTOP the postmaster and kill the sidecar's backend: the sidecar's reconnection hangs in the
    server's backlog. /healthz and WebSocket pings must still be answered, within 2 s."""
    url = f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")
    async with websockets.connect(url, ping_interval=None) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channel": "sales.hung", "id": 1}))
        check("a client subscribes before the outage", (await recv_json(ws)).get("type") == "subscribed")
        backend = int(psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'sc_hung'"))
        postmaster = postmaster_pid()
        os.kill(postmaster, signal.SIGSTOP)
        try:
            os.kill(backend, signal.SIGTERM)
            await asyncio.sleep(1)
            status, body, took = await aget(port, "/healthz", timeout=10)
            check("during the outage /healthz answers 503 within 2 s", status == 503 and took < 2.5, (status, body, took))
            started = time.monotonic()
            try:
                await asyncio.wait_for(await ws.ping(), 5)
                took = time.monotonic() - started
            except asyncio.TimeoutError:
                took = "no pong"
            check("during the outage a WebSocket ping gets its pong at once", took != "no pong" and took < 1, took)
            await ws.send(json.dumps({"op": "ping", "id": 2}))
            try:
                answer = await recv_json(ws, 5)
            except asyncio.TimeoutError:
                answer = "no answer"
            check("during the outage the protocol's ping is answered", answer == {"type": "pong", "id": 2}, answer)
            await asyncio.sleep(3)  # a connection attempt has outlived --connect-timeout 2
            status, body, took = await aget(port, "/healthz", timeout=10)
            check("/healthz says the database timed out, with a reason code only",
                  status == 503 and json.loads(body or "{}") == {"status": "unavailable", "reason": "database_timeout"}
                  and took < 2.5, (status, body, took))
            started = time.monotonic()
            await ws.send(json.dumps({"op": "subscribe", "channel": "sales.hung2", "id": 3}))
            reply = await recv_json(ws, 15)
            check("during the outage a subscribe is answered 'unavailable' within --query-timeout",
                  reply.get("type") == "error" and reply.get("code") == "unavailable" and reply.get("id") == 3
                  and time.monotonic() - started < 5, (reply, time.monotonic() - started))
        finally:
            os.kill(postmaster, signal.SIGCONT)
        gap = await recv_json(ws, 30)
        check("after the outage the client gets a gap frame", gap.get("type") == "gap" and gap.get("channels") == ["sales.hung"], gap)
        status, body, _ = await aget(port, "/healthz")
        check("after the outage /healthz answers 200", status == 200, (status, body))
        psql("SELECT pg_notify('sales.hung', 'back')")
        got = await recv_json(ws, 10)
        check("after the outage notifications flow again", got.get("payload") == "back", got)
    status, text, _ = await aget(port, "/metrics")
    check("metrics count the database timeouts", (metric(text, "autoreport_sidecar_database_timeouts_total") or 0) >= 1,
          [l for l in text.splitlines() if "timeouts" in l])


async def locked_grants(port):
    """A transaction holds the grants table locked: a subscribe is answered 'unavailable' after
    --query-timeout (2 s) and /healthz says why meanwhile, within its own 2 s."""
    locker = subprocess.Popen([f"{ROOT}/scripts/cluster.sh", "psql", CLUSTER, "-qAt", "-c",
                               "BEGIN; LOCK TABLE autoreport.channel_grant IN ACCESS EXCLUSIVE MODE; "
                               "SELECT pg_sleep(8); COMMIT;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and psql(
                "SELECT count(*) FROM pg_locks WHERE relation = 'autoreport.channel_grant'::regclass AND mode = 'AccessExclusiveLock'") != "1":
            await asyncio.sleep(0.1)
        url = f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")
        async with websockets.connect(url) as ws:
            started = time.monotonic()
            await ws.send(json.dumps({"op": "subscribe", "channel": "sales.locked", "id": 1}))
            await asyncio.sleep(0.5)
            status, body, took = await aget(port, "/healthz", timeout=10)
            check("while the grants table is locked /healthz answers 503 database_timeout within 2 s",
                  status == 503 and json.loads(body or "{}").get("reason") == "database_timeout" and took < 2.5,
                  (status, body, took))
            reply = await recv_json(ws, 15)
            took = time.monotonic() - started
            check("a subscribe waiting on the locked grants table is answered 'unavailable' after --query-timeout",
                  reply.get("type") == "error" and reply.get("code") == "unavailable" and 1.5 < took < 4.5, (reply, took))
            locker.wait(timeout=30)
            status, body, _ = await aget(port, "/healthz")
            check("once the lock is gone /healthz answers 200 again", status == 200, (status, body))
            await ws.send(json.dumps({"op": "subscribe", "channel": "sales.locked", "id": 2}))
            reply = await recv_json(ws, 10)
            check("and the same subscribe succeeds", reply == {"type": "subscribed", "channel": "sales.locked", "id": 2}, reply)
    finally:
        if locker.poll() is None:
            locker.kill()
            locker.wait()


async def stuck_client(port):
    """A client that stops reading is closed as slow; its close frame cannot get through, so within the
    close deadline (5 s) its connection is torn down and no longer counted."""
    url = f"ws://127.0.0.1:{port}/?token=" + token("sc_reader")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    client_port = sock.getsockname()[1]
    stuck = await websockets.connect(url, sock=sock, max_queue=None, ping_interval=None)
    await stuck.send(json.dumps({"op": "subscribe", "channel": "sales.stuck", "id": 1}))
    await recv_json(stuck)
    stuck.transport.pause_reading()
    # 9.5 MB at once: beyond the kernel's socket buffers (at most 4 MB here) and 16 x --queue-bytes 131072.
    psql("SELECT pg_notify('sales.stuck', repeat('x', 7900) || g) FROM generate_series(1, 1200) AS g")
    closed_at = None
    for _ in range(40):
        _, text, _ = await aget(port, "/metrics")
        if metric(text, 'autoreport_sidecar_drops_total{reason="slow_consumer"}') == 1 and closed_at is None:
            closed_at = time.monotonic()
        if closed_at is not None and metric(text, "autoreport_sidecar_connections") == 0:
            break
        await asyncio.sleep(0.5)
    check("the client that stopped reading is closed as a slow consumer", closed_at is not None)
    gone_after = time.monotonic() - closed_at if closed_at else None
    check("within the close deadline it is no longer counted (connections gauge 0, sockets gauge 1)",
          metric(text, "autoreport_sidecar_connections") == 0 and metric(text, "autoreport_sidecar_sockets") == 1
          and gone_after is not None and gone_after < 7.5, (gone_after, [l for l in text.splitlines() if "sockets" in l or l.startswith("autoreport_sidecar_connections ")]))
    established = subprocess.run(["ss", "-tnH", "state", "established", f"( sport = :{port} and dport = :{client_port} )"],
                                 capture_output=True, text=True).stdout.strip()
    check("the server's side of its TCP connection is gone", established == "", established)
    stuck.transport.resume_reading()
    try:
        while True:
            await asyncio.wait_for(stuck.recv(), 10)
    except websockets.exceptions.ConnectionClosed as e:
        check("the stopped client, reading again, finds its connection ended", True, e)
    except asyncio.TimeoutError:
        check("the stopped client, reading again, finds its connection ended", False, "still open")


def run(scenario, database, *flags):
    run_against_sidecar(scenario, "--shutdown-seconds", "1", *flags, database=database)


psql("CREATE EXTENSION IF NOT EXISTS autoreport")
psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sc_reader') THEN CREATE ROLE sc_reader; END IF; END $$")
psql("SELECT autoreport.grant_channel('sc_reader', 'sales.*')")
run(hung_database, DATABASE + " application_name=sc_hung", "--connect-timeout", "2", "--query-timeout", "3")
run(locked_grants, DATABASE, "--query-timeout", "2")
run(stuck_client, DATABASE, "--queue-bytes", "131072")
finish()
