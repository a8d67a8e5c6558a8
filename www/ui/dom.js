// A safe element builder. Everything goes through createElement / createElementNS,
// textContent and setAttribute: no string is ever parsed as HTML, so a customer called
// `<img src=x onerror=alert(1)>` stays text. Inline styles are refused as well (the
// page's Content-Security-Policy has no 'unsafe-inline'): use classes from style.css.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, props, children) {
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'style' || key === 'innerHTML' || key === 'outerHTML' || key === 'srcdoc') {
      throw new Error(`h(): "${key}" is not allowed (CSP and HTML safety); use classes and text`);
    }
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'text') el.textContent = value;
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'indeterminate') el[key] = value;
    else if (/^on/i.test(key)) throw new Error(`h(): event handler attributes ("${key}") are not allowed; use { on: { ... } }`);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

/**
 * Builds an HTML element: `h('a', { href: '#/x', class: 'btn' }, 'text', child, [more])`.
 * Strings become text nodes; `text` sets textContent; `on` adds listeners.
 */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** Builds an SVG element (createElementNS). */
export function svg(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let counter = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A link inside the panel (hash route). */
export function link(route, text, props = {}) {
  return h('a', { href: `#${route}`, ...props }, text);
}

/**
 * A table that may scroll sideways on a narrow screen, for tables with nothing focusable
 * in them: the box itself takes the focus (named `label`) so a keyboard can scroll it.
 */
export function scrollBox(label, table) {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label }, table);
}

/**
 * A table that may scroll sideways: a plain box when something in it takes the focus
 * (a link, a button), else a `scrollBox` (named `label`), so a keyboard can always
 * reach what scrolls. For tables whose rows decide whether they hold a link.
 */
export function tableBox(label, table) {
  return table.querySelector('a[href], button, input, select, textarea') ? h('div', { class: 'table-wrap' }, table) : scrollBox(label, table);
}

/** Encodes an id for use in a route. */
export function enc(id) {
  return encodeURIComponent(id);
}
