// The invoice preview element on a member-portal page, over the demo ledger.
// The demo data is loaded once into its own IndexedDB ledger ("tally-preview-demo"), so
// this page never touches the admin panel's ledger. `window.tallyPreviewDemo` exposes
// the store and element for the console and the end-to-end test.
import { openStore } from './store.js';
import { demoCommands, demoNextDraft } from './demo.js';
import './preview-element.js';

const TODAY = '2026-11-25';
const LEDGER = 'tally-preview-demo';

const sheet = new CSSStyleSheet();
sheet.replaceSync(`
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  body { margin: 0 auto; max-width: 56rem; padding: 1rem 1.5rem 3rem; }
  @media (max-width: 30rem) { body { padding: 1rem 0.75rem 2rem; } }
  h1 { font-size: 1.6rem; margin: .25rem 0 .5rem; }
  .brand { margin: 0; color: #5b6475; font-weight: 600; }
  .demo { font-weight: normal; }
  #status { color: #5b6475; margin: 0 0 1rem; }
  #status.error { color: #b42318; }
  form { display: flex; flex-wrap: wrap; gap: .5rem 2rem; align-items: end; margin-bottom: 1rem; }
  form p { margin: 0; }
  label { margin-inline-end: .4rem; }
  select, input[type=number] { font: inherit; padding: .25rem .4rem; }
  input[type=number] { width: 5rem; }
  [hidden] { display: none !important; }
`);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const status = document.getElementById('status');
const form = document.getElementById('controls');
const select = document.getElementById('customer');
const hours = document.getElementById('hours');
const useCredit = document.getElementById('use-credit');
const element = document.getElementById('preview');

/** Next month's draft for a member: their plan, plus `hours` of meeting room (none at 0). */
function draftFor(customer, meetingHours = 2, withCredit = true) {
  const draft = demoNextDraft(customer, { today: TODAY });
  const meeting = draft.lines.at(-1);
  const n = Math.max(0, Math.floor(Number(meetingHours) || 0));
  draft.lines = n > 0 ? [...draft.lines.slice(0, -1), { ...meeting, quantity: String(n) }] : draft.lines.slice(0, -1);
  if (!withCredit) draft.use_credit = false;
  return draft;
}

function update() {
  element.draft = draftFor(select.value, hours.value, useCredit.checked);
}

try {
  const store = await openStore({ name: LEDGER });
  if (store.seq === 0) {
    status.textContent = 'Loading a year of demo data…';
    const answers = await store.applyMany(demoCommands({ today: TODAY }));
    const refused = answers.find((a) => !a.ok);
    if (refused) throw new Error(refused.error.message);
  }
  const { customers } = store.query({ type: 'customers' });
  select.replaceChildren(...customers
    .slice().sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => new Option(`${c.name} (${c.currency})`, c.id)));
  select.value = new URLSearchParams(location.search).get('customer') ?? 'cus-lovelace';
  if (!select.value) select.selectedIndex = 0;
  element.store = store;
  update();
  form.addEventListener('input', update);
  form.addEventListener('submit', (e) => e.preventDefault());
  form.hidden = false;
  element.hidden = false;
  const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${TODAY}T00:00:00Z`));
  status.textContent = `Demo ledger as of ${date}: ${customers.length} members. Nothing you change here is billed.`;
  window.tallyPreviewDemo = { store, element, draftFor, today: TODAY };
} catch (e) {
  status.textContent = `The demo ledger could not be loaded: ${e.message}`;
  status.className = 'error';
}
