/**
 * The simulation controls: pause, resume, step and speed (1-1000) as POST /api/control requests, and the
 * run's state as the server reports it (paused, requested and achieved speed, tick, simulated time). In
 * replay mode the controls are disabled: the replay has its own player.
 */
import type { ControlRequest, ControlState } from '../../wcs/protocol.ts';
import { postControl } from './api.ts';
import { clock } from './format.ts';
import type { ViewStore } from './store.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** Clamp a requested speed to the protocol's range 1-1000; NaN when not a number. Pure. */
export function clampSpeed(x: number): number {
  return Number.isFinite(x) ? Math.min(1000, Math.max(1, x)) : NaN;
}

export class Controls {
  private readonly speed = $<HTMLInputElement>('speed');
  private readonly runState = $('run-state');
  private readonly tick = $('tick');
  private readonly simTime = $('sim-time');
  private readonly requested = $('speed-requested');
  private readonly achieved = $('speed-achieved');
  private controlVersion = -1;
  private kpiVersion = -1;
  private shownTick = -1;
  private shownSecond = -1;
  private mode = '';

  constructor(private readonly store: ViewStore, private readonly onError: (msg: string) => void) {
    $('pause').addEventListener('click', () => this.send({ action: 'pause' }));
    $('resume').addEventListener('click', () => this.send({ action: 'resume' }));
    $('step').addEventListener('click', () => this.send({ action: 'step', ticks: 1 }));
    $('speed-apply').addEventListener('click', () => this.applySpeed());
    this.speed.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.applySpeed(); });
    for (const b of document.querySelectorAll<HTMLButtonElement>('.speed-preset')) {
      b.addEventListener('click', () => { this.speed.value = b.dataset.speed ?? '1'; this.applySpeed(); });
    }
  }

  private applySpeed(): void {
    const v = clampSpeed(Number(this.speed.value));
    if (Number.isNaN(v)) { this.onError('speed must be a number from 1 to 1000'); return; }
    this.speed.value = String(v);
    this.send({ action: 'speed', speed: v });
  }

  private send(req: ControlRequest): void {
    if (this.store.mode !== 'live') return;
    postControl(req).then(
      (res) => {
        // If the server answers with the new control state, show it at once (frames confirm it later).
        const c = res as Partial<ControlState> | undefined;
        if (c && typeof c.paused === 'boolean' && typeof c.speed === 'number') this.store.setControl({ paused: c.paused, speed: c.speed });
      },
      (e: unknown) => this.onError(`control ${req.action}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Refresh what changed (called every animation frame; cheap when nothing did). */
  update(): void {
    const s = this.store;
    if (s.mode !== this.mode) {
      this.mode = s.mode;
      const off = s.mode !== 'live';
      for (const id of ['pause', 'resume', 'step', 'speed', 'speed-apply']) ($(id) as HTMLButtonElement).disabled = off;
      for (const b of document.querySelectorAll<HTMLButtonElement>('.speed-preset')) b.disabled = off;
      this.controlVersion = -1;
    }
    if (s.tick !== this.shownTick) {
      this.shownTick = s.tick;
      this.tick.textContent = String(s.tick);
    }
    const sec = Math.floor(s.simSeconds);
    if (sec !== this.shownSecond) {
      this.shownSecond = sec;
      this.simTime.textContent = clock(sec);
    }
    if (s.controlVersion !== this.controlVersion) {
      this.controlVersion = s.controlVersion;
      const c = s.control;
      if (s.mode === 'replay') {
        this.runState.textContent = 'replay';
        this.runState.className = 'pill';
      } else if (c) {
        this.runState.textContent = c.paused ? 'paused' : 'running';
        this.runState.className = `pill ${c.paused ? 'warn' : 'ok'}`;
        this.requested.textContent = `${c.speed}×`;
        if (document.activeElement !== this.speed) this.speed.value = String(c.speed);
        $('pause').classList.toggle('active', c.paused);
        $('resume').classList.toggle('active', !c.paused);
      }
    }
    if (s.kpiVersion !== this.kpiVersion) {
      this.kpiVersion = s.kpiVersion;
      const a = s.kpis?.actualSpeed;
      this.achieved.textContent = a !== undefined && Number.isFinite(a) ? `${a.toFixed(1)}×` : '—';
    }
  }
}
