#!/usr/bin/python3
"""The sidecar's dashboard page (sidecar/web) in a real headless Chromium, driven over the DevTools protocol.

Usage: dashboard_test.py SIDECAR_BINARY CLUSTER_DIR
Starts the sidecar against the throwaway cluster and Debian's headless Chromium, uses the page the way a
person would (keyboard and mouse through the page's own controls), commits NOTIFYs with psql and checks
what the page shows. It creates the role dash_viewer (granted reports.*) and restarts the cluster once, on
its port, to see the sidecar's gap warning. Prints one line per check ("ok - ..." / "not ok - ...") and
exits non-zero when any failed. Every wait is bounded; Chromium and the sidecar are always stopped.
"""
import asyncio, json, os, shutil, signal, subprocess, tempfile, time
import urllib.request
import websockets

from harness import (CLUSTER, ROOT, check, failed, finish, free_port, psql, start_sidecar, stop_process, token,
                     wait_for_port)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class DevTools:
    """A Chrome DevTools Protocol client on one WebSocket (flat sessions), recording every event."""

    def __init__(self, ws):
        self.ws, self.next_id, self.waiting, self.events = ws, 0, {}, []
        self.reader = asyncio.create_task(self.read())

    async def read(self):
        try:
            async for text in self.ws:
                message = json.loads(text)
                future = self.waiting.pop(message.get("id"), None)
                if future is not None:
                    if not future.done():
                        future.set_result(message)
                elif "method" in message:
                    self.events.append(message)
        except websockets.exceptions.ConnectionClosed:
            pass
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(ConnectionError("DevTools connection closed"))

    async def call(self, method, params=None, session=None, timeout=15):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self.waiting[self.next_id] = future
        await self.ws.send(json.dumps(message))
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]


