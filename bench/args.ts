// `npm run bench [-- --quick] [--only=engines,ingest,dispatch,e2e] [--dynamodb=memory] [--no-profile]`

export const phases = ["engines", "ingest", "dispatch", "e2e"] as const;
export type Phase = (typeof phases)[number];

export interface BenchArgs {
  quick: boolean;
  only: Phase[];
  dynamodb: "disk" | "memory";
  profile: boolean;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { quick: false, only: [...phases], dynamodb: "disk", profile: true };
  for (const arg of argv) {
    if (arg === "--quick") args.quick = true;
    else if (arg === "--no-profile") args.profile = false;
    else if (arg.startsWith("--only=")) {
      const wanted = arg.slice("--only=".length).split(",").filter(Boolean);
      const unknown = wanted.filter((p) => !(phases as readonly string[]).includes(p));
      if (unknown.length > 0 || wanted.length === 0) throw new Error(`--only: unknown phase "${unknown.join(",")}"; allowed: ${phases.join(", ")}`);
      args.only = wanted as Phase[];
    } else if (arg.startsWith("--dynamodb=")) {
      const value = arg.slice("--dynamodb=".length);
      if (value !== "disk" && value !== "memory") throw new Error(`--dynamodb: "${value}" is not allowed; use disk (as npm start) or memory`);
      args.dynamodb = value;
    } else throw new Error(`unknown argument "${arg}"; allowed: --quick, --only=${phases.join(",")}, --dynamodb=disk|memory, --no-profile`);
  }
  return args;
}

/** How long and how hard each phase runs: full takes about 7 minutes (bounded well under 15), quick about 2. */
export interface BenchPlan {
  /** The unreported warm-up of the whole path (fan-out 3) before the phases. */
  warmUp: { perSecond: number; seconds: number };
  engineSeconds: number;
  ingestConnections: number[];
  ingestSeconds: number;
  dispatchBacklog: number;
  fanOut1Rates: number[];
  fanOut3Rates: number[];
  stepSeconds: number;
  drainTimeoutMs: number;
  ramp: { startPerSecond: number; factor: number; seconds: number; maxSteps: number; drainTimeoutMs: number };
}

export function benchPlan(quick: boolean): BenchPlan {
  return quick
    ? {
        warmUp: { perSecond: 100, seconds: 6 },
        engineSeconds: 3,
        ingestConnections: [10, 50],
        ingestSeconds: 5,
        dispatchBacklog: 1000,
        fanOut1Rates: [250, 1000],
        fanOut3Rates: [250],
        stepSeconds: 6,
        drainTimeoutMs: 20_000,
        ramp: { startPerSecond: 20, factor: 2, seconds: 5, maxSteps: 7, drainTimeoutMs: 15_000 },
      }
    : {
        warmUp: { perSecond: 150, seconds: 15 },
        engineSeconds: 5,
        ingestConnections: [10, 50, 100],
        ingestSeconds: 10,
        dispatchBacklog: 3000,
        fanOut1Rates: [250, 500, 1000, 2000],
        fanOut3Rates: [250, 500, 1000],
        stepSeconds: 15,
        drainTimeoutMs: 40_000,
        ramp: { startPerSecond: 20, factor: 1.5, seconds: 8, maxSteps: 12, drainTimeoutMs: 20_000 },
      };
}
