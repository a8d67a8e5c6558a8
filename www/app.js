// The page: opens the ledger from IndexedDB and shows it. (The full admin panel is
// built on this: issue 4.)
import { openStore } from './store.js';

const status = document.getElementById('status');
const tbody = document.querySelector('#customers tbody');

function money(amount, currency) {
  // Amounts are exact decimal strings; Intl formats them without going through floats
  // where supported, and the digits are the engine's.
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
}

function render(store) {
  const answer = store.query({ type: 'customers' });
  tbody.replaceChildren(...answer.customers.flatMap((c) => c.balances.map((b) => {
    const row = document.createElement('tr');
    const cells = [c.name, money(b.outstanding, b.currency), money(b.credit, b.currency), money(b.balance, b.currency)];
    cells.forEach((text, i) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (i > 0) cell.className = 'money';
      row.append(cell);
    });
    return row;
  })));
  status.textContent = `Ledger loaded: ${answer.customers.length} customers, ${store.seq} commands${store.persisted ? ', storage persistent' : ''}.`;
}

try {
  const store = await openStore();
  window.tallyStore = store;
  render(store);
  store.subscribe(() => render(store));
} catch (e) {
  status.textContent = `The ledger could not be opened: ${e.message}`;
  status.className = 'error';
}
