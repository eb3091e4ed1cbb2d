// The chat page: loads the model card, keeps one chat socket per conversation, uploads attached
// videos through the Files API, streams replies token by token and renders generated videos.

import { Api, ChatSocket } from './api.js';
import { el } from './dom.js';
import { VideoCard } from './video-card.js';

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'), statusText: $('status-text'), banner: $('demo-banner'),
  model: $('model'), modelInfo: $('model-info'), backend: $('backend'), backendInfo: $('backend-info'),
  maxTokens: $('max-tokens'), temperature: $('temperature'),
  keySection: $('key-section'), keyForm: $('key-form'), key: $('api-key'), newChat: $('new-chat'),
  chat: $('chat'), transcript: $('transcript'), messages: $('messages'), empty: $('empty'),
  composer: $('composer'), input: $('input'), file: $('file'), send: $('send'), stop: $('stop'), generate: $('generate'),
  attachment: $('attachment'), attachmentPreview: $('attachment-preview'), attachmentName: $('attachment-name'),
  attachmentStatus: $('attachment-status'), attachmentRemove: $('attachment-remove'), dropOverlay: $('drop-overlay'),
};

const POLL_MS = 500;
const CANCEL_GRACE_MS = 5000;
const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|mkv|webm|avi|mpe?g|ts|gif|ogv|3gp|flv|wmv)$/i;

const api = new Api();
const state = {
  models: [],
  socket: null,
  /** Turns sent on the current socket; the server keeps a conversation's history per socket. */
  socketTurns: 0,
  /** A socket that had carried turns closed: the next one starts without that history. */
  lostHistory: false,
  turn: null,
  attachment: null,
  cards: new Map(),
  sending: false,
  /** Follow new content while the reader is at the bottom of the transcript. */
  stick: true,
};

// ---------------------------------------------------------------- status, models, key

function setStatus(kind, text) {
  ui.status.dataset.state = kind;
  ui.statusText.textContent = text;
}

async function loadModels() {
  setStatus('connecting', 'loading model…');
  try {
    const list = await api.models();
    state.models = list.data || [];
  } catch (e) {
    if (e.status === 401) {
      ui.keySection.hidden = false;
      setStatus('error', api.key ? 'API key rejected' : 'API key required');
      ui.key.focus();
      return false;
    }
    if (e.code === 'not_ready') {
      setStatus('connecting', 'model loading…');
      setTimeout(loadModels, 2000);
      return false;
    }
    setStatus('error', `cannot load models: ${e.message}`);
    return false;
  }
  if (api.key) ui.keySection.hidden = false;
  ui.model.replaceChildren(...state.models.map((m) => el('option', { value: m.id }, m.demo ? `${m.id} (demo)` : m.id)));
  showModel();
  try {
    await connect();
  } catch {
    return false; // the status says so; sending retries
  }
  return true;
}

function selectedModel() {
  return state.models.find((m) => m.id === ui.model.value) || state.models[0];
}

function showModel() {
  const m = selectedModel();
  if (!m) return;
  ui.banner.hidden = !m.demo;
  const components = Object.entries(m.components || {}).map(([role, type]) => `${role}: ${type}`);
  ui.modelInfo.replaceChildren(m.label ? el('span', { class: 'label' }, m.label) : '',
    components.length ? el('span', {}, components.join(' · ')) : '');
  const backends = m.video_backends || [];
  ui.backend.replaceChildren(...backends.map((b) => el('option', { value: b.name, selected: b.default },
    `${b.name}${b.default ? ' (default)' : ''}`)));
  ui.backend.disabled = backends.length === 0;
  showBackend();
}

function showBackend() {
  const b = (selectedModel()?.video_backends || []).find((x) => x.name === ui.backend.value);
  if (!b) {
    ui.backendInfo.textContent = 'This model has no video backend.';
    return;
  }
  const c = b.capabilities || {};
  const seconds = c.fps ? (c.frames / c.fps).toFixed(1) : '?';
  ui.backendInfo.textContent = `${c.width}×${c.height}, ${c.frames} frames at ${c.fps} fps (${seconds} s)`
    + (b.placeholder ? ' — a placeholder: no generative model behind it.' : '');
}

// ---------------------------------------------------------------- the socket

async function connect() {
  if (state.socket?.open) return;
  setStatus('connecting', 'connecting…');
  const socket = new ChatSocket(api.socketUrl(), { onFrame, onClose: () => onSocketClosed(socket) });
  try {
    await socket.connect();
  } catch (e) {
    setStatus('error', 'chat socket closed — send to retry');
    throw e;
  }
  state.socket = socket;
  state.socketTurns = 0;
  setStatus('ok', 'connected');
}

