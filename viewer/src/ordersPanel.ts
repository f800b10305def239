/**
 * The orders panel (live, and only when the server runs an order layer): the most recent orders with
 * their channel and status, counts per channel of the orders shown, a SKU availability lookup, and the
 * lines of a clicked order. It mirrors the API and the stream and decides nothing: the list comes from
 * GET /api/orders, statuses from the stream's order events (`order.status` → `to`), lines from
 * GET /api/orders/:id, availability from GET /api/inventory/:sku.
 *
 * Whether there is an order layer is asked once the stream is open (GET /api/orders?limit=1: 200 yes,
 * 404 no — then the panel stays hidden). Every (re)opened stream re-reads the newest orders, since
 * events sent while disconnected are lost; so does an `orders` message reporting `missed` events.
 * Orders created after the page loaded arrive as `order.created` events without their channel, so the
 * newest page of the list is re-read (at most twice a second) while some row lacks one.
 */
import type { OrdersMessage } from '../../wcs/protocol.ts';
import type { BinWhere } from '../../wcs/protocol.ts';
import { getInventory, getOrder, getOrderWhere, getOrders, probeOrders, type InventoryView, type OrderView, type OrderWhere } from './api.ts';

/** Rows kept in the list. */
const MAX_ROWS = 50;
/** Orders read on load and on every resync. */
const INITIAL = 20;
const REFILL_MS = 500;
/** While an order's lines are in the grid, where they are is asked again this often. */
const WHERE_MS = 1000;

export interface OrderRow { id: string; channel: string; status: string }

interface Row extends OrderRow {
  /** Sort key, newest first: the order's arrival seq (its cursor), or above every seq until known. */
  key: number;
  /** Bumped by every event, so a list answer older than an event does not overwrite its status. */
  version: number;
  el: HTMLTableRowElement | null;
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const PENDING_KEY = 2 ** 52;

export class OrdersPanel {
  /** null until asked, then whether the server has an order layer. */
  enabled: boolean | null = null;
  /** Order events received from the stream. */
  eventsReceived = 0;
  /** The last SKU lookup: its figures, or the error text. */
  sku: { sku: string; onHand: number; reserved: number; available: number } | { error: string } | null = null;
  /** The order whose lines are shown, and those lines once loaded. */
  selected: string | null = null;
  selectedLines: { sku: string; qty: number; state: string; picked: number }[] = [];
  /** Where the selected order's lines are, as last read (one text per line). */
  selectedWhere: string[] = [];

  private readonly rows = new Map<string, Row>();
  private pendingSeq = 0;
  private probing = false;
  private listing = false;
  private listedAt = -Infinity;
  private refillTimer: ReturnType<typeof setTimeout> | null = null;
  private renderQueued = false;
  private shownIds = '';
  private detailSeq = 0;
  private detailInflight: AbortController | null = null;
  private detailTimer: ReturnType<typeof setTimeout> | null = null;
  private whereTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly el = (id: string) => document.getElementById(id)!;
  private readonly panel = this.el('orders-panel');
  private readonly tbody = this.el('orders-rows');
  private readonly countsEl = this.el('orders-counts');
  private readonly statusEl = this.el('orders-status');
  private readonly detail = this.el('order-detail');
  private readonly skuInput = this.el('sku-input') as HTMLInputElement;
  private readonly skuResult = this.el('sku-result');

  /**
   * @param subscribe asks the stream for order events
   * @param onWhere told where the selected order's lines are (null: no order selected), to mark the grid
   */
  constructor(private readonly subscribe: () => void, private readonly onWhere: (w: OrderWhere | null) => void = () => {}) {
    this.tbody.addEventListener('click', (e) => {
      const tr = (e.target as HTMLElement).closest<HTMLElement>('tr[data-order]');
      if (tr) this.select(tr.dataset.order!);
    });
    this.el('order-detail-close').addEventListener('click', () => this.select(null));
    this.el('sku-lookup').addEventListener('click', () => void this.lookup());
    this.skuInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') void this.lookup(); });
  }

  /** The rows shown, newest first (the __omnicube.orders hook). */
  get list(): OrderRow[] {
    return this.sorted().map((r) => ({ id: r.id, channel: r.channel, status: r.status }));
  }

  /** Orders shown per channel (rows whose channel is not known yet are left out). */
  get counts(): Record<string, number> {
    const c: Record<string, number> = {};
    for (const r of this.rows.values()) if (r.channel) c[r.channel] = (c[r.channel] ?? 0) + 1;
    return c;
  }

  /** The stream (re)opened: find out whether there is an order layer, or re-read the newest orders. */
  onOpen(): void {
    if (this.enabled === true) { this.refill(true); return; }
    if (this.enabled === false || this.probing) return;
    this.probing = true;
    probeOrders().then(
      (yes) => {
        this.probing = false;
        this.enabled = yes;
        this.panel.hidden = !yes;
        if (!yes) return;
        this.subscribe();
        this.refill(true);
      },
      () => { this.probing = false; /* asked again on the next open */ },
    );
  }

