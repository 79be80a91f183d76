// Editor console: municipal editors keep their offices, online services,
// responsibilities and local additions; the state editorial office reviews
// additions and English texts; admins manage editors. It uses the public
// GraphQL API only, with the editor's token from sessionStorage (never a
// cookie, the URL or a log). The view is in the URL (?view=…&id=…).
// What the role may not do is not offered; the server refuses it anyway.
import { gql as request } from '/static/common/gql.js';
import { h, add, richText, combobox, navLink } from '/static/common/dom.js';

const TOKEN = 'leistungsfinder.token';
const app = document.getElementById('app');
const nav = document.getElementById('nav');
const headerUser = document.getElementById('header-user');
let me = null;

const gql = (q, v) => request(q, v, sessionStorage.getItem(TOKEN) || '');

const views = {
  offices: { title: 'Offices', roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: officesView },
  office: { roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: officeView },
  online: { title: 'Online services and responsibilities', roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: onlineView },
  onlineservice: { roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: onlineServiceView },
  additions: { title: 'Local additions', roles: ['MUNICIPAL_EDITOR'], render: additionsView },
  explain: { title: 'Why not found?', roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: explainView },
  review: { title: 'Review queue', roles: ['STATE_EDITOR'], render: reviewView },
  translations: { title: 'English texts', roles: ['STATE_EDITOR'], render: translationsView },
  changes: { title: 'Changes this week', roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: changesView },
  history: { roles: ['MUNICIPAL_EDITOR', 'STATE_EDITOR'], render: historyView },
  editors: { title: 'Editors', roles: ['ADMIN'], render: editorsView },
};

function params() { return new URLSearchParams(location.search); }

function go(query) {
  history.pushState(null, '', '/console' + (query ? '?' + new URLSearchParams(query) : ''));
  render();
}

function link(query, ...children) {
  return navLink('/console?' + new URLSearchParams(query), () => go(query), ...children);
}

// trimARS and inScope mirror catalog.Contains: a scope key covers the
// keys that start with it once its trailing zero groups are cut.
function trimARS(ars) {
  for (const n of [0, 2, 3, 5, 9]) if (ars.slice(n) === '0'.repeat(12 - n)) return ars.slice(0, n);
  return ars;
}
function inScope(ars) {
  if (!me) return false;
  if (me.role === 'STATE_EDITOR') return true;
  return (me.editor?.scopes || []).some((s) => ars.startsWith(trimARS(s)));
}
const scopes = () => (me?.editor?.scopes?.length ? me.editor.scopes : ['060000000000']);

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, (e.code ? e.code + ': ' : '') + e.message);
}

// fieldErrors marks each field an INVALID answer names (data-field), ties
// the message to it with aria-describedby and focuses the first one;
// messages for fields not on the form go to the summary.
function showFieldErrors(form, summary, e) {
  for (const el of form.querySelectorAll('[aria-invalid]')) { el.removeAttribute('aria-invalid'); el.removeAttribute('aria-describedby'); }
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  summary.replaceChildren();
  if (!e) return;
  const list = e.code === 'INVALID' ? (e.errors[0].extensions.errors || [{ field: e.errors[0].extensions.field, message: e.errors[0].message }]) : null;
  if (!list) { add(summary, errorBox(e)); return; }
  let first = null;
  list.forEach((fe, i) => {
    const el = form.querySelector(`[data-field="${CSS.escape(fe.field || '')}"]`);
    if (!el) { add(summary, h('p', { class: 'error', role: 'alert' }, (fe.field ? fe.field + ': ' : '') + fe.message)); return; }
    const id = 'err-' + i;
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('aria-describedby', id);
    el.insertAdjacentElement('afterend', h('p', { id, class: 'field-error' }, fe.message));
    first = first || el;
  });
  if (first) first.focus();
  else summary.querySelector('p')?.focus?.();
}

// ---- sign in ----------------------------------------------------------

function signInView(message) {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-help' });
  const err = h('div');
  const form = h('form', { id: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    sessionStorage.setItem(TOKEN, token);
    try {
      await loadMe();
      input.value = '';
      render();
    } catch (ex) {
      sessionStorage.removeItem(TOKEN);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'token-help token-error');
      err.replaceChildren(h('p', { id: 'token-error', class: 'field-error', role: 'alert' }, ex.code === 'UNAUTHENTICATED' ? 'This token is unknown, revoked or expired.' : ex.message));
      input.focus();
    }
  } },
  h('h2', {}, 'Sign in'),
  message ? h('p', { class: 'notice' }, message) : null,
  h('label', { for: 'token' }, 'Your editor token'),
  input, err,
  h('p', { id: 'token-help', class: 'muted' }, 'Paste the token you were given (lf_…). It is kept in this tab only and forgotten when you close it.'),
  h('button', { type: 'submit' }, 'Sign in'));
  return form;
}

async function loadMe() {
  const d = await gql('{ me { role permissions editor { id name scopes } } }');
  if (d.me.role === 'ANONYMOUS' || d.me.role === 'PEER') throw Object.assign(new Error('This token is not an editor\'s.'), { code: 'FORBIDDEN' });
  me = d.me;
}

function signOut() {
  sessionStorage.removeItem(TOKEN);
  me = null;
  go('');
}

// ---- frame ------------------------------------------------------------

