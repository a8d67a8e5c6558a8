// An accessible modal dialog: a native <dialog> opened with showModal() (the rest of the
// page becomes inert), with Tab and Shift+Tab kept inside it, Escape to cancel, and the
// focus given back to where it was when it closes.

import { h, uid } from './dom.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((el) => !el.closest('[hidden]') && el.getClientRects().length > 0);
}

/**
 * Opens a modal. `content` is a node or an array of nodes; `initialFocus` an element in
 * it (default: the first focusable one). Returns `{ dialog, close(value), closed }`;
 * `closed` resolves with the value given to close (null for Escape).
 */
export function openModal({ title, content, initialFocus, className, describedBy }) {
  const previous = document.activeElement;
  const titleId = uid('dialog-title');
  const dialog = h('dialog', { class: ['modal', className], 'aria-labelledby': titleId, 'aria-describedby': describedBy },
    h('h2', { id: titleId, class: 'modal-title', text: title }),
    content);
  let resolve;
  const closed = new Promise((r) => { resolve = r; });
  let open = true;

  function close(value = null) {
    if (!open) return;
    open = false;
    document.removeEventListener('focusin', keepFocus, true);
    dialog.close();
    dialog.remove();
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    resolve(value);
  }

  function keepFocus(event) {
    if (open && !dialog.contains(event.target)) {
      (focusables(dialog)[0] ?? dialog).focus();
    }
  }

  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = focusables(dialog);
    if (items.length === 0) { event.preventDefault(); return; }
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });

  document.body.append(dialog);
  dialog.showModal();
  document.addEventListener('focusin', keepFocus, true);
  (initialFocus ?? focusables(dialog)[0] ?? dialog).focus();
  return { dialog, close, closed };
}

/**
 * Asks for a confirmation. `body` says in words what will happen. Resolves true when
 * confirmed. The focus starts on Cancel, the choice that changes nothing.
 */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', cancelLabel = 'Cancel', danger = false }) {
  const bodyId = uid('dialog-body');
  const cancel = h('button', { type: 'button', class: 'btn' }, cancelLabel);
  const confirm = h('button', { type: 'button', class: ['btn', danger ? 'btn-danger' : 'btn-primary'] }, confirmLabel);
  const modal = openModal({
    title,
    describedBy: bodyId,
    content: [h('div', { id: bodyId, class: 'modal-body' }, body), h('div', { class: 'modal-actions' }, cancel, confirm)],
    initialFocus: cancel,
  });
  cancel.addEventListener('click', () => modal.close(false));
  confirm.addEventListener('click', () => modal.close(true));
  return modal.closed.then((v) => v === true);
}
