// docker/Dockerfile and docker/compose.yaml, checked without a Docker engine (this kind of machine
// has none). The compose file is read the way Compose reads it: by `docker compose config` when the
// client here has the compose plugin, otherwise parsed with js-yaml (a dev dependency) and
// interpolated by the small `${VAR:-default}` / `${VAR:?error}` implementation below; the test log
// says which. Either way the resolved environment of each app must pass Herald's own config
// validation, so the compose file cannot drift from libs/config.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { load, YAML11_SCHEMA } from 'js-yaml';
import { loadConfig } from '@herald/config';

const repoRoot = path.resolve(__dirname, '../..');
const composeFile = path.join(repoRoot, 'docker/compose.yaml');
const dockerfile = readFileSync(path.join(repoRoot, 'docker/Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

type Env = Record<string, string | undefined>;
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number | string; published?: number | string })[];
  volumes?: (string | { source?: string; target: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  init?: boolean;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The shell environment Compose would see: the caller's variables only, none of this machine's. */
function composeEnv(vars: Env): Env {
  const env: Env = { PATH: process.env.PATH, HOME: process.env.HOME };
  return { ...env, ...vars };
}

// ---- reading compose.yaml -------------------------------------------------------------------------

const composeClient = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
const hasComposeClient = composeClient.status === 0;

/** `docker compose config`: parsing, schema validation and interpolation by Compose itself. */
function composeConfig(vars: Env): { compose?: Compose; error?: string } {
  const result = spawnSync(
    'docker',
    ['compose', '--env-file', '/dev/null', '-f', composeFile, 'config', '--format', 'json'],
    { cwd: repoRoot, env: composeEnv(vars), encoding: 'utf8' },
  );
  if (result.status !== 0) return { error: `${result.stderr}${result.stdout}` };
  return { compose: JSON.parse(result.stdout) as Compose };
}

/** Compose's interpolation of the forms compose.yaml uses: $$, $VAR, ${VAR}, ${VAR:-x}, ${VAR-x}, ${VAR:?x}, ${VAR?x}. */
function interpolate(value: unknown, vars: Env): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (match, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
        if (match === '$$') return '$';
        if (bare) return vars[bare] ?? '';
        const raw = vars[name!];
        const missing = colon ? !raw : raw === undefined;
        if (!op) return raw ?? '';
        if (!missing) return raw!;
        if (op === '-') return arg!;
        throw new Error(`required variable ${name} is missing a value: ${arg}`);
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, vars)]),
    );
  }
  return value;
}

function parsedConfig(vars: Env): { compose?: Compose; error?: string } {
  // YAML 1.1 schema: it applies the `<<` merge keys that Compose applies.
  const raw = load(readFileSync(composeFile, 'utf8'), { schema: YAML11_SCHEMA });
  try {
    return { compose: interpolate(raw, vars) as Compose };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const resolve = (vars: Env) => (hasComposeClient ? composeConfig(vars) : parsedConfig(vars));

function resolved(vars: Env = {}): Compose {
  const { compose, error } = resolve({ HERALD_SECRET_KEY: SECRET_KEY, ...vars });
  if (!compose) throw new Error(`compose.yaml did not resolve: ${error}`);
  return compose;
}

const environment = (service: Service): Env =>
  Array.isArray(service.environment)
    ? Object.fromEntries(
        service.environment.map((entry) => {
          const at = entry.indexOf('=');
          return at < 0 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
        }),
      )
    : Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          value === null ? undefined : String(value),
        ]),
      );

const command = (service: Service): string[] =>
  typeof service.command === 'string' ? service.command.split(/\s+/) : (service.command ?? []);

const healthcheck = (service: Service): string =>
  [service.healthcheck?.test ?? []].flat().join(' ');

const publishedTargets = (service: Service): number[] =>
  (service.ports ?? []).map((port) =>
    typeof port === 'string' ? Number(port.split(':').pop()) : Number(port.target),
  );

