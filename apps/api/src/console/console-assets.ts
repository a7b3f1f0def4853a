import { Injectable } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Where the console's files are: beside this module in the sources and, copied by `nest build`, in dist. */
export const CONSOLE_STATIC_DIR = join(__dirname, 'static');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/**
 * The console's files, read once at start. Only files that exist in the directory at start and have
 * a known type are ever served, so a request path can never reach anything else on disk.
 */
@Injectable()
export class ConsoleAssets {
  private readonly files = new Map<string, ConsoleAsset>();

  constructor() {
    let names: string[];
    try {
      names = readdirSync(CONSOLE_STATIC_DIR);
    } catch (error) {
      throw new Error(
        `The web console's files are missing from ${CONSOLE_STATIC_DIR} (${(error as Error).message}); ` +
          'run `npm run build`, which copies them (nest-cli.json "assets")',
        { cause: error },
      );
    }
    for (const name of names) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (contentType)
        this.files.set(name, { body: readFileSync(join(CONSOLE_STATIC_DIR, name)), contentType });
    }
    if (!this.files.has('index.html'))
      throw new Error(`The web console's index.html is missing from ${CONSOLE_STATIC_DIR}`);
  }

  get(name: string): ConsoleAsset | undefined {
    return this.files.get(name);
  }
}
