// Downloads (CSV statements, JSON backups) and CSV quoting.

/**
 * One CSV field: quoted when it holds a comma, quote, or line break (quotes doubled),
 * as RFC 4180 says. Text that a spreadsheet would run as a formula (= + - @ at the
 * start) is prefixed with an apostrophe; numbers are written as they are.
 */
export function csvField(value, { text = true } = {}) {
  let s = value === null || value === undefined ? '' : String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Rows to CSV text (CRLF line ends). `numeric` lists the column indexes that hold
 * numbers, written without the formula guard.
 */
export function toCsv(rows, numeric = []) {
  return rows.map((row) => row.map((v, i) => csvField(v, { text: !numeric.includes(i) })).join(',')).join('\r\n') + '\r\n';
}

/** Saves `content` as a file called `name` (a download, through a blob URL). */
export function download(name, content, type) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** A file name part made of safe characters. */
export function safeName(s) {
  return String(s).normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'export';
}