function onSocketClosed(socket) {
  if (state.socket !== socket) return;
  state.socket = null;
  if (state.socketTurns > 0) state.lostHistory = true;
  setStatus('error', 'disconnected — send to reconnect');
  if (state.turn) endTurn({ error: { code: 'socket_closed', message: 'The connection closed before the reply finished.' } });
}

function onFrame(frame) {
  const turn = state.turn;
  switch (frame.type) {
    case 'token':
      if (turn) turn.token(frame.text);
      break;
    case 'refusal':
      if (turn) turn.refusal(frame);
      break;
    case 'done':
      if (turn) endTurn({ done: frame });
      break;
    case 'error':
      if (turn) endTurn({ error: frame.error });
      else addNote('error', frame.error?.message || 'error', frame.error?.code);
      break;
    case 'pong':
    case 'reset':
      break;
    default:
      if (frame.type?.startsWith('video.') && frame.video) {
        videoCard(frame.video, turn ? turn.videos : null).update(frame.video);
      }
  }
}

// ---------------------------------------------------------------- transcript

function hideEmpty() {
  ui.empty.hidden = true;
}

function nearBottom() {
  const t = ui.transcript;
  return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
}

/** Scrolls to the end; later growth (tokens, a video loading) then keeps it there. */
function scrollDown() {
  state.stick = true;
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

ui.transcript.addEventListener('scroll', () => {
  state.stick = nearBottom();
});
new ResizeObserver(() => {
  if (state.stick) ui.transcript.scrollTop = ui.transcript.scrollHeight;
}).observe(ui.messages);

function addMessage(role, ...content) {
  hideEmpty();
  const bubble = el('div', { class: 'bubble' }, ...content);
  const who = role === 'user' ? 'You' : 'GPT4Video';
  const message = el('article', { class: `msg ${role}` }, el('div', { class: 'who' }, who), bubble);
  ui.messages.append(message);
  scrollDown();
  return { message, bubble };
}

function addNote(kind, text, code) {
  hideEmpty();
  ui.messages.append(el('div', { class: `note ${kind}` }, text, code ? el('code', {}, code) : null));
  scrollDown();
}

function refusalBox(stage, message, categories) {
  return el('div', { class: 'refusal', role: 'note' },
    el('div', { class: 'refusal-head' }, el('span', { class: 'refusal-tag' }, 'Refused'),
      stage ? el('span', { class: 'refusal-stage' }, stage.replaceAll('_', ' ')) : null),
    el('p', {}, message),
    categories && categories.length ? el('p', { class: 'refusal-categories' }, categories.join(', ')) : null);
}

function errorBox(error) {
  return el('div', { class: 'error-box', role: 'alert' },
    el('span', {}, error?.message || 'Something went wrong.'), error?.code ? el('code', {}, error.code) : null);
}

function videoCard(video, container) {
  let card = state.cards.get(video.id);
  if (!card) {
    card = new VideoCard(api, video);
    state.cards.set(video.id, card);
    (container || addMessage('assistant').bubble).append(card.root);
  }
  return card;
}

// ---------------------------------------------------------------- a chat turn

class Turn {
  constructor() {
    this.text = el('div', { class: 'text' });
    this.videos = el('div', { class: 'videos' });
    this.meta = el('div', { class: 'meta' });
    const { message, bubble } = addMessage('assistant', this.text, this.videos, this.meta);
    this.message = message;
    this.bubble = bubble;
    this.message.dataset.state = 'streaming';
    this.skip = null;
    this.cancelTimer = null;
  }

  token(text) {
    // The server sends a refusal frame and then the refusal text as a token; it is shown once, boxed.
    if (this.skip !== null && (text === this.skip || text === `\n${this.skip}`)) {
      this.skip = null;
      return;
    }
    this.text.append(text);
  }

  refusal(frame) {
    this.skip = frame.message;
    this.videos.before(refusalBox(frame.stage, frame.message, frame.categories));
  }

  finish({ done, error }) {
    clearTimeout(this.cancelTimer);
    this.message.dataset.state = error ? 'error' : 'done';
    if (!this.text.textContent.trim()) this.text.remove();
    if (done) {
      if (done.refusal && !this.text.isConnected) this.message.classList.add('refused');
      const bits = [];
      const reasons = { stop: null, length: 'stopped at max tokens', cancelled: 'stopped' };
      const reason = done.finish_reason in reasons ? reasons[done.finish_reason] : done.finish_reason;
      if (reason) bits.push(reason);
      if (done.usage?.completion_tokens) bits.push(`${done.usage.completion_tokens} tokens`);
      this.meta.textContent = bits.join(' · ');
      for (const v of done.videos || []) videoCard(v, this.videos).update(v);
    }
    if (error) this.bubble.append(errorBox(error));
    if (!this.meta.textContent) this.meta.remove();
  }
}

function startTurn() {
  state.turn = new Turn();
  ui.send.hidden = true;
  ui.stop.hidden = false;
}

function endTurn(result) {
  const turn = state.turn;
  state.turn = null;
  turn?.finish(result);
  ui.send.hidden = false;
  ui.stop.hidden = true;
  ui.input.focus();
}

function intOrNull(input) {
  const n = Number.parseInt(input.value, 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function numberOrNull(input) {
  const n = Number.parseFloat(input.value);
  return Number.isFinite(n) ? n : null;
}

async function send() {
  if (state.turn || state.sending) return;
  if (!ui.input.value.trim() && !state.attachment) {
    ui.input.focus();
    return;
  }
  // Waiting for an upload or the socket can take a while: one send at a time.
  state.sending = true;
  try {
    await sendMessage();
  } finally {
    state.sending = false;
  }
}

async function sendMessage() {
  const attachment = state.attachment;
  let file = null;
  if (attachment) {
    try {
      file = await attachment.upload;
    } catch {
      return; // the attachment shows the upload error
    }
  }
  try {
    await connect();
  } catch (e) {
    addNote('error', `Cannot open the chat socket: ${e.message}`, e.code);
    return;
  }
  if (state.lostHistory) {
    state.lostHistory = false;
    addNote('info', 'Reconnected: the server does not remember the earlier turns of this conversation.');
  }

  const text = ui.input.value.trim();
  if (!text && !file) return;
  const parts = [];
  if (file) parts.push({ type: 'video_url', video_url: { url: file.id } });
  if (text) parts.push({ type: 'text', text });
  addMessage('user', attachment ? attachmentPreview(attachment) : null, text ? el('div', { class: 'text' }, text) : null);
  ui.input.value = '';
  clearAttachment({ keepPreview: true });

  const model = selectedModel();
  const frame = {
    type: 'message',
    content: file ? parts : text,
    model: model?.id,
    max_tokens: intOrNull(ui.maxTokens),
    temperature: numberOrNull(ui.temperature),
    video_backend: ui.backend.value || undefined,
    wait_for_videos: true,
  };
  startTurn();
  try {
    state.socket.send(frame);
    state.socketTurns++;
  } catch (e) {
    endTurn({ error: { code: e.code, message: e.message } });
  }
}

function stop() {
  const turn = state.turn;
  if (!turn) return;
  try {
    state.socket?.send({ type: 'cancel' });
  } catch {
    // closed already: onSocketClosed ends the turn
  }
  // The server answers a cancel with done (finish_reason cancelled); don't hang if it cannot.
  turn.cancelTimer = setTimeout(() => {
    if (state.turn === turn) endTurn({ done: { finish_reason: 'cancelled' } });
  }, CANCEL_GRACE_MS);
}

function newConversation() {
  if (state.turn) stop();
  if (state.socket?.open) {
    state.socket.send({ type: 'reset' });
  }
  state.socketTurns = 0;
  state.lostHistory = false;
  state.cards.clear();
  ui.messages.replaceChildren(ui.empty);
  ui.empty.hidden = false;
  ui.input.focus();
}

// ---------------------------------------------------------------- direct video generation

async function generateVideo() {
  const prompt = ui.input.value.trim();
  if (!prompt) {
    ui.input.placeholder = 'Describe the video to generate, then press Generate video';
    ui.input.focus();
    return;
  }
  ui.input.value = '';
  addMessage('user', el('div', { class: 'request-tag' }, 'Generate video'), el('div', { class: 'text' }, prompt));
  const submitting = el('div', { class: 'meta' }, 'Submitting…');
  const { message, bubble } = addMessage('assistant', submitting);
  message.classList.add('generation');
  let video;
  try {
    video = await api.createVideo(prompt, ui.backend.value || undefined);
  } catch (e) {
    submitting.remove();
    if (e.code === 'content_blocked') {
      message.classList.add('refused');
      bubble.append(refusalBox('output_prompt', e.message, null));
    } else {
      bubble.append(errorBox({ code: e.code, message: e.message }));
    }
    return;
  }
  submitting.remove();
  const card = videoCard(video, bubble);
  card.update(video);
  await poll(card);
}

async function poll(card) {
  let failures = 0;
  while (!card.done) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      const v = await api.video(card.id);
      failures = 0;
      card.update(v);
    } catch (e) {
      if (++failures >= 5) {
        card.showNotice('error', `Lost track of the video: ${e.message}`, e.code);
        return;
      }
    }
  }
}

// ---------------------------------------------------------------- attachments

function looksLikeVideo(file) {
  return file.type.startsWith('video/') || file.type === 'image/gif' || VIDEO_EXTENSIONS.test(file.name);
}

function attach(file) {
  if (!looksLikeVideo(file)) {
    addNote('error', `${file.name} is not a video.`);
    return;
  }
  clearAttachment();
  const preview = URL.createObjectURL(file);
  const attachment = { file, preview, info: null };
  attachment.upload = api.upload(file).then((info) => {
    attachment.info = info;
    if (state.attachment === attachment) showAttachmentStatus(attachment);
    return info;
  }, (e) => {
    attachment.error = e;
    if (state.attachment === attachment) showAttachmentStatus(attachment);
    throw e;
  });
  attachment.upload.catch(() => {});
  state.attachment = attachment;
  ui.attachmentPreview.replaceChildren(localPreview(preview));
  ui.attachmentName.textContent = file.name;
  ui.attachment.hidden = false;
  showAttachmentStatus(attachment);
  ui.input.focus();
}

function describeVideo(info) {
  const v = info.video || {};
  const bits = [];
  if (v.width && v.height) bits.push(`${v.width}×${v.height}`);
  if (v.duration) bits.push(`${Number(v.duration).toFixed(1)} s`);
  if (v.codec) bits.push(v.codec);
  return bits.join(' · ');
}

function showAttachmentStatus(attachment) {
  const s = ui.attachmentStatus;
  if (attachment.error) {
    ui.attachment.dataset.state = 'error';
    s.textContent = `Upload failed: ${attachment.error.message}`;
  } else if (!attachment.info) {
    ui.attachment.dataset.state = 'uploading';
    s.textContent = 'Uploading and checking…';
  } else if (attachment.info.safety && attachment.info.safety.action !== 'allow') {
    ui.attachment.dataset.state = 'flagged';
    const cats = attachment.info.safety.categories || [];
    s.textContent = `Flagged by the safety check (${attachment.info.safety.action}${cats.length ? `: ${cats.join(', ')}` : ''})`;
  } else {
    ui.attachment.dataset.state = 'ready';
    s.textContent = `Ready · ${describeVideo(attachment.info)}`;
  }
}

/**
 * A <video> for a local file. Browsers play fewer codecs than the server reads (MPEG-4 Part 2 or
 * HEVC, say), so a preview that fails says so instead of staying black.
 */
function localPreview(src) {
  const video = el('video', { src, controls: true, muted: true, playsinline: true, preload: 'metadata' });
  const box = el('div', { class: 'preview' }, video);
  video.addEventListener('error', () => {
    box.classList.add('unplayable');
    box.replaceChildren(el('div', { class: 'no-preview' }, el('strong', {}, 'No preview'),
      el('span', {}, 'this browser cannot play the format; the server can read it')));
  }, { once: true });
  return box;
}

function attachmentPreview(attachment) {
  const info = attachment.info ? describeVideo(attachment.info) : '';
  return el('figure', { class: 'user-video' }, localPreview(attachment.preview),
    el('figcaption', {}, attachment.file.name, info ? ` · ${info}` : ''));
}

function clearAttachment({ keepPreview = false } = {}) {
  const a = state.attachment;
  state.attachment = null;
  if (a && !keepPreview) URL.revokeObjectURL(a.preview);
  ui.attachment.hidden = true;
  ui.attachmentPreview.replaceChildren();
  ui.file.value = '';
}

// ---------------------------------------------------------------- wiring

ui.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  send();
});
ui.input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
ui.stop.addEventListener('click', stop);
ui.generate.addEventListener('click', generateVideo);
ui.newChat.addEventListener('click', newConversation);
ui.model.addEventListener('change', showModel);
ui.backend.addEventListener('change', showBackend);
ui.file.addEventListener('change', () => {
  if (ui.file.files.length) attach(ui.file.files[0]);
});
ui.attachmentRemove.addEventListener('click', () => clearAttachment());
ui.keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  api.setKey(ui.key.value);
  state.socket?.close();
  state.socket = null;
  loadModels();
});
ui.key.value = api.key;

let dragDepth = 0;
ui.chat.addEventListener('dragenter', (e) => {
  if (![...e.dataTransfer.types].includes('Files')) return;
  dragDepth++;
  ui.dropOverlay.hidden = false;
});
ui.chat.addEventListener('dragleave', () => {
  if (--dragDepth <= 0) {
    dragDepth = 0;
    ui.dropOverlay.hidden = true;
  }
});
ui.chat.addEventListener('dragover', (e) => e.preventDefault());
ui.chat.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  ui.dropOverlay.hidden = true;
  const file = e.dataTransfer.files[0];
  if (file) attach(file);
});

loadModels();
