/**
 * The scenario file format (scenarios/*.json), as written by users. scenarios/scenario.schema.json is the
 * editor-facing JSON Schema of the same shape; wcs/scenario/load.ts validates a file against it, applies
 * defaults and splits it into the physical WorldConfig (sim/) and the WcsConfig (wcs/).
 */
import type { WorldConfig } from '../../sim/config.ts';

export interface CellRef { x: number; y: number }
export interface Rect { x: number; y: number; w?: number; h?: number }

export interface StageSpec { meanSeconds: number; cv?: number }

/** The operator at a port (see StationModel in sim/config.ts and the schema's defaults). */
export interface StationSpec { exchange?: StageSpec; line?: StageSpec; unit?: StageSpec; minSeconds?: number; staffed?: boolean }

/** Fields shared by a single port and a row of ports. */
export interface PortCommon {
  type: 'conveyor' | 'carousel';
  queueLimit?: number;        // default 2
  bufferCells?: number;       // default 1 (1 or 2)
  binPositions?: number;      // default carousel 3, conveyor 4
  minCycleSeconds?: number;   // default 8
  transferSeconds?: number;   // default carousel 2.5, conveyor 4
  handoverDepth?: number;     // default 1.0 m
  station?: StationSpec;      // default exchange carousel 3 s / conveyor 5 s, line 5 s, unit 1.5 s
}

/** One port: its cell on the grid edge, and the direction of its buffer cells (inwards). */
export interface PortSpec extends PortCommon {
  id: string;
  x: number;
  y: number;
  /** Which grid edge the port sits on; buffer cells extend inwards from it. */
  edge: 'north' | 'south' | 'east' | 'west';
}

/** A row of identical ports along one grid edge: port i sits at start + i * spacing along the edge. */
export interface PortRowSpec extends PortCommon {
  idPrefix: string;
  edge: 'north' | 'south' | 'east' | 'west';
  start: number;
  count: number;
  spacing: number;
}

export interface ScenarioFile {
  $schema?: string;
  name: string;
  description?: string;
  /** Every assumption the sources do not give. */
  notes: string[];
  seed?: number;              // default 1
  tickSeconds?: number;       // default 0.1
  grid: {
    width: number;
    depth: number;
    height: number;           // max bins per stack
    pitch?: { x: number; y: number };  // default SDG 0.705 x 0.48
    binHeight?: number;       // default 0.33
    blocked?: Rect[];
    chargers?: CellRef[];
  };
  robots: {
    count: number;
    model?: 'R5';
    kinematics?: Partial<Omit<WorldConfig['robotModel'], 'name'>>;
  };
  ports: (PortSpec | PortRowSpec)[];
  bins: {
    count: number;
    zones?: number;           // default 1
  };
  inventory: {
    skus: number;
    /** Units of one SKU in a bin (one SKU per bin compartment; bins hold `compartments` SKUs). */
    unitsPerBin: { min: number; max: number };
    compartments?: number;    // default 1
    /** Compartments stocked per SKU on average (SKU duplication); default every compartment stocked. */
    slotsPerSku?: number;
  };
  orders: {
    mode: 'backlog' | 'arrivals';
    linesPerOrder: { mean: number; max: number };
    unitsPerLine: { mean: number; max: number };
    /** SKU popularity: `share` of the lines go to the most popular `of` fraction of SKUs (0.8 / 0.2). */
    skew: { share: number; of: number };
    /** arrivals mode: Poisson rate and an optional 24-value hourly profile (relative weights). */
    ordersPerHour?: number;
    hourlyProfile?: number[];
    /** backlog mode: orders kept open at all times. default: enough for the look-ahead. */
    backlogOrders?: number;
    /** Channel mix: relative weights per channel. */
    channels?: Record<string, number>;
  };
  dispatch?: {
    lookaheadSeconds?: number;          // default 1800
    returnPolicy?: 'nearest' | 'zone';  // default nearest
    digPolicy?: 'nearest';              // default nearest
    assignment?: 'cost' | 'nearest-idle'; // default cost
    portStaging?: boolean;              // default true
  };
}

export interface WcsConfig {
  seed: number;
  skus: number;
  unitsPerBin: { min: number; max: number };
  compartments: number;
  /** Compartments stocked per SKU on average; undefined: every compartment. */
  slotsPerSku?: number;
  orders: {
    mode: 'backlog' | 'arrivals';
    linesPerOrder: { mean: number; max: number };
    unitsPerLine: { mean: number; max: number };
    skew: { share: number; of: number };
    ordersPerHour: number;
    hourlyProfile: number[];  // 24 weights
    backlogOrders: number;
    channels: Record<string, number>;
  };
  lookaheadSeconds: number;
  assignment: 'cost' | 'nearest-idle';
  /** Where bins go back from a port: the nearest stack with room, or within their home zone. */
  returnPolicy: 'nearest' | 'zone';
  /** Zones for the 'zone' return policy: stripes across the grid's width; a bin's zone is the one it starts in. */
  zones: number;
  /** Robots not yet admitted to a port's queue wait near the port (true) or where they are (false). */
  portStaging: boolean;
}

export interface LoadedScenario {
  file: ScenarioFile;
  world: WorldConfig;
  wcs: WcsConfig;
}
