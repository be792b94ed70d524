// The door page: scan or type a ticket's code, get a full-screen answer.
//
// Online, the server answers (POST /api/v1/checkins). When the network is gone, or a request
// fails, the page answers itself from the event's check-in kit: it verifies the Ed25519
// signature (WebCrypto where the browser has Ed25519, else the vendored @noble/ed25519),
// looks the (serial, nonce) up in the revocation list, and remembers whom it admitted. Those
// scans wait in IndexedDB and are uploaded (POST /api/v1/checkins/batch) once the network is
// back; each carries a random nonce, so an upload sent twice is counted once.
//
// The credential format mirrors tickets/credentials.py: Base45 of
//   version (1) | event tag (4) | serial (4, big-endian) | nonce (4) | Ed25519 signature (64)
// signed over CONTEXT + the first 13 bytes.

const CONTEXT = new TextEncoder().encode("qrsite-ticket-v1:");
const BODY_BYTES = 13;
const CREDENTIAL_BYTES = 77;
const MAX_TEXT = 200;
const BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const SYNC_EVERY_MS = 15000;
const RESULT_MS = 2600;
const SAME_CODE_PAUSE_MS = 4000;

const root = document.getElementById("door");
const config = root.dataset;
const $ = (id) => document.getElementById(id);

// --- Base45 and the credential ----------------------------------------------------------------

function b45decode(text) {
  const values = [];
  for (const ch of text) {
    const v = BASE45.indexOf(ch);
    if (v < 0) return null;
    values.push(v);
  }
  if (values.length % 3 === 1) return null;
  const out = [];
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025;
      if (n > 0xffff) return null;
      out.push(n >> 8, n & 0xff);
    } else {
      const n = values[i] + values[i + 1] * 45;
      if (n > 0xff) return null;
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));

// Not trim(): a space is a Base45 digit, and one code in ~20 starts or ends with one.
const unwrap = (text) => text.replace(/^[\r\n\t]+|[\r\n\t]+$/g, "");

function readCredential(text) {
  text = unwrap(text).toUpperCase();
  if (!text || text.length > MAX_TEXT) return null;
  const raw = b45decode(text);
  if (!raw || raw.length !== CREDENTIAL_BYTES || raw[0] !== 1) return null;
  const view = new DataView(raw.buffer);
  const signed = new Uint8Array(CONTEXT.length + BODY_BYTES);
  signed.set(CONTEXT);
  signed.set(raw.subarray(0, BODY_BYTES), CONTEXT.length);
  return {
    tag: hex(raw.subarray(1, 5)),
    serial: view.getUint32(5),
    nonce: hex(raw.subarray(9, 13)),
    signature: raw.slice(BODY_BYTES),
    signed,
  };
}

// --- Ed25519: WebCrypto where it exists, the vendored library otherwise ----------------------

let verifier = null;

async function makeVerifier(publicKeyHex) {
  const raw = fromHex(publicKeyHex);
  try {
    const key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    // A browser that imports the key but cannot verify would fail every ticket: prove it works.
    await crypto.subtle.verify("Ed25519", key, new Uint8Array(64), new Uint8Array(1));
    return { name: "WebCrypto", verify: (sig, msg) => crypto.subtle.verify("Ed25519", key, sig, msg) };
  } catch (err) {
    const ed = await import(config.nobleUrl);
    return {
      name: "noble-ed25519",
      verify: async (sig, msg) => {
        try {
          return await ed.verifyAsync(sig, msg, raw);
        } catch (e) {
          return false;
        }
      },
    };
  }
}

