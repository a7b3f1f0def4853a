/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PrometheusExposition {
  samples: PrometheusSample[];
  /** Metric family → `counter` | `gauge` | `histogram` | `summary` | `untyped`. */
  types: Map<string, string>;
  help: Map<string, string>;
  /**
   * The samples named `name` whose labels include every label in `labels`; with `sum`, the sum of
   * their values (0 when there are none).
   */
  find(name: string, labels?: Record<string, string>): PrometheusSample[];
  sum(name: string, labels?: Record<string, string>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+-?\\d+)?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

/** As Prometheus reads it (Go's ParseFloat): Inf and NaN in any case — prom-client writes `Nan`. */
function parseValue(raw: string, line: string): number {
  if (/^\+?inf(inity)?$/i.test(raw)) return Infinity;
  if (/^-inf(inity)?$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value)) throw new Error(`bad sample value in: ${line}`);
  return value;
}

function parseLabels(raw: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < raw.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(raw);
    if (!match || match.index !== start) throw new Error(`bad labels in: ${line}`);
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (match[3] === '') break;
  }
  return labels;
}

/**
 * Parses the Prometheus text format (0.0.4) strictly: every line is a `# HELP`, a `# TYPE`, a
 * comment or a well-formed sample, and every sample belongs to a family whose TYPE was declared
 * before it. Throws naming the first line that is not.
 */
export function parsePrometheusText(text: string): PrometheusExposition {
  const samples: PrometheusSample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) continue; // a plain comment
      if (!new RegExp(`^${NAME}$`).test(meta[2])) throw new Error(`bad metric name in: ${line}`);
      if (meta[1] === 'TYPE') {
        if (!TYPES.has(meta[3])) throw new Error(`unknown type in: ${line}`);
        types.set(meta[2], meta[3]);
      } else help.set(meta[2], meta[3]);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, rawLabels, rawValue] = match;
    const family = types.has(name)
      ? name
      : SUFFIXES.map((suffix) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : ''))
          .filter(Boolean)
          .find((base) => types.has(base));
    if (family === undefined) throw new Error(`sample without a declared TYPE: ${line}`);
    samples.push({
      name,
      labels: rawLabels ? parseLabels(rawLabels, line) : {},
      value: parseValue(rawValue, line),
    });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  return {
    samples,
    types,
    help,
    find,
    sum: (name, labels) => find(name, labels).reduce((total, sample) => total + sample.value, 0),
  };
}
