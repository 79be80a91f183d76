// Building the page from data: every catalogue text goes in as text, or,
// for text modules and search highlights, through a whitelist that
// rebuilds the allowed markup element by element (never innerHTML).

// h creates an element. attrs: attributes, plus on* handlers (functions)
// and boolean properties (checked, disabled, hidden, selected); children:
// nodes, strings (as text) or arrays of them; null and false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected' || k === 'value') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// add appends children to el like h does: null and false are skipped.
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// navLink is a link that a plain click follows inside the page (navigate,
// which pushes the URL and renders) instead of loading it again; a click
// with a modifier or another button opens href as the browser would.
export function navLink(href, navigate, ...children) {
  return h('a', { href, onclick: (e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(); } } }, ...children);
}

// The PVOG whitelist of text-module markup, plus mark for highlights.
const allowed = new Set(['P', 'BR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'B', 'STRONG', 'I', 'EM', 'SUP', 'SUB', 'UL', 'OL', 'LI', 'A', 'MARK']);
const safeHref = /^(https?:|mailto:|tel:)/i;

// richText returns the whitelisted markup of html as a fragment. Elements
// outside the list keep their text and lose the element; attributes are
// dropped except a safe href on links.
export function richText(html, only) {
  const doc = new DOMParser().parseFromString('<!doctype html><body>' + html, 'text/html');
  const out = document.createDocumentFragment();
  copy(doc.body, out, only || allowed);
  return out;
}

function copy(from, to, ok) {
  for (const n of from.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) {
      to.append(document.createTextNode(n.data));
    } else if (n.nodeType === Node.ELEMENT_NODE) {
      if (n.tagName === 'SCRIPT' || n.tagName === 'STYLE' || n.tagName === 'TEMPLATE') continue;
      if (!ok.has(n.tagName)) {
        copy(n, to, ok);
        continue;
      }
      const el = document.createElement(n.tagName.toLowerCase());
      if (n.tagName === 'A') {
        const href = n.getAttribute('href') || '';
        if (safeHref.test(href.trim())) {
          el.setAttribute('href', href.trim());
          el.setAttribute('rel', 'noopener noreferrer');
        }
      }
      copy(n, el, ok);
      to.append(el);
    }
  }
}

// highlight renders a search fragment: text with <mark> only.
export function highlight(fragment) {
  return richText(fragment, new Set(['MARK']));
}

// debounce delays f until calls pause for ms.
export function debounce(f, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => f(...args), ms);
  };
}

// combobox makes an input an ARIA 1.2 combobox with a listbox of options
// fetched as the user types. fetchOptions(text) returns [{label, value}];
// onPick(option) is called on Enter or click.
export function combobox(input, listbox, fetchOptions, onPick) {
  let options = [];
  let active = -1;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listbox.id);
  input.setAttribute('autocomplete', 'off');
  listbox.setAttribute('role', 'listbox');
  listbox.hidden = true;
  let seq = 0;
  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const show = () => {
    listbox.replaceChildren(...options.map((o, i) => h('li', {
      id: listbox.id + '-' + i, role: 'option', 'aria-selected': i === active ? 'true' : 'false', class: 'option',
      onmousedown: (e) => { e.preventDefault(); pick(i); },
    }, o.label)));
    listbox.hidden = options.length === 0;
    input.setAttribute('aria-expanded', options.length ? 'true' : 'false');
    if (active >= 0) input.setAttribute('aria-activedescendant', listbox.id + '-' + active);
    else input.removeAttribute('aria-activedescendant');
  };
  const pick = (i) => {
    const o = options[i];
    close();
    if (o) onPick(o);
  };
  const load = debounce(async () => {
    const my = ++seq;
    const text = input.value.trim();
    if (text.length < 2) { options = []; close(); return; }
    let got = [];
    try { got = await fetchOptions(text); } catch (e) { got = []; }
    if (my !== seq) return;
    options = got;
    active = -1;
    show();
  }, 150);
  input.addEventListener('input', load);
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      active = (active + 1) % options.length;
      show();
    } else if (e.key === 'ArrowUp' && options.length) {
      e.preventDefault();
      active = (active - 1 + options.length) % options.length;
      show();
    } else if (e.key === 'Escape') {
      close();
    } else if (e.key === 'Enter' && active >= 0 && !listbox.hidden) {
      e.preventDefault();
      pick(active);
    }
  });
  return { close };
}
