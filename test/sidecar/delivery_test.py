#!/usr/bin/python3
"""Deliveries end to end: a preloaded PostgreSQL runs jobs, the sidecar sends their outputs to a real
HTTP receiver and a real SMTP server (Debian's python3-aiosmtpd) on loopback, and every attempt is
checked in autoreport.deliveries and on the wire.

Usage: delivery_test.py SIDECAR_BINARY CLUSTER_DIR (the cluster must preload autoreport)
Prints one line per check ("ok - ..." / "not ok - ...") and exits non-zero when any failed.
"""
import asyncio, base64, email, email.policy, json, os, signal, subprocess, tempfile, time, urllib.request
import websockets

import harness
from harness import CLUSTER, SECRET, check, finish, free_port, metric, psql, token, wait_for_port
from receiver import Receiver, receiver_verify
from smtp_sink import SmtpSink

DB_PORT = open(CLUSTER + "/port").read().strip()
HOOK_SECRET = "whsec-0123456789abcdef-test-secret"
SMTP_AUTH = "mailer:mail-password-123"
WORK = tempfile.mkdtemp(prefix="delivery-test-")
FINAL = ("delivered", "given_up")


def q(sql):
    try:
        return psql(sql)
    except subprocess.CalledProcessError as e:
        print(f"# psql failed: {e.stderr.strip()}")
        raise


def lit(text):
    return "'" + text.replace("'", "''") + "'"


def wait_until(what, fn, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return True
        time.sleep(interval)
    print(f"# waited {timeout} s for {what}: last saw {last!r}")
    return False


def deliveries(where):
    """Rows of autoreport.deliveries as dicts, by id."""
    rows = q("SELECT coalesce(json_agg(d ORDER BY id), '[]') FROM autoreport.deliveries AS d WHERE " + where)
    return json.loads(rows)


def settled(where, count):
    """Whether `count` deliveries matching `where` have reached a final status."""
    return q(f"SELECT count(*) FROM autoreport.deliveries WHERE ({where}) AND status IN ('delivered', 'given_up')") \
        == str(count)


def output_bytes(output_id):
    return base64.b64decode(q(f"SELECT encode(autoreport.output({output_id}), 'base64')").replace("\n", ""))


def run_job(job):
    """Runs a job now and waits for the run to succeed; returns the run's id."""
    run = q(f"SELECT autoreport.run_now({lit(job)})")
    ok = wait_until(f"run {run} of {job}",
                    lambda: q(f"SELECT status FROM autoreport.job_runs WHERE id = {run}") == "succeeded", 60)
    check(f"run of {job} succeeded", ok, q(f"SELECT status || ' ' || coalesce(error, '') FROM autoreport.job_runs WHERE id = {run}"))
    return int(run)


# --- setup --------------------------------------------------------------------------------------------
cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
               check=True, capture_output=True)
secrets_file = os.path.join(WORK, "secrets")
with open(secrets_file, "w") as f:
    f.write(f"# webhook and SMTP secrets\nhook={HOOK_SECRET}\nsmtp={SMTP_AUTH}\n")
os.chmod(secrets_file, 0o600)

receiver = Receiver(secret=HOOK_SECRET)
HOOK_PORT = receiver.start()
SMTP_PORT = free_port()
sink = SmtpSink(cert=cert, key=key, auth=SMTP_AUTH)
sink.start(SMTP_PORT)
https_receiver = Receiver(secret=HOOK_SECRET, tls=(cert, key))
HTTPS_PORT = https_receiver.start()
other_cert, other_key = os.path.join(WORK, "other-cert.pem"), os.path.join(WORK, "other-key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", other_key, "-out", other_cert,
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
               check=True, capture_output=True)
untrusted_receiver = Receiver(tls=(other_cert, other_key))  # a certificate the sidecar does not trust
UNTRUSTED_PORT = untrusted_receiver.start()
PLAIN_SMTP_PORT = free_port()
plain_sink = SmtpSink()  # no STARTTLS: a sidecar that requires it must refuse to send here
plain_sink.start(PLAIN_SMTP_PORT)

