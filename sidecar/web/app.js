// autoreport live: the sidecar's dashboard. Connects to the sidecar that served this page, subscribes
// to channels and lists what arrives, newest first. Served under a strict Content-Security-Policy, so
// everything here is plain DOM: no inline script or style, no external resources, and text from the
// server is only ever inserted with textContent.
//
// Payloads it recognises (NOTIFY payloads are JSON objects with an "event" member; ids, not data):
//   {"event": "report_ready",  "report": r, "schedule": s, "run_id": n, "output_id": n, "format": f, "rows": n}
//   {"event": "report_failed", "report": r, "schedule": s, "run_id": n, "attempt": n, "sqlstate": c, "error": m}
//   {"event": "alert", "report": r, "schedule": s, "run_id": n, "output_id": n, "message": m}
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

  // Payload events shown specially: their label, style and the members listed under them.
  const EVENTS = new Map(Object.entries({
    report_ready: {
      kind: "ready", label: "report ready",
      fields: [["report", "report"], ["output_id", "output id"], ["format", "format"], ["rows", "rows"],
               ["schedule", "schedule"], ["run_id", "run"]],
    },
    report_failed: {
      kind: "failed", label: "report failed",
      fields: [["report", "report"], ["schedule", "schedule"], ["run_id", "run"], ["attempt", "attempt"],
               ["sqlstate", "SQLSTATE"], ["error", "error"]],
    },
    alert: {
      kind: "alert", label: "alert",
      fields: [["message", "message"], ["report", "report"], ["schedule", "schedule"],
               ["output_id", "output id"], ["run_id", "run"]],
    },
  }));

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
      for (const [name, value] of details) list.append(el("dt", "", name), el("dd", "", value));
      item.append(list);
    }
    if (payload !== undefined) item.append(el("pre", "payload", payload));
    ui.events.prepend(item);
    while (ui.events.childElementCount > MAX_EVENTS) ui.events.lastElementChild.remove();
  }

  function text(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function onNotify(frame) {
    const payload = frame.payload;
    const isObject = payload !== null && typeof payload === "object" && !Array.isArray(payload);
    const known = isObject ? EVENTS.get(payload.event) : undefined;
    const details = [];
    let kind = "notify";
    let label = "notification";
    if (known) {
      ({ kind, label } = known);
      for (const [key, name] of known.fields) {
        if (payload[key] !== undefined && payload[key] !== null) details.push([name, text(payload[key])]);
      }
    } else if (isObject && typeof payload.event === "string") {
      label = payload.event.replace(/_/g, " ");
    }
    addEvent({ kind, label, channel: String(frame.channel), seq: frame.seq, time: frame.time, details,
               payload: text(payload) });
    if (known) {
      const id = payload.output_id !== undefined ? `, output ${text(payload.output_id)}` : "";
      announce(`${label} on ${frame.channel}${id}`);
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

  // A token in the address's fragment (#token=...) is taken and removed from the address bar, so it
  // is neither bookmarked nor left in the history. Fragments never reach the server.
  function tokenFromFragment() {
    if (location.hash.length < 2) return null;
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get("token");
    if (token === null) return null;
    params.delete("token");
    const rest = params.toString();
    history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
    return token;
  }

  function takeFragmentToken() {
    const token = tokenFromFragment();
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
  window.addEventListener("hashchange", takeFragmentToken);

  setStatus("closed", "Not connected.");
  takeFragmentToken();
})();