async function render() {
  if (!me && sessionStorage.getItem(TOKEN)) {
    try { await loadMe(); } catch (e) { sessionStorage.removeItem(TOKEN); }
  }
  if (!me) {
    headerUser.replaceChildren();
    nav.replaceChildren();
    app.replaceChildren(signInView());
    document.getElementById('token').focus();
    return;
  }
  const scope = me.editor?.scopes?.length ? me.editor.scopes.join(', ') : 'whole state';
  headerUser.replaceChildren(h('p', { id: 'whoami', class: 'who' }, h('strong', {}, me.editor?.name || ''), ` · ${me.role} · scope: ${scope} `,
    h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out')));
  const allowed = Object.entries(views).filter(([, v]) => v.title && v.roles.includes(me.role));
  const current = params().get('view') || allowed[0]?.[0] || '';
  nav.replaceChildren(h('ul', {}, allowed.map(([k, v]) => h('li', {}, link({ view: k }, v.title)))));
  for (const a of nav.querySelectorAll('a')) if (new URLSearchParams(a.search).get('view') === current) a.setAttribute('aria-current', 'page');
  const view = views[current];
  if (!view || !view.roles.includes(me.role)) {
    app.replaceChildren(h('p', { class: 'notice', role: 'alert' }, 'This view is not available for your role.'));
    return;
  }
  app.replaceChildren(h('p', {}, 'Loading …'));
  try {
    const node = await view.render(params());
    app.replaceChildren(node);
  } catch (e) {
    app.replaceChildren(errorBox(e));
  }
}

// ---- offices ------------------------------------------------------------

async function officesView(p) {
  const ars = p.get('ars') || (me.role === 'STATE_EDITOR' ? '066360000000' : '');
  const keys = ars ? [ars] : scopes();
  const out = h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'Offices'));
  if (me.role === 'STATE_EDITOR') {
    const input = h('input', { id: 'ars', value: ars, inputmode: 'numeric' });
    add(out, h('form', { onsubmit: (e) => { e.preventDefault(); go({ view: 'offices', ars: input.value.trim() }); } },
      h('label', { for: 'ars' }, 'Region key (12 digits)'), h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Show'))));
  }
  for (const key of keys) {
    const d = await gql('query($ars: String!) { offices(ars: $ars, first: 50) { totalCount nodes { id name region { name } address { street postalCode city } } } }', { ars: key });
    add(out, h('h3', {}, `${key}: ${d.offices.totalCount} offices`),
      h('ul', { class: 'plain offices' }, d.offices.nodes.map((o) => h('li', { class: 'card' },
        link({ view: 'office', id: o.id }, o.name), h('div', { class: 'muted' }, [o.region.name, o.address && `${o.address.street || ''}, ${o.address.postalCode} ${o.address.city}`].filter(Boolean).join(' · '))))));
  }
  return out;
}

const OFFICE = `query($id: ID!) {
  de: office(id: $id, lang: DE) { id name kind revision parentId region { ars name }
    addresses { kind street poBox postalCode city ars }
    openingHoursSlots { day open close } openingHoursNotes { text }
    channels { kind value note { text } }
    contacts { name room position { text } channels { kind value note { text } } }
    accessibility { text } }
  en: office(id: $id, lang: EN) { name
    openingHoursNotes { text isFallback machineTranslated }
    channels { note { text isFallback machineTranslated } }
    contacts { position { text isFallback machineTranslated } channels { note { text isFallback machineTranslated } } }
    accessibility { text isFallback machineTranslated } }
}`;

const days = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const dayNames = { MONDAY: 'Monday', TUESDAY: 'Tuesday', WEDNESDAY: 'Wednesday', THURSDAY: 'Thursday', FRIDAY: 'Friday', SATURDAY: 'Saturday', SUNDAY: 'Sunday' };

// textInput builds a complete TextInput: the German text as edited, and
// the English version as it is stored (kept, not cleared), so the update
// loses nothing whether the API replaces the record or patches it.
function textInput(de, en) {
  if (!de) return null;
  const t = { de };
  if (en && !en.isFallback && en.text) {
    t.en = en.text;
    if (en.machineTranslated) t.enMachineTranslated = true;
  }
  return t;
}

function select(id, field, values, labels, value) {
  return h('select', { id, 'data-field': field }, values.map((v) => h('option', { value: v, selected: v === value }, labels ? labels[v] : v)));
}

async function officeView(p) {
  const id = p.get('id');
  const d = await gql(OFFICE, { id });
  const o = d.de;
  const out = h('section', { 'aria-labelledby': 'h' });
  if (!o) return h('p', { class: 'notice', role: 'alert' }, 'There is no office ' + id + '.');
  if (!inScope(o.region.ars)) {
    return h('section', {}, h('h2', { id: 'h' }, 'Office not editable'),
      h('p', { class: 'notice', role: 'alert', id: 'out-of-scope' }, `This office (${o.region.name}) is outside your region scope (${scopes().join(', ')}). You cannot edit it.`));
  }
  const en = d.en;
  const state = {
    addresses: o.addresses.map((a) => ({ ...a })),
    slots: o.openingHoursSlots.map((s) => ({ ...s })),
    channels: o.channels.map((c, i) => ({ kind: c.kind, value: c.value, note: textInput(c.note?.text, en.channels[i]?.note) })),
    // Contacts keep their channels and English texts; name, room and
    // the German position are edited here.
    contacts: o.contacts.map((c, i) => ({
      name: c.name, room: c.room || '', position: c.position?.text || '', enPosition: en.contacts[i]?.position,
      channels: c.channels.map((ch, j) => ({ kind: ch.kind, value: ch.value, note: textInput(ch.note?.text, en.contacts[i]?.channels[j]?.note) })),
    })),
  };
  const form = h('form', { id: 'office-form', novalidate: true });
  const summary = h('div', { id: 'form-errors' });
  const conflict = h('div', { id: 'conflict' });

  const addrFields = () => h('fieldset', {}, h('legend', {}, 'Addresses'), state.addresses.map((a, i) => h('div', { class: 'row address' },
    h('div', {}, h('label', { for: `a${i}-kind` }, 'Kind'), select(`a${i}-kind`, `addresses[${i}].kind`, ['VISITOR', 'POSTAL', 'POBOX', 'DELIVERY'], null, a.kind)),
    h('div', {}, h('label', { for: `a${i}-street` }, 'Street'), h('input', { id: `a${i}-street`, 'data-field': `addresses[${i}].street`, value: a.street || '' })),
    h('div', {}, h('label', { for: `a${i}-pc` }, 'Postcode'), h('input', { id: `a${i}-pc`, 'data-field': `addresses[${i}].postalCode`, value: a.postalCode, inputmode: 'numeric' })),
    h('div', {}, h('label', { for: `a${i}-city` }, 'City'), h('input', { id: `a${i}-city`, 'data-field': `addresses[${i}].city`, value: a.city })))));
  const slotFields = () => h('fieldset', { id: 'hours' }, h('legend', {}, 'Opening hours'), state.slots.map((s, i) => h('div', { class: 'row slot' },
    h('div', {}, h('label', { for: `s${i}-day` }, 'Day'), select(`s${i}-day`, `openingHours[${i}].day`, days, dayNames, s.day)),
    h('div', {}, h('label', { for: `s${i}-open` }, 'Opens'), h('input', { id: `s${i}-open`, 'data-field': `openingHours[${i}].open`, value: s.open, placeholder: 'HH:MM' })),
    h('div', {}, h('label', { for: `s${i}-close` }, 'Closes'), h('input', { id: `s${i}-close`, 'data-field': `openingHours[${i}].close`, value: s.close, placeholder: 'HH:MM' })),
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${dayNames[s.day]} ${s.open}–${s.close}`, onclick: () => { read(); state.slots.splice(i, 1); redraw(); } }, 'Remove'))),
  h('button', { type: 'button', class: 'secondary', id: 'add-slot', onclick: () => { read(); state.slots.push({ day: 'MONDAY', open: '', close: '' }); redraw(); form.querySelector(`#s${state.slots.length - 1}-day`).focus(); } }, 'Add opening hours'));
  const channelFields = () => h('fieldset', {}, h('legend', {}, 'Channels'), state.channels.map((c, i) => h('div', { class: 'row channel' },
    h('div', {}, h('label', { for: `c${i}-kind` }, 'Kind'), select(`c${i}-kind`, `channels[${i}].kind`, ['PHONE', 'FAX', 'EMAIL', 'WEB'], null, c.kind)),
    h('div', {}, h('label', { for: `c${i}-value` }, 'Value'), h('input', { id: `c${i}-value`, 'data-field': `channels[${i}].value`, value: c.value })),
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove channel ${c.value}`, onclick: () => { read(); state.channels.splice(i, 1); redraw(); } }, 'Remove'))),
  h('button', { type: 'button', class: 'secondary', onclick: () => { read(); state.channels.push({ kind: 'PHONE', value: '' }); redraw(); } }, 'Add channel'));

  const contactFields = () => h('fieldset', { id: 'contacts' }, h('legend', {}, 'Contacts'), state.contacts.map((c, i) => h('div', { class: 'row contact' },
    h('div', {}, h('label', { for: `p${i}-name` }, 'Name'), h('input', { id: `p${i}-name`, 'data-field': `contacts[${i}].name`, value: c.name })),
    h('div', {}, h('label', { for: `p${i}-position` }, 'Position (German)'), h('input', { id: `p${i}-position`, 'data-field': `contacts[${i}].position`, value: c.position })),
    h('div', {}, h('label', { for: `p${i}-room` }, 'Room'), h('input', { id: `p${i}-room`, 'data-field': `contacts[${i}].room`, value: c.room })),
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove contact ${c.name}`, onclick: () => { read(); state.contacts.splice(i, 1); redraw(); } }, 'Remove'))),
  h('button', { type: 'button', class: 'secondary', id: 'add-contact', onclick: () => { read(); state.contacts.push({ name: '', room: '', position: '', channels: [] }); redraw(); form.querySelector(`#p${state.contacts.length - 1}-name`).focus(); } }, 'Add contact'));

  const name = h('input', { id: 'name', 'data-field': 'name', value: o.name });
  const kind = select('kind', 'kind', ['MUNICIPALITY', 'DISTRICT', 'STATE', 'FEDERAL', 'OTHER'], null, o.kind);
  const notes = h('textarea', { id: 'notes', 'data-field': 'openingHoursNotes' }, o.openingHoursNotes?.text || '');
  const access = h('textarea', { id: 'access', 'data-field': 'accessibility' }, o.accessibility?.text || '');
  const reason = h('input', { id: 'reason', value: '' });
  const parts = h('div');
  const read = () => {
    state.addresses.forEach((a, i) => { a.kind = form.querySelector(`#a${i}-kind`).value; a.street = form.querySelector(`#a${i}-street`).value; a.postalCode = form.querySelector(`#a${i}-pc`).value; a.city = form.querySelector(`#a${i}-city`).value; });
    state.slots.forEach((s, i) => { s.day = form.querySelector(`#s${i}-day`).value; s.open = form.querySelector(`#s${i}-open`).value.trim(); s.close = form.querySelector(`#s${i}-close`).value.trim(); });
    state.channels.forEach((c, i) => { c.kind = form.querySelector(`#c${i}-kind`).value; c.value = form.querySelector(`#c${i}-value`).value.trim(); });
    state.contacts.forEach((c, i) => { c.name = form.querySelector(`#p${i}-name`).value.trim(); c.position = form.querySelector(`#p${i}-position`).value.trim(); c.room = form.querySelector(`#p${i}-room`).value.trim(); });
  };
  const redraw = () => parts.replaceChildren(addrFields(), slotFields(), channelFields(), contactFields());
  redraw();

  const input = () => {
    read();
    const nameIn = { de: name.value.trim() };
    if (en.name && en.name !== o.name) nameIn.en = en.name;
    return {
      name: nameIn, kind: kind.value, ars: o.region.ars, parentId: o.parentId,
      addresses: state.addresses.map((a) => ({ kind: a.kind, street: a.street || null, poBox: a.poBox || null, postalCode: a.postalCode, city: a.city, ars: a.ars || null })),
      openingHours: state.slots.map((s) => ({ day: s.day, open: s.open, close: s.close })),
      openingHoursNotes: textInput(notes.value.trim(), en.openingHoursNotes),
      channels: state.channels.map((c) => ({ kind: c.kind, value: c.value, note: c.note || null })),
      contacts: state.contacts.map((c) => ({ name: c.name, room: c.room || null, position: textInput(c.position, c.enPosition), channels: c.channels })),
      accessibility: textInput(access.value.trim(), en.accessibility),
    };
  };
  const saved = h('div', { 'aria-live': 'polite', id: 'saved' });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    saved.replaceChildren();
    conflict.replaceChildren();
    showFieldErrors(form, summary, null);
    try {
      const r = await gql('mutation($id: ID!, $in: OfficePatchInput!, $rev: Int!, $reason: String) { updateOffice(id: $id, input: $in, expectedRevision: $rev, reason: $reason) { revision } }',
        { id, in: input(), rev: o.revision, reason: reason.value.trim() || null });
      o.revision = r.updateOffice.revision;
      saved.replaceChildren(h('p', { class: 'notice', role: 'status' }, `Saved (revision ${o.revision}).`));
    } catch (ex) {
      if (ex.code === 'CONFLICT') conflict.replaceChildren(await conflictView(ex, o.revision));
      else showFieldErrors(form, summary, ex);
    }
  });
  add(form, summary, conflict,
    h('label', { for: 'name' }, 'Name (German)'), name,
    h('label', { for: 'kind' }, 'Kind'), kind,
    parts,
    h('label', { for: 'notes' }, 'Notes on opening hours (German)'), notes,
    h('label', { for: 'access' }, 'Accessibility (German)'), access,
    h('label', { for: 'reason' }, 'Reason for the change (optional)'), reason,
    h('button', { type: 'submit', id: 'save' }, 'Save'), saved);

  add(out, h('h2', { id: 'h' }, o.name), h('p', { class: 'muted' }, `${o.id} · ${o.region.name} · revision ${o.revision} · `, link({ view: 'history', kind: 'OFFICE', id }, 'History')), form);

  async function conflictView(ex, mine) {
    const current = ex.errors[0].extensions.currentRevision;
    let diff = [];
    try {
      const hd = await gql('query($id: ID!) { history(kind: OFFICE, id: $id) { revision changedAt changedBy reason changes { path before after } } }', { id });
      diff = hd.history.filter((v) => v.revision > mine);
    } catch (e) { /* the notice alone */ }
    return h('div', { class: 'conflict', role: 'alert' },
      h('h3', {}, 'Someone else changed this office meanwhile'),
      h('p', {}, `You started from revision ${mine}; it is now at revision ${current}. Nothing of yours was saved. Here is the difference:`),
      diffTable(diff),
      h('p', {}, 'Reload to start again from the current version, then make your change again.'),
      h('button', { type: 'button', id: 'reload', onclick: render }, 'Reload'));
  }
  return out;
}

function diffTable(versions) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'diff' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Revision'), h('th', { scope: 'col' }, 'Who, when, why'), h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
    h('tbody', {}, versions.flatMap((v) => (v.changes.length ? v.changes : [{ path: '', before: null, after: null }]).map((c, i) => h('tr', {},
      h('td', {}, i === 0 ? String(v.revision) : ''),
      h('td', {}, i === 0 ? `${v.changedBy}, ${new Date(v.changedAt).toLocaleString('en-GB')}${v.reason ? ' – ' + v.reason : ''}` : ''),
      h('td', {}, c.path), h('td', {}, c.before != null ? h('del', {}, c.before) : ''), h('td', {}, c.after != null ? h('ins', {}, c.after) : '')))))));
}

