// The library page (/admin): lists reports, uploads by drag-and-drop or file picker, shows a
// progress bar per job, deletes and re-indexes. Every report string is put in with textContent.
(() => {
  const STRINGS = JSON.parse(document.getElementById('lib-strings').textContent);
  let lang = localStorage.getItem('bot-lang') || 'zh';
  if (!STRINGS[lang]) lang = 'zh';
  const s = (key) => { const v = (STRINGS[lang] || STRINGS.zh)[key]; return v === undefined ? key : v; };
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs = {}, text = '') => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== '') node.textContent = text;
    return node;
  };
  let reports = [];
  const jobs = new Map(); // id -> last job JSON (or a local error card)

  function setLang(next) {
    lang = STRINGS[next] ? next : 'zh';
    localStorage.setItem('bot-lang', lang);
    document.documentElement.lang = lang;
    document.title = s('title');
    document.querySelectorAll('[data-t]').forEach((node) => {
      const text = s(node.dataset.t);
      node.textContent = node.dataset.mb ? text.replace('{mb}', node.dataset.mb) : text;
    });
    document.querySelectorAll('.lang button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
    if (document.body.dataset.state === 'ready') { renderReports(); renderJobs(); }
  }
  document.querySelectorAll('.lang button').forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang)));

  const size = (n) => n == null ? '' : n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : n >= 1e3 ? Math.round(n / 1e3) + ' KB' : n + ' B';
  const when = (t) => t ? new Date(t * 1000).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { hour12: false }) : '';

  async function api(method, path, body) {
    const response = await fetch(path, { method, body, credentials: 'same-origin', headers: { 'Accept': 'application/json' } });
    let data = {};
    try { data = await response.json(); } catch (e) {}
    if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
    return data;
  }

  async function loadReports() {
    reports = (await api('GET', '/api/v1/reports')).reports;
    renderReports();
  }

  function renderReports() {
    const body = $('#lib-table tbody');
    body.replaceChildren();
    $('#lib-empty').hidden = reports.length > 0;
    for (const r of reports) {
      const tr = el('tr', { 'data-file': r.file, 'data-id': r.id, 'data-status': r.status });
      tr.append(el('td', { class: 'title' }, r.title), el('td', {}, r.file), el('td', {}, r.format || ''),
        el('td', { class: 'num' }, size(r.size)), el('td', { class: 'num' }, r.pages == null ? '' : String(r.pages)),
        el('td', { class: 'num' }, r.chunks == null ? '' : String(r.chunks)),
        el('td', { class: 'num' }, r.tables == null ? '' : String(r.tables)), ocrCell(r), el('td', {}, when(r.indexed_at)));
      const status = el('td');
      status.append(el('span', { class: 'status ' + r.status }, s('st_' + r.status)));
      if (r.reason) status.append(el('div', { class: 'reason' }, r.reason));
      const actions = el('td');
      if (r.status !== 'removed') {
        const del = el('button', { type: 'button', class: 'delete', 'data-id': r.id }, s('delete'));
        del.addEventListener('click', () => remove(r));
        actions.append(del);
      }
      tr.append(status, actions);
      body.append(tr);
    }
  }

  // "1–3, 5" from [1, 2, 3, 5]
  function pageRanges(pages) {
    const sorted = [...new Set(pages)].sort((a, b) => a - b);
    const out = [];
    for (let i = 0; i < sorted.length; i++) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
      out.push(j > i ? sorted[i] + '–' + sorted[j] : String(sorted[i]));
      i = j;
    }
    return out.join(', ');
  }

  // which pages were read by OCR and how sure it was; "—" when none was
  function ocrCell(r) {
    const pages = Array.isArray(r.ocr_pages) ? r.ocr_pages : [];
    if (!pages.length) return el('td', { class: 'ocr none' }, '—');
    let text = s('ocr_pages').replace('{pages}', pageRanges(pages));
    const conf = Number(r.ocr_confidence);
    if (r.ocr_confidence != null && !Number.isNaN(conf)) {
      text += ' · ' + s('ocr_conf').replace('{conf}', Math.round(conf <= 1 ? conf * 100 : conf) + '%');
    }
    return el('td', { class: 'ocr' }, text);
  }

  function renderJobs() {
    const box = $('#lib-jobs');
    box.replaceChildren();
    $('#lib-jobs-card').hidden = jobs.size === 0;
    for (const job of [...jobs.values()].reverse()) {
      const row = el('div', { class: 'job ' + job.status, 'data-job': job.id, 'data-status': job.status });
      const names = (job.files || []).map((f) => f.stored || f.name).join(', ');
      row.append(el('div', {}, s('kind_' + job.kind) + (names ? ': ' + names : '')));
      const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
        'aria-valuenow': String(Math.round((job.progress || 0) * 100)) });
      const fill = el('div');
      fill.style.width = Math.round((job.progress || 0) * 100) + '%';
      bar.append(fill);
      const stage = job.status === 'running' ? s('stage_' + job.stage) : s('job_' + job.status);
      row.append(bar, el('div', { class: 'state' }, stage));
      const failed = (job.files || []).filter((f) => f.status === 'failed').map((f) => f.name + ': ' + f.message);
      const message = failed.length ? failed.join('\n') : (job.status === 'failed' ? job.message : '');
      if (message) row.append(el('div', { class: 'msg' }, message));
      box.append(row);
    }
  }

  async function follow(jobId) {
    for (;;) {
      let job;
      try { job = await api('GET', '/api/v1/jobs/' + jobId); } catch (e) { return; }
      jobs.set(job.id, job);
      renderJobs();
      if (job.status === 'done' || job.status === 'failed') { await loadReports(); return; }
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  }

  async function start(method, path, body, kind, names) {
    try {
      const { job } = await api(method, path, body);
      jobs.set(job, { id: job, kind, status: 'queued', progress: 0, files: names.map((n) => ({ name: n })) });
      renderJobs();
      follow(job);
    } catch (err) {
      const id = 'local-' + Date.now();
      jobs.set(id, { id, kind, status: 'failed', progress: 1, message: err.message, files: names.map((n) => ({ name: n })) });
      renderJobs();
    }
  }

  function upload(fileList) {
    const files = [...fileList];
    if (!files.length) return;
    const form = new FormData();
    files.forEach((f) => form.append('files', f, f.name));
    start('POST', '/api/v1/reports', form, 'upload', files.map((f) => f.name));
  }

  function remove(report) {
    if (!window.confirm(s('confirm_delete').replace('{title}', report.title))) return;
    start('DELETE', '/api/v1/reports/' + encodeURIComponent(report.id), undefined, 'delete', [report.file]);
  }

  if (document.body.dataset.state === 'ready') {
    const drop = $('#lib-drop');
    const input = $('#lib-input');
    drop.addEventListener('click', () => input.click());
    drop.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') input.click(); });
    input.addEventListener('change', () => { upload(input.files); input.value = ''; });
    ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (ev) => { ev.preventDefault(); drop.classList.add('over'); }));
    ['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, (ev) => { ev.preventDefault(); drop.classList.remove('over'); }));
    drop.addEventListener('drop', (ev) => upload(ev.dataTransfer.files));
    $('#lib-refresh').addEventListener('click', loadReports);
    $('#lib-reindex').addEventListener('click', () => start('POST', '/api/v1/reindex', undefined, 'reindex', []));
    loadReports();
  }
  setLang(lang);
  window.__libReady = true;
})();
