import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConsoleAssets, CONSOLE_STATIC_DIR } from './console-assets';

const repoRoot = join(__dirname, '..', '..', '..', '..');

describe(ConsoleAssets.name, () => {
  const sut = new ConsoleAssets();

  it('serves every file of static/ with its content type (a file of an unknown type would be silently missing)', () => {
    for (const name of readdirSync(CONSOLE_STATIC_DIR)) {
      expect({ name, served: sut.get(name) !== undefined }).toEqual({ name, served: true });
    }
    expect(sut.get('index.html')?.contentType).toBe('text/html; charset=utf-8');
    expect(sut.get('app.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(sut.get('console.css')?.contentType).toBe('text/css; charset=utf-8');
  });

  it('knows nothing outside static/', () => {
    for (const name of ['', '.', '..', '../console.controller.ts', 'console-assets.ts', '%2e%2e'])
      expect(sut.get(name)).toBeUndefined();
  });

  it('every module the shell loads imports only files that exist in static/ (no build step resolves them)', () => {
    const names = new Set(readdirSync(CONSOLE_STATIC_DIR));
    for (const name of [...names].filter((file) => file.endsWith('.js'))) {
      const source = readFileSync(join(CONSOLE_STATIC_DIR, name), 'utf8');
      for (const [, target] of source.matchAll(/from '\.\/([^']+)'/g))
        expect({ name, target, exists: names.has(target) }).toEqual({ name, target, exists: true });
    }
    const shell = readFileSync(join(CONSOLE_STATIC_DIR, 'index.html'), 'utf8');
    for (const [, target] of shell.matchAll(/\/console\/assets\/([^"]+)"/g))
      expect({ target, exists: names.has(target) }).toEqual({ target, exists: true });
  });

  it('nest-cli.json copies static/ into dist beside the compiled module (npm run build)', () => {
    const cli = JSON.parse(readFileSync(join(repoRoot, 'nest-cli.json'), 'utf8'));
    const api = cli.projects.api;
    const source = relative(join(repoRoot, api.sourceRoot), CONSOLE_STATIC_DIR);
    expect(api.compilerOptions.assets).toContainEqual(
      expect.objectContaining({ include: `${source}/**/*`, outDir: 'dist' }),
    );
  });
});
