/**
 * A set of strings that answers "certainly not in it" or "maybe in it": a scalable Bloom filter. The
 * order store keeps the ids of every order it holds in one, so that a new order's idempotency check
 * (is this id taken?) does not ask SQLite about every id that is new, which is nearly all of them: that
 * query was 6 % of the server's main thread under bench:orders. A "maybe" is then asked of SQLite.
 *
 * Layers of growing size (each twice the last); a new layer starts when the last is full. Layer i is
 * sized for 1 % × 2^-i false positives at its capacity (a scalable Bloom filter: 1.44 more bits per id a
 * layer), so the rate over all layers stays under 2 % however many ids come, at 10-20 bits per id. Pure.
 */

/** False positives of the first layer when full, and the factor each further layer tightens it by. */
const FIRST_RATE = 0.01;
const TIGHTENING = 0.5;

/** FNV-1a (32 bits) over the string's UTF-16 code units, from `seed`. Pure. */
function fnv1a(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3's fmix32), so that nearby ids spread over the whole bit array.
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

class Layer {
  readonly bits: Uint32Array;
  readonly size: number;
  readonly hashes: number;
  count = 0;
  /** A Bloom filter for `capacity` ids at `rate` false positives: the optimal bits and hash count. */
  constructor(readonly capacity: number, rate: number) {
    const bitsPerId = -Math.log(rate) / (Math.LN2 * Math.LN2);
    this.size = Math.ceil(capacity * bitsPerId);
    this.hashes = Math.max(1, Math.round(bitsPerId * Math.LN2));
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  add(h1: number, h2: number): void {
    for (let i = 0; i < this.hashes; i++) {
      const b = (h1 + i * h2) % this.size;
      this.bits[b >>> 5]! |= 1 << (b & 31);
    }
    this.count++;
  }

  has(h1: number, h2: number): boolean {
    for (let i = 0; i < this.hashes; i++) {
      const b = (h1 + i * h2) % this.size;
      if ((this.bits[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }
}

export class IdFilter {
  private readonly layers: Layer[];

  constructor(firstCapacity = 1 << 16) {
    if (!(Number.isInteger(firstCapacity) && firstCapacity > 0)) throw new RangeError(`IdFilter: capacity must be a positive integer, got ${firstCapacity}`);
    this.layers = [new Layer(firstCapacity, FIRST_RATE)];
  }

  /** Ids added so far (an id added twice counts twice). */
  get count(): number { return this.layers.reduce((n, l) => n + l.count, 0); }

  /** Bytes of bit arrays held. */
  get bytes(): number { return this.layers.reduce((n, l) => n + l.bits.byteLength, 0); }

  add(id: string): void {
    let last = this.layers[this.layers.length - 1]!;
    if (last.count >= last.capacity) this.layers.push((last = new Layer(last.capacity * 2, FIRST_RATE * TIGHTENING ** this.layers.length)));
    last.add(fnv1a(id, 0x811c9dc5), (fnv1a(id, 0x9747b28c) | 1) >>> 0);
  }

  /** False: `id` was never added. True: it may have been (about 1-2 % of ids never added say true). */
  mayHave(id: string): boolean {
    const h1 = fnv1a(id, 0x811c9dc5), h2 = (fnv1a(id, 0x9747b28c) | 1) >>> 0;
    for (const l of this.layers) if (l.has(h1, h2)) return true;
    return false;
  }
}
