// autoreport live: the sidecar's dashboard. Connects to the sidecar that served this page, subscribes
// to channels and lists what arrives, newest first. Served under a strict Content-Security-Policy, so
// everything here is plain DOM: no inline script or style, no external resources, and text from the
// server is only ever inserted with textContent.
//
// Payloads it recognises: the events that end every scheduled job's run (NOTIFY payloads built by the
// extension's extension/schedules/event.cpp; ids, not data):
//   {"event": "report_ready" | "report_failed" | "alert", "job": s, "job_id": n, "report": r, "format": f,
//    "run_id": n, "attempt": n, "manual": b, "output_id": n, "rows": n, "bytes": n,
//    "scheduled_for": iso, "started_at": iso, "finished_at": iso,
//    failures: "error": m, "sqlstate": c, "retry_at": iso | null,
//    alerts: "condition": c, "alert": {"matching_rows": n, "rows": [...]} | {"values": {...}},
//    "deliveries": [ids of the deliveries the run made, one per subscribed destination],
//    "truncated": true when the payload was cut to fit NOTIFY's 8000 bytes}
// and the outcome of each delivery attempt the sidecar made (extension/schedules/deliveries.sql):
//   {"event": "delivery", "delivery": n, "job": s, "run_id": n, "output_id": n, "destination": s,
//    "kind": "webhook" | "email", "status": "delivered" | "failed" | "given_up", "attempts": n,
//    "last_status": n | null, "error": m | null}
// A delivery's outcome is shown as its own entry and also updates the line of that delivery under
// the run that made it.
// Any other "event" is shown under its own name; any other payload as a plain notification.
"use strict";

