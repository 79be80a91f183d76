// Portal preview: what a citizen sees for a place. All state is in the
// URL (?ars=…&q=…&service=…&lang=en), so every view can be shared and the
// back button works.
import { gql } from '/static/common/gql.js';
import { h, add, richText, highlight, combobox, navLink } from '/static/common/dom.js';

const words = {
  de: {
    title: 'Leistungsfinder – Portal-Vorschau', skip: 'Zum Inhalt', switchTo: 'English', switchLang: 'en',
    place: 'Ort (Name oder Postleitzahl)', placeChosen: 'Gewählter Ort', change: 'Ort ändern', noPlace: 'Noch kein Ort gewählt.',
    query: 'Wonach suchen Sie?', search: 'Suchen', results: 'Ergebnisse', found: (n) => `${n} Treffer`, none: 'Keine Treffer.',
    didYouMean: 'Meinten Sie', facets: 'Eingrenzen', office: 'Zuständig', back: 'Zurück zu den Ergebnissen',
    choosePlace: 'Bitte wählen Sie zuerst einen Ort, um die Leistung für ihn zu sehen.', fees: 'Gebühren', deadlines: 'Fristen',
    processing: 'Bearbeitungsdauer', offices: 'Zuständige Stelle', online: 'Online beantragen', trust: 'Vertrauensniveau',
    because: 'Zuständig, weil:', hours: 'Öffnungszeiten', contact: 'Kontakt', map: 'Auf OpenStreetMap zeigen',
    localAddition: 'Örtliche Ergänzung', replacedBy: 'Ersetzt durch örtlichen Text', fallback: 'nur auf Deutsch verfügbar',
    notFound: 'Diese Leistung wird an diesem Ort nicht angeboten.', error: 'Fehler', loading: 'Lädt …',
    trustLevels: { LOW: 'niedrig', SUBSTANTIAL: 'substanziell', HIGH: 'hoch' },
  },
  en: {
    title: 'Leistungsfinder – portal preview', skip: 'Skip to content', switchTo: 'Deutsch', switchLang: 'de',
    place: 'Place (name or postcode)', placeChosen: 'Chosen place', change: 'Change place', noPlace: 'No place chosen yet.',
    query: 'What are you looking for?', search: 'Search', results: 'Results', found: (n) => `${n} results`, none: 'Nothing found.',
    didYouMean: 'Did you mean', facets: 'Narrow down', office: 'Responsible', back: 'Back to the results',
    choosePlace: 'Please choose a place first to see the service for it.', fees: 'Fees', deadlines: 'Deadlines',
    processing: 'Processing time', offices: 'Responsible office', online: 'Apply online', trust: 'Trust level',
    because: 'Responsible because:', hours: 'Opening hours', contact: 'Contact', map: 'Show on OpenStreetMap',
    localAddition: 'Local addition', replacedBy: 'Replaced by a local text', fallback: 'only available in German',
    notFound: 'This service is not offered at this place.', error: 'Error', loading: 'Loading …',
    trustLevels: { LOW: 'low', SUBSTANTIAL: 'substantial', HIGH: 'high' },
  },
};

const app = document.getElementById('app');
let t = words.de;

function state() {
  const p = new URLSearchParams(location.search);
  return { ars: p.get('ars') || '', q: p.get('q') || '', service: p.get('service') || '', lang: p.get('lang') === 'en' ? 'en' : 'de' };
}

function href(changes) {
  const s = { ...state(), ...changes };
  const p = new URLSearchParams();
  for (const k of ['ars', 'q', 'service', 'lang']) if (s[k] && !(k === 'lang' && s[k] === 'de')) p.set(k, s[k]);
  return '/portal' + (p.toString() ? '?' + p : '');
}

function go(changes) {
  history.pushState(null, '', href(changes));
  render();
}

// Links inside the page navigate without reloading.
function link(changes, ...children) {
  return navLink(href(changes), () => go(changes), ...children);
}

const L = () => (state().lang === 'en' ? 'EN' : 'DE');

// text renders a LocalizedText: marked and with its own lang attribute
// when it is a fallback in another language.
function text(lt, rich) {
  if (!lt) return null;
  const lang = lt.language.toLowerCase();
  const body = rich ? h('div', { class: 'text' }, richText(lt.text)) : h('span', {}, lt.text);
  if (!lt.isFallback) return body;
  return h('div', { class: 'fallback', lang }, body, h('span', { class: 'badge', lang: state().lang }, t.fallback));
}

async function render() {
  const s = state();
  t = words[s.lang];
  document.documentElement.lang = s.lang;
  document.title = t.title;
  document.getElementById('title').textContent = t.title;
  document.getElementById('skip').textContent = t.skip;
  const sw = document.getElementById('lang-switch');
  sw.textContent = t.switchTo;
  sw.lang = t.switchLang;
  app.replaceChildren(await placeSection(s), searchSection(s), h('div', { id: 'content', 'aria-live': 'polite' }, t.loading));
  const content = document.getElementById('content');
  try {
    if (s.service) content.replaceChildren(await serviceView(s));
    else if (s.q) content.replaceChildren(await resultsView(s));
    else content.replaceChildren();
  } catch (e) {
    content.replaceChildren(h('p', { class: 'error', role: 'alert' }, t.error + ': ' + e.message));
  }
}

