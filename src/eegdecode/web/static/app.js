// The live page: everything it shows arrives as server-sent events from /events (see
// eegdecode.web.monitor and eegdecode.web.calibration for their fields).
"use strict";

const $ = (id) => document.getElementById(id);
const USER_KEY = "eegdecode-user";
// The video's speed moves towards 1 + P(high load) every 100 ms (the original's cogload.js).
const RATE_EASING = 0.3;
let targetRate = 1.0;
let protocol = [];

function fmt(value, digits = 2) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
}

function showError(text) {
  $("user-error").textContent = text || "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `${url}: HTTP ${response.status}`);
  return answer;
}

function onStream(data) {
  const pill = $("stream");
  pill.className = `pill ${data.state}`;
  pill.dataset.state = data.state;
  if (data.state === "searching") {
    pill.textContent = "No stream: looking for it…";
    pill.title = data.message || "";
  } else if (data.state === "reconnecting") {
    pill.textContent = `${data.name}: stream lost, reconnecting (no samples for ${fmt(data.gap_s, 1)} s)`;
  } else {
    const gap = data.last_gap_s === null ? "" : `, recovered after a ${fmt(data.last_gap_s, 1)} s gap`;
    pill.textContent = `${data.name}: ${data.sfreq} Hz, ${data.channels.join(" ")}${gap}`;
  }
}

function onPrediction(data) {
  $("model").textContent = `model: ${data.model || "none"}${data.user ? ` (${data.user})` : ""}`;
  $("model").dataset.model = data.model || "";
  $("prediction-error").textContent = data.error || "";
  const bulb = $("bulb");
  if (data.focus === null) {
    bulb.dataset.brightness = "";
  } else {
    // The bulb's brightness is P(focused): the glass from dim to full, the halo fading in.
    bulb.dataset.brightness = data.focus.toFixed(3);
    $("bulb-glass").style.filter = `brightness(${0.25 + 0.75 * data.focus})`;
    $("bulb-halo").style.opacity = (0.6 * data.focus).toFixed(3);
  }
  $("focus-value").textContent = fmt(data.focus);
  $("load-value").textContent = fmt(data.load);
  if (data.load !== null) targetRate = 1 + data.load;
}

function onSignal(data) {
  const canvas = $("trace");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const rows = data.trace.length;
  const height = canvas.height / Math.max(rows, 1);
  data.trace.forEach((values, row) => {
    const scale = height / 2 / Math.max(1e-6, ...values.map(Math.abs));
    const middle = height * (row + 0.5);
    context.strokeStyle = (data.quality[data.channels[row]] || {}).status?.startsWith("ok") === false
      ? "#e05050" : "#7fb3ff";
    context.beginPath();
    values.forEach((value, k) => {
      const x = 40 + (canvas.width - 40) * k / Math.max(values.length - 1, 1);
      const y = middle - value * scale * 0.9;
      if (k === 0) context.moveTo(x, y); else context.lineTo(x, y);
    });
    context.stroke();
    context.fillStyle = "#9aa0a8";
    context.fillText(data.channels[row], 4, middle + 4);
  });
  const list = $("quality");
  list.replaceChildren(...data.channels.map((name) => {
    const item = document.createElement("li");
    const quality = data.quality[name];
    const status = quality ? quality.status : "…";
    item.className = status.split(":")[0];
    item.dataset.channel = name;
    item.textContent = quality ? `${name}: ${status} (${fmt(quality.std_uv, 1)} µV)` : `${name}: …`;
    return item;
  }));
}

function protocolText() {
  return protocol.map((step) => `${step.label} ${step.duration_s} s`).join(", ");
}

let dotTimer = null;
function runTask(active) {
  const task = $("task");
  task.classList.toggle("active", active);
  if (active && dotTimer === null) {
    // The original's focus task: a dot that jumps every second, whose jumps the user counts.
    const jump = () => {
      $("dot").style.left = `${10 + 80 * Math.random()}%`;
      $("dot").style.top = `${10 + 80 * Math.random()}%`;
    };
    jump();
    dotTimer = setInterval(jump, 1000);
  } else if (!active && dotTimer !== null) {
    clearInterval(dotTimer);
    dotTimer = null;
  }
}

