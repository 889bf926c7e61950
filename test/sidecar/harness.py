"""What the sidecar's test scripts share: their arguments, the check counter, psql on the throwaway
cluster, HS256 tokens and ports. Each script runs as SCRIPT SIDECAR_BINARY CLUSTER_DIR."""
import asyncio, base64, hashlib, hmac, json, os, socket, subprocess, sys, time

BINARY, CLUSTER = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "test-secret-that-is-long-enough-0123456789"
# The throwaway cluster as its superuser: the sidecar's database unless a test names another.
DATABASE = f"host=127.0.0.1 port={open(os.path.join(CLUSTER, 'port')).read().strip()} user=postgres dbname=postgres"
_failed = 0


def check(what, ok, detail=""):
    """Prints one TAP-like line ("ok - ..." / "not ok - ...") and counts failures."""
    global _failed
    print(("ok - " if ok else "not ok - ") + what + ("" if ok else f"  ({detail})"), flush=True)
    _failed += 0 if ok else 1


def failed():
    return _failed


def finish():
    """Prints the summary line run.sh looks for and exits non-zero when a check failed."""
    print(f"{_failed} checks failed")
    sys.exit(1 if _failed else 0)


def psql(sql):
    return subprocess.run([f"{ROOT}/scripts/cluster.sh", "psql", CLUSTER, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True, timeout=60).stdout.strip()


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(role, exp_in=600, alg="HS256", secret=SECRET):
    """A token for a database role, valid for exp_in seconds; alg other than HS256 leaves it unsigned."""
    header = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64(json.dumps({"role": role, "exp": int(time.time()) + exp_in}).encode())
    signing = f"{header}.{payload}".encode()
    sig = b64(hmac.new(secret.encode(), signing, hashlib.sha256).digest()) if alg == "HS256" else ""
    return f"{header}.{payload}.{sig}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def metric(text, name):
    """The value of one Prometheus sample, by its exact name and labels; None when absent."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            value = float(line.split()[-1])
            return int(value) if value.is_integer() else value
    return None


def start_sidecar(port, *flags, database=DATABASE, environment=None, log=None):
    """Starts the sidecar on port with flags, the test secret and database as its connection string
    (environment, when given, is its whole environment instead); its output goes to the file log, or
    nowhere. Returns the process once the port accepts connections (or after 10 s: the caller checks)."""
    env = environment or dict(os.environ, AUTOREPORT_SIDECAR_JWT_SECRET=SECRET, AUTOREPORT_SIDECAR_DATABASE=database)
    out = open(log, "w") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen([BINARY, "--port", str(port), *flags], env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=out)
    finally:
        if log:
            out.close()  # the child holds its own descriptor
    wait_for_port(port)
    return proc


def stop_process(proc, timeout=15):
    """SIGTERM, then SIGKILL when the process has not exited after timeout seconds."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_against_sidecar(scenario, *flags, database=DATABASE):
    """Runs the coroutine scenario(port) against a sidecar of its own, started with flags ("{port}" in a
    flag becomes its port), and stops it afterwards. A scenario that raises is one failed check."""
    port = free_port()
    proc = start_sidecar(port, *(f.replace("{port}", str(port)) for f in flags), database=database)
    try:
        asyncio.run(scenario(port))
    except Exception as e:  # a scenario that cannot go on is one failed check, and the next ones still run
        check(f"{scenario.__name__} runs to its end", False, repr(e))
    finally:
        stop_process(proc)