async function placeSection(s) {
  const sec = h('section', { id: 'place', 'aria-labelledby': 'place-h' }, h('h2', { id: 'place-h' }, t.placeChosen));
  if (s.ars) {
    let name = s.ars;
    try {
      const d = await gql('query($ars: String!, $lang: Lang) { region(ars: $ars, lang: $lang) { name levelLabel parent { name } } }', { ars: s.ars, lang: L() });
      if (d.region) name = d.region.name + (d.region.parent ? ' (' + d.region.parent.name + ')' : '');
    } catch (e) { /* the key itself is shown */ }
    add(sec, h('p', { id: 'place-name' }, name));
  } else {
    add(sec, h('p', { class: 'muted' }, t.noPlace));
  }
  const input = h('input', { id: 'place-input', type: 'text', 'aria-describedby': 'place-h' });
  const list = h('ul', { id: 'place-list' });
  combobox(input, list, async (q) => {
    const d = await gql('query($q: String, $lang: Lang) { regions(query: $q, first: 8, lang: $lang) { nodes { ars name levelLabel postalCodes parent { name } } } }', { q, lang: L() });
    return d.regions.nodes.map((r) => ({ value: r.ars, label: `${r.name} – ${r.levelLabel}${r.postalCodes.length ? ' (' + r.postalCodes.slice(0, 3).join(', ') + ')' : ''}` }));
  }, (o) => go({ ars: o.value, service: '' }));
  add(sec, h('label', { for: 'place-input' }, s.ars ? t.change : t.place), h('div', { class: 'combo' }, input, list));
  return sec;
}

function searchSection(s) {
  const input = h('input', { id: 'q', type: 'search', value: s.q });
  const list = h('ul', { id: 'q-list' });
  combobox(input, list, async (prefix) => {
    const d = await gql('query($p: String!, $ars: String, $lang: Lang) { suggest(prefix: $p, ars: $ars, lang: $lang, limit: 8) { text } }', { p: prefix, ars: s.ars || null, lang: L() });
    return d.suggest.map((x) => ({ value: x.text, label: x.text }));
  }, (o) => go({ q: o.value, service: '' }));
  return h('form', { role: 'search', id: 'search', onsubmit: (e) => { e.preventDefault(); go({ q: input.value.trim(), service: '' }); } },
    h('label', { for: 'q' }, t.query), h('div', { class: 'row' }, h('div', { class: 'combo' }, input, list), h('button', { type: 'submit' }, t.search)));
}

async function resultsView(s) {
  const d = await gql(`query($q: String!, $ars: String, $lang: Lang) {
    search(query: $q, ars: $ars, lang: $lang, first: 10) {
      totalCount didYouMean
      hits { highlights { field fragments } service { name leikaKeys } responsibleOffices { name } }
      facets { name values { value label count } }
    } }`, { q: s.q, ars: s.ars || null, lang: L() });
  const r = d.search;
  const out = h('section', { id: 'results', 'aria-labelledby': 'results-h' }, h('h2', { id: 'results-h' }, t.results), h('p', {}, t.found(r.totalCount)));
  if (r.didYouMean) add(out, h('p', { id: 'did-you-mean' }, t.didYouMean + ' ', link({ q: r.didYouMean }, r.didYouMean), '?'));
  if (!r.hits.length) add(out, h('p', {}, t.none));
  add(out, h('ol', { class: 'plain hits' }, r.hits.map((hit) => {
    const frag = (hit.highlights.find((x) => x.field !== 'name' && x.field !== 'keywords') || hit.highlights[0]);
    return h('li', { class: 'card hit' },
      h('h3', {}, link({ service: hit.service.leikaKeys[0] }, hit.service.name)),
      frag ? h('p', { class: 'highlight' }, highlight(frag.fragments[0])) : null,
      hit.responsibleOffices.length ? h('p', { class: 'muted' }, t.office + ': ' + hit.responsibleOffices.map((o) => o.name).join(', ')) : null);
  })));
  if (r.facets.length) {
    add(out, h('h3', {}, t.facets), h('div', { class: 'facets' }, r.facets.filter((f) => f.values.length).map((f) =>
      h('div', {}, h('h4', {}, f.name), h('ul', {}, f.values.map((v) => h('li', {}, `${v.label} (${v.count})`)))))));
  }
  return out;
}