// ---- history ------------------------------------------------------------

async function historyView(p) {
  const kind = p.get('kind') || 'OFFICE';
  const id = p.get('id');
  const d = await gql('query($k: RecordKind!, $id: ID!) { history(kind: $k, id: $id) { revision version changedAt changedBy reason changes { path before after } } }', { k: kind, id });
  const versions = d.history.slice().reverse();
  const latest = versions[0];
  const msg = h('div', { 'aria-live': 'polite' });
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, `History of ${id}`),
    kind === 'OFFICE' ? h('p', {}, link({ view: 'office', id }, 'Back to the office')) : null, msg,
    versions.map((v) => h('div', { class: 'card version' },
      h('h3', {}, `Version ${v.version} (revision ${v.revision})`),
      diffTable([v]),
      v !== latest ? h('button', { type: 'button', class: 'secondary', onclick: async () => {
        try {
          await gql('mutation($k: RecordKind!, $id: ID!, $r: Int!, $exp: Int!) { restoreVersion(kind: $k, id: $id, revision: $r, expectedRevision: $exp, reason: "restored in the console") { revision } }',
            { k: kind, id, r: v.revision, exp: latest.revision });
          await render();
        } catch (e) { msg.replaceChildren(errorBox(e)); }
      } }, `Restore version ${v.version}`) : h('p', { class: 'muted' }, 'Current version'))));
}