  /** Replay mode: the live order layer is gone from view. */
  hide(): void {
    this.panel.hidden = true;
    this.enabled = false;
    this.select(null);
  }

  /** A batch of order events from the stream. */
  onOrders(m: OrdersMessage): void {
    if (this.enabled !== true) return;
    this.eventsReceived += m.events.length;
    let selectedTouched = false;
    for (const e of m.events) {
      if (e.orderId === this.selected) selectedTouched = true;
      let r = this.rows.get(e.orderId);
      if (!r) {
        // Only new orders join the list; events of orders that have scrolled off are not shown.
        if (e.type !== 'order.created') continue;
        r = { id: e.orderId, channel: '', status: e.to, key: PENDING_KEY + ++this.pendingSeq, version: 0, el: null };
        this.rows.set(r.id, r);
      }
      r.version++;
      if (e.type === 'order.status') r.status = e.to;
    }
    if (m.missed) this.refill(true);
    else if ([...this.rows.values()].some((r) => !r.channel)) this.refill(false);
    if (selectedTouched) this.scheduleDetail();
    this.queueRender();
  }

  /** Re-read the newest orders: now (`force`) or at most every REFILL_MS. */
  private refill(force: boolean): void {
    if (this.refillTimer) {
      if (!force) return;
      clearTimeout(this.refillTimer);
      this.refillTimer = null;
    }
    const wait = force ? 0 : Math.max(0, this.listedAt + REFILL_MS - performance.now());
    this.refillTimer = setTimeout(() => { this.refillTimer = null; void this.list_(); }, wait);
  }