const dependencies = (service: Service): Record<string, string | undefined> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, undefined]))
    : Object.fromEntries(
        Object.entries(service.depends_on ?? {}).map(([name, dep]) => [name, dep.condition]),
      );

const durationSeconds = (value: string | undefined): number => {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(value ?? '');
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : NaN;
};

// ---- reading the Dockerfile ---------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, continuation lines joined, comments and the parser directive dropped. */
function instructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue; // comments, also inside a continued instruction
    const continued = /\\\s*$/.test(line);
    current += (current ? ' ' : '') + line.replace(/\\\s*$/, '').trim();
    if (!continued) {
      if (current.trim()) logical.push(current.trim());
      current = '';
    }
  }
  return logical.map((line) => {
    const [keyword, ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
  });
}

function stages(text: string): { from: string; name?: string; body: Instruction[] }[] {
  const result: { from: string; name?: string; body: Instruction[] }[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/).filter((arg) => !/^--/.test(arg));
      result.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, body: [] });
    } else if (result.length) {
      result[result.length - 1].body.push(instruction);
    }
  }
  return result;
}

const jsonForm = (args: string): string[] => JSON.parse(args) as string[];

// ---- the tests ------------------------------------------------------------------------------------

describe('docker/compose.yaml', () => {
  beforeAll(() => {
    console.log(
      hasComposeClient
        ? `compose.yaml is checked by \`docker compose config\` (${composeClient.stdout.trim()})`
        : 'docker compose is not available on this machine (no compose plugin): compose.yaml is ' +
            'checked as parsed by js-yaml and interpolated by this test instead of by Compose',
    );
  });

  it('resolves, and has postgres, redis, api and worker', () => {
    const { services } = resolved();
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
  });

  it('refuses to start without HERALD_SECRET_KEY, saying how to make one', () => {
    const { compose, error } = resolve({});
    expect(compose).toBeUndefined();
    expect(error).toContain('HERALD_SECRET_KEY');
    expect(error).toContain('openssl rand -base64 32');
  });

  it('runs PostgreSQL and Redis on volumes, Redis with AOF and noeviction, each with a health check', () => {
    const { services, volumes } = resolved();
    expect(services.postgres.image).toMatch(/^postgres:1[67](\D|$)/);
    expect(services.redis.image).toMatch(/^redis:7(\D|$)/);
    expect(healthcheck(services.postgres)).toContain('pg_isready');
    expect(healthcheck(services.redis)).toContain('redis-cli ping');

    const redisArgs = command(services.redis).join(' ');
    expect(redisArgs).toContain('--appendonly yes');
    expect(redisArgs).toContain('--maxmemory-policy noeviction');

    for (const name of ['postgres', 'redis']) {
      const mounts = (services[name].volumes ?? []).map((volume) =>
        typeof volume === 'string' ? volume.split(':')[0] : volume.source,
      );
      expect(mounts.length).toBeGreaterThan(0);
      for (const mount of mounts) expect(Object.keys(volumes ?? {})).toContain(mount);
    }
  });

  it('builds one image from the repository root with docker/Dockerfile and runs both apps from it', () => {
    const { services } = resolved();
    for (const name of ['api', 'worker']) {
      const build = services[name].build!;
      expect(path.resolve(path.dirname(composeFile), build.context!)).toBe(repoRoot);
      expect(build.dockerfile).toMatch(/(^|\/)docker\/Dockerfile$/);
      expect(services[name].image).toBe(services.api.image);
      expect(services[name].init).toBe(true);
      expect(durationSeconds(services[name].stop_grace_period)).toBeGreaterThanOrEqual(30);
    }
    // The commands are exactly the package.json scripts the README documents.
    expect(command(services.api).join(' ')).toBe(packageJson.scripts['start:api']);
    expect(command(services.worker).join(' ')).toBe(packageJson.scripts['start:worker']);
  });

  it('starts the API after healthy PostgreSQL and Redis, and the worker after a healthy API', () => {
    const { services } = resolved();
    expect(dependencies(services.api)).toEqual({
      postgres: 'service_healthy',
      redis: 'service_healthy',
    });
    expect(dependencies(services.worker)).toEqual({
      postgres: 'service_healthy',
      redis: 'service_healthy',
      api: 'service_healthy',
    });
    expect(healthcheck(services.api)).toMatch(/node docker\/healthcheck\.cjs 3000$/);
    expect(healthcheck(services.worker)).toMatch(/node docker\/healthcheck\.cjs 3001$/);
    expect(publishedTargets(services.api)).toEqual([3000]);
    expect(publishedTargets(services.worker)).toEqual([3001]);
  });

  it("gives each app an environment that Herald's config validation accepts", () => {
    const { services } = resolved();
    const api = loadConfig(environment(services.api));
    expect(api.port).toBe(3000);
    expect(api.databaseUrl).toBe('postgres://herald:herald@postgres:5432/herald');
    expect(api.redisUrl).toBe('redis://redis:6379');
    expect(api.secretKey.toString('base64')).toBe(SECRET_KEY);
    expect(api.migrate).toBe(true);
    expect(api.bootstrapAdmin).toBeNull();
    expect(api.allowPrivateTargets).toBe(false);

    const worker = loadConfig(environment(services.worker));
    expect(worker.workerPort).toBe(3001);
    expect(worker.databaseUrl).toBe(api.databaseUrl);
    expect(worker.redisUrl).toBe(api.redisUrl);
    expect(worker.secretKey.toString('base64')).toBe(SECRET_KEY);
  });

  it('passes the optional admin and other settings through from the shell', () => {
    const { services } = resolved({
      HERALD_ADMIN_EMAIL: 'admin@example.com',
      HERALD_ADMIN_PASSWORD: 'a long password',
      HERALD_ALLOW_PRIVATE_TARGETS: 'true',
      POSTGRES_PASSWORD: 'another',
    });
    const api = loadConfig(environment(services.api));
    expect(api.bootstrapAdmin).toEqual({
      email: 'admin@example.com',
      password: 'a long password',
    });
    expect(api.allowPrivateTargets).toBe(true);
    expect(api.databaseUrl).toBe('postgres://herald:another@postgres:5432/herald');
    expect(environment(services.postgres).POSTGRES_PASSWORD).toBe('another');
  });
});

