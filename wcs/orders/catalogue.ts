/**
 * The site's catalogue: SKU codes and names over the dense SKU ids the grid and ledger use. A scenario's
 * seeded SKUs get stable codes (`SKU-000001` is id 0, the most popular), so the same scenario always
 * sells the same codes. Pure apart from its construction.
 */

export interface SkuRecord { id: number; code: string; name: string }

/** Stable code of seeded SKU id `i`. Pure. */
export function seededSkuCode(i: number): string {
  return `SKU-${String(i + 1).padStart(6, '0')}`;
}

export class Catalogue {
  private readonly byCode = new Map<string, number>();
  private readonly codes: string[];
  private readonly names: string[];
  /** Ids sorted by code, for prefix search. */
  private readonly sorted: number[];

  constructor(records: readonly { code: string; name: string }[]) {
    this.codes = records.map((r) => r.code);
    this.names = records.map((r) => r.name);
    records.forEach((r, i) => {
      if (this.byCode.has(r.code)) throw new RangeError(`CATALOGUE_DUPLICATE_CODE: ${r.code}`);
      this.byCode.set(r.code, i);
    });
    this.sorted = records.map((_, i) => i).sort((a, b) => (this.codes[a]! < this.codes[b]! ? -1 : 1));
  }

  /** The catalogue of a scenario's `skus` seeded SKUs. */
  static seeded(skus: number): Catalogue {
    return new Catalogue(Array.from({ length: skus }, (_, i) => ({ code: seededSkuCode(i), name: `Item ${i + 1}` })));
  }

  get size(): number { return this.codes.length; }

  /** Id of a code, or undefined. Pure. */
  id(code: string): number | undefined { return this.byCode.get(code); }

  /** Code of an id. Pure. */
  code(id: number): string { return this.codes[id]!; }

  record(id: number): SkuRecord { return { id, code: this.codes[id]!, name: this.names[id]! }; }

  /**
   * Up to `limit` SKUs whose code starts with `prefix`, in code order, after the code `after` (a cursor).
   * O(log n + limit). Pure.
   */
  search(prefix: string, limit: number, after?: string): SkuRecord[] {
    const start = after !== undefined && after >= prefix ? after : prefix;
    let lo = 0, hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.codes[this.sorted[mid]!]!;
      if (c < start || (after !== undefined && c === after)) lo = mid + 1; else hi = mid;
    }
    const out: SkuRecord[] = [];
    for (let k = lo; k < this.sorted.length && out.length < limit; k++) {
      const id = this.sorted[k]!;
      if (!this.codes[id]!.startsWith(prefix)) break;
      out.push(this.record(id));
    }
    return out;
  }
}
