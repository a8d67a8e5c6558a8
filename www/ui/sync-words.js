// Sync status and synced commands in plain words, for the header and the Sync screen.

import { money, date, methodLabel } from './format.js';

/** A time of day in the user's locale ("14:03"). */
export function timeOfDay(iso) {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** The header's one line: online / offline / syncing / N pending / last synced at …. */
export function statusWords(status) {
  const pending = status.pending > 0 ? plural(status.pending, 'change', 'changes') : '';
  const last = status.lastSyncedAt ? `last synced at ${timeOfDay(status.lastSyncedAt)}` : 'not synced yet';
  switch (status.state) {
    case 'syncing':
      return pending ? `Syncing: ${pending} being sent…` : 'Syncing…';
    case 'online':
      return pending ? `Online · ${pending} waiting to be sent · ${last}` : `Online · all changes saved on the server · ${last}`;
    case 'offline':
      return `Offline · ${pending ? `${pending} kept in this browser, sent when the server is back` : 'nothing waiting'} · ${last}`;
    case 'signed_out':
      return `Signed out · ${pending ? `${pending} waiting: sign in to send them` : 'sign in to sync'}`;
    case 'error':
      return `Sync problem: ${status.message} · ${pending ? `${pending} waiting` : 'nothing waiting'}`;
    default:
      return pending ? `Connecting to the server… ${pending} waiting` : 'Connecting to the server…';
  }
}

/** What a command did, in a sentence (`customers`: id -> { name, currency }). */
export function describeCommand(c, customers = new Map()) {
  const known = customers.get(c.customer);
  const who = known?.name ?? c.customer;
  const currency = c.currency ?? known?.currency;
  const amount = c.amount && currency ? money(c.amount, currency) : c.amount;
  switch (c.type) {
    case 'create_customer': return `New customer ${c.name} (${c.currency})`;
    case 'record_payment': return `Payment of ${amount} from ${who} on ${date(c.date)} by ${methodLabel(c.method).toLowerCase()}${c.reference ? ` (ref. ${c.reference})` : ''}`;
    case 'issue_invoice': return `Invoice for ${who} dated ${date(c.date)} (${c.lines?.length ?? 0} line${c.lines?.length === 1 ? '' : 's'})`;
    case 'add_credit': return `Credit of ${amount} for ${who} on ${date(c.date)}: ${c.reason}`;
    case 'apply_credit': return `Credit applied to an invoice of ${who}`;
    case 'issue_credit_note': return `Credit note of ${amount} for ${who} on ${date(c.date)}`;
    case 'refund_credit': return `Refund of ${amount} to ${who} on ${date(c.date)}`;
    case 'void_payment': return `Void of a payment on ${date(c.date)}`;
    case 'void_invoice': return `Void of an invoice on ${date(c.date)}`;
    case 'write_off_invoice': return `Write-off of an invoice on ${date(c.date)}`;
    case 'expire_credit': return `Expiry of credit up to ${date(c.date)}`;
    case 'configure': return 'Settings change';
    default: return c.type;
  }
}

/** What to do about a command the server refused, by the engine's code. */
export function whatToDo(code) {
  switch (code) {
    case 'insufficient_credit':
      return 'Another admin used or refunded that credit first. Look at the customer\'s credit now and enter it again if it is still right.';
    case 'over_allocation':
      return 'The invoice changed meanwhile (another admin paid or credited it). Check what it still asks and enter the right amount.';
    case 'already_void':
    case 'invoice_closed':
      return 'Another admin already changed this record. Check it: if it is already as it should be, nothing more is needed.';
    case 'unknown_customer':
    case 'unknown_invoice':
    case 'unknown_payment':
      return 'What it refers to is not on the server (it was refused or never sent). Enter that first, then this one again.';
    case 'conflict':
      return 'Another entry already has this id. Enter it again from a new form.';
    case 'forbidden':
      return 'Your role does not allow changes. Ask an owner of the books.';
    default:
      return 'Check the customer\'s ledger and enter it again if it is still needed.';
  }
}