q("""
CREATE EXTENSION IF NOT EXISTS autoreport;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'deliv_sidecar') THEN
    CREATE ROLE deliv_sidecar LOGIN IN ROLE autoreport_sidecar;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'deliv_owner') THEN
    CREATE ROLE deliv_owner LOGIN IN ROLE autoreport_admin;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'deliv_watch') THEN
    CREATE ROLE deliv_watch;
  END IF;
END $$;
CREATE TABLE deliv_sales (region text, amount numeric);
INSERT INTO deliv_sales VALUES ('east', 120.50), ('north', 80), ('south', 99.95), ('west', 42);
GRANT SELECT ON deliv_sales TO deliv_owner;
SELECT autoreport.define_report('deliv_sales', 'SELECT region, amount FROM deliv_sales ORDER BY region');
GRANT EXECUTE ON FUNCTION reports.deliv_sales() TO deliv_owner;
SELECT autoreport.grant_channel('deliv_watch', 'deliv.*');
""")
check("the scheduler runs", wait_until("scheduler", lambda: q("SELECT autoreport.scheduler_status() IS NULL") == "t", 30))

HOOK = f"http://127.0.0.1:{HOOK_PORT}"
destinations = {
    "d_ok": {"url": HOOK + "/ok", "secret": "hook"},
    "d_flaky": {"url": HOOK + "/flaky/2", "secret": "hook"},
    "d_bad": {"url": HOOK + "/status/400", "secret": "hook"},
    "d_gone": {"url": HOOK + "/status/410"},
    "d_slow": {"url": HOOK + "/slow/4", "timeout_seconds": 1},
    "d_retry_after": {"url": HOOK + "/retry-after/2", "secret": "hook"},
    "d_redirect": {"url": HOOK + "/redirect"},
    "d_json": {"url": HOOK + "/json", "format": "json", "secret": "hook"},
    "d_slack": {"url": HOOK + "/slack", "format": "slack"},
    "d_outside": {"url": f"http://outside.example:{HOOK_PORT}/ok"},
    "d_unknown_secret": {"url": HOOK + "/nosecret", "secret": "not_configured"},
    "d_https": {"url": f"https://127.0.0.1:{HTTPS_PORT}/tls", "secret": "hook"},
    "d_untrusted": {"url": f"https://127.0.0.1:{UNTRUSTED_PORT}/tls"},
}
for name, target in destinations.items():
    q(f"SELECT autoreport.create_destination({lit(name)}, 'webhook', {lit(json.dumps(target))})")
q("""SELECT autoreport.create_destination('d_mail', 'email',
       '{"to": ["finance@example.org", "ops@example.org"], "cc": "boss@example.org",
         "subject": "Sales {report}: {rows} rows ({scheduled_for})"}')""")
q("""SET ROLE deliv_owner;
SELECT autoreport.schedule('deliv_job', '@yearly', 'deliv_sales', options => '{"channel": "deliv.job", "retries": 0}');""")
for name in list(destinations) + ["d_mail"]:
    q(f"SET ROLE deliv_owner; SELECT autoreport.subscribe_job('deliv_job', {lit(name)})")


def start_sidecar(port, *flags, extra_env=None):
    proc = harness.start_sidecar(port, "--shutdown-seconds", "1", *flags, environment=dict(
        os.environ, AUTOREPORT_SIDECAR_JWT_SECRET=SECRET,
        AUTOREPORT_SIDECAR_DATABASE=f"host=127.0.0.1 port={DB_PORT} user=deliv_sidecar dbname=postgres",
        **(extra_env or {})), log=os.path.join(WORK, f"sidecar-{port}.log"))
    check(f"a sidecar starts on port {port}", wait_for_port(port, timeout=1))
    return proc


stop = harness.stop_process


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


COMMON = ["--deliver-allow-http", "--deliver-secrets-file", secrets_file, "--deliver-ca-file", cert,
          "--deliver-max-attempts", "3", "--deliver-lease-seconds", "4"]
FULL = ["--deliver-allow", "127.0.0.1", "--deliver-allow-private", *COMMON,
        "--smtp-url", f"smtp://127.0.0.1:{SMTP_PORT}", "--smtp-from", "reports@example.org",
        "--smtp-auth-secret", "smtp"]


# --- one run, every kind of destination ------------------------------------------------------------
async def watch_run(port):
    """Runs deliv_job with a WebSocket client subscribed to its channel; returns the events seen."""
    events = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/?token=" + token("deliv_watch")) as ws:
        await ws.send(json.dumps({"op": "subscribe", "channel": "deliv.job", "id": 1}))
        await asyncio.wait_for(ws.recv(), 10)
        run = await asyncio.get_running_loop().run_in_executor(None, run_job, "deliv_job")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
            except asyncio.TimeoutError:
                if settled(f"run = {run}", len(destinations) + 1):
                    # Every outcome is in the table; its event may still be on the way.
                    try:
                        while True:
                            frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
                            if frame.get("type") == "notify":
                                events.append(frame["payload"])
                    except asyncio.TimeoutError:
                        break
                continue
            if frame.get("type") == "notify":
                events.append(frame["payload"])
    return run, events