function onCalibration(data) {
  const panel = $("calibration-status");
  const message = $("calibration-message");
  panel.dataset.status = data.status;
  const recording = data.status === "recording";
  $("calibration").hidden = !recording;
  $("start-calibration").disabled = recording || data.status === "fine-tuning";
  runTask(recording && data.phase === "focused");
  if (recording) {
    if (data.phase === null) {
      $("calibration-label").textContent = "Connecting to the headset…";
      return;
    }
    $("calibration-step").textContent = `Step ${data.index + 1} of ${data.total}`;
    $("calibration-label").textContent = data.phase;
    $("calibration-label").dataset.phase = data.phase;
    $("calibration-cue").textContent = data.cue;
    $("calibration-countdown").textContent = Math.ceil(data.duration_s - data.elapsed_s);
    $("calibration-progress").value = data.elapsed_s / data.duration_s;
  } else if (data.status === "fine-tuning") {
    const steps = data.total ? ` (${data.done} of ${data.total} steps)` : "";
    message.textContent = `Session ${data.session} recorded; fine-tuning ${data.user}'s model${steps}…`;
  } else if (data.status === "done") {
    let text = `Done: ${data.user} now uses fine-tuned ${data.model} (${data.sessions.length} session(s)).`;
    if (data.held_out) {
      text += ` On the newest session, held out: fine-tuned ${fmt(data.held_out.finetuned_accuracy)}` +
        ` against the base model's ${fmt(data.held_out.base_accuracy)} accuracy.`;
    } else {
      text += " A held-out score needs a second session.";
    }
    message.textContent = text;
    panel.dataset.model = data.model;
  } else if (data.status === "rejected") {
    message.textContent = `The session cannot be used: ${data.reason} It is kept as ${data.kept}.`;
  } else if (data.status === "interrupted") {
    message.textContent = `Stopped: the incomplete session is kept as ${data.kept} and not used.`;
  } else if (data.status === "failed") {
    message.textContent = `Calibration failed: ${data.reason}`;
  } else {
    message.textContent = `The focus calibration records ${protocolText()}, then fine-tunes your model.`;
  }
}

function chosenUser() {
  return $("user").value.trim();
}

// Send the chosen user to /api/user (use their models) or /api/calibration (calibrate them);
// the server's refusal, such as a name that is not allowed, is shown beside the form.
async function sendUser(url) {
  showError("");
  try {
    await post(url, { user: chosenUser() });
    localStorage.setItem(USER_KEY, chosenUser());
  } catch (error) {
    showError(error.message);
  }
}

function useUser(event) {
  if (event) event.preventDefault();
  return sendUser("/api/user");
}

function connect() {
  const source = new EventSource("/events");
  const handlers = { stream: onStream, prediction: onPrediction, signal: onSignal,
                     calibration: onCalibration, user: () => {} };
  for (const [kind, handler] of Object.entries(handlers)) {
    source.addEventListener(kind, (event) => handler(JSON.parse(event.data)));
  }
  // EventSource reconnects by itself when the server restarts.
}

async function main() {
  const state = await (await fetch("/api/state")).json();
  protocol = state.protocol;
  $("protocol").textContent = protocolText();
  $("user-form").addEventListener("submit", useUser);
  $("start-calibration").addEventListener("click", () => sendUser("/api/calibration"));
  $("cancel-calibration").addEventListener("click", () => post("/api/calibration/cancel"));
  const saved = localStorage.getItem(USER_KEY);
  if (saved) {
    $("user").value = saved;
    useUser();
  }
  setInterval(() => {
    const video = $("video");
    video.playbackRate += (targetRate - video.playbackRate) * RATE_EASING;
    $("rate-value").textContent = video.playbackRate.toFixed(2);
  }, 100);
  connect();
}

main();
