#!/usr/bin/python3
"""The delivery benchmark (bench/delivery.sh explains it). Usage: delivery.py SIDECAR CLUSTER DB"""
import os, statistics, subprocess, sys, tempfile, threading, time, http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "sidecar"))
from receiver import FastReceiver  # noqa: E402

SIDECAR, CLUSTER, DB = sys.argv[1], sys.argv[2], sys.argv[3]
JOBS, DESTINATIONS = 50, 20  # 1,000 deliveries
HOOK_SECRET = "bench-hook-secret-0123456789abcdef"
JWT_SECRET = "bench-delivery-secret-that-is-long-enough-0123456789"
DB_PORT = open(os.path.join(CLUSTER, "port")).read().strip()


def psql(sql):
    return subprocess.run([f"{ROOT}/scripts/cluster.sh", "psql", CLUSTER, "-d", DB, "-qAt", "-v", "ON_ERROR_STOP=1",
                           "-c", sql], check=True, capture_output=True, text=True, timeout=600).stdout.strip()


def wait(sql, expected, timeout=300, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if psql(sql) == expected:
            return True
        time.sleep(interval)
    raise SystemExit(f"timed out waiting for {sql!r} to be {expected!r} (last {psql(sql)!r})")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sidecar(secrets_file):
    port = free_port()
    env = dict(os.environ, AUTOREPORT_SIDECAR_JWT_SECRET=JWT_SECRET,
               AUTOREPORT_SIDECAR_DATABASE=f"host=127.0.0.1 port={DB_PORT} user=bench_deliver dbname={DB}")
    # At its defaults, but for what a loopback receiver needs: the allow-list, http and loopback.
    return subprocess.Popen([SIDECAR, "--port", str(port), "--deliver-allow", "127.0.0.1", "--deliver-allow-http",
                             "--deliver-allow-private", "--deliver-secrets-file", secrets_file],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_all_jobs():
    runs = [psql(f"SELECT autoreport.run_now('bench_job_{j:02}')") for j in range(JOBS)]
    wait(f"SELECT count(*) FROM autoreport.job_runs WHERE id IN ({','.join(runs)}) AND status = 'succeeded'",
         str(JOBS))
    return runs


def ceiling(port, bodies, threads=8):
    """What the receiver takes from 8 keep-alive Python clients posting the same bodies: the most it
    can accept on this machine, for context."""
    chunks = [bodies[i::threads] for i in range(threads)]

    def post(chunk):
        c = http.client.HTTPConnection("127.0.0.1", port)
        for i, b in enumerate(chunk):
            c.request("POST", "/ceiling", body=b, headers={"Content-Type": "text/csv", "Idempotency-Key": f"{id(chunk)}-{i}"})
            c.getresponse().read()
        c.close()
    started = time.monotonic()
    ts = [threading.Thread(target=post, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return len(bodies) / (time.monotonic() - started)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


work = tempfile.mkdtemp(prefix="bench-delivery-")
secrets_file = os.path.join(work, "secrets")
with open(secrets_file, "w") as f:
    f.write(f"hook={HOOK_SECRET}\n")
receiver = FastReceiver(secret=HOOK_SECRET)
hook_port = receiver.start()

setup = ["""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_deliver') THEN
    CREATE ROLE bench_deliver LOGIN IN ROLE autoreport_sidecar;
  END IF;
END $$;
CREATE TABLE bench_lines AS SELECT g AS line, md5(g::text) || ' ' || md5((g * 7)::text) AS words
  FROM generate_series(1, 140) AS g;
SELECT autoreport.define_report('bench_lines', 'SELECT line, words FROM bench_lines ORDER BY line');
"""]
for i in range(DESTINATIONS):
    setup.append(f"SELECT autoreport.create_destination('bench_hook_{i:02}', 'webhook', "
                 f"'{{\"url\": \"http://127.0.0.1:{hook_port}/ok\", \"secret\": \"hook\"}}');")
for j in range(JOBS):
    setup.append(f"SELECT autoreport.schedule('bench_job_{j:02}', '@yearly', 'bench_lines', options => '{{\"retries\": 0}}');")
    setup += [f"SELECT autoreport.subscribe_job('bench_job_{j:02}', 'bench_hook_{i:02}');" for i in range(DESTINATIONS)]
psql("\n".join(setup))
wait("SELECT autoreport.scheduler_status() IS NULL", "t", 30)

# 1. Throughput: 1,000 deliveries made while no sidecar runs, then one sidecar at its defaults.
runs = run_all_jobs()
size = int(psql(f"SELECT avg(bytes)::bigint FROM autoreport.job_runs WHERE id = {runs[0]}"))
pending = psql(f"SELECT count(*) FROM autoreport.deliveries WHERE run IN ({','.join(runs)}) AND status = 'pending'")
started = time.monotonic()
sidecar = start_sidecar(secrets_file)
wait(f"SELECT count(*) FROM autoreport.deliveries WHERE run IN ({','.join(runs)}) AND status = 'delivered'",
     str(JOBS * DESTINATIONS), timeout=600, interval=0.02)
total = time.monotonic() - started
got = receiver.matching("/ok")
first, last = min(r["at"] for r in got), max(r["at"] for r in got)
signed = sum(1 for r in got if r["signed"])
stop(sidecar)
rate_wire = len(got) / (last - first) if last > first else float("inf")
rate_total = len(got) / total
bodies = [r["body"] for r in got]

# 2. Latency after report_ready: one sidecar running, jobs run one after another (20 deliveries each).
receiver.requests.clear()
sidecar = start_sidecar(secrets_file)
time.sleep(1)
latency_runs = []
for j in range(20):
    latency_runs += [psql(f"SELECT autoreport.run_now('bench_job_{j:02}')")]
    time.sleep(0.3)
wait(f"SELECT count(*) FROM autoreport.deliveries WHERE run IN ({','.join(latency_runs)}) AND status = 'delivered'",
     str(20 * DESTINATIONS), timeout=300)
stop(sidecar)
lat = [float(x) * 1000 for x in psql(
    "SELECT extract(epoch FROM delivered_at - created_at) FROM autoreport.deliveries "
    f"WHERE run IN ({','.join(latency_runs)})").split()]

limit = ceiling(hook_port, bodies)
receiver.stop()
ok = rate_wire >= 500
print(f"  {len(got)} webhook deliveries of {size} bytes ({pending} pending when the sidecar started, "
      f"{JOBS} runs x {DESTINATIONS} destinations), one sidecar at its defaults, to a local receiver:")
print(f"    deliveries/s  {rate_wire:8.0f}  (first to last request on the wire; {rate_total:.0f}/s counting the "
      f"sidecar's start)   target >= 500/s   {'met' if ok else 'NOT met'}")
print(f"    signatures verified by the receiver: {signed} of {len(got)}")
print(f"    the receiver alone (8 keep-alive Python clients, same bodies): {limit:8.0f}/s   "
      f"sidecar / receiver ceiling = {rate_wire / limit:.2f}")
print(f"  latency from the run's delivery rows (report_ready) to delivered, {len(lat)} deliveries of 20 runs: "
      f"p50 {statistics.median(lat):.1f} ms, p99 {pct(lat, 99):.1f} ms")
