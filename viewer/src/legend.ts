/**
 * The legend: robot state colours, the stack height ramp (0 to the grid's height) and the cell kinds.
 * Built from the same palette the layers draw with.
 */
import { ROBOT_STATES } from '../../wcs/protocol.ts';
import { css, heightColor, KIND_BLOCKED, KIND_BUFFER, KIND_CHARGER, KIND_COLORS, KIND_PORT, KIND_STREET, STATE_COLORS } from './colors.ts';

const chip = (c: number) => `<span class="chip" style="background:${css(c)}"></span>`;

export class Legend {
  private shownHeight = -1;
  private readonly heights = document.getElementById('legend-heights')!;

  constructor() {
    document.getElementById('legend-states')!.innerHTML =
      ROBOT_STATES.map((s) => `<div>${chip(STATE_COLORS[s])}${s}</div>`).join('') +
      '<div class="muted" style="grid-column: span 2">square frame: carrying a bin · notch: heading</div>';
    const kinds: [string, number][] = [
      ['street', KIND_COLORS[KIND_STREET]!], ['port', KIND_COLORS[KIND_PORT]!], ['buffer', KIND_COLORS[KIND_BUFFER]!],
      ['charger', KIND_COLORS[KIND_CHARGER]!], ['blocked', KIND_COLORS[KIND_BLOCKED]!], ['port queue', 0xf2a33a],
    ];
    document.getElementById('legend-cells')!.innerHTML = kinds.map(([n, c]) => `<div>${chip(c)}${n}</div>`).join('');
  }

  /** Label the height ramp for stacks of at most `max` bins. */
  update(max: number): void {
    if (max === this.shownHeight) return;
    this.shownHeight = max;
    const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `${css(heightColor(t * max, max))} ${t * 100}%`).join(', ');
    this.heights.innerHTML =
      `<div class="muted">stack height (bins)</div>` +
      `<div class="ramp" style="background: linear-gradient(to right, ${stops})"></div>` +
      `<div class="ramp-labels"><span>0</span><span>${Math.round(max / 2)}</span><span>${max}</span></div>`;
  }
}