// --- IndexedDB: the kit and the queue ----------------------------------------------------------

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("door-checkins", 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("kits", { keyPath: "event" });
      const queue = db.createObjectStore("queue", { keyPath: "nonce" });
      queue.createIndex("event", "event");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

const dbReady = openDb();

async function store(name, mode, fn) {
  const db = await dbReady;
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    const result = fn(tx.objectStore(name));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}

const kitSave = (kit) => store("kits", "readwrite", (s) => s.put(kit));
const kitLoad = () => store("kits", "readonly", (s) => s.get(config.event));
const queueAdd = (item) => store("queue", "readwrite", (s) => s.put(item));
const queueAll = () => store("queue", "readonly", (s) => s.index("event").getAll(config.event));
const queueRemove = (nonces) =>
  store("queue", "readwrite", (s) => nonces.forEach((n) => s.delete(n)));

// --- state -------------------------------------------------------------------------------------

let kit = null;
let revoked = new Set();
let roster = new Map();
let admitted = new Map(); // serial -> {at, gate}: from the kit, plus what this device admitted
let online = navigator.onLine;
let syncing = false;

function applyKit(data) {
  kit = data;
  revoked = new Set(data.revoked);
  roster = new Map(data.tickets.map((t) => [t.serial, t]));
  admitted = new Map(data.checked_in.map((c) => [c.serial, { at: c.at, gate: c.gate }]));
}

async function loadKit() {
  try {
    const response = await fetch(config.kitUrl, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(`kit ${response.status}`);
    const data = await response.json();
    data.downloaded_at = new Date().toISOString();
    await kitSave(data);
    applyKit(data);
  } catch (err) {
    const saved = await kitLoad();
    if (saved) applyKit(saved);
  }
  // Scans this device made and has not uploaded yet count as admissions too.
  for (const item of await queueAll()) {
    if (item.device_result === "valid" && item.serial != null && !admitted.has(item.serial)) {
      admitted.set(item.serial, { at: item.scanned_at, gate: item.gate });
    }
  }
  if (kit) {
    verifier = await makeVerifier(kit.public_key);
    const when = new Date(kit.downloaded_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    $("kit").textContent = `Offline kit ready (list v${kit.revocation_version}, ${when}, ${verifier.name})`;
    $("kit").dataset.ready = "1";
  } else {
    $("kit").textContent = "No offline kit yet: connect once to download it.";
  }
}

// --- answers -----------------------------------------------------------------------------------

const TITLES = {
  valid: "Valid",
  already_used: "Already used",
  revoked: "Revoked",
  wrong_event: "Not for this event",
  outside_window: "Outside the check-in window",
  invalid: "Not a valid ticket",
};

function timeText(iso) {
  if (!iso) return "";
  const options = { hour: "2-digit", minute: "2-digit" };
  if (kit && kit.time_zone) options.timeZone = kit.time_zone;
  try {
    return new Intl.DateTimeFormat([], options).format(new Date(iso));
  } catch (e) {
    return new Date(iso).toLocaleTimeString();
  }
}

function cue(valid) {
  if (navigator.vibrate) navigator.vibrate(valid ? [90] : [220, 120, 220]);
  try {
    const audio = cue.audio || (cue.audio = new (window.AudioContext || window.webkitAudioContext)());
    const tones = valid ? [[880, 0, 0.12]] : [[220, 0, 0.18], [180, 0.24, 0.18]];
    for (const [freq, start, length] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + start);
      osc.stop(audio.currentTime + start + length);
    }
  } catch (e) {
    /* no audio: the colour and the vibration still say it */
  }
}

let resultTimer = null;

function show(answer, mode) {
  const box = $("result");
  box.className = `result ${answer.result}`;
  box.dataset.result = answer.result;
  $("result-title").textContent = TITLES[answer.result] || answer.result;
  const ticket = answer.ticket;
  $("result-name").textContent = ticket ? ticket.holder_name || "" : "";
  let detail = "";
  if (answer.result === "valid") detail = (ticket && ticket.ticket_type) || "";
  if (answer.result === "already_used" && answer.first_checkin) {
    const first = answer.first_checkin;
    detail = `First used at ${timeText(first.at)}${first.gate ? ` at gate ${first.gate}` : ""}`;
  }
  if (answer.result === "invalid") detail = "Forged, damaged or unknown code";
  if (answer.result === "revoked") detail = "This code was cancelled or replaced";
  $("result-detail").textContent = detail;
  $("result-mode").textContent = mode === "offline" ? "Checked on this device (offline); will sync" : "";
  box.hidden = false;
  box.focus();
  cue(answer.result === "valid");
  clearTimeout(resultTimer);
  resultTimer = setTimeout(closeResult, RESULT_MS);
}

function closeResult() {
  $("result").hidden = true;
  $("payload").focus();
}

// --- checking in -------------------------------------------------------------------------------

function newNonce() {
  return crypto.randomUUID ? crypto.randomUUID() : hex(crypto.getRandomValues(new Uint8Array(16)));
}

async function checkOnline(payload, gate, nonce) {
  const response = await fetch(config.checkinUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf },
    body: JSON.stringify({ event: config.event, payload, gate, nonce }),
  });
  if (response.status >= 500) throw new Error(`server ${response.status}`);
  const data = await response.json();
  if (!response.ok) return { result: "invalid", ticket: null, error: data.error };
  const credential = data.result === "valid" ? readCredential(payload) : null;
  if (credential) {
    // Kept with the kit too: after a reload without the network this device still knows.
    const entry = { serial: credential.serial, at: new Date().toISOString(), gate };
    admitted.set(entry.serial, { at: entry.at, gate });
    if (kit) {
      kit.checked_in.push(entry);
      await kitSave(kit);
    }
  }
  return data;
}

