// The operator's dashboard: one page of state from the API, then live from GET /jobs/events.
// Job text and errors come from users: they only ever reach the page as textContent.
'use strict';

(() => {
  const BASE = new URL('.', location.href);
  const KEY_STORAGE = 'ttsq.apiKey';
  const EVENT_NAMES = ['queued', 'started', 'progress', 'completed', 'failed', 'cancelled'];
  const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
  const PAGE_SIZE = 50;
  const MAX_JOBS = 200;
  const THROUGHPUT_MINUTES = 10;
  const REFRESH_DELAY_MS = 500;

  const state = {
    key: sessionStorage.getItem(KEY_STORAGE) || '',
    jobs: new Map(), // job id -> status JSON, as fresh as we know it
    rows: new Map(), // job id -> <tr>
    completions: new Map(), // job id -> completion time (ms), for throughput
    filter: '',
    tenantFilter: '',
    tenants: new Set(), // tenants seen on jobs (only with a keys file: anonymous jobs carry none)
    workers: [],
    runningElsewhere: 0,
    source: null,
    refreshTimer: null,
    started: false,
  };

  const $ = (id) => document.getElementById(id);

  class AuthError extends Error {}

  // ---- API -------------------------------------------------------------------------------

  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    if (state.key) {
      headers.set('X-API-Key', state.key);
    }
    const response = await fetch(new URL(path, BASE), { ...options, headers });
    if (response.status === 401) {
      throw new AuthError(state.key ? 'That API key was not accepted.' : '');
    }
    if (!response.ok) {
      let detail = '';
      try {
        const body = await response.json();
        detail = typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
      } catch (ignored) {
        detail = response.statusText;
      }
      throw new Error(`${response.status} ${detail}`);
    }
    return response;
  }

  async function apiJson(path) {
    return (await api(path)).json();
  }

  // ---- start, key and connection -----------------------------------------------------------

  async function start() {
    try {
      await loadState();
    } catch (e) {
      if (e instanceof AuthError) {
        askForKey(e.message);
      } else {
        // The server is away (restarting, say): try again, keeping what the page shows.
        showMessage(`Could not load the queue: ${e.message}. Trying again…`);
        setConnection('closed', 'disconnected');
        setTimeout(start, 5000);
      }
      return;
    }
    $('key-form').hidden = true;
    $('main').hidden = false;
    hideMessage();
    connect();
  }

  function askForKey(error) {
    $('main').hidden = true;
    $('key-form').hidden = false;
    $('key-error').textContent = error || '';
    $('key-input').focus();
    setConnection('closed', 'API key needed');
  }

  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.key = $('key-input').value.trim();
    sessionStorage.setItem(KEY_STORAGE, state.key);
    $('key-input').value = '';
    start();
  });

  function connect() {
    if (state.source) {
      state.source.close();
    }
    const url = new URL('jobs/events', BASE);
    if (state.key) {
      // EventSource cannot send headers: the server takes the key as a query parameter here.
      url.searchParams.set('api_key', state.key);
    }
    const source = new EventSource(url);
    state.source = source;
    source.onopen = () => {
      setConnection('live', 'live');
      // Whatever happened before the stream opened (since the first load, or while a dropped
      // stream reconnected) is read again; from now on events keep the page current.
      reload();
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setConnection('closed', 'disconnected');
        // Refused outright (a key that stopped working, a server going away): find out which.
        setTimeout(() => {
          if (state.source === source) {
            start();
          }
        }, 3000);
      } else {
        setConnection('connecting', 'reconnecting…');
      }
    };
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e) => onJobEvent(name, JSON.parse(e.data)));
    }
  }

  function setConnection(stateName, text) {
    const el = $('connection');
    el.dataset.state = stateName;
    el.textContent = text;
  }

  async function reload() {
    try {
      await loadState();
    } catch (e) {
      if (e instanceof AuthError) {
        askForKey(e.message);
      }
    }
  }

  // ---- state -----------------------------------------------------------------------------

  async function loadState() {
    const list = `jobs?limit=${PAGE_SIZE}` + (state.filter ? `&status=${encodeURIComponent(state.filter)}` : '');
    const [status, workers, jobs] = await Promise.all([apiJson('jobs/queue-status'), apiJson('workers'), apiJson(list)]);
    for (const job of jobs.jobs) {
      merge(job);
    }
    applyQueueStatus(status, workers);
    if (!state.started) {
      state.started = true;
      loadBackend();
    }
    renderAll();
  }

  async function loadBackend() {
    try {
      const health = await (await fetch(new URL('health', BASE))).json();
      $('backend').textContent = [health.backend, health.device, health.store].filter(Boolean).join(' · ');
    } catch (ignored) {
      // Only decoration.
    }
  }

  function scheduleRefresh() {
    if (state.refreshTimer) {
      return;
    }
    state.refreshTimer = setTimeout(async () => {
      state.refreshTimer = null;
      try {
        const [status, workers] = await Promise.all([apiJson('jobs/queue-status'), apiJson('workers')]);
        applyQueueStatus(status, workers);
      } catch (e) {
        if (e instanceof AuthError) {
          askForKey(e.message);
        }
      }
    }, REFRESH_DELAY_MS);
  }

  function applyQueueStatus(status, workers) {
    $('count-queue').textContent = status.queue_size;
    for (const s of ['processing', 'completed', 'failed', 'cancelled']) {
      $(`count-${s}`).textContent = status.job_counts[s] ?? 0;
    }
    $('count-total').textContent = status.total_jobs;
    state.workers = workers.workers;
    const local = new Set(workers.workers.flatMap((w) => w.running_jobs));
    state.runningElsewhere = (status.running_jobs || []).filter((id) => !local.has(id)).length;
    renderWorkers();
  }

  const RANK = { queued: 0, processing: 1, completed: 2, failed: 2, cancelled: 2 };

  /** Keeps the freshest of what we know of a job: a list answer may be older than an event already seen. */
  function merge(job) {
    const known = state.jobs.get(job.job_id);
    if (known) {
      const older = RANK[job.status] < RANK[known.status]
        || (job.status === known.status && job.status === 'processing' && job.progress < known.progress);
      if (older) {
        return known;
      }
      if (job.status === 'completed' && !job.result && known.result) {
        job.result = known.result;
      }
    }
    state.jobs.set(job.job_id, job);
    if (job.status === 'completed' && job.completed_at) {
      state.completions.set(job.job_id, Date.parse(job.completed_at));
    }
    trimJobs();
    return job;
  }

  /** Keeps the page's memory bounded: the oldest finished jobs go first. */
  function trimJobs() {
    if (state.jobs.size <= MAX_JOBS) {
      return;
    }
    const finished = [...state.jobs.values()].filter((j) => TERMINAL.has(j.status)).sort(byCreatedAsc);
    for (const job of finished.slice(0, state.jobs.size - MAX_JOBS)) {
      state.jobs.delete(job.job_id);
      const row = state.rows.get(job.job_id);
      if (row) {
        const audio = row.querySelector('audio');
        if (audio) {
          URL.revokeObjectURL(audio.src);
        }
        row.remove();
        state.rows.delete(job.job_id);
      }
    }
  }

  function onJobEvent(name, data) {
    const job = merge(data);
    renderRow(job, true);
    renderEmpty();
    if (name === 'progress') {
      renderWorkers();
    } else {
      scheduleRefresh();
    }
    if (name === 'completed') {
      renderThroughput();
    }
  }

  // ---- rendering -------------------------------------------------------------------------

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  const byCreatedAsc = (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at);

  function renderAll() {
    const jobs = [...state.jobs.values()].sort(byCreatedAsc).reverse();
    const rows = jobs.map((job) => renderRow(job, false));
    $('job-rows').replaceChildren(...rows);
    renderEmpty();
    renderThroughput();
  }

  /** Whether the filters let {@code job} show. */
  function shown(job) {
    return (!state.filter || job.status === state.filter)
      && (!state.tenantFilter || (job.tenant || '') === state.tenantFilter);
  }

  /** The tenant column and filter appear with the first job that carries a tenant. */
  function noteTenant(job) {
    if (!job.tenant || state.tenants.has(job.tenant)) {
      return;
    }
    state.tenants.add(job.tenant);
    $('jobs-table').classList.add('with-tenants');
    $('tenant-filter-label').hidden = false;
    const select = $('tenant-filter');
    const option = el('option', null, job.tenant);
    option.value = job.tenant;
    const after = [...select.options].slice(1).find((o) => o.value.localeCompare(job.tenant) > 0);
    select.insertBefore(option, after || null);
  }

  function renderEmpty() {
    const anyShown = [...state.rows.values()].some((row) => !row.hidden);
    $('jobs-empty').hidden = anyShown;
  }

  /** Creates or updates a job's row; a new row goes on top when {@code place} is set. */
  function renderRow(job, place) {
    let row = state.rows.get(job.job_id);
    if (!row) {
      row = buildRow(job);
      state.rows.set(job.job_id, row);
      if (place) {
        $('job-rows').prepend(row);
      }
    }
    updateRow(row, job);
    return row;
  }

  function buildRow(job) {
    const row = el('tr', 'job');
    row.dataset.jobId = job.job_id;

    const id = el('td', 'id');
    id.dataset.label = 'Job';
    const code = el('code', null, job.job_id.slice(0, 8));
    code.title = job.job_id;
    id.append(code, el('span', 'type', job.job_type));

    const tenant = el('td', 'tenant');
    tenant.dataset.label = 'Tenant';

    const status = el('td', 'status');
    status.dataset.label = 'Status';
    status.append(el('span', 'badge'));

    const progress = el('td', 'progress');
    progress.dataset.label = 'Progress';
    const bar = el('div', 'bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.append(el('div', 'fill'));
    progress.append(bar, el('span', 'eta'));

    const created = el('td', 'created');
    created.dataset.label = 'Created';
    const duration = el('td', 'duration');
    duration.dataset.label = 'Duration';
    const rtf = el('td', 'rtf');
    rtf.dataset.label = 'RTF';
    rtf.title = 'Real-time factor: processing time divided by the length of the audio';
    const text = el('td', 'text');
    text.dataset.label = 'Text';
    const actions = el('td', 'actions');

    row.append(id, tenant, status, progress, created, duration, rtf, text, actions);
    return row;
  }

  function updateRow(row, job) {
    row.dataset.status = job.status;
    noteTenant(job);
    row.hidden = !shown(job);
    const [, tenantCell, statusCell, progressCell, created, duration, rtf, text, actions] = row.children;
    tenantCell.textContent = job.tenant || '';

    const badge = statusCell.firstChild;
    badge.textContent = job.status;
    badge.dataset.status = job.status;

    const percent = Math.max(0, Math.min(100, Number(job.progress) || 0));
    const bar = progressCell.querySelector('.bar');
    bar.setAttribute('aria-valuenow', String(percent));
    const fill = bar.firstChild;
    fill.style.width = `${percent}%`;
    fill.dataset.progress = String(percent);
    progressCell.querySelector('.eta').textContent = progressText(job, percent);

    created.textContent = clock(job.created_at);
    const seconds = processingSeconds(job);
    duration.textContent = seconds === null ? '–' : `${seconds.toFixed(1)} s`;
    const audio = job.result && Number(job.result.duration);
    rtf.textContent = seconds !== null && audio > 0 ? `${(seconds / audio).toFixed(2)}×` : '–';

    if (job.error) {
      text.textContent = job.error;
      text.className = 'text error';
      text.title = job.error;
    } else {
      const spoken = job.result && job.result.gen_text;
      text.textContent = spoken || '';
      text.className = 'text';
      text.title = spoken || '';
    }
    updateActions(actions, job);
  }

  function progressText(job, percent) {
    const parts = [`${percent.toFixed(0)}%`];
    // Only a running job's estimate stays fresh: its progress events bring new ones.
    if (job.status === 'processing' && job.estimated_completion) {
      const left = Math.round((Date.parse(job.estimated_completion) - Date.now()) / 1000);
      parts.push(left > 0 ? `ETA ${formatSeconds(left)}` : 'ETA now');
    }
    return parts.join(' · ');
  }

  function formatSeconds(s) {
    if (s < 60) {
      return `${s} s`;
    }
    const m = Math.floor(s / 60);
    return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  function processingSeconds(job) {
    if (!job.started_at || !job.completed_at) {
      return null;
    }
    return Math.max(0, (Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000);
  }

  function clock(iso) {
    if (!iso) {
      return '–';
    }
    return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }

  function updateActions(cell, job) {
    const want = TERMINAL.has(job.status) ? (job.status === 'completed' && job.result && job.result.output_file_id ? 'listen' : '') : 'cancel';
    if (cell.dataset.kind === want) {
      return;
    }
    cell.dataset.kind = want;
    cell.replaceChildren();
    if (want === 'cancel') {
      const button = el('button', 'cancel', 'Cancel');
      button.type = 'button';
      button.addEventListener('click', () => cancel(job.job_id, button));
      cell.append(button);
    } else if (want === 'listen') {
      const button = el('button', 'listen', 'Listen');
      button.type = 'button';
      button.addEventListener('click', () => listen(state.jobs.get(job.job_id), cell, button));
      cell.append(button);
    }
  }

  async function cancel(id, button) {
    button.disabled = true;
    try {
      await api(`jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
      hideMessage();
    } catch (e) {
      button.disabled = false;
      if (e instanceof AuthError) {
        askForKey(e.message);
      } else {
        showMessage(`Could not cancel job ${id}: ${e.message}`);
      }
    }
  }

  /** Fetches the output with the key in a header (an <audio src> could not send it) and plays it from memory. */
  async function listen(job, cell, button) {
    button.disabled = true;
    try {
      const response = await api(`download-audio/${encodeURIComponent(job.result.output_file_id)}`);
      const blob = await response.blob();
      const audio = el('audio');
      audio.controls = true;
      audio.preload = 'metadata';
      audio.src = URL.createObjectURL(blob);
      cell.replaceChildren(audio);
      cell.dataset.kind = 'audio';
    } catch (e) {
      button.disabled = false;
      showMessage(`Could not load the audio of job ${job.job_id}: ${e.message}`);
    }
  }

  function renderWorkers() {
    const list = $('workers');
    const items = state.workers.map((w) => {
      const item = el('li', 'worker');
      item.dataset.worker = w.name;
      item.append(el('span', 'worker-name', w.name));
      if (w.running_jobs.length === 0) {
        item.append(el('span', 'idle', 'idle'));
        return item;
      }
      for (const id of w.running_jobs) {
        const job = state.jobs.get(id);
        const percent = job ? Math.max(0, Math.min(100, Number(job.progress) || 0)) : 0;
        const running = el('span', 'running');
        const code = el('code', null, id.slice(0, 8));
        code.title = id;
        const bar = el('div', 'bar small');
        const fill = el('div', 'fill');
        fill.style.width = `${percent}%`;
        bar.append(fill);
        running.append(code, bar, el('span', 'eta', job ? progressText(job, percent) : ''));
        item.append(running);
      }
      return item;
    });
    list.replaceChildren(...items);
    const elsewhere = $('workers-elsewhere');
    elsewhere.hidden = state.runningElsewhere === 0;
    elsewhere.textContent = `${state.runningElsewhere} more job(s) running on other servers of this queue`;
  }

  function renderThroughput() {
    const now = Date.now();
    const counts = new Array(THROUGHPUT_MINUTES).fill(0);
    for (const [id, t] of state.completions) {
      if (now - t >= THROUGHPUT_MINUTES * 60_000) {
        state.completions.delete(id); // older than the chart: memory stays bounded
        continue;
      }
      const minutesAgo = Math.floor((now - t) / 60_000);
      if (minutesAgo >= 0 && minutesAgo < THROUGHPUT_MINUTES) {
        counts[THROUGHPUT_MINUTES - 1 - minutesAgo] += 1;
      }
    }
    const max = Math.max(1, ...counts);
    const bars = counts.map((n, i) => {
      const column = el('div', 'column');
      const bar = el('div', 'column-bar');
      bar.style.height = `${(100 * n) / max}%`;
      const ago = THROUGHPUT_MINUTES - 1 - i;
      column.title = `${n} job(s) ${ago === 0 ? 'in the current minute' : `${ago} min ago`}`;
      column.append(el('span', 'column-count', n || ''), bar, el('span', 'column-label', ago === 0 ? 'now' : `-${ago}`));
      return column;
    });
    $('throughput').replaceChildren(...bars);
    const total = counts.reduce((a, b) => a + b, 0);
    $('throughput-summary').textContent = `${total} completed in the last ${THROUGHPUT_MINUTES} minutes`
      + ` (${(total / THROUGHPUT_MINUTES).toFixed(1)} per minute)`;
  }

  function tick() {
    for (const [id, row] of state.rows) {
      const job = state.jobs.get(id);
      if (job && !TERMINAL.has(job.status)) {
        const percent = Math.max(0, Math.min(100, Number(job.progress) || 0));
        row.querySelector('.eta').textContent = progressText(job, percent);
      }
    }
    renderThroughput();
  }

  // ---- filters and messages ----------------------------------------------------------------

  for (const button of $('filters').querySelectorAll('button')) {
    button.addEventListener('click', () => {
      state.filter = button.dataset.filter;
      for (const b of $('filters').querySelectorAll('button')) {
        b.setAttribute('aria-pressed', String(b === button));
      }
      for (const [id, row] of state.rows) {
        row.hidden = !shown(state.jobs.get(id));
      }
      renderEmpty();
      reload(); // the newest jobs in that state, which the page may not know yet
    });
  }

  // The listing has no tenant parameter: the tenant filter works on the jobs the page holds.
  $('tenant-filter').addEventListener('change', () => {
    state.tenantFilter = $('tenant-filter').value;
    for (const [id, row] of state.rows) {
      row.hidden = !shown(state.jobs.get(id));
    }
    renderEmpty();
  });

  function showMessage(text) {
    const m = $('message');
    m.textContent = text;
    m.hidden = false;
  }

  function hideMessage() {
    $('message').hidden = true;
  }

  setInterval(tick, 1000);
  start();
})();