port = free_port()
sidecar = start_sidecar(port, *FULL)
run, events = asyncio.run(watch_run(port))
rows = {d["destination"]: d for d in deliveries(f"run = {run}")}
check("the run made one delivery per subscribed destination", len(rows) == len(destinations) + 1, sorted(rows))
check("every delivery settles (delivered or given up)", all(d["status"] in FINAL for d in rows.values()),
      {n: d["status"] for n, d in rows.items()})
ready = [e for e in events if isinstance(e, dict) and e.get("event") == "report_ready"]
check("report_ready carries the run's delivery ids",
      len(ready) == 1 and sorted(ready[0].get("deliveries", [])) == sorted(d["id"] for d in rows.values()), ready)
finished = {e["delivery"]: e for e in events if isinstance(e, dict) and e.get("event") == "delivery"}
check("a delivery event announces each delivery's outcome on the job's channel",
      all(d["id"] in finished and finished[d["id"]].get("status") == d["status"] for d in rows.values()),
      (finished, {d["id"]: d["status"] for d in rows.values()}))
output = int(q(f"SELECT output_id FROM autoreport.job_runs WHERE id = {run}"))
content = output_bytes(output)

ok = receiver.matching("/ok")
d = rows["d_ok"]
check("a webhook gets exactly one POST", len(ok) == 1 and d["status"] == "delivered" and d["attempts"] == 1
      and d["last_status"] == 200, (len(ok), d))
if ok:
    r = ok[0]
    check("the body is the output's bytes", r["body"] == content, (r["body"][:80], content[:80]))
    check("the signature verifies with the destination's secret", r["signed"] is True, r["headers"])
    check("a signature made with another secret does not verify",
          not receiver_verify("another-secret", r["headers"], r["body"]))
    check("a changed body does not verify", not receiver_verify(HOOK_SECRET, r["headers"], r["body"] + b" "))
    check("the Idempotency-Key is the delivery's", r["key"] == d["idempotency_key"] and len(r["key"]) >= 32,
          (r["key"], d["idempotency_key"]))
    check("Content-Type is the output's MIME type", r["headers"].get("Content-Type", "").startswith("text/csv"),
          r["headers"].get("Content-Type"))
    check("X-Autoreport-Delivery names the delivery", r["headers"].get("X-Autoreport-Delivery") == str(d["id"]))

flaky = receiver.matching("/flaky/2")
d = rows["d_flaky"]
check("500 twice then 200: three attempts with one Idempotency-Key, delivered once",
      [r["status"] for r in flaky] == [500, 500, 200] and len({r["key"] for r in flaky}) == 1
      and d["status"] == "delivered" and d["attempts"] == 3, ([r["status"] for r in flaky], d))
check("retries wait with backoff (the third attempt comes later than the second)",
      len(flaky) == 3 and flaky[2]["at"] - flaky[1]["at"] > 0 and flaky[1]["at"] - flaky[0]["at"] > 0)
for name, status in (("d_bad", 400), ("d_gone", 410)):
    d = rows[name]
    hits = receiver.matching(destinations[name]["url"][len(HOOK):])
    check(f"{status} gives up at once", len(hits) == 1 and d["status"] == "given_up" and d["attempts"] == 1
          and d["last_status"] == status, (len(hits), d))
d = rows["d_slow"]
check("a receiver slower than the timeout is retried, then given up at the attempt limit",
      d["status"] == "given_up" and d["attempts"] == 3 and "tim" in (d["last_error"] or "").lower(), d)
ra = receiver.matching("/retry-after/2")
d = rows["d_retry_after"]
check("429 with Retry-After: 2 is retried no sooner than 2 s later, then delivered",
      len(ra) == 2 and ra[0]["status"] == 429 and ra[1]["at"] - ra[0]["at"] >= 1.9 and d["status"] == "delivered",
      ([(r["status"], r["at"]) for r in ra], d))
d = rows["d_redirect"]
check("a redirect is not followed: given up, and /ok not asked again",
      d["status"] == "given_up" and d["last_status"] == 302 and len(receiver.matching("/ok")) == 1, d)
js = receiver.matching("/json")
if js:
    body = json.loads(js[0]["body"])
    check("format json: an event whose content_base64 is the output",
          base64.b64decode(body.get("content_base64", "")) == content and body.get("delivery") == rows["d_json"]["id"]
          and body.get("job") == "deliv_job" and body.get("rows") == 4
          and js[0]["headers"].get("Content-Type", "").startswith("application/json"), body)
