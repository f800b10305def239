/** Small pure formatters shared by the panels. */

/** Seconds → h:mm:ss. */
export function clock(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
}

/** A share 0..1 → "12.3 %". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

/** A round number at or above x (1, 2, 5 × 10^k), for chart axes. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/** Integer with thin thousands separators. */
export function int(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}
