/**
 * Loading a run trace (JSON Lines written by `npm run sim -- run ... --trace FILE`; format in README.md)
 * into compact typed arrays for the replay player: per robot its cell intervals in time order with the
 * times its centre is at each cell, the bin lift/drop events in time order, and the header's stacks.
 * Streams the file (a one-hour Thalia trace is ~150 MB) and keeps ~12 bytes per interval.
 */

/** A trace ready to replay. Times are seconds. */
export interface ReplayTrace {
  width: number;
  depth: number;
  height: number;
  tickSeconds: number;
  /** Stack heights at time 0, row-major. */
  heights0: Uint16Array;
  robots: number;
  /** Robot r's intervals are [start[r], start[r+1]). */
  start: Int32Array;
  /** Per interval: the cell, and [arrive, leave] — when the robot's centre reaches and leaves that cell. */
  cell: Int32Array;
  arrive: Float32Array;
  leave: Float32Array;
  /** Bin events in time order. level -1: at a port. */
  evAt: Float64Array;
  evCell: Int32Array;
  evLevel: Int16Array;
  evLift: Uint8Array;
  evRobot: Int32Array;
  evBin: Int32Array;
  /** Cells where bins were dropped into or lifted out of a port, ascending. */
  portCells: number[];
  /** Times of drops into ports (a bin presented), ascending. */
  portDrops: Float64Array;
  duration: number;
  lines: number;
  /** From the header when the writer included them (newer traces): scenario name, cell kinds, ports. */
  name?: string;
  kinds?: Uint8Array;
  ports?: TracePort[];
}

/** A port as the trace header describes it. */
export interface TracePort { id: string; type: string; x: number; y: number; buffer: [number, number][] }

/** A growable typed array (doubling); `view()` is the filled part. */
class Grow<T extends Float64Array | Int32Array> {
  n = 0;
  constructor(private a: T, private readonly make: (n: number) => T) {}
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = this.make(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  get(i: number): number { return this.a[i]!; }
  view(): T { return this.a.subarray(0, this.n) as T; }
}
const f64 = (n: number) => new Grow(new Float64Array(n), (k) => new Float64Array(k));
const i32 = (n: number) => new Grow(new Int32Array(n), (k) => new Int32Array(k));

interface Header {
  trace: number; width: number; depth: number; height: number; tickSeconds: number; stacks: [number, number, number[]][];
  name?: string; kinds?: number[]; ports?: TracePort[];
}

/** Builds a ReplayTrace from lines fed one at a time. */
export class TraceBuilder {
  private header: Header | null = null;
  private readonly rRobot = i32(1 << 16);
  private readonly rCell = i32(1 << 16);
  private readonly rFrom = f64(1 << 16);
  private readonly rTo = f64(1 << 16);
  private readonly eAt = f64(1 << 12);
  private readonly eCell = i32(1 << 12);
  private readonly eLevel = i32(1 << 12);
  private readonly eLift = i32(1 << 12);
  private readonly eRobot = i32(1 << 12);
  private readonly eBin = i32(1 << 12);
  private maxRobot = -1;
  private duration = 0;
  lines = 0;

  /** Feed one line. Throws on a malformed header; skips unknown records. */
  line(raw: string): void {
    if (raw.length === 0 || raw === '\r') return;
    this.lines++;
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (!this.header) {
      if (o.trace !== 1 || typeof o.width !== 'number' || typeof o.depth !== 'number') {
        throw new Error('not a trace: the first line must be the header {"trace":1,"width":...}');
      }
      this.header = o as unknown as Header;
      return;
    }
    const w = this.header.width;
    if (typeof o.robot === 'number' && typeof o.from === 'number' && o.event === undefined) {
      const r = o.robot, to = o.to as number;
      this.rRobot.push(r);
      this.rCell.push((o.y as number) * w + (o.x as number));
      this.rFrom.push(o.from);
      this.rTo.push(to);
      if (r > this.maxRobot) this.maxRobot = r;
      if (to > this.duration) this.duration = to;
    } else if (typeof o.bin === 'number' && (o.event === 'lift' || o.event === 'drop')) {
      const at = o.at as number;
      this.eAt.push(at);
      this.eCell.push((o.y as number) * w + (o.x as number));
      this.eLevel.push(typeof o.level === 'number' ? o.level : -1);
      this.eLift.push(o.event === 'lift' ? 1 : 0);
      this.eRobot.push(typeof o.robot === 'number' ? o.robot : -1);
      this.eBin.push(o.bin);
      if (typeof o.robot === 'number' && o.robot > this.maxRobot) this.maxRobot = o.robot;
      if (at > this.duration) this.duration = at;
    }
  }

