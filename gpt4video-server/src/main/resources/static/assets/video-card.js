// A generated video in the transcript: a progress bar while it is queued or rendering, the playing
// video once it is completed, a refusal when the safety gate withheld it. Both the chat socket's
// video.* frames and polling GET /v1/videos/{id} feed the same update().

import { el } from './dom.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export class VideoCard {
  /** @param api {Api} for media URLs; @param video the first video object seen */
  constructor(api, video) {
    this.api = api;
    this.id = video.id;
    this.player = null;
    this.screen = el('div', { class: 'screen' }, el('div', { class: 'shimmer' }));
    this.bar = el('div', { class: 'bar' });
    this.progress = el('div', {
      class: 'progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
    }, this.bar);
    this.statusText = el('span', { class: 'video-status' });
    this.badges = el('span', { class: 'badges' });
    this.prompt = el('p', { class: 'video-prompt' });
    this.notice = el('div', { class: 'video-notice', hidden: '' });
    this.root = el('figure', { class: 'video-card', 'data-video-id': video.id },
      this.screen, this.progress,
      el('figcaption', {}, el('div', { class: 'video-head' }, this.statusText, this.badges), this.prompt),
      this.notice);
    this.update(video);
  }

  get done() {
    return TERMINAL.has(this.root.dataset.status);
  }

  update(v) {
    // Frames can arrive out of order with a poll; never step back from a finished state.
    if (this.done && !TERMINAL.has(v.status)) return;
    const progress = Math.max(0, Math.min(100, Math.round(v.progress ?? 0)));
    this.root.dataset.status = v.status;
    this.bar.style.width = `${v.status === 'completed' ? 100 : progress}%`;
    this.progress.setAttribute('aria-valuenow', String(progress));
    if (v.prompt) this.prompt.textContent = v.prompt;
    const seconds = Number.parseFloat(v.seconds);
    this.badges.replaceChildren(...[
      v.model && !(v.placeholder && v.model === 'placeholder') ? el('span', { class: 'badge' }, v.model) : null,
      v.placeholder ? el('span', { class: 'badge placeholder', title: 'no generative model behind this backend' }, 'placeholder') : null,
      v.size ? el('span', { class: 'badge' }, `${v.size.replace('x', '×')}${Number.isFinite(seconds) ? ` · ${seconds} s` : ''}`) : null,
    ].filter(Boolean));

    switch (v.status) {
      case 'queued':
        this.statusText.textContent = v.queue_position > 1 ? `Queued (#${v.queue_position})` : 'Queued';
        break;
      case 'in_progress':
        this.statusText.textContent = `Rendering… ${progress}%`;
        break;
      case 'completed':
        this.statusText.textContent = 'Ready';
        this.showPlayer(v);
        break;
      case 'failed':
        this.fail(v.error);
        break;
      case 'cancelled':
        this.statusText.textContent = 'Cancelled';
        this.screen.replaceChildren(el('div', { class: 'screen-note' }, 'Cancelled'));
        break;
      default:
        this.statusText.textContent = v.status;
    }
  }

  showPlayer(v) {
    if (this.player || !v.url) return;
    const player = el('video', {
      src: this.api.mediaUrl(v.url),
      poster: this.api.mediaUrl(v.url, { variant: 'thumbnail' }),
      controls: '', muted: '', loop: '', playsinline: '', autoplay: '', preload: 'auto',
    });
    player.muted = true; // the attribute alone does not satisfy autoplay rules in every browser
    player.addEventListener('error', () => {
      this.showNotice('error', 'This browser could not play the video.');
    });
    this.player = player;
    this.screen.replaceChildren(player);
    player.play().catch(() => { /* autoplay refused: the controls are there */ });
  }

  fail(error) {
    const blocked = error?.code === 'content_blocked';
    this.root.classList.toggle('refused', blocked);
    this.statusText.textContent = blocked ? 'Withheld' : 'Failed';
    this.screen.replaceChildren(el('div', { class: 'screen-note' }, blocked ? 'Withheld by the safety check' : 'No video'));
    this.showNotice(blocked ? 'refusal' : 'error', error?.message || 'The video could not be generated.',
      blocked ? null : error?.code);
  }

  showNotice(kind, message, code) {
    this.notice.className = `video-notice ${kind}`;
    this.notice.replaceChildren(el('span', {}, message), code ? el('code', {}, code) : null);
    this.notice.hidden = false;
  }
}
