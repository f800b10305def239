/**
 * Order history import: real order lines from a CSV or JSON Lines export, read through a column mapping,
 * grouped into orders and mapped onto a scenario's SKUs. Pure: takes the file's text, returns the orders
 * and an account of every line it skipped and why.
 *
 * - Columns: `id`, `sku` and `qty` are required, `created` and `channel` optional; the mapping names the
 *   export's column for each (default: the same names). `channel` may also be one fixed channel.
 * - Lines are skipped, with the reason counted, when the id or SKU code is blank, the quantity is not a
 *   positive integer (exports book cancellations and returns as negative quantities), or a given
 *   creation time cannot be read.
 * - Lines of one order with the same SKU code are added up into one line.
 * - Orders are sorted by creation time (file order among equals); times become seconds after the first.
 * - SKU codes map onto the scenario's SKU ids by how often the file orders them (order lines per code,
 *   ties by code): the most ordered code gets SKU 0, the scenario's most popular, the next SKU 1, and so
 *   on. With more codes than SKUs, code rank r maps to SKU r mod skus (several codes share one SKU).
 */

/** Where each field comes from in the export. `channel` is a column name, or `{ fixed }` for one channel. */
export interface OrderColumns {
  id: string;
  sku: string;
  qty: string;
  created?: string;
  channel?: string | { fixed: string };
}

export const DEFAULT_COLUMNS: OrderColumns = { id: 'id', sku: 'sku', qty: 'qty', created: 'created', channel: 'channel' };

/** One imported order: lines on scenario SKU ids, creation in seconds after the file's first order. */
export interface ImportedOrder {
  id: string;
  channel: string;
  createdSeconds: number;
  lines: { sku: number; code: string; qty: number }[];
}

export interface ImportReport {
  orders: ImportedOrder[];
  linesRead: number;
  linesUsed: number;
  /** Lines skipped, per reason. */
  skipped: Record<string, number>;
  /** First few skipped lines with their line numbers (1-based, header included). */
  examples: { line: number; reason: string }[];
  /** Distinct SKU codes in the file, and how many SKU ids they were mapped onto. */
  codes: number;
  skusUsed: number;
  /** Code -> SKU id. */
  skuOf: Map<string, number>;
}

/** An order file that cannot be read at all (not a line-level problem). `field` names what is wrong. */
export class OrderFileError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'OrderFileError';
  }
}

/** Splits CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

/** Records of a file: CSV with a header row, or JSON Lines (one object per line). */
function records(text: string, format: 'csv' | 'jsonl'): { line: number; rec: Record<string, unknown> | undefined }[] {
  if (format === 'jsonl') {
    const out: { line: number; rec: Record<string, unknown> | undefined }[] = [];
    text.split(/\r?\n/).forEach((raw, k) => {
      if (raw.trim() === '') return;
      let rec: Record<string, unknown> | undefined;
      try {
        const v = JSON.parse(raw) as unknown;
        rec = typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
      } catch { rec = undefined; }
      out.push({ line: k + 1, rec });
    });
    return out;
  }
  const rows = parseCsv(text);
  const header = rows[0]?.map((h) => h.trim());
  if (!header || header.length === 0) throw new OrderFileError('(file)', 'expected a header row naming the columns');
  return rows.slice(1).map((r, k) => {
    const rec: Record<string, unknown> = {};
    header.forEach((h, j) => { rec[h] = r[j]; });
    return { line: k + 2, rec };
  });
}

/** Seconds since the epoch of an ISO-like date ("2010-12-01 14:33:00", ISO 8601) or a number of seconds. */
function readTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ?? 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

/**
 * Reads an order export. `skus` is the scenario's SKU count; `columns` maps the export's columns.
 * @throws OrderFileError when the file cannot be read as a whole (no header, a mapped column missing).
 */
