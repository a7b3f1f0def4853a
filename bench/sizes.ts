/** Run sizes: `--quick` is the smoke that shows the harness works (< 2 min), not a measurement. */
export interface BenchSizes {
  rounds: number;
  referenceMs: number;
  r2Jobs: number;
  r2FootprintJobs: number;
  e2eMs: number;
  e2eConcurrency: number;
  latencyMs: number;
  fanoutLevels: number[];
  fanoutDeliveries: number;
  growthLevels: number[];
  growthMs: number;
  memoryEvents: number;
  isolationBaselineMs: number;
  isolationStormMs: number;
}

export const FULL: BenchSizes = {
  rounds: 3,
  referenceMs: 5_000,
  r2Jobs: 20_000,
  r2FootprintJobs: 10_000,
  e2eMs: 10_000,
  e2eConcurrency: 32,
  latencyMs: 15_000,
  fanoutLevels: [1, 10, 100, 1000],
  fanoutDeliveries: 12_000,
  growthLevels: [10, 100_000],
  growthMs: 8_000,
  memoryEvents: 500,
  isolationBaselineMs: 15_000,
  isolationStormMs: 60_000,
};

export const QUICK: BenchSizes = {
  rounds: 1,
  referenceMs: 1_500,
  r2Jobs: 2_000,
  r2FootprintJobs: 1_000,
  e2eMs: 3_000,
  e2eConcurrency: 16,
  latencyMs: 2_000,
  fanoutLevels: [1, 10, 100],
  fanoutDeliveries: 300,
  growthLevels: [10, 1_000],
  growthMs: 2_000,
  memoryEvents: 50,
  isolationBaselineMs: 2_000,
  isolationStormMs: 4_000,
};