class Page:
    """One browser tab: evaluate JavaScript, wait for a condition, type, press keys, click."""

    def __init__(self, cdp, session):
        self.cdp, self.session = cdp, session

    async def call(self, method, params=None, timeout=15):
        return await self.cdp.call(method, params, self.session, timeout)

    async def js(self, expression):
        result = await self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    async def wait(self, expression, timeout=10):
        """Polls a JavaScript expression until it is truthy; returns its value, or None at the timeout.
        An expression that throws (the page not there yet) counts as false."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = await self.js(f"(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()")
            except RuntimeError:  # no execution context while navigating
                value = None
            if value or time.monotonic() > deadline:
                return value or None
            await asyncio.sleep(0.1)

    async def key(self, key, code, keycode, text=None):
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": keycode,
                "nativeVirtualKeyCode": keycode}
        if text:
            down["text"] = text
        await self.call("Input.dispatchKeyEvent", down)
        await self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                                   "windowsVirtualKeyCode": keycode, "nativeVirtualKeyCode": keycode})

    async def enter(self):
        await self.key("Enter", "Enter", 13, "\r")

    async def tab(self):
        await self.key("Tab", "Tab", 9)

    async def type_into(self, element_id, text):
        await self.js(f"document.getElementById({json.dumps(element_id)}).focus()")
        await self.call("Input.insertText", {"text": text})

    async def click(self, selector):
        box = await self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                            " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent",
                            {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1})


# Page-side expressions the checks poll.
STATUS = "(document.getElementById('status').dataset.state + ' ' + document.getElementById('status').textContent)"
EVENTS_TEXT = "(document.getElementById('events').textContent)"


# Text whose contrast with its background is under WCAG AA's 4.5:1, as "element ratio".
LOW_CONTRAST = """(() => {
  const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
  const linear = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  const background = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const e of document.querySelectorAll('body *')) {
    if (!e.getClientRects().length || ![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const [a, b] = [luminance(rgb(getComputedStyle(e).color)), luminance(background(e))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${e.tagName}.${e.className} ${ratio.toFixed(2)}`);
  }
  return low;
})()"""


def subscription(channel):
    return f"((document.querySelector('#subscriptions li[data-channel=\"{channel}\"]') || {{}}).textContent || '')"


def problems(cdp):
    """Console errors, uncaught exceptions and CSP violations seen so far."""
    found = []
    for event in cdp.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(params["exceptionDetails"].get("text"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(params["entry"].get("text"))
    return found


def http_checks(port):
    for path, kind in (("/", "text/html"), ("/app.js", "text/javascript"), ("/app.css", "text/css")):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
                csp, ctype = r.headers.get("Content-Security-Policy", ""), r.headers.get("Content-Type", "")
                check(f"GET {path} is {kind} with the strict Content-Security-Policy",
                      r.status == 200 and ctype.startswith(kind) and
                      sorted(d.strip() for d in csp.split(";")) == sorted(d.strip() for d in CSP.split(";")),
                      f"{r.status} {ctype!r} {csp!r}")
        except OSError as e:
            check(f"GET {path} is {kind} with the strict Content-Security-Policy", False, e)


async def browser_checks(port, devtools_url, db_port, sidecar):
    async with websockets.connect(devtools_url, max_size=None, open_timeout=10) as ws:
        cdp = DevTools(ws)
        targets = await cdp.call("Target.getTargets")
        target = next(t["targetId"] for t in targets["targetInfos"] if t["type"] == "page")
        session = (await cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        page = Page(cdp, session)
        for domain in ("Page", "Runtime", "Log"):
            await page.call(f"{domain}.enable")
        # CSP violations, recorded by the page itself (DevTools' own scripts are exempt from the CSP).
        await page.call("Page.addScriptToEvaluateOnNewDocument", {"source":
                        "window.__violations = []; document.addEventListener('securitypolicyviolation',"
                        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"})

        await page.call("Page.navigate", {"url": f"http://127.0.0.1:{port}/#token=" + token("dash_viewer")})
        state = await page.wait(f"document.readyState === 'complete' && {STATUS}.startsWith('open') && {STATUS}")
        check("the page loads and connects with the token from the address's fragment", state, await page.wait(STATUS, 0))
        if not state:
            return
        check("the token is removed from the address bar",
              await page.js("location.hash === '' && !location.href.includes('token')"), await page.js("location.href"))
        check("the stylesheet applies (served and allowed by the CSP)",
              await page.js("getComputedStyle(document.body).maxWidth") == "960px",
              await page.js("getComputedStyle(document.body).maxWidth"))
        unnamed = await page.js("[...document.querySelectorAll('input, button')].filter(e =>"
                                " !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())"
                                ".map(e => e.outerHTML)")
        check("every control has a label", unnamed == [], unnamed)

        # Subscribe with the keyboard: type the channel, press Enter.
        await page.type_into("channel", "reports.sales")
        await page.enter()
        shown = await page.wait(f"{subscription('reports.sales')}.includes('(subscribed)') && {subscription('reports.sales')}")
        check("a channel typed and submitted with Enter is shown as subscribed", shown, await page.js(subscription("reports.sales")))

        # The events of scheduled runs, with the members extension/schedules/event.cpp sends.
        run = ('"job":"nightly_sales","job_id":3,"report":"sales_by_region","format":"csv","attempt":1,'
               '"manual":false,"scheduled_for":"2026-12-06T02:00:00.000000Z","started_at":"2026-12-06T02:00:00.004000Z",'
               '"finished_at":"2026-12-06T02:00:01.250000Z"')
        psql(f"""SELECT pg_notify('reports.sales', '{{"event":"report_ready",{run},"run_id":812,"output_id":4242,'
                '"rows":1200,"bytes":48213}}')""")
        entry = await page.wait("(() => { const e = document.querySelector('#events li'); return e &&"
                                " e.classList.contains('event-ready') && [e.textContent,"
                                " [...e.querySelectorAll('time')].map(t => t.dateTime)]; })()")
        check("a report_ready NOTIFY is shown as 'report ready' with its job, run, output id, rows and bytes",
              entry and all(s in entry[0] for s in ("report ready", "reports.sales", "jobnightly_sales (id 3)",
                                                    "reportsales_by_region", "run812", "output id4242",
                                                    "rows1,200", "bytes48,213")), entry)
        check("its scheduled and finished instants are shown as times",
              entry and "2026-12-06T02:00:00.000Z" in entry[1] and "2026-12-06T02:00:01.250Z" in entry[1], entry)
        check("the live region announces it",
              "report ready on reports.sales: job nightly_sales, output 4242"
              in (await page.js("document.getElementById('announcer').textContent")))

        psql(f"""SELECT pg_notify('reports.sales', '{{"event":"alert",{run},"run_id":814,"output_id":4243,'
                '"rows":500,"bytes":9000,"condition":"stock < 10","alert":{{"matching_rows":7,'
                '"rows":[{{"product":"<b>Widget</b>","stock":3}},{{"product":"Gadget","stock":null}}]}}}}')""")
        alert = await page.wait("(() => { const e = document.querySelector('#events li'); return e &&"
                                " e.classList.contains('event-alert') && [e.textContent,"
                                " getComputedStyle(e).backgroundColor, getComputedStyle(document.querySelector("
                                "'#events li.event-ready')).backgroundColor, e.querySelector('b') === null]; })()")
        check("an alert is shown highlighted, with its condition and the rows that made it hold (as text)",
              alert and all(s in alert[0] for s in ("conditionstock < 10", "matching rows7", "first 2",
                                                    "product: <b>Widget</b>, stock: 3", "product: Gadget, stock: null"))
              and alert[1] != alert[2] and alert[3], alert)
        psql(f"""SELECT pg_notify('reports.sales', '{{"event":"alert",{run},"run_id":815,"output_id":4244,'
                '"rows":2,"bytes":80,"condition":"max(score) > 4","alert":{{"values":{{"max(score)":5}}}}}}')""")
        values = await page.wait("(() => { const e = document.querySelector('#events li'); return e &&"
                                 " e.textContent.includes('run815') && e.textContent; })()")
        check("an alert over the whole result shows the values that made it hold",
              values and "valuesmax(score) = 5" in values, values)

        psql(f"""SELECT pg_notify('reports.sales', '{{"event":"report_failed",{run},"run_id":813,"attempt":2,'
                '"output_id":null,"rows":null,"bytes":null,"sqlstate":"57014",'
                '"error":"canceling statement due to statement timeout","retry_at":"2026-12-06T02:05:00.000000Z"}}')""")
        failure = await page.wait("(() => { const e = document.querySelector('#events li'); return e &&"
                                  " e.classList.contains('event-failed') && [e.textContent,"
                                  " [...e.querySelectorAll('time')].map(t => t.dateTime)]; })()")
        check("a report_failed NOTIFY is shown as 'report failed' with its SQLSTATE, error, attempt and retry time",
              failure and all(s in failure[0] for s in ("report failed", "SQLSTATE57014", "statement timeout",
                                                        "run813, attempt 2")) and "output id" not in failure[0]
              and "2026-12-06T02:05:00.000Z" in failure[1], failure)

        # A real run: the scheduler's worker renders a report and its NOTIFY reaches the page.
        psql("SELECT autoreport.define_report('dash_numbers', $$SELECT g AS n FROM generate_series(1, 4) AS g$$)")
        psql("""SELECT autoreport.schedule('dash_job', '0 0 1 1 *', 'dash_numbers', time_zone => 'UTC',
                                           options => '{"channel": "reports.sales", "retries": 0}')""")
        run_id = psql("SELECT autoreport.run_now('dash_job')")
        real = await page.wait("(() => { const e = document.querySelector('#events li.event-ready'); return e &&"
                               f" e.textContent.includes('run{run_id}, run now') && e.textContent; }})()", timeout=60)
        output = psql(f"SELECT output_id FROM autoreport.job_runs WHERE id = {run_id}")
        check("a job run with autoreport.run_now is shown as 'report ready' with its stored output's id",
              real and "jobdash_job" in real and f"output id{output} " in real and "rows4" in real, [real, output])
        psql("SELECT autoreport.unschedule('dash_job')")

        # A run's deliveries: listed under the run as pending, each updated by its outcome event.
        psql(f"""SELECT pg_notify('reports.sales', '{{"event":"report_ready",{run},"run_id":820,"output_id":4250,'
                '"rows":3,"bytes":60,"deliveries":[901,902]}}')""")
        pending = await page.wait("(() => { const e = document.querySelector('#events li.event-ready'); return e &&"
                                  " e.textContent.includes('run820') && [...e.querySelectorAll('.deliveries li')]"
                                  ".map(l => l.textContent); })()")
        check("a run's deliveries are listed under it as pending", pending == ["#901 pending", "#902 pending"], pending)
        psql("""SELECT pg_notify('reports.sales', '{"event":"delivery","delivery":901,"job":"nightly_sales","run_id":820,'
                '"output_id":4250,"destination":"finance_hook","kind":"webhook","status":"delivered","attempts":1,'
                '"last_status":200,"error":null}')""")
        psql("""SELECT pg_notify('reports.sales', '{"event":"delivery","delivery":902,"job":"nightly_sales","run_id":820,'
                '"output_id":4250,"destination":"cfo_mail","kind":"email","status":"given_up","attempts":8,'
                '"last_status":554,"error":"554 rejected"}')""")
        updated = await page.wait("(() => { const l = [...document.querySelectorAll('li.event-ready .deliveries li')]"
                                  ".map(l => l.textContent); return l.length === 2 && l[1].includes('given up') && l; })()")
        check("each delivery's outcome updates its line under the run",
              updated == ["#901 finance_hook (webhook): delivered, 1 attempt, last answer 200",
                          "#902 cfo_mail (email): given up, 8 attempts, last answer 554"], updated)
        latest = await page.js("[...document.querySelectorAll('#events li')].slice(0, 2).map(e => e.textContent)")
        check("and is shown as its own entry, a given-up one with its error",
              latest and "delivery given up" in latest[0] and "error554 rejected" in latest[0]
              and "destinationcfo_mail (email)" in latest[0] and "delivered" in latest[1], latest)

        psql("""SELECT pg_notify('reports.sales', '{"event":"view_refreshed","view":"sales_daily"}')""")
        psql("""SELECT pg_notify('reports.sales', '{"event":"constructor"}')""")
        other = await page.wait("(() => { const e = document.querySelectorAll('#events li .badge');"
                                " return e[0].textContent === 'constructor' && [e[1].textContent, e[0].textContent]; })()")
        check("other events are shown under their own names", other == ["view refreshed", "constructor"], other)

        psql("SELECT pg_notify('reports.sales', 'hello <b>world</b>')")
        plain = await page.wait(f"{EVENTS_TEXT}.includes('hello <b>world</b>')")
        check("a payload's markup is shown as text, never as HTML",
              plain and await page.js("document.querySelector('#events b') === null"))

        # A channel without a grant: the page shows the server's refusal and no subscription.
        await page.type_into("channel", "hr.salaries")
        await page.enter()
        error = await page.wait("(() => { const e = document.querySelector('#events li.event-error'); return e && e.textContent; })()")
        check("an unauthorised channel shows an error", error and "forbidden" in error and "hr.salaries" in error, error)
        check("and is not listed as subscribed", await page.js(subscription("hr.salaries")) == "")

        # Unsubscribe with the keyboard: Tab from the channel box past Subscribe to the list's button.
        await page.js("document.getElementById('channel').focus()")
        await page.tab()
        await page.tab()
        focused = await page.js("[document.activeElement.getAttribute('aria-label'),"
                                " getComputedStyle(document.activeElement).outlineStyle]")
        check("Tab reaches the unsubscribe button, with a visible focus outline",
              focused == ["Unsubscribe from reports.sales", "solid"], focused)
        await page.enter()
        gone = await page.wait(f"{subscription('reports.sales')} === '' && !document.getElementById('no-subscriptions').hidden")
        check("Enter on it unsubscribes", gone, await page.js(subscription("reports.sales")))
        await page.type_into("channel", "reports.sync")
        await page.enter()
        await page.wait(f"{subscription('reports.sync')}.includes('(subscribed)')")
        psql("SELECT pg_notify('reports.sales', 'after unsubscribe')")
        psql("SELECT pg_notify('reports.sync', 'sync mark')")
        arrived = await page.wait(f"{EVENTS_TEXT}.includes('sync mark')")
        check("nothing arrives from an unsubscribed channel",
              arrived and "after unsubscribe" not in await page.js(EVENTS_TEXT), (await page.js(EVENTS_TEXT))[:300])

        # Reconnect with the mouse: subscriptions are restored and the page warns of the interval.
        await page.click("#connect")
        back = await page.wait("document.querySelector('#events li.event-gap') &&"
                               f" {subscription('reports.sync')}.includes('(subscribed)') && {STATUS}.startsWith('open')")
        check("Reconnect restores the subscriptions and warns that notifications may have been missed", back,
              [await page.js(STATUS), await page.js(subscription("reports.sync"))])
        psql("SELECT pg_notify('reports.sync', 'after reconnect')")
        check("notifications arrive after reconnecting", await page.wait(f"{EVENTS_TEXT}.includes('after reconnect')"))

        # The database restarts: the sidecar's gap frame is shown as a warning, then notifications flow again.
        subprocess.run([f"{ROOT}/scripts/cluster.sh", "stop", CLUSTER], check=True, capture_output=True, timeout=60)
        subprocess.run([f"{ROOT}/scripts/cluster.sh", "start", CLUSTER], check=True, capture_output=True, timeout=60,
                       env=dict(os.environ, AUTOREPORT_PORT_BASE=db_port))
        gap = await page.wait("(() => { const e = document.querySelector('#events li.event-gap'); return e &&"
                              " e.textContent.includes('may have been lost') && e.textContent; })()", timeout=60)
        check("a gap frame is shown as a warning that notifications may have been lost",
              gap and "reports.sync" in gap, gap)
        psql("SELECT pg_notify('reports.sync', 'after restart')")
        check("notifications arrive after the database restarted",
              await page.wait(f"{EVENTS_TEXT}.includes('after restart')", timeout=30))

        # Channels named in the address's fragment are subscribed to, and the fragment is cleared.
        await page.js("location.hash = '#subscribe=reports.fragment'")
        taken = await page.wait(f"{subscription('reports.fragment')}.includes('(subscribed)') && location.hash === ''")
        check("#subscribe=CHANNEL subscribes to it and leaves the address bar", taken,
              [await page.js(subscription("reports.fragment")), await page.js("location.href")])

        # Every kind of entry is on the page now: check its text contrast in both colour schemes.
        for scheme in ("light", "dark"):
            await page.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
            low = await page.js(LOW_CONTRAST)
            check(f"all text meets WCAG AA contrast in the {scheme} scheme", low == [], low[:5])
        await page.call("Emulation.setEmulatedMedia", {"features": []})

        # The list keeps the newest 500 entries.
        psql("SELECT pg_notify('reports.sync', 'burst ' || g) FROM generate_series(1, 520) g")
        capped = await page.wait("document.querySelector('#events li').textContent.includes('burst 520') &&"
                                 " document.getElementById('events').childElementCount")
        check("the event list is capped at 500, newest first", capped == 500, capped)

        found = problems(cdp) + await page.js("window.__violations")
        check("no console errors, exceptions or CSP violations", found == [], found[:5])

        # The CSP is enforced: an injected inline script and an external image are refused.
        await page.js("(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true';"
                      " document.body.append(s); const i = new Image(); i.src = 'http://192.0.2.1/x.png';"
                      " document.body.append(i); })()")
        refused = await page.wait("window.__violations.length >= 2 && window.__violations")
        check("the browser enforces the CSP (inline script and foreign image refused)",
              refused and not await page.js("window.__ran === true"), refused)

        # SIGTERM: the page shows the 1001 close and its meaning.
        sidecar.terminate()
        closed = await page.wait(f"{STATUS}.startsWith('closed') && {STATUS}")
        check("a server shutting down is shown as 1001 going away", closed and "1001" in closed and "going away" in closed, closed)
        await cdp.call("Browser.close")


def start_chromium(profile):
    with open(os.path.join(profile, "chromium.log"), "w") as log:
        proc = subprocess.Popen(["chromium", "--headless=new", "--no-sandbox", "--remote-debugging-port=0",
                                 f"--user-data-dir={profile}", "about:blank"],
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    active = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            lines = open(active).read().split("\n")
            if len(lines) >= 2 and lines[1].startswith("/devtools/"):
                return proc, f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        except FileNotFoundError:
            pass
        time.sleep(0.1)
    return proc, None


# Chromium reaps its helper processes when it exits by itself (after Browser.close, or on SIGTERM); any
# left of its process group (it runs in a session of its own) are killed after that.
def stop_chromium(proc):
    if proc is None:
        return
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def main():
    psql("CREATE EXTENSION IF NOT EXISTS autoreport")
    psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dash_viewer') THEN CREATE ROLE dash_viewer; END IF; END $$")
    psql("SELECT autoreport.grant_channel('dash_viewer', 'reports.*')")
    db_port = open(os.path.join(CLUSTER, "port")).read().strip()
    port = free_port()
    work = tempfile.mkdtemp(prefix="autoreport-dashboard-")
    profile, sidecar_log = os.path.join(work, "chromium"), os.path.join(work, "sidecar.log")
    os.mkdir(profile)
    # The page's own origin is allow-listed: the sidecar never derives it from the Host header.
    sidecar = start_sidecar(port, "--shutdown-seconds", "1", "--allowed-origin", f"http://127.0.0.1:{port}",
                            log=sidecar_log)
    chromium = None
    try:
        listening = wait_for_port(port)
        check("the sidecar listens", listening)
        if not listening:
            return
        http_checks(port)
        chromium, devtools_url = start_chromium(profile)
        check("headless Chromium starts", devtools_url is not None,
              open(os.path.join(profile, "chromium.log")).read()[-500:])
        if devtools_url:
            asyncio.run(asyncio.wait_for(browser_checks(port, devtools_url, db_port, sidecar), 240))
    except Exception as e:  # a failed step ends the run as a failed check, never as a hang
        check("the browser session ran to the end", False, f"{type(e).__name__}: {e}")
    finally:
        stop_chromium(chromium)
        stop_process(sidecar, timeout=10)
        if failed():  # what the sidecar and the browser said, for whoever investigates
            for name in (sidecar_log, os.path.join(profile, "chromium.log")):
                if os.path.exists(name):
                    lines = [line for line in open(name) if "dbus" not in line]  # Chromium's noise without a bus
                    print(f"# {name}:\n" + "".join("#   " + line for line in lines[-20:]))
        shutil.rmtree(work, ignore_errors=True)


main()
finish()