export function importOrders(textIn: string, opts: { format: 'csv' | 'jsonl'; skus: number; columns?: Partial<OrderColumns> }): ImportReport {
  const cols: OrderColumns = { ...DEFAULT_COLUMNS, ...opts.columns };
  const recs = records(textIn, opts.format);
  if (opts.format === 'csv' && recs.length > 0) {
    const have = Object.keys(recs[0]!.rec ?? {});
    for (const key of ['id', 'sku', 'qty'] as const) {
      if (!have.includes(cols[key])) {
        throw new OrderFileError(`columns.${key}`, `expected a column of the file (${have.join(', ')}), got "${cols[key]}"`);
      }
    }
    if (opts.columns?.created !== undefined && !have.includes(cols.created!)) {
      throw new OrderFileError('columns.created', `expected a column of the file (${have.join(', ')}), got "${cols.created}"`);
    }
    if (typeof opts.columns?.channel === 'string' && !have.includes(opts.columns.channel)) {
      throw new OrderFileError('columns.channel', `expected a column of the file (${have.join(', ')}) or a fixed channel, got "${opts.columns.channel}"`);
    }
  }
  const skipped: Record<string, number> = {};
  const examples: { line: number; reason: string }[] = [];
  const skip = (line: number, reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (examples.length < 20) examples.push({ line, reason });
  };
  interface Draft { id: string; channel: string; created: number; first: number; lines: Map<string, number> }
  const drafts = new Map<string, Draft>();
  const codeLines = new Map<string, number>();
  let used = 0;
  for (const { line, rec } of recs) {
    if (!rec) { skip(line, 'not a JSON object'); continue; }
    const id = text(rec[cols.id]);
    const code = text(rec[cols.sku]);
    const qtyRaw = text(rec[cols.qty]);
    if (id === '') { skip(line, 'blank order id'); continue; }
    if (code === '') { skip(line, 'blank SKU code'); continue; }
    if (!/^-?\d+$/.test(qtyRaw)) { skip(line, 'quantity not an integer'); continue; }
    const qty = Number(qtyRaw);
    if (qty < 0) { skip(line, 'negative quantity (cancellation or return)'); continue; }
    if (qty === 0) { skip(line, 'zero quantity'); continue; }
    let created = 0;
    if (cols.created !== undefined && rec[cols.created] !== undefined) {
      const t = readTime(rec[cols.created]);
      if (t === undefined) { skip(line, 'creation time unreadable'); continue; }
      created = t;
    }
    const channel = typeof cols.channel === 'object' ? cols.channel.fixed : text(rec[cols.channel ?? '']) || 'web';
    let d = drafts.get(id);
    if (!d) drafts.set(id, (d = { id, channel, created, first: line, lines: new Map() }));
    d.created = Math.min(d.created, created);
    d.lines.set(code, (d.lines.get(code) ?? 0) + qty);
    codeLines.set(code, (codeLines.get(code) ?? 0) + 1);
    used++;
  }
  // Rank codes by lines ordered (most first), ties by code, and map rank r onto SKU r mod skus.
  const ranked = [...codeLines.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const skuOf = new Map<string, number>();
  ranked.forEach(([code], r) => skuOf.set(code, r % opts.skus));
  const list = [...drafts.values()].sort((a, b) => a.created - b.created || a.first - b.first);
  const t0 = list[0]?.created ?? 0;
  const orders: ImportedOrder[] = list.map((d) => {
    // Two codes may share a SKU id; an order's lines stay distinct by SKU id.
    const bySku = new Map<number, { sku: number; code: string; qty: number }>();
    for (const [code, qty] of d.lines) {
      const sku = skuOf.get(code)!;
      const prev = bySku.get(sku);
      if (prev) prev.qty += qty; else bySku.set(sku, { sku, code, qty });
    }
    return { id: d.id, channel: d.channel, createdSeconds: d.created - t0, lines: [...bySku.values()] };
  });
  return {
    orders, linesRead: recs.length, linesUsed: used, skipped, examples,
    codes: ranked.length, skusUsed: Math.min(ranked.length, opts.skus), skuOf,
  };
}