async function serviceView(s) {
  if (!s.ars) return h('p', { class: 'notice' }, t.choosePlace);
  const d = await gql(`query($key: String!, $ars: String!, $lang: Lang) {
    localService(leikaKey: $key, ars: $ars, lang: $lang) {
      name region { name }
      localization { isFallback language }
      texts { code label isSpecialised text { text language isFallback }
        central { text language isFallback }
        additions { mode from { name } text { text language isFallback } } }
      fees { label formatted description { text language isFallback } }
      deadlines { label duration { formatted } description { text language isFallback } }
      processingTime { duration { formatted } description { text language isFallback } }
      responsibleOffices { id name inherited inheritedFrom { name levelLabel }
        address { street postalCode city } openingHours openingHoursNotes { text language isFallback }
        channels { label value } contacts { name channels { label value } } }
      onlineServices { title trustLevel links { url title } }
    } }`, { key: s.service, ars: s.ars, lang: L() }).catch((e) => {
    if (e.code === 'NOT_FOUND') return { localService: null };
    throw e;
  });
  const ls = d.localService;
  const back = s.q ? h('p', {}, link({ service: '' }, t.back)) : null;
  if (!ls) return h('div', {}, back, h('p', { class: 'notice' }, t.notFound));
  const art = h('article', { id: 'service', 'aria-labelledby': 'service-h' }, back,
    h('h2', { id: 'service-h' }, ls.name, ' – ', ls.region.name));
  for (const m of ls.texts) {
    const sec = h('section', { class: 'module', 'data-module': m.code }, h('h3', {}, m.label));
    if (m.isSpecialised) {
      const replaced = m.additions.some((a) => a.mode === 'REPLACE');
      if (!replaced && m.central) add(sec, text(m.central, true));
      for (const a of m.additions) {
        add(sec, h('div', { class: 'addition' },
          h('span', { class: 'badge' }, (a.mode === 'REPLACE' ? t.replacedBy : t.localAddition) + ': ' + a.from.name),
          text(a.text, true)));
      }
    } else {
      add(sec, text(m.text, true));
    }
    add(art, sec);
  }
  if (ls.fees.length) {
    add(art, h('section', { id: 'fees' }, h('h3', {}, t.fees), h('ul', {}, ls.fees.map((f) =>
      h('li', {}, h('strong', {}, f.formatted), f.label ? ' – ' + f.label : '', f.description ? h('div', {}, text(f.description)) : null)))));
  }
  if (ls.deadlines.length) {
    add(art, h('section', { id: 'deadlines' }, h('h3', {}, t.deadlines), h('ul', {}, ls.deadlines.map((x) =>
      h('li', {}, h('strong', {}, x.label), x.duration ? ': ' + x.duration.formatted : '', x.description ? h('div', {}, text(x.description)) : null)))));
  }
  if (ls.processingTime) {
    const p = ls.processingTime;
    add(art, h('section', {}, h('h3', {}, t.processing), p.duration ? h('p', {}, p.duration.formatted) : null, text(p.description)));
  }
  if (ls.responsibleOffices.length) {
    add(art, h('section', { id: 'offices' }, h('h3', {}, t.offices), ls.responsibleOffices.map((o) => {
      const a = o.address;
      const where = a ? [a.street, [a.postalCode, a.city].join(' ')].filter(Boolean).join(', ') : '';
      return h('div', { class: 'card office' },
        h('h4', {}, o.name),
        o.inherited ? h('p', { class: 'because' }, t.because + ' ' + o.inheritedFrom.levelLabel + ' ' + o.inheritedFrom.name) : null,
        a ? h('p', { class: 'address' }, where, ' ', h('a', { href: 'https://www.openstreetmap.org/search?query=' + encodeURIComponent(where), rel: 'noopener noreferrer' }, t.map)) : null,
        o.openingHours.length ? h('div', {}, h('h5', {}, t.hours), h('ul', { class: 'hours' }, o.openingHours.map((l) => h('li', {}, l))), text(o.openingHoursNotes)) : null,
        o.channels.length || o.contacts.length ? h('div', {}, h('h5', {}, t.contact), h('ul', {},
          o.channels.map((c) => h('li', {}, c.label + ': ' + c.value)),
          o.contacts.map((c) => h('li', {}, c.name, c.channels.map((ch) => ' · ' + ch.label + ': ' + ch.value))))) : null);
    })));
  }
  if (ls.onlineServices.length) {
    add(art, h('section', { id: 'online' }, h('h3', {}, t.online), h('ul', {}, ls.onlineServices.map((o) =>
      h('li', {}, o.links.map((l) => h('a', { href: l.url, rel: 'noopener noreferrer' }, l.title || o.title)),
        o.trustLevel ? h('span', { class: 'muted' }, ` (${t.trust}: ${t.trustLevels[o.trustLevel] || o.trustLevel})`) : null)))));
  }
  return art;
}

document.getElementById('lang-switch').addEventListener('click', () => go({ lang: state().lang === 'en' ? 'de' : 'en' }));
window.addEventListener('popstate', render);
render();