else:
    check("format json: delivered", False, rows["d_json"])
sl = receiver.matching("/slack")
if sl:
    body = json.loads(sl[0]["body"])
    text = json.dumps(body)
    check("format slack: a message with text and blocks naming the job and its rows",
          isinstance(body.get("text"), str) and isinstance(body.get("blocks"), list) and "deliv_job" in text
          and "east" in text, body)
else:
    check("format slack: delivered", False, rows["d_slack"])
d = rows["d_outside"]
check("a host outside --deliver-allow is refused and recorded, nothing sent",
      d["status"] == "given_up" and "allow" in (d["last_error"] or "") and d["attempts"] == 1, d)
d = rows["d_unknown_secret"]
check("a secret the sidecar does not have gives up, naming it",
      d["status"] == "given_up" and "not_configured" in (d["last_error"] or "") and not receiver.matching("/nosecret"), d)

d, tls = rows["d_https"], https_receiver.matching("/tls")
check("an https webhook is delivered over TLS, its certificate checked against --deliver-ca-file",
      d["status"] == "delivered" and len(tls) == 1 and tls[0]["body"] == content and tls[0]["signed"] is True, (d, len(tls)))
d = rows["d_untrusted"]
check("a receiver whose certificate is not trusted gets nothing, and the delivery says why",
      d["status"] == "given_up" and not untrusted_receiver.matching("/tls")
      and "certificate" in (d["last_error"] or "").lower(), d)

d = rows["d_mail"]
mails = sink.messages
check("the e-mail is delivered once over STARTTLS with AUTH", d["status"] == "delivered" and len(mails) == 1
      and mails[0]["tls"], (d, len(mails)))
if mails:
    m = email.message_from_bytes(mails[0]["content"], policy=email.policy.default)
    attachments = [p for p in m.iter_attachments()]
    check("the envelope has every recipient", sorted(mails[0]["rcpt_tos"]) ==
          ["boss@example.org", "finance@example.org", "ops@example.org"], mails[0]["rcpt_tos"])
    check("the subject is the template filled in", m["subject"].startswith("Sales deliv_sales: 4 rows ("), m["subject"])
    check("the Message-ID comes from the idempotency key", d["idempotency_key"] in (m["message-id"] or ""),
          (m["message-id"], d["idempotency_key"]))
    check("the attachment's bytes are the output, under its file name and MIME type",
          len(attachments) == 1 and attachments[0].get_payload(decode=True) == content
          and attachments[0].get_content_type() == "text/csv"
          and attachments[0].get_filename() == q(f"SELECT file_name FROM autoreport.outputs WHERE id = {output}"),
          [(a.get_content_type(), a.get_filename()) for a in attachments])
    check("From is --smtp-from", "reports@example.org" in str(m["from"]), m["from"])

text = metrics(port)
check("metrics count delivered webhooks", metric(text, 'autoreport_sidecar_deliveries_total{kind="webhook",outcome="delivered"}')
      == sum(1 for n, d in rows.items() if d["kind"] == "webhook" and d["status"] == "delivered"),
      [l for l in text.splitlines() if "deliver" in l])
check("metrics have the latency from report_ready to delivered",
      (metric(text, "autoreport_sidecar_delivery_latency_seconds_count") or 0) >= 5,
      [l for l in text.splitlines() if "latency" in l])

# --- redeliver ---------------------------------------------------------------------------------------
first_key = rows["d_ok"]["idempotency_key"]
q(f"SELECT autoreport.redeliver({rows['d_ok']['id']})")
check("redeliver sends a delivered output again, under a new key",
      wait_until("redelivery", lambda: len(receiver.matching("/ok")) == 2, 30)
      and receiver.matching("/ok")[1]["key"] != first_key and receiver.matching("/ok")[1]["body"] == content)

# --- the sidecar dies in the middle of a delivery ----------------------------------------------------
q("""SELECT autoreport.create_destination('d_hang', 'webhook', '{"url": "%s/hang", "secret": "hook", "timeout_seconds": 30}');
SET ROLE deliv_owner;
SELECT autoreport.schedule('deliv_hang', '@yearly', 'deliv_sales', options => '{"retries": 0}');
SELECT autoreport.subscribe_job('deliv_hang', 'd_hang');""" % HOOK)
hang_run = run_job("deliv_hang")
check("the hanging receiver got the first attempt", wait_until("the first /hang", lambda: receiver.matching("/hang"), 30))
sidecar.send_signal(signal.SIGKILL)
sidecar.wait()
check("killed in the middle, the delivery is left 'delivering'",
      deliveries(f"run = {hang_run}")[0]["status"] == "delivering")