// ---- online services and responsibilities --------------------------------

function serviceCombo(id, onPick) {
  const input = h('input', { id, 'data-field': 'leikaKey', placeholder: 'name or LeiKa key' });
  const list = h('ul', { id: id + '-list' });
  combobox(input, list, async (prefix) => {
    if (/^\d{14}$/.test(prefix)) return [];
    const d = await gql('query($p: String!) { suggest(prefix: $p, limit: 8) { text service { leikaKeys } } }', { p: prefix });
    return d.suggest.map((s) => ({ value: s.service.leikaKeys[0], label: `${s.text} (${s.service.leikaKeys[0]})` }));
  }, (o) => { input.value = o.value; onPick && onPick(o.value); });
  return { input, node: h('div', { class: 'combo' }, input, list) };
}

function scopeSelect(id, field) {
  return h('select', { id, 'data-field': field }, scopes().map((s) => h('option', { value: s }, s)));
}

async function onlineView() {
  const offices = [];
  for (const key of scopes()) {
    if (me.role === 'STATE_EDITOR') break;
    const d = await gql('query($ars: String!) { offices(ars: $ars, first: 50) { nodes { id name } } }', { ars: key });
    offices.push(...d.offices.nodes);
  }
  // New online service.
  const osSummary = h('div');
  const osResult = h('div', { 'aria-live': 'polite' });
  const osForm = h('form', { id: 'online-form', novalidate: true },
    h('h3', {}, 'New online service'), osSummary,
    h('label', { for: 'os-title' }, 'Title (German)'), h('input', { id: 'os-title', 'data-field': 'title' }),
    h('label', { for: 'os-url' }, 'Link (https://…)'), h('input', { id: 'os-url', type: 'url', 'data-field': 'links[0].url' }),
    h('label', { for: 'os-trust' }, 'Trust level'), h('select', { id: 'os-trust', 'data-field': 'trustLevel' }, ['LOW', 'SUBSTANTIAL', 'HIGH'].map((v) => h('option', { value: v }, v.toLowerCase()))),
    h('label', { for: 'os-ars' }, 'Region'), scopeSelect('os-ars', 'ars'),
    h('button', { type: 'submit' }, 'Create online service'), osResult);
  osForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(osForm, osSummary, null);
    const v = (id) => osForm.querySelector('#' + id).value.trim();
    try {
      const r = await gql('mutation($in: OnlineServiceInput!) { createOnlineService(input: $in) { id title } }',
        { in: { title: { de: v('os-title') }, links: [{ url: v('os-url') }], trustLevel: v('os-trust'), ars: v('os-ars') } });
      osResult.replaceChildren(h('p', { class: 'notice', role: 'status' }, `Created ${r.createOnlineService.id}: ${r.createOnlineService.title}. Make it responsible for a service below.`));
      rsForm.querySelector('#rs-online').value = r.createOnlineService.id;
    } catch (ex) { showFieldErrors(osForm, osSummary, ex); }
  });
  // Responsibility.
  const svc = serviceCombo('rs-service');
  const rsSummary = h('div');
  const rsResult = h('div', { 'aria-live': 'polite' });
  const rsForm = h('form', { id: 'responsibility-form', novalidate: true },
    h('h3', {}, 'Make an office or online service responsible'), rsSummary,
    h('label', { for: 'rs-service' }, 'Service'), svc.node,
    h('label', { for: 'rs-ars' }, 'Region'), scopeSelect('rs-ars', 'ars'),
    offices.length ? [h('label', { for: 'rs-office' }, 'Office'), h('select', { id: 'rs-office', 'data-field': 'officeId' }, h('option', { value: '' }, '(none)'), offices.map((o) => h('option', { value: o.id }, o.name)))]
      : [h('label', { for: 'rs-office' }, 'Office ID'), h('input', { id: 'rs-office', 'data-field': 'officeId' })],
    h('label', { for: 'rs-online' }, 'or online service ID'), h('input', { id: 'rs-online', 'data-field': 'onlineServiceId' }),
    h('button', { type: 'submit' }, 'Set responsibility'), rsResult);
  rsForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(rsForm, rsSummary, null);
    const v = (id) => rsForm.querySelector('#' + id).value.trim();
    try {
      const r = await gql('mutation($in: ResponsibilityInput!) { setResponsibility(input: $in) { id leikaKey region { name } office { name } onlineService { title } } }',
        { in: { leikaKey: v('rs-service'), ars: v('rs-ars'), officeId: v('rs-office') || null, onlineServiceId: v('rs-online') || null } });
      const x = r.setResponsibility;
      rsResult.replaceChildren(h('p', { class: 'notice', role: 'status' }, `${x.id}: ${(x.office || {}).name || (x.onlineService || {}).title} is responsible for ${x.leikaKey} in ${x.region.name}.`));
    } catch (ex) { showFieldErrors(rsForm, rsSummary, ex); }
  });
  const lists = h('div');
  for (const key of scopes()) {
    const d = await gql(`query($ars: String!) {
      onlineServices(ars: $ars, first: 50) { totalCount nodes { id title trustLevel links { url } } }
      responsibilities(ars: $ars, first: 50) { totalCount nodes { id leikaKey role revision region { name } office { name } onlineService { title } } } }`, { ars: key });
    const msg = h('div', { 'aria-live': 'polite' });
    add(lists, h('h3', {}, `Online services in ${key} (${d.onlineServices.totalCount})`),
      h('ul', { class: 'plain online-services' }, d.onlineServices.nodes.map((o) => h('li', { class: 'card' },
        link({ view: 'onlineservice', id: o.id }, o.title), h('div', { class: 'muted' }, `${o.id} · ${(o.trustLevel || '').toLowerCase()} · ${o.links.map((l) => l.url).join(' ')}`)))),
      h('h3', {}, `Responsibilities in ${key} (${d.responsibilities.totalCount}${d.responsibilities.totalCount > 50 ? ', the first 50' : ''})`), msg,
      h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Responsibilities (scrolls sideways)' }, h('table', { class: 'responsibilities' },
        h('thead', {}, h('tr', {}, ['Service (LeiKa)', 'Region', 'Responsible', 'Role', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, d.responsibilities.nodes.map((r) => h('tr', {}, h('td', {}, r.leikaKey), h('td', {}, r.region.name),
          h('td', {}, (r.office || {}).name || (r.onlineService || {}).title || ''), h('td', {}, r.role),
          h('td', {}, h('button', { type: 'button', class: 'danger', 'aria-label': `Remove responsibility ${r.id}`, onclick: async () => {
            try {
              await gql('mutation($id: ID!, $rev: Int!) { removeResponsibility(id: $id, expectedRevision: $rev, reason: "removed in the console") { id } }', { id: r.id, rev: r.revision });
              await render();
            } catch (ex) { msg.replaceChildren(errorBox(ex)); }
          } }, 'Remove'))))))));
  }
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'Online services and responsibilities'), h('div', { class: 'columns' }, osForm, rsForm), lists);
}

