// The admin page: the tenant's configuration (edit, validation errors as the API names them),
// its history as the correlator took it in, and the suppression proposals with their preview.
// Plain ES modules, no build step.
import { createApi } from './api.js';
import { $, h, replace } from './dom.js';
import { KEY_STORAGE, retryLogin, showLogin, showMain } from './session.js';

const state = { api: null, version: 0 };

async function start(key) {
  const api = createApi(key);
  try {
    const me = await api.me();
    if (me.role !== 'admin') throw new Error(`role ${me.role}: the admin page needs an admin key`);
    $('[data-testid=tenant]').textContent = `${me.tenantId} · ${me.subject}`;
  } catch (error) {
    retryLogin(start, error);
    return;
  }
  state.api = api;
  showMain();
  await reload();
}

async function reload() {
  try {
    const [current, proposals] = await Promise.all([
      state.api.tenantConfig(),
      state.api.suppressionProposals(),
    ]);
    state.version = current.version;
    renderConfig(current);
    renderHistory(current);
    renderProposals(proposals.proposals);
  } catch (error) {
    toast(`Could not load the configuration: ${error.message}`, 'error');
  }
}

function renderConfig(current) {
  $('[data-testid=config-version]').textContent = `version ${current.version}`;
  $('[data-testid=config-changed]').textContent = current.changedBy
    ? `by ${current.changedBy}, ${new Date(current.changedAt).toLocaleString()}: ${current.reason}`
    : 'the correlator file policy applies (no version yet)';
  $('[data-testid=config-text]').value = JSON.stringify(current.config, null, 2);
  replace($('[data-testid=config-errors]'));
}

function renderHistory(current) {
  const latest = current.history[0]?.version ?? 0;
  $('[data-testid=history-pending]').textContent =
    latest < current.version ? `version ${current.version} is on its way to the correlator` : '';
  replace(
    $('[data-testid=history] tbody'),
    current.history.map((entry) =>
      h(
        'tr',
        { 'data-version': entry.version },
        h('td', {}, entry.version),
        h('td', {}, new Date(entry.changedAt).toLocaleString()),
        h('td', {}, entry.changedBy),
        h('td', {}, entry.change + (entry.proposalId ? ` ${entry.proposalId}` : '')),
        h(
          'td',
          {},
          entry.reason,
          entry.problems.length > 0
            ? h('div', { class: 'error' }, `not applied: ${entry.problems.join('; ')}`)
            : null,
        ),
      ),
    ),
  );
}

function renderProposals(proposals) {
  const list = $('[data-testid=proposals]');
  if (proposals.length === 0) {
    replace(
      list,
      h(
        'li',
        { class: 'hint' },
        'No proposal: no pattern was closed as false positive often enough.',
      ),
    );
    return;
  }
  replace(list, proposals.map(proposalItem));
}

function proposalItem(proposal) {
  const p = proposal.preview;
  const reason = h('input', { placeholder: 'Why', 'data-testid': 'proposal-reason' });
  const decide = (action) => async () => {
    try {
      await state.api.decideProposal(proposal.id, action, {
        version: state.version,
        reason: reason.value.trim() || `${action}ed from the admin page`,
      });
      toast(`Proposal ${action}ed: a new configuration version`);
      await reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  return h(
    'li',
    { class: 'proposal', 'data-proposal-id': proposal.id },
    h('div', { class: 'proposal-text' }, proposal.description),
    h(
      'div',
      { class: 'preview', 'data-testid': 'preview' },
      `Would have folded ${p.alerts} alerts; ${p.incidentsFolded} of ${p.incidentsTouched} incidents entirely. `,
      `${p.falsePositives} closed as false positive; `,
      p.truePositives > 0
        ? h(
            'strong',
            { class: 'error' },
            `${p.truePositives} true positive (${p.truePositiveIncidentIds.join(', ')})`,
          )
        : 'no true positive among them.',
    ),
    h(
      'div',
      { class: 'proposal-actions' },
      reason,
      h('button', { type: 'button', 'data-action': 'accept', onclick: decide('accept') }, 'Accept'),
      h(
        'button',
        { type: 'button', class: 'link', 'data-action': 'reject', onclick: decide('reject') },
        'Reject',
      ),
    ),
  );
}

async function save(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const errors = $('[data-testid=config-errors]');
  let config;
  try {
    config = JSON.parse(form.get('config'));
  } catch (error) {
    replace(errors, h('li', {}, `config: not JSON (${error.message})`));
    return;
  }
  try {
    const saved = await state.api.saveTenantConfig({
      version: state.version,
      reason: form.get('reason').trim(),
      config,
    });
    toast(`Saved as version ${saved.version}`);
    await reload();
  } catch (error) {
    const problems = Array.isArray(error.body?.errors)
      ? error.body.errors
      : [{ path: '', reason: error.message }];
    replace(
      errors,
      problems.map((problem) =>
        h('li', { 'data-path': problem.path }, `${problem.path}: ${problem.reason}`),
      ),
    );
  }
}

function toast(message, kind = 'info') {
  const el = h('div', { class: `toast ${kind}` }, message);
  $('[data-testid=toasts]').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

$('[data-testid=config-form]').addEventListener('submit', save);
const key = sessionStorage.getItem(KEY_STORAGE);
if (key) start(key);
else showLogin(start);