port = free_port()
sidecar = start_sidecar(port, *FULL)
check("a new sidecar takes the delivery over once its lease expires, and delivers it",
      wait_until("the taken-over delivery", lambda: settled(f"run = {hang_run}", 1), 60)
      and deliveries(f"run = {hang_run}")[0]["status"] == "delivered", deliveries(f"run = {hang_run}"))
hang = receiver.matching("/hang")
check("the receiver saw the delivery twice on the wire, under one Idempotency-Key (once by key)",
      len(hang) == 2 and hang[0]["key"] == hang[1]["key"] and hang[1]["status"] == 200, [(r["key"], r["status"]) for r in hang])
stop(sidecar)

# --- refusals: private addresses, STARTTLS required ------------------------------------------------
q("""SELECT autoreport.create_destination('d_private', 'webhook', '{"url": "http://localhost:%d/private"}');
SELECT autoreport.create_destination('d_mail_plain', 'email', '{"to": "x@example.org"}');
SET ROLE deliv_owner;
SELECT autoreport.schedule('deliv_refusals', '@yearly', 'deliv_sales', options => '{"retries": 0}');
SELECT autoreport.subscribe_job('deliv_refusals', 'd_private');
SELECT autoreport.subscribe_job('deliv_refusals', 'd_mail_plain');""" % HOOK_PORT)
port = free_port()
sidecar = start_sidecar(port, "--deliver-allow", "localhost,127.0.0.1", *COMMON,
                        "--smtp-url", f"smtp://127.0.0.1:{PLAIN_SMTP_PORT}", "--smtp-from", "reports@example.org")
refusal_run = run_job("deliv_refusals")
wait_until("the refusals", lambda: settled(f"run = {refusal_run}", 2), 60)
rows = {d["destination"]: d for d in deliveries(f"run = {refusal_run}")}
d = rows.get("d_private", {})
check("a host resolving to a loopback address is refused without --deliver-allow-private, and recorded",
      d.get("status") == "given_up" and "private" in (d.get("last_error") or "").lower()
      and not receiver.matching("/private"), d)
d = rows.get("d_mail_plain", {})
check("STARTTLS required: a server without it gets no mail",
      d.get("status") == "given_up" and not plain_sink.messages and "tls" in (d.get("last_error") or "").lower(), d)
stop(sidecar)

# --- two sidecars share 200 deliveries -------------------------------------------------------------
setup = []
for i in range(20):
    setup.append(f"SELECT autoreport.create_destination('d_bulk_{i:02}', 'webhook', "
                 f"'{{\"url\": \"{HOOK}/bulk\", \"secret\": \"hook\", \"concurrency\": 8}}');")
setup.append("SET ROLE deliv_owner;")
for j in range(10):
    setup.append(f"SELECT autoreport.schedule('deliv_bulk_{j}', '@yearly', 'deliv_sales', options => '{{\"retries\": 0}}');")
    for i in range(20):
        setup.append(f"SELECT autoreport.subscribe_job('deliv_bulk_{j}', 'd_bulk_{i:02}');")
q("\n".join(setup))
ports = [free_port(), free_port()]
pair = [start_sidecar(p, *FULL) for p in ports]
bulk_runs = [q(f"SELECT autoreport.run_now('deliv_bulk_{j}')") for j in range(10)]
where = f"run IN ({', '.join(bulk_runs)})"
check("two sidecars deliver all 200", wait_until("200 deliveries", lambda: q(
    f"SELECT count(*) FROM autoreport.deliveries WHERE {where} AND status = 'delivered'") == "200", 120),
    q(f"SELECT status, count(*) FROM autoreport.deliveries WHERE {where} GROUP BY 1"))
bulk = receiver.matching("/bulk")
keys = [r["key"] for r in bulk]
check("every one of the 200 was received once by key", len(set(keys)) == 200 and len(keys) == 200
      and all(r["signed"] for r in bulk), (len(set(keys)), len(keys)))
shares = [metric(metrics(p), 'autoreport_sidecar_deliveries_total{kind="webhook",outcome="delivered"}') or 0 for p in ports]
check("both sidecars took part", all(s > 0 for s in shares) and sum(shares) == 200, shares)
for p in pair:
    stop(p)

receiver.stop()
https_receiver.stop()
untrusted_receiver.stop()
sink.stop()
plain_sink.stop()
finish()