async function onlineServiceView(p) {
  const id = p.get('id');
  const d = await gql(`query($id: ID!) {
    de: onlineService(id: $id, lang: DE) { id title description { text } links { url title } trustLevel identification revision validFrom validTo region { ars name } }
    en: onlineService(id: $id, lang: EN) { title description { text isFallback machineTranslated } links { title } } }`, { id });
  const o = d.de;
  if (!o) return h('p', { class: 'notice', role: 'alert' }, 'There is no online service ' + id + '.');
  if (!inScope(o.region.ars)) return h('p', { class: 'notice', role: 'alert', id: 'out-of-scope' }, `This online service (${o.region.name}) is outside your region scope. You cannot edit it.`);
  const summary = h('div');
  const saved = h('div', { 'aria-live': 'polite' });
  const v = (sel) => form.querySelector(sel).value.trim();
  const form = h('form', { id: 'online-edit', novalidate: true }, summary,
    h('label', { for: 'ose-title' }, 'Title (German)'), h('input', { id: 'ose-title', 'data-field': 'title', value: o.title }),
    h('label', { for: 'ose-desc' }, 'Description (German)'), h('textarea', { id: 'ose-desc', 'data-field': 'description' }, o.description?.text || ''),
    o.links.map((l, i) => [h('label', { for: `ose-url${i}` }, `Link ${i + 1}`), h('input', { id: `ose-url${i}`, type: 'url', 'data-field': `links[${i}].url`, value: l.url })]),
    h('label', { for: 'ose-trust' }, 'Trust level'), h('select', { id: 'ose-trust', 'data-field': 'trustLevel' }, ['', 'LOW', 'SUBSTANTIAL', 'HIGH'].map((t) => h('option', { value: t, selected: t === (o.trustLevel || '') }, t ? t.toLowerCase() : '(none)'))),
    h('label', { for: 'ose-reason' }, 'Reason for the change (optional)'), h('input', { id: 'ose-reason' }),
    h('button', { type: 'submit' }, 'Save'), saved);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(form, summary, null);
    const title = { de: v('#ose-title') };
    if (d.en.title && d.en.title !== o.title) title.en = d.en.title;
    const input = {
      title, description: textInput(v('#ose-desc'), d.en.description), trustLevel: v('#ose-trust') || null, identification: o.identification,
      ars: o.region.ars, validFrom: o.validFrom, validTo: o.validTo,
      links: o.links.map((l, i) => {
        const t = l.title ? { de: l.title } : null;
        const enT = d.en.links[i]?.title;
        if (t && enT && enT !== l.title) t.en = enT;
        return { url: v(`#ose-url${i}`), title: t };
      }),
    };
    try {
      const r = await gql('mutation($id: ID!, $in: OnlineServicePatchInput!, $rev: Int!, $reason: String) { updateOnlineService(id: $id, input: $in, expectedRevision: $rev, reason: $reason) { revision } }',
        { id, in: input, rev: o.revision, reason: v('#ose-reason') || null });
      o.revision = r.updateOnlineService.revision;
      saved.replaceChildren(h('p', { class: 'notice', role: 'status' }, `Saved (revision ${o.revision}).`));
    } catch (ex) {
      if (ex.code === 'CONFLICT') summary.replaceChildren(h('div', { class: 'conflict', role: 'alert' }, h('p', {}, 'Someone else changed this online service meanwhile; nothing of yours was saved. '), h('button', { type: 'button', onclick: render }, 'Reload')));
      else showFieldErrors(form, summary, ex);
    }
  });
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, o.title), h('p', { class: 'muted' }, `${o.id} · ${o.region.name} · revision ${o.revision} · `,
    link({ view: 'history', kind: 'ONLINE_SERVICE', id }, 'History'), ' · ', link({ view: 'online' }, 'Back')), form);
}