  private async list_(): Promise<void> {
    if (this.listing) { this.refill(false); return; }
    this.listing = true;
    this.listedAt = performance.now();
    const versions = new Map([...this.rows.values()].map((r) => [r.id, r.version]));
    try {
      const { orders } = await getOrders(Math.max(INITIAL, Math.min(MAX_ROWS, this.pendingCount())));
      this.merge(orders, versions);
      this.statusEl.textContent = '';
    } catch (e) {
      this.statusEl.textContent = `orders: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this.listing = false;
    }
    this.queueRender();
  }

  private pendingCount(): number {
    let n = 0;
    for (const r of this.rows.values()) if (!r.channel) n++;
    return n;
  }

  private merge(orders: readonly OrderView[], versions: Map<string, number>): void {
    for (const o of orders) {
      const r = this.rows.get(o.id);
      if (!r) {
        this.rows.set(o.id, { id: o.id, channel: o.channel, status: o.status, key: Number(o.cursor), version: 0, el: null });
        continue;
      }
      r.channel = o.channel;
      r.key = Number(o.cursor);
      // An event newer than the request has the last word on the status.
      if (versions.get(o.id) === r.version) r.status = o.status;
    }
    // Rows still without a channel are not in the newest page any more: they are old, leave them out.
    const listed = new Set(orders.map((o) => o.id));
    for (const r of [...this.rows.values()]) {
      if (!r.channel && !listed.has(r.id) && versions.has(r.id)) this.rows.delete(r.id);
    }
  }

  private sorted(): Row[] {
    return [...this.rows.values()].sort((a, b) => b.key - a.key);
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => { this.renderQueued = false; this.render(); });
  }

  private render(): void {
    const rows = this.sorted();
    for (const r of rows.slice(MAX_ROWS)) this.rows.delete(r.id);
    const shown = rows.slice(0, MAX_ROWS);
    for (const r of shown) {
      if (!r.el) {
        const tr = document.createElement('tr');
        tr.dataset.order = r.id;
        tr.innerHTML = '<td class="oid"></td><td class="och"></td><td><span class="ost"></span></td>';
        r.el = tr;
      }
      const tr = r.el;
      const [idTd, chTd] = tr.children as unknown as HTMLElement[];
      const st = tr.querySelector<HTMLElement>('.ost')!;
      if (idTd!.textContent !== r.id) idTd!.textContent = r.id;
      const ch = r.channel || '…';
      if (chTd!.textContent !== ch) chTd!.textContent = ch;
      if (st.textContent !== r.status) { st.textContent = r.status; st.className = `ost st-${r.status}`; }
      tr.dataset.status = r.status;
      tr.classList.toggle('selected', r.id === this.selected);
    }
    const ids = shown.map((r) => r.id).join('\n');
    if (ids !== this.shownIds) {
      this.shownIds = ids;
      this.tbody.replaceChildren(...shown.map((r) => r.el!));
    }
    const c = this.counts;
    const parts = Object.keys(c).sort().map((k) => `${esc(k)} <b>${c[k]}</b>`);
    this.countsEl.innerHTML = shown.length === 0 ? 'no orders yet' : `${shown.length} shown · ${parts.join(' · ')}`;
  }

  // ---- one order's lines ---------------------------------------------------------------------------------

  private select(id: string | null): void {
    this.detailSeq++;
    this.detailInflight?.abort();
    this.detailInflight = null;
    this.selected = id;
    this.selectedLines = [];
    this.selectedWhere = [];
    if (this.whereTimer) { clearTimeout(this.whereTimer); this.whereTimer = null; }
    this.onWhere(null);
    this.detail.hidden = id === null;
    if (id !== null) {
      this.el('order-detail-title').textContent = `Order ${id}`;
      this.el('order-detail-body').innerHTML = '<tr><td colspan="4" class="muted">loading…</td></tr>';
      this.loadDetail();
    }
    this.queueRender();
  }

  private scheduleDetail(): void {
    if (this.detailTimer) return;
    this.detailTimer = setTimeout(() => { this.detailTimer = null; this.loadDetail(); }, 200);
  }

  private loadDetail(): void {
    const id = this.selected;
    if (id === null) return;
    this.detailInflight?.abort();
    const seq = this.detailSeq;
    const ctl = new AbortController();
    this.detailInflight = ctl;
    Promise.all([getOrder(id, ctl.signal), getOrderWhere(id, ctl.signal)]).then(
      ([o, w]) => { if (seq === this.detailSeq && !ctl.signal.aborted) this.showDetail(o, w); },
      (e: unknown) => {
        if (seq !== this.detailSeq || ctl.signal.aborted) return;
        this.el('order-detail-body').innerHTML = `<tr><td colspan="4" class="err">${esc(e instanceof Error ? e.message : String(e))}</td></tr>`;
      },
    );
  }

  private showDetail(o: OrderView, w: OrderWhere): void {
    this.selectedLines = o.lines.map((l) => ({ sku: l.sku, qty: l.qty, state: l.state, picked: l.picked }));
    const whereOf = new Map(w.lines.map((l) => [l.n, l]));
    this.selectedWhere = o.lines.map((l) => lineWhere(whereOf.get(l.n)));
    this.el('order-detail-title').textContent = `Order ${o.id} · ${o.channel} · ${o.status}`;
    this.el('order-detail-body').innerHTML = o.lines.map((l, i) =>
      `<tr data-line="${l.n}"><td>${esc(l.sku)}</td><td class="num">${l.qty}</td><td><span class="ost st-${esc(l.state)}">${esc(l.state)}</span></td><td class="num">${l.picked}</td></tr>`
      + `<tr class="where"><td colspan="4">${esc(this.selectedWhere[i]!)}</td></tr>`).join('');
    this.onWhere(w);
    // Bins move while the grid works on them: ask again while any line is there.
    if (this.whereTimer) clearTimeout(this.whereTimer);
    this.whereTimer = w.lines.some((l) => l.inWcs) ? setTimeout(() => { this.whereTimer = null; this.loadDetail(); }, WHERE_MS) : null;
  }

  // ---- SKU lookup ----------------------------------------------------------------------------------------

  private async lookup(): Promise<void> {
    const code = this.skuInput.value.trim();
    if (!code) { this.showSku({ error: 'enter a SKU code' }); return; }
    this.skuResult.innerHTML = '<span class="muted">…</span>';
    let v: InventoryView;
    try { v = await getInventory(code); } catch (e) {
      this.showSku({ error: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (this.skuInput.value.trim() !== code) return;
    this.showSku({ sku: v.sku, onHand: v.onHand, reserved: v.reserved, available: v.available });
  }

  private showSku(s: NonNullable<OrdersPanel['sku']>): void {
    this.sku = s;
    this.skuResult.innerHTML = 'error' in s ? `<span class="err">${esc(s.error)}</span>`
      : `<dl class="stats"><dt>SKU</dt><dd>${esc(s.sku)}</dd><dt>On hand</dt><dd id="sku-onhand">${s.onHand}</dd>`
        + `<dt>Reserved</dt><dd id="sku-reserved">${s.reserved}</dd><dt>Available</dt><dd id="sku-available">${s.available}</dd></dl>`;
  }
}

/** One customer line's place in words: its bins and where they are, or why it has none. */
export function lineWhere(l: OrderWhere['lines'][number] | undefined): string {
  if (!l) return '';
  if (!l.inWcs || l.picks.length === 0) {
    return l.state === 'reserved' || l.state === 'backordered' || l.state === 'received' ? 'not released to the grid yet'
      : l.state === 'released' ? 'released, the grid takes it next' : 'not in the grid';
  }
  return l.picks.map((p) => `${p.qty} × ${p.bin ? binText(p.bin) : 'no bin yet'}`).join('; ');
}

function binText(b: BinWhere): string {
  const place = b.at === 'stack' ? `in stack (${b.x}, ${b.y}), ${b.depth === 0 ? 'on top' : `${b.depth} below the top`}`
    : b.at === 'robot' ? `on robot ${b.robot}` : b.at === 'port' ? `at port ${b.port}` : 'in transit';
  const task = b.task && b.at !== 'port'
    ? `${b.task.robot !== null && b.at === 'stack' ? `, robot ${b.task.robot} on the way` : ''}${b.task.port ? ` → port ${b.task.port}` : ''}` : '';
  return `bin ${b.bin} ${place}${task}`;
}
