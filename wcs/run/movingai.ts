/**
 * MovingAI `.map` files (the standard multi-robot path-finding benchmark format): header lines
 * `type octile`, `height H`, `width W`, `map`, then H rows of W characters. Obstacles: `@`, `T`, `W`, `O`;
 * free: `.`, `G`, `S`, `E`. Task endpoints ('errand' cells) are the `E` and `S` cells where the map has
 * any, else every free cell. Pure parsing; errors name the line.
 */

export interface GridMap {
  width: number;
  height: number;
  /** 1 where blocked, row-major (index row * width + col). */
  blocked: Uint8Array;
  /** Cells tasks go to. */
  errands: number[];
}

export function parseMovingAiMap(text: string, name = 'map'): GridMap {
  const lines = text.split(/\r?\n/);
  let width = -1, height = -1, i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === 'map') { i++; break; }
    const m = /^(type|height|width)\s+(\S+)$/.exec(l);
    if (!m) throw new Error(`${name}:${i + 1}: expected a header line (type, height, width, map), got ${JSON.stringify(l)}`);
    if (m[1] === 'height') height = Number(m[2]);
    if (m[1] === 'width') width = Number(m[2]);
  }
  if (!(width > 0 && height > 0)) throw new Error(`${name}: expected positive width and height in the header`);
  const blocked = new Uint8Array(width * height);
  const special: number[] = [];
  const free: number[] = [];
  for (let r = 0; r < height; r++) {
    const row = lines[i + r];
    if (row === undefined || row.length < width) throw new Error(`${name}:${i + r + 1}: expected a row of ${width} cells`);
    for (let c = 0; c < width; c++) {
      const ch = row[c]!;
      const idx = r * width + c;
      if (ch === '@' || ch === 'T' || ch === 'W' || ch === 'O') { blocked[idx] = 1; continue; }
      free.push(idx);
      if (ch === 'E' || ch === 'S') special.push(idx);
    }
  }
  return { width, height, blocked, errands: special.length > 0 ? special : free };
}