// ---- local additions ------------------------------------------------------

async function additionsView() {
  const mine = [];
  for (const key of scopes()) {
    const d = await gql('query($ars: String!) { changeRequests(ars: $ars, first: 50) { nodes { id leikaKey moduleLabel mode state region { name } reviewComment text { text } } } }', { ars: key });
    mine.push(...d.changeRequests.nodes);
  }
  const summary = h('div');
  const result = h('div', { 'aria-live': 'polite' });
  const moduleSel = h('select', { id: 'module', 'data-field': 'module', disabled: true }, h('option', { value: '' }, 'choose a service first'));
  const svc = serviceCombo('service', async (key) => {
    const d = await gql('query($k: String!) { service(leikaKey: $k, lang: EN) { modules { code label } } }', { k: key });
    moduleSel.replaceChildren(...(d.service?.modules || []).map((m) => h('option', { value: m.code }, `${m.label} (${m.code})`)));
    moduleSel.disabled = false;
  });
  const text = h('textarea', { id: 'addition-text', 'data-field': 'text' });
  const form = h('form', { id: 'addition-form', novalidate: true },
    h('h3', {}, 'Propose a local addition'), summary,
    h('label', { for: 'service' }, 'Service'), svc.node,
    h('label', { for: 'module' }, 'Text module'), moduleSel,
    h('label', { for: 'addition-ars' }, 'For the region'), scopeSelect('addition-ars', 'ars'),
    h('fieldset', {}, h('legend', {}, 'Mode'),
      h('label', {}, h('input', { type: 'radio', name: 'mode', value: 'APPEND', checked: true }), ' Append to the central text'),
      h('label', {}, h('input', { type: 'radio', name: 'mode', value: 'REPLACE' }), ' Replace the central text')),
    h('label', { for: 'addition-text' }, 'Text (German; p, ul, li, a, strong allowed)'), text,
    h('button', { type: 'submit' }, 'Propose and submit for review'), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(form, summary, null);
    try {
      const r = await gql('mutation($in: SpecialisationInput!) { proposeSpecialisation(input: $in) { id revision } }', { in: {
        leikaKey: svc.input.value.trim(), ars: form.querySelector('#addition-ars').value, module: moduleSel.value,
        mode: form.querySelector('input[name=mode]:checked').value, text: { de: text.value.trim() } } });
      const s = await gql('mutation($id: ID!, $rev: Int) { submitChangeRequest(id: $id, expectedRevision: $rev) { id state } }', { id: r.proposeSpecialisation.id, rev: r.proposeSpecialisation.revision });
      result.replaceChildren(h('p', { class: 'notice', role: 'status', id: 'proposed' }, `${s.submitChangeRequest.id} is ${s.submitChangeRequest.state}: the state editorial office reviews it.`));
    } catch (ex) { showFieldErrors(form, summary, ex); }
  });
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'Local additions'), form,
    h('h3', {}, 'Your additions'), mine.length ? h('ul', { class: 'plain' }, mine.map((c) => h('li', { class: 'card' },
      h('strong', {}, `${c.leikaKey} · ${c.moduleLabel} · ${c.mode}`), ` – ${c.state} (${c.region.name})`,
      c.reviewComment ? h('p', {}, 'Review: ' + c.reviewComment) : null, h('div', {}, richText(c.text.text))))) : h('p', { class: 'muted' }, 'None yet.'));
}

