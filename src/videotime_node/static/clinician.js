// The clinician page of the embedded node: a Pexip client in ~300 lines of plain JS.
// It uses the same client REST API v2 as everyone else (fetch + EventSource + RTCPeerConnection),
// so headless Chromium (or a person) can be the clinician, or with ?role=guest the patient.
// Query parameters: room, pin (host PIN; default 2468), name, role=guest, direct=1|0 (ask for
// direct media; default 1), results=KEY (POST a stats summary to /_admin/results/KEY every second),
// autoadmit=1|0 (host admits waiting guests; default 1), camera=stamp (send a canvas picture
// carrying the time stamp of videotime_client/media/synthetic.py instead of the camera, so the
// receiver can measure glass-to-glass latency).
"use strict";

const params = new URLSearchParams(location.search);
const ROOM = params.get("room") || "123456";
const GUEST = params.get("role") === "guest";
const PIN = GUEST ? (params.get("pin") || "none") : (params.get("pin") || "2468");
const NAME = params.get("name") || (GUEST ? "Pasient (nettleser)" : "Kari Lege");
const DIRECT = params.get("direct") !== "0";
const RESULTS = params.get("results");
const AUTOADMIT = params.get("autoadmit") !== "0";
const STAMP_CAMERA = params.get("camera") === "stamp";
const API = `/api/client/v2/conferences/${encodeURIComponent(ROOM)}`;

const state = {
  token: null, uuid: null, expires: 120, role: null, serviceType: null,
  pc: null, callUuid: null, localStream: null, roster: new Map(), chat: [], errors: [],
  events: {}, disconnectReason: null, offersAnswered: 0, callsPlaced: 0, refreshes: 0,
  stats: null, iceServers: [],
};

const $ = (id) => document.getElementById(id);
function setStatus(text) { $("status").textContent = text; }
function noteError(where, err) {
  const text = `${where}: ${err && err.message ? err.message : err}`;
  state.errors.push(text);
  if (state.errors.length > 50) state.errors.shift();
  console.error(text);
}

async function api(method, path, body, extraHeaders) {
  const headers = Object.assign({}, extraHeaders || {});
  if (state.token) headers.token = state.token;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, init);
  let json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  return { status: response.status, json };
}

// ------------------------------------------------------------------ joining
async function requestToken() {
  const body = { display_name: NAME, direct_media: DIRECT };
  let r = await api("POST", "/request_token", body);
  if (r.status === 403 && r.json && typeof r.json.result === "object") {
    r = await api("POST", "/request_token", body, { pin: PIN });
  }
  if (r.status !== 200) throw new Error(`request_token ${r.status} ${JSON.stringify(r.json)}`);
  const result = r.json.result;
  state.token = result.token;
  state.uuid = result.participant_uuid;
  state.expires = parseInt(result.expires, 10) || 120;
  state.role = result.role;
  state.serviceType = result.current_service_type;
  state.iceServers = (result.stun || []).map((s) => ({ urls: s.url }))
    .concat((result.turn || []).map((t) => ({ urls: t.urls, username: t.username, credential: t.credential })));
  state.directMedia = !!result.direct_media;
  $("room").textContent = ROOM;
  $("role").textContent = result.role;
  setInterval(refreshToken, (state.expires / 3) * 1000);
}

async function refreshToken() {
  if (!state.token || state.disconnectReason) return;
  try {
    const r = await api("POST", "/refresh_token");
    if (r.status === 200) { state.token = r.json.result.token; state.refreshes += 1; }
  } catch (e) { noteError("refresh_token", e); }
}

// ------------------------------------------------------------------ events
function openEvents() {
  const source = new EventSource(`${API}/events?token=${encodeURIComponent(state.token)}`);
  const on = (name, fn) => source.addEventListener(name, (ev) => {
    state.events[name] = (state.events[name] || 0) + 1;
    let data = null;
    try { data = JSON.parse(ev.data); } catch (e) { data = null; }
    Promise.resolve(fn(data)).catch((err) => noteError(name, err));
  });
  on("participant_sync_begin", () => state.roster.clear());
  on("participant_sync_end", () => renderRoster());
  on("participant_create", (p) => upsert(p));
  on("participant_update", (p) => upsert(p));
  on("participant_delete", (p) => { state.roster.delete(p.uuid); renderRoster(); });
  on("conference_update", () => {});
  on("message_received", (m) => { state.chat.push(m); $("chat").textContent += `${m.origin}: ${m.payload}\n`; });
  on("new_offer", (d) => answerOffer(d.sdp, true));
  on("update_sdp", (d) => answerOffer(d.sdp, false));
  on("new_candidate", async (c) => {
    if (state.pc && c.candidate) await state.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.mid });
  });
  on("peer_disconnect", () => { closePc(); setTimeout(placeCall, 200); });
  on("call_disconnected", () => { closePc(); setTimeout(placeCall, 1000); });
  on("refresh_token", () => refreshToken());
  on("splash_screen", () => {});
  on("disconnect", (d) => {
    state.disconnectReason = d && d.reason;
    setStatus(`frakoblet: ${state.disconnectReason}`);
    source.close();
    closePc();
  });
  source.onerror = () => {
    if (state.disconnectReason) return;
    // EventSource reconnects by itself, but with the token it was created with: reopen instead.
    source.close();
    setTimeout(openEvents, 1000);
  };
}