(() => {
  const MAX_EVENTS = 500;
  const CHANNEL = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

  // What a close code means to the person watching (the reason the server sent is shown as well).
  const CLOSE_MEANINGS = {
    1000: "closed",
    1001: "the server is going away (shutting down or restarting)",
    1006: "connection lost or refused: the token may be invalid or expired, or the server unreachable",
    1008: "closed by the server's policy",
    1009: "a frame was too large",
    1011: "the server hit an error",
    1013: "the server is overloaded; try again later",
  };

  // The events that end a scheduled job's run: their style and label.
  const EVENTS = new Map(Object.entries({
    report_ready: { kind: "ready", label: "report ready" },
    report_failed: { kind: "failed", label: "report failed" },
    alert: { kind: "alert", label: "alert" },
  }));

  // A delivery's status: its style and label.
  const DELIVERIES = new Map(Object.entries({
    delivered: { kind: "ready", label: "delivered" },
    failed: { kind: "retry", label: "delivery failed, will retry" },
    given_up: { kind: "failed", label: "delivery given up" },
  }));
  // The line of each delivery listed under its run, by delivery id (the oldest forgotten first).
  const deliveryLines = new Map();
  const MAX_DELIVERY_LINES = 5000;

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $("status"), connectForm: $("connect-form"), token: $("token"), connect: $("connect"),
    disconnect: $("disconnect"), subscribeForm: $("subscribe-form"), channel: $("channel"),
    subscriptions: $("subscriptions"), noSubscriptions: $("no-subscriptions"), events: $("events"),
    clear: $("clear"), announcer: $("announcer"),
  };

  let socket = null;          // the current WebSocket, or null
  let everConnected = false;  // a later connection warns that notifications in between were missed
  let nextId = 1;
  const pending = new Map();  // request id -> {op, channel}
  const channels = new Map(); // channel -> {state, item}; state: waiting, subscribing, subscribed, unsubscribing

  // Creates an element with a class and text.
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Says something to screen readers through the live region.
  function announce(text) {
    ui.announcer.textContent = text;
  }

  // Plain notifications can arrive by the hundred: they are announced as a count, at most once a second.
  let unannounced = 0;
  let announceTimer = null;
  function announceLater() {
    unannounced += 1;
    if (announceTimer !== null) return;
    announceTimer = setTimeout(() => {
      announce(unannounced === 1 ? "1 new notification" : `${unannounced} new notifications`);
      unannounced = 0;
      announceTimer = null;
    }, 1000);
  }

  function setStatus(state, text) {
    ui.status.dataset.state = state;
    ui.status.textContent = text;
    ui.connect.textContent = state === "closed" ? "Connect" : "Reconnect";
    ui.disconnect.disabled = state === "closed";
  }

  function clockTime(date) {
    return date.toLocaleTimeString(undefined, { hour12: false });
  }

  // Adds an entry at the top of the event list and drops the oldest beyond MAX_EVENTS.
  function addEvent({ kind, label, channel, seq, time, details = [], payload }) {
    const item = el("li", `event event-${kind}`);
    const head = el("p", "event-head");
    head.append(el("span", "badge", label));
    if (channel !== undefined) head.append(" ", el("span", "channel", channel));
    if (seq !== undefined) head.append(" ", el("span", "seq", `#${seq}`));
    const when = time ? new Date(time) : new Date();
    const stamp = el("time", "time", Number.isNaN(when.getTime()) ? String(time) : clockTime(when));
    stamp.dateTime = Number.isNaN(when.getTime()) ? "" : when.toISOString();
    if (time) stamp.title = String(time);
    head.append(" ", stamp);
    item.append(head);
    if (details.length > 0) {
      const list = el("dl", "details");
      for (const [name, value] of details) {
        const dd = el("dd");
        dd.append(value); // a string becomes a text node; a node was built here with el()
        list.append(el("dt", "", name), dd);
      }
      item.append(list);
    }
    if (payload !== undefined) item.append(el("pre", "payload", payload));
    ui.events.prepend(item);
    while (ui.events.childElementCount > MAX_EVENTS) ui.events.lastElementChild.remove();
  }

  function text(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  const given = (value) => value !== undefined && value !== null;

  // An ISO 8601 instant as a <time> on the local clock (the text as sent in its tooltip); the text itself
  // when it is not one.
  function instant(value) {
    const when = typeof value === "string" ? new Date(value) : new Date(NaN);
    if (Number.isNaN(when.getTime())) return text(value);
    const node = el("time", "", when.toLocaleString(undefined, { hour12: false }));
    node.dateTime = when.toISOString();
    node.title = value;
    return node;
  }

  function number(value) {
    return typeof value === "number" ? value.toLocaleString() : text(value);
  }

  // A list of short lines (matching rows, aggregate values).
  function lines(items) {
    const list = el("ul", "lines");
    for (const item of items) list.append(el("li", "", item));
    return list;
  }

  // One result row of an alert, "column: value, ...".
  function rowText(row) {
    if (row === null || typeof row !== "object" || Array.isArray(row)) return text(row);
    return Object.entries(row).map(([name, value]) => `${name}: ${text(value)}`).join(", ");
  }

  // What made an alert's condition hold: the matching rows (per-row conditions) or the values of the
  // aggregates (conditions over the whole result).
  function alertDetails(alert, details) {
    if (alert === null || typeof alert !== "object") return;
    if (given(alert.matching_rows)) details.push(["matching rows", number(alert.matching_rows)]);
    if (Array.isArray(alert.rows) && alert.rows.length > 0) {
      const some = typeof alert.matching_rows === "number" && alert.rows.length < alert.matching_rows;
      details.push([some ? `first ${alert.rows.length}` : "matching", lines(alert.rows.map(rowText))]);
    }
    if (alert.values !== null && typeof alert.values === "object") {
      details.push(["values", lines(Object.entries(alert.values).map(([name, value]) => `${name} = ${text(value)}`))]);
    }
    if (alert.truncated === true) details.push(["detail", "left out to fit the notification"]);
  }

  // The details of a run's event, in the order a person reads them.
  function runDetails(p) {
    const details = [];
    const add = (name, value, shown = text) => {
      if (given(value)) details.push([name, shown(value)]);
    };
    if (p.event === "alert") {
      add("condition", p.condition);
      alertDetails(p.alert, details);
    }
    add("job", p.job, (job) => (given(p.job_id) ? `${text(job)} (id ${text(p.job_id)})` : text(job)));
    add("report", p.report);
    add("run", p.run_id, (run) => {
      let shown = text(run);
      if (typeof p.attempt === "number" && p.attempt > 1) shown += `, attempt ${p.attempt}`;
      if (p.manual === true) shown += ", run now";
      return shown;
    });
    if (p.event === "report_failed") {
      add("SQLSTATE", p.sqlstate);
      add("error", p.error);
      details.push(["retry", given(p.retry_at) ? instant(p.retry_at) : "none (no attempts left)"]);
    }
    // An id, not a link: the bytes are read in SQL by whoever may (autoreport.output checks that).
    add("output id", p.output_id, (id) => `${text(id)} (autoreport.output(${text(id)}))`);
    if (Array.isArray(p.deliveries) && p.deliveries.length > 0) {
      details.push(["deliveries", deliveryList(p.deliveries)]);
    }
    add("format", p.format);
    add("rows", p.rows, number);
    add("bytes", p.bytes, number);
    add("scheduled for", p.scheduled_for, instant);
    add("finished", p.finished_at, instant);
    if (p.truncated === true) details.push(["note", "cut to fit NOTIFY's 8000-byte limit"]);
    return details;
  }

  // The deliveries a run made, one line each, "pending" until their outcome arrives.
  function deliveryList(ids) {
    const list = el("ul", "lines deliveries");
    for (const id of ids) {
      const line = el("li", "delivery-pending", `#${text(id)} pending`);
      line.dataset.delivery = text(id);
      list.append(line);
      deliveryLines.delete(text(id));
      deliveryLines.set(text(id), line);
      if (deliveryLines.size > MAX_DELIVERY_LINES) deliveryLines.delete(deliveryLines.keys().next().value);
    }
    return list;
  }

  function deliveryText(p) {
    let shown = `#${text(p.delivery)} ${text(p.destination)} (${text(p.kind)}): ${text(p.status).replace(/_/g, " ")}`;
    if (typeof p.attempts === "number") shown += `, ${p.attempts === 1 ? "1 attempt" : `${p.attempts} attempts`}`;
    if (given(p.last_status)) shown += `, last answer ${text(p.last_status)}`;
    return shown;
  }

  // A delivery's outcome: its own entry, and its line under the run updated.
  function onDelivery(frame, p) {
    const known = DELIVERIES.get(p.status) || { kind: "notify", label: `delivery ${text(p.status)}` };
    const details = [];
    const add = (name, value, shown = text) => {
      if (given(value)) details.push([name, shown(value)]);
    };
    add("destination", p.destination, (d) => (given(p.kind) ? `${text(d)} (${text(p.kind)})` : text(d)));
    add("delivery", p.delivery);
    add("job", p.job);
    add("run", p.run_id);
    add("output id", p.output_id);
    add("attempts", p.attempts, number);
    add("last answer", p.last_status);
    add("error", p.error);
    addEvent({ kind: known.kind, label: known.label, channel: String(frame.channel), seq: frame.seq,
               time: frame.time, details, payload: text(p) });
    const line = deliveryLines.get(text(p.delivery));
    if (line) {
      line.textContent = deliveryText(p);
      line.className = `delivery-${known.kind}`;
    }
    announce(`${known.label} on ${frame.channel}: ${text(p.destination)}, job ${text(p.job)}`);
  }

  function onNotify(frame) {
    const payload = frame.payload;
    const isObject = payload !== null && typeof payload === "object" && !Array.isArray(payload);
    if (isObject && payload.event === "delivery") {
      onDelivery(frame, payload);
      return;
    }
    const known = isObject ? EVENTS.get(payload.event) : undefined;
    let details = [];
    let kind = "notify";
    let label = "notification";
    if (known) {
      ({ kind, label } = known);
      details = runDetails(payload);
    } else if (isObject && typeof payload.event === "string") {
      label = payload.event.replace(/_/g, " ");
    }
    addEvent({ kind, label, channel: String(frame.channel), seq: frame.seq, time: frame.time, details,
               payload: text(payload) });
    if (known) {
      const job = given(payload.job) ? `: job ${text(payload.job)}` : "";
      const output = given(payload.output_id) ? `, output ${text(payload.output_id)}` : "";
      const why = payload.event === "alert" && given(payload.condition) ? `, ${text(payload.condition)}` : "";
      announce(`${label} on ${frame.channel}${job}${output}${why}`);
    } else {
      announceLater();
    }
  }

  function onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      addEvent({ kind: "error", label: "unreadable frame", payload: String(data).slice(0, 200) });
      return;
    }
    const request = frame.id !== undefined ? pending.get(frame.id) : undefined;
    if (request) pending.delete(frame.id);
    switch (frame.type) {
      case "notify":
        onNotify(frame);
        break;
      case "subscribed":
        if (channels.get(frame.channel)?.state === "subscribing") setChannel(frame.channel, "subscribed");
        announce(`Subscribed to ${frame.channel}`);
        break;
      case "unsubscribed":
        if (frame.reason === "revoked") {
          // The server ended it: the role's grant was revoked.
          setChannel(frame.channel, null);
          addEvent({ kind: "error", label: "grant revoked",
                     details: [["channel", text(frame.channel ?? "")]] });
          announce(`The grant to listen on ${frame.channel} was revoked`);
          break;
        }
        if (channels.get(frame.channel)?.state === "unsubscribing") setChannel(frame.channel, null);
        announce(`Unsubscribed from ${frame.channel}`);
        break;
      case "gap": {
        const names = Array.isArray(frame.channels) ? frame.channels.join(", ") : "";
        addEvent({ kind: "gap", label: "notifications may have been lost",
                   details: [["channels", names], ["reason", text(frame.reason ?? "")]] });
        announce(`Warning: notifications may have been lost on ${names}`);
        break;
      }
      case "error": {
        const details = [["code", text(frame.code ?? "")], ["message", text(frame.message ?? "")]];
        if (request) {
          details.push(["request", `${request.op} ${request.channel}`]);
          // A refused subscription is not one; a failed unsubscribe leaves nothing to show either.
          if (channels.has(request.channel)) setChannel(request.channel, null);
        }
        addEvent({ kind: "error", label: "error", details });
        announce(`Error: ${text(frame.message ?? frame.code ?? "")}`);
        break;
      }
      default:
        break; // pong, published: nothing to show
    }
  }

  function send(op, channel) {
    const id = nextId++;
    pending.set(id, { op, channel });
    socket.send(JSON.stringify({ op, channel, id }));
  }

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  // Sets a channel's state (null removes it) and keeps its list item in step.
  function setChannel(channel, state) {
    let entry = channels.get(channel);
    if (state === null) {
      if (!entry) return;
      channels.delete(channel);
      const hadFocus = entry.item.contains(document.activeElement);
      entry.item.remove();
      if (hadFocus) ui.channel.focus();
    } else {
      if (!entry) {
        entry = { state, item: el("li", "subscription") };
        const button = el("button", "", "Unsubscribe");
        button.type = "button";
        button.setAttribute("aria-label", `Unsubscribe from ${channel}`);
        button.addEventListener("click", () => unsubscribe(channel));
        entry.item.append(el("span", "channel", channel), " ", el("span", "state"), " ", button);
        channels.set(channel, entry);
        const after = [...ui.subscriptions.children].find((li) => li.dataset.channel > channel);
        ui.subscriptions.insertBefore(entry.item, after ?? null);
      }
      entry.state = state;
      entry.item.dataset.channel = channel;
      entry.item.dataset.state = state;
      entry.item.querySelector(".state").textContent =
        state === "waiting" ? "(waiting for a connection)" : `(${state})`;
    }
    ui.noSubscriptions.hidden = channels.size > 0;
  }

  function subscribe(channel) {
    if (channel.length > 63 || !CHANNEL.test(channel)) {
      addEvent({ kind: "error", label: "not a channel name", details: [["channel", channel]] });
      announce(`${channel} is not a channel name`);
      return false;
    }
    const state = channels.get(channel)?.state;
    if (state === "subscribed" || state === "subscribing") {
      announce(`Already subscribed to ${channel}`);
      return true;
    }
    if (isOpen()) {
      setChannel(channel, "subscribing");
      send("subscribe", channel);
    } else {
      setChannel(channel, "waiting");
      announce(`${channel} will be subscribed once connected`);
    }
    return true;
  }

  function unsubscribe(channel) {
    const state = channels.get(channel)?.state;
    if (isOpen() && (state === "subscribed" || state === "subscribing")) {
      setChannel(channel, "unsubscribing");
      send("unsubscribe", channel);
    } else {
      setChannel(channel, null);
    }
  }

  // Drops the current connection without reporting its close.
  function drop() {
    if (socket === null) return;
    const old = socket;
    socket = null;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    old.close(1000);
  }

  function connect() {
    const token = ui.token.value.trim();
    if (token === "") {
      setStatus("closed", "Not connected: a token is needed.");
      ui.token.focus();
      return;
    }
    drop();
    pending.clear();
    for (const channel of channels.keys()) setChannel(channel, "waiting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    // Browsers cannot set headers on a WebSocket, so the token travels as the query parameter.
    const ws = new WebSocket(`${scheme}//${location.host}/?token=${encodeURIComponent(token)}`);
    socket = ws;
    setStatus("connecting", "Connecting…");
    ws.onopen = () => {
      setStatus("open", `Connected since ${clockTime(new Date())}.`);
      announce("Connected");
      if (everConnected && channels.size > 0) {
        addEvent({ kind: "gap", label: "reconnected",
                   details: [["note", "notifications sent while disconnected were not received"]] });
      }
      everConnected = true;
      for (const channel of channels.keys()) {
        setChannel(channel, "subscribing");
        send("subscribe", channel);
      }
    };
    ws.onmessage = (event) => onFrame(event.data);
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      pending.clear();
      for (const channel of channels.keys()) setChannel(channel, "waiting");
      const meaning = CLOSE_MEANINGS[event.code] ?? "closed";
      const reason = event.reason ? ` "${event.reason}"` : "";
      setStatus("closed", `Disconnected (${event.code}${reason}): ${meaning}.`);
      addEvent({ kind: "closed", label: "disconnected",
                 details: [["code", String(event.code)], ["reason", event.reason || "none given"], ["meaning", meaning]] });
      announce(`Disconnected: ${event.reason || meaning}`);
    };
  }

  // The address's fragment may carry a token (#token=...) and channels to subscribe to
  // (#subscribe=reports.jobs,reports.sales). Both are taken and removed from the address bar, so the
  // token is neither bookmarked nor left in the history. Fragments never reach the server.
  function takeFragment() {
    if (location.hash.length < 2) return;
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get("token");
    const wanted = params.get("subscribe");
    if (token === null && wanted === null) return;
    params.delete("token");
    params.delete("subscribe");
    const rest = params.toString();
    history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    // Channels first: a connection made just after subscribes to them once it opens.
    for (const channel of (wanted ?? "").split(",")) {
      if (channel.trim() !== "") subscribe(channel.trim());
    }
    if (token) {
      ui.token.value = token;
      connect();
    }
  }

  ui.connectForm.addEventListener("submit", (event) => {
    event.preventDefault();
    connect();
  });
  ui.disconnect.addEventListener("click", () => {
    if (socket === null) return;
    socket.close(1000, "closed by the user");
  });
  ui.subscribeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (subscribe(ui.channel.value.trim())) ui.channel.value = "";
  });
  ui.clear.addEventListener("click", () => {
    ui.events.replaceChildren();
    announce("Events cleared");
  });
  window.addEventListener("hashchange", takeFragment);

  setStatus("closed", "Not connected.");
  takeFragment();
})();