// ---- search explanation ------------------------------------------------------

async function explainView() {
  const svc = serviceCombo('explain-service');
  const q = h('input', { id: 'explain-q', 'data-field': 'query' });
  const result = h('div', { 'aria-live': 'polite' });
  const summary = h('div');
  const form = h('form', { id: 'explain-form', novalidate: true }, summary,
    h('label', { for: 'explain-q' }, 'What citizens type'), q,
    h('label', { for: 'explain-service' }, 'The service they should find'), svc.node,
    h('label', { for: 'explain-ars' }, 'At the place'), scopeSelect('explain-ars', 'ars'),
    h('button', { type: 'submit' }, 'Explain'), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(form, summary, null);
    try {
      const d = await gql('query($q: String!, $k: String!, $ars: String) { searchExplain(query: $q, leikaKey: $k, ars: $ars) { rewritten totalCount reasons services { serviceId rank published indexed responsible responsibleAt } } }',
        { q: q.value.trim(), k: svc.input.value.trim(), ars: form.querySelector('#explain-ars').value });
      const x = d.searchExplain;
      result.replaceChildren(h('div', { class: 'card', id: 'explanation' }, h('h3', {}, 'Answer'), h('ul', {}, x.reasons.map((r) => h('li', {}, r))),
        h('p', { class: 'muted' }, `Understood as: ${x.rewritten.join(', ')} · ${x.totalCount} results`)));
    } catch (ex) { showFieldErrors(form, summary, ex); }
  });
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'Why is a service not found?'), form);
}

// ---- review queue ------------------------------------------------------

async function reviewView() {
  const d = await gql('{ changeRequests(state: SUBMITTED, first: 50) { totalCount nodes { id leikaKey moduleLabel mode revision proposedBy submittedAt region { name } text { text } } } }');
  const list = d.changeRequests.nodes;
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, `Review queue (${d.changeRequests.totalCount})`),
    list.length ? list.map((c) => {
      const comment = h('textarea', { id: `comment-${c.id}`, 'data-field': 'comment' });
      const summary = h('div');
      const form = h('form', { class: 'card review', 'data-id': c.id, novalidate: true },
        h('h3', {}, `${c.region.name}: ${c.moduleLabel} of ${c.leikaKey}`),
        h('p', { class: 'muted' }, `${c.mode === 'APPEND' ? 'Appends to' : 'Replaces'} the central text · proposed by ${c.proposedBy || '?'} · ${c.id}`),
        h('div', { class: 'addition' }, richText(c.text.text)), summary,
        h('label', { for: `comment-${c.id}` }, 'Comment (required to reject)'), comment);
      const decide = async (decision) => {
        showFieldErrors(form, summary, null);
        if (decision === 'REJECT' && !comment.value.trim()) {
          showFieldErrors(form, summary, { code: 'INVALID', errors: [{ message: 'A rejection needs a comment.', extensions: { field: 'comment' } }] });
          return;
        }
        try {
          const r = await gql('mutation($id: ID!, $d: ReviewDecision!, $c: String, $rev: Int) { reviewChangeRequest(id: $id, decision: $d, comment: $c, expectedRevision: $rev) { state } }',
            { id: c.id, d: decision, c: comment.value.trim() || null, rev: c.revision });
          form.replaceChildren(h('p', { class: 'notice', role: 'status' }, `${c.id}: ${r.reviewChangeRequest.state}`));
        } catch (ex) { showFieldErrors(form, summary, ex); }
      };
      add(form, h('button', { type: 'button', class: 'approve', onclick: () => decide('APPROVE') }, 'Approve'),
        h('button', { type: 'button', class: 'danger reject', onclick: () => decide('REJECT') }, 'Reject'));
      form.addEventListener('submit', (e) => e.preventDefault());
      return form;
    }) : h('p', { class: 'muted' }, 'Nothing to review.'));
}

// ---- translations ------------------------------------------------------

async function translationsView(p) {
  if (p.get('id')) return translationEditor(p.get('id'), p.get('module'));
  const d = await gql('{ translationCoverage(first: 20, lang: EN) { servicesConsidered totalCount totals { module label german translated missing stale } gaps { service { id name } missing stale } } }');
  const c = d.translationCoverage;
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'English texts'),
    h('p', {}, `${c.servicesConsidered} published services; ${c.totalCount} lack English or have stale English.`),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', {}, h('caption', {}, 'Coverage per module'),
      h('thead', {}, h('tr', {}, ['Module', 'German', 'English', 'Missing', 'Stale'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, c.totals.map((t) => h('tr', {}, h('td', {}, t.label), h('td', {}, t.german), h('td', {}, t.translated), h('td', {}, t.missing), h('td', {}, t.stale)))))),
    h('h3', {}, 'Services with gaps'),
    h('ul', { class: 'plain gaps' }, c.gaps.map((g) => h('li', { class: 'card' }, h('strong', {}, g.service.name),
      g.missing.length ? h('p', {}, 'Missing: ', g.missing.map((m) => [link({ view: 'translations', id: g.service.id, module: m }, m), ' '])) : null,
      g.stale.length ? h('p', {}, 'Stale: ', g.stale.map((m) => [link({ view: 'translations', id: g.service.id, module: m }, m), ' '])) : null))));
}