function upsert(p) {
  state.roster.set(p.uuid, p);
  if (p.uuid === state.uuid) state.serviceType = p.service_type;
  if (state.role === "HOST" && AUTOADMIT && p.service_type === "waiting_room") {
    api("POST", `/participants/${p.uuid}/unlock`).catch((e) => noteError("unlock", e));
  }
  renderRoster();
}

function renderRoster() {
  const list = $("roster");
  list.textContent = "";
  for (const p of state.roster.values()) {
    const li = document.createElement("li");
    li.textContent = `${p.display_name} (${p.role}, ${p.service_type})${p.uuid === state.uuid ? " – meg" : ""}`;
    list.appendChild(li);
  }
}

// ------------------------------------------------------------------ media
function newPc() {
  const pc = new RTCPeerConnection({ iceServers: state.iceServers, bundlePolicy: "max-bundle" });
  for (const track of state.localStream.getTracks()) pc.addTrack(track, state.localStream);
  pc.ontrack = (ev) => {
    const video = $("remote");
    if (ev.streams && ev.streams[0]) video.srcObject = ev.streams[0];
    else video.srcObject = new MediaStream([ev.track]);
  };
  pc.onconnectionstatechange = () => setStatus(`tilkobling: ${pc.connectionState}`);
  return pc;
}

function closePc() {
  if (state.pc) { try { state.pc.close(); } catch (e) { /* already closed */ } }
  state.pc = null;
}

function gatheringComplete(pc, timeoutMs) {
  // Full (non-trickle) SDP, like PexRTC without trickle: wait for gathering, 10 s at most.
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { pc.removeEventListener("icegatheringstatechange", check); resolve(); };
    const check = () => { if (pc.iceGatheringState === "complete") done(); };
    pc.addEventListener("icegatheringstatechange", check);
    setTimeout(done, timeoutMs || 10000);
  });
}

async function placeCall() {
  if (state.disconnectReason) return;
  closePc();
  const pc = newPc();
  state.pc = pc;
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  state.callsPlaced += 1;
  const r = await api("POST", `/participants/${state.uuid}/calls`,
    { call_type: "WEBRTC", sdp: pc.localDescription.sdp, media_type: "video" });
  if (r.status !== 200) throw new Error(`calls ${r.status} ${JSON.stringify(r.json)}`);
  const result = r.json.result;
  state.callUuid = result.call_uuid;
  if (pc !== state.pc) return; // replaced meanwhile (a new_offer arrived)
  if (result.sdp) {
    await pc.setRemoteDescription({ type: "answer", sdp: result.sdp });
    await api("POST", `/participants/${state.uuid}/calls/${state.callUuid}/ack`, {});
    setStatus("i samtale");
  } else {
    // Direct media with nobody to talk to yet: wait for new_offer.
    setStatus("venter på motpart");
  }
}