describe('docker/Dockerfile', () => {
  const all = stages(dockerfile);
  const final = all[all.length - 1];
  const finalOf = (keyword: string) => final.body.filter((i) => i.keyword === keyword);

  it('builds on Node 24 slim in several stages: npm ci with the lock file, the build, production dependencies', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    // Each stage starts from node:24-slim or from an earlier stage.
    all.forEach((stage, index) => {
      const earlier = all.slice(0, index).map((previous) => previous.name);
      expect(earlier.includes(stage.from) ? 'an earlier stage' : stage.from).toMatch(
        /^node:24-slim$|^an earlier stage$/,
      );
    });

    const runs = all.flatMap((stage) => stage.body.filter((i) => i.keyword === 'RUN'));
    const copies = all.flatMap((stage) => stage.body.filter((i) => i.keyword === 'COPY'));
    expect(copies.some((copy) => copy.args.includes('package-lock.json'))).toBe(true);
    expect(runs.some((run) => /\bnpm ci\b/.test(run.args))).toBe(true);
    expect(runs.some((run) => /\bnpm run build\b/.test(run.args))).toBe(true);
    expect(runs.some((run) => /\bnpm (ci|prune)\b.*--omit=dev/.test(run.args))).toBe(true);
  });

  it('ships only dist/, production node_modules, package.json and the health check script', () => {
    // What lands in /app: the destination, or each source's name when the destination is a folder.
    const targets = finalOf('COPY').flatMap((copy) => {
      const parts = copy.args.split(/\s+/).filter((arg) => !arg.startsWith('--'));
      const destination = parts.pop()!.replace(/^\.\/?/, '');
      return destination === '' || destination.endsWith('/')
        ? parts.map((source) => destination + path.basename(source))
        : [destination];
    });
    expect(targets.sort()).toEqual(
      ['dist', 'docker/healthcheck.cjs', 'node_modules', 'package.json'].sort(),
    );
    expect(finalOf('COPY').find((copy) => copy.args.endsWith('node_modules'))?.args).toMatch(
      /--from=prod-deps\b/,
    );
    expect(
      all
        .find((stage) => stage.name === 'prod-deps')
        ?.body.map((i) => i.args)
        .join('\n'),
    ).toMatch(/--omit=dev/);
  });

  it('copies only files that exist from the build context', () => {
    for (const copy of all.flatMap((stage) => stage.body.filter((i) => i.keyword === 'COPY'))) {
      if (copy.args.includes('--from=')) continue;
      const parts = copy.args.split(/\s+/).filter((arg) => !arg.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(path.join(repoRoot, source))).toBe(true);
      }
    }
  });

  it('runs as the non-root node user, in production mode, under tini', () => {
    const users = finalOf('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1].args).toBe('node');
    expect(
      finalOf('ENV')
        .map((env) => env.args)
        .join(' '),
    ).toMatch(/\bNODE_ENV=production\b/);
    expect(jsonForm(finalOf('ENTRYPOINT')[0].args)[0]).toMatch(/(^|\/)tini$/);
  });

  it('starts the API by default with the start:api command and exposes 3000 and 3001', () => {
    expect(jsonForm(finalOf('CMD')[0].args).join(' ')).toBe(packageJson.scripts['start:api']);
    expect(packageJson.scripts['start:worker']).toBe('node dist/apps/worker/src/main.js');
    const exposed = finalOf('EXPOSE').flatMap((expose) => expose.args.split(/\s+/));
    expect(exposed).toEqual(expect.arrayContaining(['3000', '3001']));
  });

  it('checks /health/ready with node (the slim image has no curl)', () => {
    const check = finalOf('HEALTHCHECK');
    expect(check).toHaveLength(1);
    const cmd = check[0].args.slice(check[0].args.indexOf('CMD') + 3).trim();
    expect(jsonForm(cmd)).toEqual(['node', 'docker/healthcheck.cjs']);
    expect(readFileSync(path.join(repoRoot, 'docker/healthcheck.cjs'), 'utf8')).toContain(
      "path: '/health/ready'",
    );
  });

  it('bakes in no secret or connection string', () => {
    const settings = all.flatMap((stage) =>
      stage.body.filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG'),
    );
    for (const setting of settings) {
      expect(setting.args).not.toMatch(/SECRET|PASSWORD|DATABASE_URL|REDIS_URL|TOKEN|KEY/i);
    }
  });

  it('keeps local state, secrets and build output out of the build context', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', '.git', '.data', '**/.env']) {
      expect(ignored).toContain(entry);
    }
    for (const needed of ['package.json', 'package-lock.json', 'apps', 'libs', 'docker']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('docker/healthcheck.cjs', () => {
  let server: http.Server;
  let port: number;
  let status = 200;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      response.writeHead(request.url === '/health/ready' ? status : 404).end('{}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const run = (args: string[], env: Env = {}) =>
    new Promise<number | null>((done) => {
      const child = spawn(process.execPath, ['docker/healthcheck.cjs', ...args], {
        cwd: repoRoot,
        env: composeEnv(env),
        stdio: 'ignore',
      });
      child.once('exit', (code) => done(code));
    });

  it('exits 0 only when /health/ready answers 200', async () => {
    status = 200;
    expect(await run([String(port)])).toBe(0);
    status = 503;
    expect(await run([String(port)])).toBe(1);
  });

  it('exits 1 when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    expect(await run([String(freePort)])).toBe(1);
  });

  it("without an argument, checks the port of the container's app from its environment", async () => {
    status = 200;
    // PORT for the API, HERALD_WORKER_PORT when a worker runs: both point at the stub here.
    expect(await run([], { PORT: String(port), HERALD_WORKER_PORT: String(port) })).toBe(0);
  });
});