async function checkOffline(payload, gate) {
  const now = new Date();
  const credential = readCredential(payload);
  if (!kit || !verifier) return { result: "invalid", ticket: null, noKit: true };
  if (!credential) return { result: "invalid", ticket: null };
  if (credential.tag !== kit.tag) return { result: "wrong_event", ticket: null };
  if (!(await verifier.verify(credential.signature, credential.signed))) {
    return { result: "invalid", ticket: null };
  }
  const known = roster.get(credential.serial);
  // A good signature proves the ticket even when it was issued after the kit was downloaded.
  const ticket = known
    ? { holder_name: known.holder_name, ticket_type: known.ticket_type }
    : { holder_name: `Ticket #${credential.serial}`, ticket_type: "" };
  if (revoked.has(`${credential.serial}:${credential.nonce}`)) return { result: "revoked", ticket, credential };
  if (known && known.nonce !== credential.nonce) return { result: "revoked", ticket, credential };
  if (kit.checkin_opens_at && now < new Date(kit.checkin_opens_at)) return { result: "outside_window", ticket, credential };
  if (kit.checkin_closes_at && now >= new Date(kit.checkin_closes_at)) return { result: "outside_window", ticket, credential };
  const first = admitted.get(credential.serial);
  if (first) return { result: "already_used", ticket, credential, first_checkin: first };
  admitted.set(credential.serial, { at: now.toISOString(), gate });
  return { result: "valid", ticket, credential };
}

async function checkIn(payload) {
  payload = unwrap(payload);
  if (!payload.trim()) return;
  const gate = $("gate").value;
  const nonce = newNonce();
  if (online) {
    try {
      show(await checkOnline(payload, gate, nonce), "online");
      return;
    } catch (err) {
      setOnline(false); // the request failed: answer here and queue it
    }
  }
  const answer = await checkOffline(payload, gate);
  if (!answer.noKit && payload.length <= MAX_TEXT) {
    await queueAdd({
      nonce,
      event: config.event,
      payload,
      gate,
      scanned_at: new Date().toISOString(),
      device_result: answer.result,
      serial: answer.credential ? answer.credential.serial : null,
    });
  }
  show(answer, "offline");
  await refreshQueue();
}

// --- syncing -----------------------------------------------------------------------------------

async function refreshQueue() {
  const waiting = (await queueAll()).length;
  $("queue-count").textContent = String(waiting);
  $("queue").dataset.count = String(waiting);
  return waiting;
}

async function sync() {
  if (syncing || !online) return;
  const items = await queueAll();
  if (!items.length) return;
  syncing = true;
  try {
    const response = await fetch(config.batchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf },
      body: JSON.stringify({
        event: config.event,
        items: items.map(({ payload, gate, nonce, scanned_at, device_result }) => ({
          payload, gate, nonce, scanned_at, device_result,
        })),
      }),
    });
    if (!response.ok) throw new Error(`batch ${response.status}`);
    const data = await response.json();
    await queueRemove(items.map((i) => i.nonce));
    const conflicts = data.conflicts ? `; ${data.conflicts} conflict${data.conflicts === 1 ? "" : "s"} (another gate admitted first)` : "";
    $("sync-note").textContent = `Synced ${items.length} check-in${items.length === 1 ? "" : "s"}${conflicts}.`;
    $("sync-note").dataset.synced = String(items.length);
    await loadKit();
  } catch (err) {
    $("sync-note").textContent = "Could not sync yet; the check-ins stay on this device.";
  } finally {
    syncing = false;
    await refreshQueue();
  }
}