async function translationEditor(id, module) {
  const d = await gql('query($id: ID, $m: String!) { de: service(id: $id, lang: DE) { name revision module(code: $m) { label text { text } } } en: service(id: $id, lang: EN) { module(code: $m) { label text { text isFallback stale } } } }', { id, m: module });
  if (!d.de) return h('p', { role: 'alert' }, 'No such service.');
  const mod = d.de.module;
  const enText = d.en.module && !d.en.module.text.isFallback ? d.en.module.text.text : '';
  const ta = h('textarea', { id: 'english', 'data-field': 'text', lang: 'en' }, enText);
  const summary = h('div');
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { id: 'translation-form', novalidate: true }, summary,
    h('h3', {}, `German: ${mod ? mod.label : module}`), h('div', { class: 'card', lang: 'de' }, mod ? richText(mod.text.text) : ''),
    h('label', { for: 'english' }, 'English text'), ta,
    h('button', { type: 'submit' }, 'Save English text'), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(form, summary, null);
    try {
      const r = await gql('mutation($id: ID!, $p: String!, $t: String!, $rev: Int!) { setTranslation(kind: SERVICE, id: $id, path: $p, lang: "en", text: $t, expectedRevision: $rev, reason: "English text from the console") { revision } }',
        { id, p: 'texts.' + module, t: ta.value.trim(), rev: d.de.revision });
      d.de.revision = r.setTranslation.revision;
      result.replaceChildren(h('p', { class: 'notice', role: 'status' }, `Saved (revision ${d.de.revision}).`));
    } catch (ex) { showFieldErrors(form, summary, ex); }
  });
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, `English for ${d.de.name}`), h('p', {}, link({ view: 'translations' }, 'Back to coverage')), form);
}

// ---- changes this week ------------------------------------------------------

async function changesView() {
  // The log answers oldest first: read this week's pages (bounded), show the newest first.
  const since = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString();
  let rows = [];
  let more = false;
  for (const key of me.role === 'STATE_EDITOR' ? [null] : scopes()) {
    let after = null;
    for (let pageNo = 0; pageNo < 40; pageNo++) {
      const d = await gql('query($s: DateTime!, $ars: String, $after: String) { changedSince(since: $s, ars: $ars, first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { revision time operation kind id actor reason } } }', { s: since, ars: key, after });
      rows.push(...d.changedSince.nodes);
      after = d.changedSince.pageInfo.endCursor;
      if (!d.changedSince.pageInfo.hasNextPage) break;
      if (pageNo === 39) more = true;
    }
  }
  const total = rows.length;
  rows = rows.sort((a, b) => b.revision - a.revision).slice(0, 100);
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'What changed this week'),
    h('p', {}, `${total}${more ? '+' : ''} changes in the last seven days, the newest first${total > rows.length ? ` (the ${rows.length} newest shown)` : ''}.`),
    rows.length ? h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', { class: 'changes' }, h('thead', {}, h('tr', {}, ['When', 'What', 'Record', 'Who', 'Why'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((c) => h('tr', {}, h('td', {}, new Date(c.time).toLocaleString('en-GB')), h('td', {}, `${c.operation} ${c.kind}`),
        h('td', {}, c.kind === 'office' || c.kind === 'OFFICE' ? link({ view: 'history', kind: 'OFFICE', id: c.id }, c.id) : c.id), h('td', {}, c.actor || ''), h('td', {}, c.reason || '')))))) : h('p', { class: 'muted' }, 'No changes in the last seven days.'));
}

// ---- editors (admin) ------------------------------------------------------

async function editorsView() {
  const d = await gql('{ editors { id name role scopes active createdAt revokedAt } }');
  const summary = h('div');
  const shown = h('div', { 'aria-live': 'polite' });
  const form = h('form', { id: 'editor-form', novalidate: true }, h('h3', {}, 'New editor'), summary,
    h('label', { for: 'ed-name' }, 'Name'), h('input', { id: 'ed-name', 'data-field': 'name' }),
    h('label', { for: 'ed-role' }, 'Role'), h('select', { id: 'ed-role', 'data-field': 'role' }, ['MUNICIPAL_EDITOR', 'STATE_EDITOR', 'ADMIN', 'PEER'].map((r) => h('option', { value: r }, r))),
    h('label', { for: 'ed-scopes' }, 'Region keys (for municipal editors; separate with commas)'), h('input', { id: 'ed-scopes', 'data-field': 'scopes' }),
    h('button', { type: 'submit' }, 'Create editor'), shown);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldErrors(form, summary, null);
    const v = (id) => form.querySelector('#' + id).value.trim();
    try {
      const r = await gql('mutation($in: EditorInput!) { createEditor(input: $in) { token editor { id name } } }',
        { in: { name: v('ed-name'), role: v('ed-role'), scopes: v('ed-scopes') ? v('ed-scopes').split(',').map((s) => s.trim()) : [] } });
      shown.replaceChildren(h('div', { class: 'notice', role: 'status' }, h('p', {}, `${r.createEditor.editor.id} (${r.createEditor.editor.name}) created. Its token is shown only now; hand it over safely:`),
        h('p', { class: 'token', id: 'new-token' }, r.createEditor.token)));
    } catch (ex) { showFieldErrors(form, summary, ex); }
  });
  const msg = h('div', { 'aria-live': 'polite' });
  return h('section', { 'aria-labelledby': 'h' }, h('h2', { id: 'h' }, 'Editors'), msg,
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Table (scrolls sideways)' }, h('table', {}, h('thead', {}, h('tr', {}, ['ID', 'Name', 'Role', 'Scopes', 'State', ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, d.editors.map((e) => h('tr', {}, h('td', {}, e.id), h('td', {}, e.name), h('td', {}, e.role), h('td', {}, e.scopes.join(', ')), h('td', {}, e.active ? 'active' : 'revoked'),
        h('td', {}, e.active && e.id !== me.editor?.id ? h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${e.name}`, onclick: async () => {
          try { await gql('mutation($id: ID!) { revokeEditor(id: $id) { id } }', { id: e.id }); await render(); } catch (ex) { msg.replaceChildren(errorBox(ex)); }
        } }, 'Revoke') : '')))))),
    form);
}

window.addEventListener('popstate', render);
render();
