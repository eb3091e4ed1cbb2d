// The server's HTTP and WebSocket API as the page uses it. Errors come back as ApiError carrying the
// server's stable error code (docs/api.md), so callers can tell a refusal from a failure.

const KEY_STORAGE = 'gpt4video.apiKey';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class Api {
  constructor(base = location.origin) {
    this.base = base;
    this.key = localStorage.getItem(KEY_STORAGE) || '';
  }

  setKey(key) {
    this.key = key.trim();
    if (this.key) localStorage.setItem(KEY_STORAGE, this.key);
    else localStorage.removeItem(KEY_STORAGE);
  }

  async request(method, path, body) {
    const headers = {};
    if (this.key) headers.Authorization = `Bearer ${this.key}`;
    if (body !== undefined && !(body instanceof FormData)) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(new URL(path, this.base), { method, headers, body });
    } catch (e) {
      throw new ApiError(0, 'network_error', `cannot reach the server (${e.message})`);
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: reported below
    }
    if (!response.ok) {
      const error = json && json.error;
      throw new ApiError(response.status, error?.code || `http_${response.status}`,
        error?.message || `${method} ${path}: HTTP ${response.status}`);
    }
    return json;
  }

  models() {
    return this.request('GET', '/v1/models');
  }

  /** Uploads a video; the answer carries `video` (probe) and `safety` (input-video verdict). */
  upload(file) {
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('purpose', 'vision');
    return this.request('POST', '/v1/files', form);
  }

  createVideo(prompt, backend) {
    return this.request('POST', '/v1/videos', backend ? { prompt, model: backend } : { prompt });
  }

  video(id) {
    return this.request('GET', `/v1/videos/${encodeURIComponent(id)}`);
  }

  /**
   * A URL for a media element (which cannot send headers): the key goes as ?api_key=, which the
   * server accepts on every /v1/ path.
   */
  mediaUrl(path, params = {}) {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (this.key) url.searchParams.set('api_key', this.key);
    return url.toString();
  }

  socketUrl() {
    const url = new URL('/v1/chat/stream', this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.key) url.searchParams.set('api_key', this.key);
    return url.toString();
  }
}

/**
 * One WebSocket carrying a whole conversation (the server keeps the history for as long as the
 * socket lives). `onFrame(frame)` gets every parsed server frame; `onClose(event)` is called once.
 */
export class ChatSocket {
  constructor(url, { onFrame, onClose }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onClose = onClose;
    this.ws = null;
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        resolve();
      };
      ws.onmessage = (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch {
          return;
        }
        this.onFrame(frame);
      };
      ws.onclose = (event) => {
        if (this.ws === ws) this.ws = null;
        if (!opened) reject(new ApiError(0, 'socket_closed', `the chat socket closed (code ${event.code})`));
        else this.onClose(event);
      };
    });
  }

  send(frame) {
    if (!this.open) throw new ApiError(0, 'socket_closed', 'the chat socket is not open');
    this.ws.send(JSON.stringify(frame));
  }

  close() {
    if (this.ws) this.ws.close(1000, 'bye');
  }
}