async function answerOffer(sdp, fresh) {
  let pc = state.pc;
  if (fresh || !pc) {
    closePc();
    pc = newPc();
    state.pc = pc;
  }
  await pc.setRemoteDescription({ type: "offer", sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await gatheringComplete(pc);
  await api("POST", `/participants/${state.uuid}/calls/${state.callUuid}/ack`, { sdp: pc.localDescription.sdp });
  state.offersAnswered += 1;
  setStatus("i samtale (direkte media)");
}

// ------------------------------------------------------------------ stamped canvas camera
// Same layout as synthetic.py: 2 rows x 32 squares in the top band, side = width/32; bits:
// wall-clock ms mod 2^32, frame counter mod 2^16, low 16 bits of crc32 of those 6 bytes.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function stampBits(wallMs, counter) {
  const bytes = [];
  const ms = wallMs % 4294967296;
  for (let i = 3; i >= 0; i--) bytes.push(Math.floor(ms / 2 ** (8 * i)) & 0xff);
  bytes.push((counter >> 8) & 0xff, counter & 0xff);
  const crc = crc32(bytes) & 0xffff;
  bytes.push((crc >> 8) & 0xff, crc & 0xff);
  const bits = [];
  for (const b of bytes) for (let i = 7; i >= 0; i--) bits.push((b >> i) & 1);
  return bits;
}
async function stampedCameraStream() {
  const canvas = document.createElement("canvas");
  canvas.width = 640; canvas.height = 480;
  const ctx = canvas.getContext("2d");
  const side = canvas.width / 32;
  let counter = 0;
  const draw = () => {
    const t = performance.now() / 1000;
    const gradient = ctx.createLinearGradient(0, 0, canvas.width, canvas.height);
    gradient.addColorStop(0, "#3a4a5a"); gradient.addColorStop(1, "#a0a8b0");
    ctx.fillStyle = gradient; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#e8d0b8";
    ctx.beginPath();
    ctx.arc(320 + 160 * Math.cos(2 * Math.PI * t), 240 + 96 * Math.sin(2 * Math.PI * t), 80, 0, 2 * Math.PI);
    ctx.fill();
    const bits = stampBits(Date.now(), counter & 0xffff);
    counter += 1;
    for (let i = 0; i < 64; i++) {
      ctx.fillStyle = bits[i] ? "#ffffff" : "#000000";
      ctx.fillRect((i % 32) * side, Math.floor(i / 32) * side, side, side);
    }
  };
  draw();
  setInterval(draw, 1000 / 30);
  const video = canvas.captureStream(30);
  const audio = await navigator.mediaDevices.getUserMedia({ audio: true });
  return new MediaStream([...video.getVideoTracks(), ...audio.getAudioTracks()]);
}

// ------------------------------------------------------------------ stats
async function collectStats() {
  const summary = {
    room: ROOM, role: state.role, service_type: state.serviceType, direct_media: state.directMedia,
    connection: state.pc ? state.pc.connectionState : "none",
    video_in: { framesDecoded: 0, framesPerSecond: 0, frameWidth: 0, frameHeight: 0, freezeCount: 0 },
    audio_in: { packetsReceived: 0 }, video_out: { framesEncoded: 0, framesSent: 0 },
    roster: Array.from(state.roster.values()).map((p) => ({ uuid: p.uuid, role: p.role, service_type: p.service_type })),
    chat: state.chat.slice(-10), events: state.events, errors: state.errors.slice(-10),
    disconnect_reason: state.disconnectReason, offers_answered: state.offersAnswered,
    calls_placed: state.callsPlaced, refreshes: state.refreshes, candidate_pair: null,
  };
  if (state.pc) {
    const report = await state.pc.getStats();
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") {
        Object.assign(summary.video_in, {
          framesDecoded: s.framesDecoded || 0, framesPerSecond: s.framesPerSecond || 0,
          frameWidth: s.frameWidth || 0, frameHeight: s.frameHeight || 0, freezeCount: s.freezeCount || 0,
          jitterBufferDelay: s.jitterBufferDelay || 0, jitterBufferEmittedCount: s.jitterBufferEmittedCount || 0,
          totalDecodeTime: s.totalDecodeTime || 0, packetsLost: s.packetsLost || 0,
          bytesReceived: s.bytesReceived || 0,
        });
      } else if (s.type === "inbound-rtp" && s.kind === "audio") {
        summary.audio_in = { packetsReceived: s.packetsReceived || 0, packetsLost: s.packetsLost || 0, jitter: s.jitter || 0 };
      } else if (s.type === "outbound-rtp" && s.kind === "video") {
        summary.video_out = { framesEncoded: s.framesEncoded || 0, framesSent: s.framesSent || 0,
          bytesSent: s.bytesSent || 0, qualityLimitationReason: s.qualityLimitationReason || "" };
      } else if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
        summary.candidate_pair = { currentRoundTripTime: s.currentRoundTripTime,
          availableOutgoingBitrate: s.availableOutgoingBitrate };
      }
    });
  }
  state.stats = summary;
  $("stats").textContent = JSON.stringify(summary, null, 2);
  if (RESULTS) {
    fetch(`/_admin/results/${encodeURIComponent(RESULTS)}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(summary),
    }).catch(() => {});
  }
}

// ------------------------------------------------------------------ controls
$("chatform").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const text = $("chatinput").value.trim();
  if (text) api("POST", "/message", { type: "text/plain", payload: text });
  $("chatinput").value = "";
});
$("leave").addEventListener("click", async () => {
  if (state.callUuid) await api("POST", `/participants/${state.uuid}/calls/${state.callUuid}/disconnect`);
  await api("POST", "/release_token", { reason: "User initiated disconnect" });
  state.disconnectReason = "left"; closePc(); setStatus("forlatt");
});
$("lock").addEventListener("click", () => api("POST", "/lock"));
$("unlock").addEventListener("click", () => api("POST", "/unlock"));
window.videotime = state; // for DevTools users

// ------------------------------------------------------------------ start
(async function main() {
  try {
    state.localStream = STAMP_CAMERA
      ? await stampedCameraStream()
      : await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
    $("local").srcObject = state.localStream;
    await requestToken();
    openEvents();
    setStatus(state.serviceType === "waiting_room" ? "venterom" : "ringer");
    await placeCall();
  } catch (err) {
    noteError("start", err);
    setStatus(`feil: ${err.message || err}`);
  }
  setInterval(() => collectStats().catch((e) => noteError("stats", e)), 1000);
})();
