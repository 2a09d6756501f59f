// The Mlops dashboard: a token in sessionStorage, sent as a bearer token to the API it is served by; one view per hash route.
// Every element is built with textContent (never innerHTML), so names and notes from the API cannot inject markup.
import { metricChart, timelineChart, formatNumber } from './charts.js';

const TOKEN_KEY = 'mlops.token';
const ENVIRONMENT_KEY = 'mlops.environment';
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

let session = null;

class ApiError extends Error {
  constructor(status, problem) {
    super(describeProblem(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

class SignedOut extends Error {}

function describeProblem(status, problem) {
  const detail = problem?.detail || problem?.title || `HTTP ${status}`;
  if (status === 403) {
    // A rule such as separation of duties is named as the rule; anything else is a right the token lacks.
    const rule = problem?.permission && !problem.permission.includes('.');
    const what = [problem?.permission && (rule ? `rule ${problem.permission}` : `missing ${problem.permission}`), problem?.catalog && `in ${problem.catalog}`, problem?.resource && `for ${problem.resource}`]
      .filter(Boolean).join(' ');
    return `Not allowed (403): ${detail}${what ? ` — ${what}` : ''}`;
  }
  const errors = problem?.errors ? Object.entries(problem.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(', ')}`).join('; ') : '';
  return `${problem?.title || 'Request failed'} (${status}): ${detail}${errors ? ` — ${errors}` : ''}`;
}

// ---------------------------------------------------------------- DOM helpers

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function table(columns, rows, attributes = {}) {
  return h('table', attributes,
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {}, c.title)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'Nothing here yet.'))
      : rows.map(row => h('tr', row.attributes ? row.attributes : {}, columns.map(c => h('td', { class: c.class }, c.cell(row)))))));
}

const when = value => (value ? new Date(value).toISOString().replace('T', ' ').slice(0, 19) : '–');
const state = value => h('span', { class: `state state-${(value || 'unknown').toLowerCase()}` }, value || 'unknown');
const view = () => document.getElementById('view');

function show(...children) {
  view().replaceChildren(...children);
}

function message(text, kind = 'error') {
  const box = document.getElementById('message');
  box.textContent = text;
  box.className = kind;
  box.hidden = !text;
}

function environment() {
  const chosen = sessionStorage.getItem(ENVIRONMENT_KEY);
  return ENVIRONMENTS.includes(chosen) ? chosen : 'prod';
}

const allows = (permission, catalog) => (session?.permissions?.[permission] ?? []).includes(catalog);

function traceLink(traceId) {
  if (!traceId) return '–';
  const template = session?.traceUrlTemplate;
  return template
    ? h('a', { href: template.replace('{traceId}', encodeURIComponent(traceId)), target: '_blank', rel: 'noopener noreferrer', class: 'trace' }, traceId)
    : h('code', { class: 'trace' }, traceId);
}

// ---------------------------------------------------------------- the API

async function api(path, { method = 'GET', body, token } = {}) {
  const bearer = token ?? sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let payload = null;
  try { payload = text ? JSON.parse(text) : null; } catch { payload = { detail: text }; }
  if (response.status === 401 && token === undefined) {
    signOut(`Signed out: ${payload?.detail || 'the token is no longer accepted'}.`);
    throw new SignedOut();
  }
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

const encode = encodeURIComponent;

// ---------------------------------------------------------------- sign-in

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  session = null;
  chrome();
  if (location.hash !== '#/signin') location.hash = '#/signin';
  else route();
  if (reason) message(reason);
}

function signInView() {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, placeholder: 'mlops_…', size: 50 });
  const problem = h('p', { id: 'sign-in-error', class: 'error', role: 'alert', hidden: true });
  const form = h('form', {
    id: 'sign-in', class: 'card',
    onsubmit: async event => {
      event.preventDefault();
      const token = input.value.trim();
      try {
        session = await api('/api/dashboard/session', { token });
        sessionStorage.setItem(TOKEN_KEY, token);
        message('');
        chrome();
        const target = location.hash && location.hash !== '#/signin' ? location.hash : '#/runs';
        if (location.hash === target) route();
        else location.hash = target;
      } catch (error) {
        problem.textContent = error instanceof ApiError && error.status === 401 ? `Token refused: ${error.problem?.detail || 'not valid'}` : error.message;
        problem.hidden = false;
      }
    },
  },
  h('h1', {}, 'Sign in'),
  h('p', {}, 'Paste an API token (an admin issues them with POST /api/principals/{name}/tokens). It is kept in this tab only.'),
  h('label', {}, 'Token ', input), ' ', h('button', { type: 'submit' }, 'Sign in'), problem);
  show(form);
  input.focus();
}

function chrome() {
  const signedIn = session !== null;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('environment-picker').hidden = !signedIn;
  document.getElementById('sign-out').hidden = !signedIn;
  document.getElementById('who').textContent = signedIn ? `${session.principal} (${session.roles.join(', ') || 'no roles'})` : '';
  document.getElementById('environment').value = environment();
  for (const link of document.querySelectorAll('#nav a[data-needs]'))
    link.hidden = !signedIn || !allows(link.dataset.needs, '*');
}

// ---------------------------------------------------------------- runs

async function runsView() {
  const catalog = environment();
  const runs = await api(`/api/runs?environment=${catalog}&limit=200`);
  show(h('h1', {}, `Runs in ${catalog}`), table([
    { title: 'Run', cell: r => h('a', { href: `#/runs/${r.runId}`, class: 'run-link' }, r.runId.slice(0, 8)) },
    { title: 'Model', cell: r => r.modelName },
    { title: 'State', cell: r => state(r.state) },
    { title: 'Trigger', cell: r => r.trigger },
    { title: 'By', cell: r => r.principal },
    { title: 'Version', cell: r => r.modelVersion ?? '–' },
    { title: 'Started', cell: r => when(r.startedAt) },
    { title: 'Finished', cell: r => when(r.finishedAt) },
    { title: 'Failure', cell: r => r.failureReason ?? '' },
  ], runs, { id: 'runs' }));
}

async function runView(runId) {
  const run = await api(`/api/runs/${encode(runId)}`);
  const steps = run.history.map(entry => ({ ...entry, at: new Date(entry.at) }));
  const evaluation = run.evaluation;
  show(
    h('p', {}, h('a', { href: '#/runs' }, '← Runs')),
    h('h1', {}, `Run ${run.correlationId}`),
    h('dl', { id: 'run-facts', class: 'facts' },
      h('dt', {}, 'Model'), h('dd', {}, h('a', { href: `#/models/${encode(run.modelName)}` }, run.modelName)),
      h('dt', {}, 'State'), h('dd', {}, state(run.currentState)),
      h('dt', {}, 'Trigger'), h('dd', {}, `${run.trigger}: ${run.triggerDetail}`),
      h('dt', {}, 'Requested by'), h('dd', {}, run.principal),
      h('dt', {}, 'Code version'), h('dd', {}, run.codeVersion),
      h('dt', {}, 'Model version'), h('dd', {}, run.modelVersion ?? '–'),
      h('dt', {}, 'Champion'), h('dd', {}, `${run.championBefore ?? '–'} → ${run.championAfter ?? '–'}`),
      h('dt', {}, 'Approved by'), h('dd', {}, run.approvedBy ?? '–'),
      h('dt', {}, 'Trace'), h('dd', { id: 'run-trace' }, traceLink(run.traceId)),
      run.failureReason && [h('dt', {}, 'Failure'), h('dd', { class: 'error' }, run.failureReason)]),
    evaluation && h('p', { id: 'evaluation' },
      `Evaluation on ${evaluation.holdoutRows} holdout rows: ${evaluation.metric} challenger ${formatNumber(evaluation.challengerScore)}, `
      + `champion ${formatNumber(evaluation.championScore)}, required ${formatNumber(evaluation.requiredScore)} — ${evaluation.promote ? 'promote' : 'keep'}: ${evaluation.reason}`),
    h('h2', {}, 'Timeline'),
    timelineChart({ steps, until: run.finishedAt ? new Date(run.finishedAt) : new Date() }),
    h('ol', { id: 'timeline', class: 'timeline' }, steps.map((step, index) => h('li', {},
      h('span', { class: 'step-state' }, step.state), ' ', h('time', { datetime: step.at.toISOString() }, when(step.at)),
      index > 0 ? h('span', { class: 'muted' }, ` +${((step.at - steps[index - 1].at) / 1000).toFixed(2)} s`) : '',
      h('div', { class: 'reason' }, step.note)))));
}

// ---------------------------------------------------------------- models

async function modelsView() {
  const catalog = environment();
  if (!allows('models.read', catalog)) {
    show(h('h1', {}, `Models in ${catalog}`), h('p', { class: 'muted' }, `Your token does not allow reading models in ${catalog}.`));
    return;
  }
  const models = await api(`/api/models?catalog=${catalog}&limit=500`);
  show(h('h1', {}, `Models in ${catalog}`), table([
    { title: 'Model', cell: m => h('a', { href: `#/models/${encode(m.name)}`, class: 'model-link' }, m.name) },
    { title: 'Latest version', cell: m => m.latestVersion ?? '–' },
    { title: 'Aliases', cell: m => aliasBadges(m.aliases) },
    { title: 'Created', cell: m => `${when(m.createdAt)} by ${m.createdBy}` },
    { title: 'Description', cell: m => m.description ?? '' },
  ], models, { id: 'models' }));
}

function aliasBadges(aliases) {
  return Object.entries(aliases).map(([alias, version]) => h('span', { class: 'badge', dataset: { alias } }, `${alias} → v${version}`));
}

function compliance(tags) {
  const status = tags['compliance.status'];
  if (!status) return h('span', { class: 'muted' }, 'not checked');
  const rules = Object.entries(tags).filter(([key]) => key.startsWith('compliance.rule.'))
    .map(([key, value]) => h('li', {}, `${key.slice('compliance.rule.'.length)}: ${value}`));
  return h('div', { class: 'compliance' }, h('span', { class: `state state-${status}` }, status),
    tags['compliance.mode'] ? h('span', { class: 'muted' }, ` (${tags['compliance.mode']})`) : '', rules.length ? h('ul', {}, rules) : '');
}

async function modelView(name) {
  const [model, versions] = await Promise.all([api(`/api/models/${encode(name)}`), api(`/api/models/${encode(name)}/versions`)]);
  const aliases = [...new Set(['champion', ...Object.keys(model.aliases)])];
  const histories = await Promise.all(aliases.map(alias => api(`/api/models/${encode(name)}/aliases/${encode(alias)}/history`)
    .then(changes => ({ alias, changes }), () => ({ alias, changes: [] }))));
  const lineage = h('section', { id: 'lineage' });
  const showLineage = async version => {
    const found = await api(`/api/models/${encode(name)}/versions/${version}`);
    lineage.replaceChildren(h('h2', {}, `Lineage of version ${found.version}`), h('dl', { class: 'facts' },
      h('dt', {}, 'Training run'), h('dd', {}, found.trainingRunId),
      h('dt', {}, 'Pipeline run'), h('dd', {}, found.pipelineRunId ? h('a', { href: `#/runs/${found.pipelineRunId}` }, found.pipelineRunId) : '–'),
      h('dt', {}, 'Features'), h('dd', {}, `${found.featureTable} v${found.featureVersion}`),
      h('dt', {}, 'Raw batches'), h('dd', {}, found.rawBatchIds.join(', ') || '–'),
      h('dt', {}, 'Code'), h('dd', {}, `${found.codeVersion} (${found.trainer})`),
      h('dt', {}, 'Artifact'), h('dd', {}, h('code', {}, found.artifactSha256)),
      h('dt', {}, 'Trace'), h('dd', {}, traceLink(found.traceId))));
  };
  show(
    h('p', {}, h('a', { href: '#/models' }, '← Models')),
    h('h1', {}, model.name),
    h('p', {}, model.description ?? '', ' ', aliasBadges(model.aliases)),
    h('h2', {}, 'Versions'),
    table([
      { title: 'Version', cell: v => h('button', { type: 'button', class: 'link', onclick: () => showLineage(v.version).catch(fail) }, `v${v.version}`) },
      { title: 'Status', cell: v => state(v.status) },
      { title: 'Aliases', cell: v => v.aliases.join(', ') },
      { title: 'Metrics', cell: v => Object.entries(v.metrics).map(([k, value]) => `${k} ${formatNumber(value)}`).join(', ') },
      { title: 'Compliance', cell: v => compliance(v.tags) },
      { title: 'Code', cell: v => `${v.codeVersion} (${v.trainer})` },
      { title: 'Created', cell: v => `${when(v.createdAt)} by ${v.createdBy}` },
    ], versions.map(v => ({ ...v, attributes: { 'data-version': v.version } })), { id: 'versions' }),
    h('h2', {}, 'Alias history'),
    table([
      { title: 'Alias', cell: c => c.alias },
      { title: 'From', cell: c => (c.fromVersion ? `v${c.fromVersion}` : '–') },
      { title: 'To', cell: c => `v${c.toVersion}` },
      { title: 'By', cell: c => c.changedBy },
      { title: 'Reason', cell: c => c.reason },
      { title: 'When', cell: c => when(c.changedAt) },
    ], histories.flatMap(history => history.changes), { id: 'alias-history' }),
    lineage);
}

// ---------------------------------------------------------------- monitoring

async function monitoringView(name) {
  const catalog = environment();
  const readable = allows('models.read', catalog) || allows('catalog.read', catalog);
  if (!readable) {
    show(h('h1', {}, `Monitoring in ${catalog}`), h('p', { class: 'muted' }, `Your token does not allow reading ${catalog}.`));
    return;
  }
  const models = allows('models.read', catalog) ? await api(`/api/models?catalog=${catalog}&limit=500`) : [];
  const picker = h('select', { id: 'monitoring-model', onchange: event => { location.hash = `#/monitoring/${encode(event.target.value)}`; } },
    h('option', { value: '' }, 'choose a model'), models.map(m => h('option', { value: m.name, selected: m.name === name }, m.name)));
  if (!name) {
    show(h('h1', {}, `Monitoring in ${catalog}`), h('label', {}, 'Model ', picker));
    return;
  }
  const report = await api(`/api/monitoring/models/${encode(name)}`);
  const series = new Map();
  for (const point of report.points) {
    const key = `${point.subjectKind}|${point.subject}|${point.metric}`;
    if (!series.has(key)) series.set(key, { kind: point.subjectKind, subject: point.subject, metric: point.metric, points: [] });
    series.get(key).points.push({ ...point, at: new Date(point.windowStart) });
  }
  const charts = [...series.values()].sort((a, b) => (a.kind === 'feature' ? 0 : 1) - (b.kind === 'feature' ? 0 : 1) || a.subject.localeCompare(b.subject) || a.metric.localeCompare(b.metric))
    .map(s => {
      const thresholds = s.points.map(p => p.threshold).filter(t => typeof t === 'number');
      const breaches = s.points.filter(p => p.breached).length;
      return h('figure', { class: 'metric', dataset: { kind: s.kind, subject: s.subject, metric: s.metric } },
        metricChart({ title: `${subjectLabel(s.kind, s.subject)} — ${s.metric}`, points: s.points, threshold: thresholds.at(-1) }),
        h('figcaption', {}, `${s.points.length} windows, ${breaches} breached${thresholds.length ? `, threshold ${formatNumber(thresholds.at(-1))}` : ''}`));
    });
  show(
    h('h1', {}, `Monitoring of ${report.model}`),
    h('label', {}, 'Model ', picker),
    h('p', { class: 'muted' }, `Windows from ${when(report.from)} to ${when(report.to)}.`),
    h('h2', {}, 'Alerts'),
    table([
      { title: 'Kind', cell: a => a.kind },
      { title: 'Subject', class: 'subject', cell: a => subjectLabel(a.subjectKind, a.subject) },
      { title: 'Metric', cell: a => a.metric },
      { title: 'Value', cell: a => formatNumber(a.value) },
      { title: 'Threshold', cell: a => formatNumber(a.threshold) },
      { title: 'Windows', cell: a => `${a.windowsBreached} of ${a.windowsConsidered} breached` },
      { title: 'Version', cell: a => `v${a.version}` },
      { title: 'Opened', cell: a => when(a.openedAt) },
      { title: 'State', cell: a => (a.closedAt ? `closed ${when(a.closedAt)}` : h('span', { class: 'state state-breached' }, 'open')) },
    ], report.alerts, { id: 'alerts' }),
    h('h2', {}, 'Drift and performance per window'),
    charts.length ? h('div', { id: 'charts', class: 'charts' }, charts) : h('p', { id: 'charts', class: 'muted' }, 'No evaluated windows in this period.'));
}

// What a metric or alert is about, as a reader says it: Monitoring names model-wide and prediction metrics with their kind
// as subject too ("model"/"model"), which read as "model model".
function subjectLabel(kind, subject) {
  if (kind === 'model') return 'whole model';
  if (kind === 'prediction') return 'predictions';
  return subject === kind ? kind : `${kind} ${subject}`;
}

// ---------------------------------------------------------------- approvals

async function approvalsView() {
  const catalog = environment();
  const pending = await api(`/api/approvals?environment=${catalog}&limit=200`);
  const mayDecide = allows('models.promote', catalog);
  const decide = async (run, verb, row) => {
    const body = verb === 'approve' ? { comment: row.querySelector('input')?.value || null } : { reason: row.querySelector('input')?.value || '' };
    try {
      await api(`/api/approvals/${run.runId}/${verb}`, { method: 'POST', body });
      message(`${verb === 'approve' ? 'Approval' : 'Denial'} of run ${run.runId} sent.`, 'ok');
      for (const button of row.querySelectorAll('button')) button.disabled = true;
      row.dataset.decided = verb;
    } catch (error) {
      if (!(error instanceof SignedOut)) message(error.message);
    }
  };
  show(h('h1', {}, `Approvals waiting in ${catalog}`),
    mayDecide ? '' : h('p', { id: 'no-promote', class: 'muted' }, `Your token does not allow approving or denying in ${catalog} (models.promote).`),
    table([
      { title: 'Run', cell: r => h('a', { href: `#/runs/${r.runId}` }, r.runId.slice(0, 8)) },
      { title: 'Model', cell: r => r.modelName },
      { title: 'Version', cell: r => r.modelVersion ?? '–' },
      { title: 'Requested by', cell: r => r.principal },
      { title: 'Code', cell: r => r.codeVersion },
      { title: 'Since', cell: r => when(r.startedAt) },
      ...(mayDecide ? [{
        title: 'Decision', cell: r => {
          const cell = h('span', { class: 'decision' },
            h('input', { type: 'text', placeholder: 'comment or reason', 'aria-label': 'comment or reason', maxlength: 2000 }),
            h('button', { type: 'button', class: 'approve', onclick: event => decide(r, 'approve', event.target.closest('tr')) }, 'Approve'),
            h('button', { type: 'button', class: 'deny', onclick: event => decide(r, 'deny', event.target.closest('tr')) }, 'Deny'));
          return cell;
        },
      }] : []),
    ], pending.map(r => ({ ...r, attributes: { 'data-run': r.runId } })), { id: 'approvals' }));
}

// ---------------------------------------------------------------- audit trail

async function auditView() {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const query = new URLSearchParams({ limit: '500' });
  for (const key of ['principal', 'action', 'model', 'outcome']) if (params.get(key)) query.set(key, params.get(key));
  const [entries, verdict] = await Promise.all([api(`/api/audit/entries?${query}`), api('/api/audit/verify')]);
  const filter = h('form', {
    id: 'audit-filter', class: 'filters',
    onsubmit: event => {
      event.preventDefault();
      const values = new URLSearchParams();
      for (const input of event.target.querySelectorAll('input')) if (input.value.trim()) values.set(input.name, input.value.trim());
      location.hash = `#/audit?${values}`;
    },
  }, ['principal', 'action', 'model', 'outcome'].map(key => h('label', {}, `${key} `, h('input', { name: key, value: params.get(key) ?? '', size: 14 }))),
  h('button', { type: 'submit' }, 'Filter'));
  show(h('h1', {}, 'Audit trail'),
    h('p', { id: 'audit-chain', class: verdict.intact ? 'ok' : 'error' }, `Hash chain: ${verdict.message}`),
    filter,
    table([
      { title: '#', cell: e => e.seq },
      { title: 'When', cell: e => when(e.at) },
      { title: 'Principal', cell: e => e.principal },
      { title: 'Action', cell: e => e.action },
      { title: 'Resource', cell: e => e.resource },
      { title: 'Outcome', cell: e => state(e.outcome) },
      { title: 'Detail', cell: e => e.detail },
      { title: 'Trace', cell: e => traceLink(e.traceId) },
    ], entries, { id: 'audit' }));
}

// ---------------------------------------------------------------- routing

const routes = [
  [/^#\/runs\/([0-9a-f-]{36})$/, id => runView(id)],
  [/^#\/runs$/, () => runsView()],
  [/^#\/models\/(.+)$/, name => modelView(decodeURIComponent(name))],
  [/^#\/models$/, () => modelsView()],
  [/^#\/monitoring(?:\/(.+))?$/, name => monitoringView(name ? decodeURIComponent(name) : '')],
  [/^#\/approvals$/, () => approvalsView()],
  [/^#\/audit(?:\?.*)?$/, () => auditView()],
];

function fail(error) {
  if (error instanceof SignedOut) return;
  message(error.message);
}

async function route() {
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    session = null;
    chrome();
    signInView();
    return;
  }
  if (session === null) {
    try {
      session = await api('/api/dashboard/session');
    } catch (error) {
      fail(error);
      return;
    }
    chrome();
  }
  const hash = location.hash || '#/runs';
  if (hash === '#/signin') {
    location.hash = '#/runs';
    return;
  }
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', hash.startsWith(link.getAttribute('href')));
  const found = routes.find(([pattern]) => pattern.test(hash));
  message('');
  view().setAttribute('aria-busy', 'true');
  try {
    if (found) await found[1](...hash.match(found[0]).slice(1));
    else show(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/runs' }, 'Runs')));
  } catch (error) {
    fail(error);
    if (!(error instanceof SignedOut)) show(h('h1', {}, 'Could not load this page'), h('p', { class: 'error' }, error.message));
  } finally {
    view().removeAttribute('aria-busy');
  }
}

document.getElementById('environment').addEventListener('change', event => {
  sessionStorage.setItem(ENVIRONMENT_KEY, event.target.value);
  route();
});
document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);
route();