  finish(): ReplayTrace {
    const h = this.header;
    if (!h) throw new Error('empty trace');
    const W = h.width, D = h.depth;
    const heights0 = new Uint16Array(W * D);
    for (const [x, y, bins] of h.stacks ?? []) heights0[y * W + x] = bins.length;

    // Group intervals by robot (counting sort keeps file order), then order each robot's by time.
    const R = this.maxRobot + 1, n = this.rRobot.n;
    const start = new Int32Array(R + 1);
    for (let i = 0; i < n; i++) start[this.rRobot.get(i) + 1]!++;
    for (let r = 0; r < R; r++) start[r + 1]! += start[r]!;
    const fill = start.slice(0, R);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[fill[this.rRobot.get(i)]!++] = i;
    const from = this.rFrom.view(), to = this.rTo.view(), cells = this.rCell.view();
    for (let r = 0; r < R; r++) {
      const a = start[r]!, b = start[r + 1]!;
      let sorted = true;
      for (let i = a + 1; i < b && sorted; i++) if (from[order[i]!]! < from[order[i - 1]!]!) sorted = false;
      if (!sorted) {
        const seg = Array.from(order.subarray(a, b)).sort((p, q) => from[p]! - from[q]! || to[p]! - to[q]!);
        order.set(seg, a);
      }
    }
    const cell = new Int32Array(n), arrive = new Float32Array(n), leave = new Float32Array(n);
    for (let r = 0; r < R; r++) {
      const a = start[r]!, b = start[r + 1]!;
      let prevLeave = -Infinity;
      for (let i = a; i < b; i++) {
        const k = order[i]!;
        cell[i] = cells[k]!;
        // The centre is at this cell from when the body has left the previous cell until the body
        // starts entering the next one; consecutive intervals overlap while the robot drives between.
        let s = i > a ? Math.max(from[k]!, to[order[i - 1]!]!) : from[k]!;
        let e = i < b - 1 ? Math.min(to[k]!, from[order[i + 1]!]!) : Infinity;
        if (s > e) s = e = (s + e) / 2; // passed without stopping: at the centre mid-overlap
        if (s < prevLeave) s = prevLeave;
        if (e < s) e = s;
        arrive[i] = s;
        leave[i] = e;
        prevLeave = e;
      }
    }

    // Events in time order (they are written in tick order; sort only if not).
    const m = this.eAt.n;
    const at = this.eAt.view();
    const eo = Array.from({ length: m }, (_, i) => i);
    let evSorted = true;
    for (let i = 1; i < m && evSorted; i++) if (at[i]! < at[i - 1]!) evSorted = false;
    if (!evSorted) eo.sort((p, q) => at[p]! - at[q]! || p - q);
    const pick = <T extends Float64Array | Int32Array | Int16Array | Uint8Array>(src: Grow<Float64Array | Int32Array>, out: T): T => {
      for (let i = 0; i < m; i++) out[i] = src.get(eo[i]!);
      return out;
    };
    const evAt = pick(this.eAt, new Float64Array(m));
    const evCell = pick(this.eCell, new Int32Array(m));
    const evLevel = pick(this.eLevel, new Int16Array(m));
    const evLift = pick(this.eLift, new Uint8Array(m));
    const ports = new Set<number>();
    const drops: number[] = [];
    for (let i = 0; i < m; i++) {
      if (evLevel[i] === -1) {
        ports.add(evCell[i]!);
        if (evLift[i] === 0) drops.push(evAt[i]!);
      }
    }
    // Ports named in the header keep their order and ids; older traces infer them from the bin events.
    const headerPorts = Array.isArray(h.ports) && h.ports.length > 0 ? h.ports : undefined;
    const kinds = Array.isArray(h.kinds) && h.kinds.length === W * D ? Uint8Array.from(h.kinds) : undefined;
    return {
      ...(h.name ? { name: h.name } : {}), ...(kinds ? { kinds } : {}), ...(headerPorts ? { ports: headerPorts } : {}),
      width: W, depth: D, height: h.height, tickSeconds: h.tickSeconds, heights0,
      robots: R, start, cell, arrive, leave,
      evAt, evCell, evLevel, evLift,
      evRobot: pick(this.eRobot, new Int32Array(m)),
      evBin: pick(this.eBin, new Int32Array(m)),
      portCells: headerPorts ? headerPorts.map((p) => p.y * W + p.x) : [...ports].sort((p, q) => p - q),
      portDrops: Float64Array.from(drops),
      duration: this.duration,
      lines: this.lines,
    };
  }
}

/**
 * Read a trace from a byte stream (a File's or a fetch Response's body), reporting progress as bytes
 * read. Lines are split across chunk boundaries as needed.
 */
export async function readTrace(stream: ReadableStream<Uint8Array>, onProgress: (bytes: number) => void): Promise<ReplayTrace> {
  const b = new TraceBuilder();
  const reader = stream.getReader();
  const dec = new TextDecoder();
  let rest = '';
  let bytes = 0;
  let lineNo = 0;
  const feed = (line: string) => {
    lineNo++;
    try { b.line(line); } catch (e) { throw new Error(`line ${lineNo}: ${e instanceof Error ? e.message : String(e)}`); }
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    const text = rest + dec.decode(value, { stream: true });
    let i = 0;
    for (let j = text.indexOf('\n'); j !== -1; j = text.indexOf('\n', i)) {
      feed(text.slice(i, j));
      i = j + 1;
    }
    rest = text.slice(i);
    onProgress(bytes);
  }
  rest += dec.decode();
  if (rest.trim()) feed(rest);
  return b.finish();
}
