// Statement entries in words. The engine describes a voided payment with ISO dates and
// plain amounts; the panel says it with the user's date and money formats, from the
// payment record and the void's own reason (no engine text is parsed).

import { money, date } from './format.js';

/** `(entry) => words` for statement entries in `currency`, given the customer's payments in it. */
export function entryWords(payments, currency) {
  const paymentByVoid = new Map(payments.filter((p) => p.voided_by).map((p) => [p.voided_by, p]));
  return (e) => {
    const p = e.kind === 'payment_void' ? paymentByVoid.get(e.ref) : null;
    if (!p) return e.description;
    return `Void of the payment of ${date(p.date)} (${money(p.amount, currency)}${p.reference ? `, ref. ${p.reference}` : ''})${e.reason ? `: ${e.reason}` : ''}`;
  };
}