function setOnline(state) {
  online = state;
  const net = $("net");
  net.className = `net ${state ? "online" : "offline"}`;
  net.dataset.state = state ? "online" : "offline";
  $("net-text").textContent = state ? "Online" : "Offline";
  if (state) sync();
}

window.addEventListener("online", () => setOnline(true));
window.addEventListener("offline", () => setOnline(false));
setInterval(() => {
  if (navigator.onLine && !online) setOnline(true);
  else sync();
}, SYNC_EVERY_MS);

// --- the camera --------------------------------------------------------------------------------

let lastCode = "";
let lastCodeAt = 0;

async function detectorFor() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) return { detector: new window.BarcodeDetector({ formats: ["qr_code"] }), name: "built-in" };
    } catch (e) {
      /* fall through to the ponyfill */
    }
  }
  const api = window.BarcodeDetectionAPI;
  api.setZXingModuleOverrides({
    locateFile: (path, prefix) => (path.endsWith(".wasm") ? config.wasmUrl : prefix + path),
  });
  return { detector: new api.BarcodeDetector({ formats: ["qr_code"] }), name: "zxing-wasm" };
}

async function startCamera() {
  const note = $("camera-note");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 } },
      audio: false,
    });
    const video = $("camera");
    video.srcObject = stream;
    await video.play();
    $("camera-box").hidden = false;
    $("camera-start").hidden = true;
    const { detector, name } = await detectorFor();
    note.hidden = false;
    note.textContent = `Point the camera at the ticket (decoder: ${name}).`;
    root.dataset.scanner = name;
    const scan = async () => {
      if ($("result").hidden && video.readyState >= 2) {
        try {
          const codes = await detector.detect(video);
          const code = codes.find((c) => c.rawValue);
          const now = Date.now();
          if (code && (code.rawValue !== lastCode || now - lastCodeAt > SAME_CODE_PAUSE_MS)) {
            lastCode = code.rawValue;
            lastCodeAt = now;
            root.dataset.lastScan = code.rawValue;
            await checkIn(code.rawValue);
          }
        } catch (e) {
          /* one bad frame; try the next */
        }
      }
      setTimeout(scan, 150);
    };
    scan();
  } catch (err) {
    note.hidden = false;
    note.textContent = "The camera is not available here; type or paste the code instead.";
  }
}

// --- wiring ------------------------------------------------------------------------------------

$("manual").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = $("payload");
  const value = field.value;
  field.value = "";
  await checkIn(value);
});
$("result-close").addEventListener("click", closeResult);
$("result").addEventListener("click", (event) => {
  if (event.target === $("result")) closeResult();
});
$("camera-start").addEventListener("click", startCamera);
const savedGate = localStorage.getItem(`door-gate:${config.event}`);
if (savedGate) {
  if (![...$("gate").options].some((o) => o.value === savedGate)) $("gate").add(new Option(savedGate, savedGate));
  $("gate").value = savedGate;
}
$("gate").addEventListener("change", () => localStorage.setItem(`door-gate:${config.event}`, $("gate").value));

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const registration = await navigator.serviceWorker.register(config.swUrl, { scope: "/tickets/" });
    await navigator.serviceWorker.ready;
    // The first visit was not served by the worker: hand it what to keep for offline use.
    const urls = [
      location.pathname,
      ...[...document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon]")].map((el) => el.src || el.href),
      config.wasmUrl,
      config.nobleUrl,
    ];
    (registration.active || navigator.serviceWorker.controller)?.postMessage({ type: "cache", urls });
    root.dataset.worker = "ready";
  } catch (err) {
    root.dataset.worker = "failed";
  }
}

(async () => {
  setOnline(navigator.onLine);
  await loadKit();
  await refreshQueue();
  root.dataset.ready = "1";
  registerWorker();
  sync();
})();
