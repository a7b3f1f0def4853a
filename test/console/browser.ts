import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (installed by .ci/run); the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'console');

/** Fails (never skips) when chromium is missing, naming the command that installs it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The console's browser tests need Debian's chromium at ${CHROMIUM}, and it is missing. ` +
        'Install it with `apt-get install -y chromium` (.ci/run does this); a browser is never downloaded.',
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageProblems {
  /** Uncaught exceptions and Content-Security-Policy violations seen by the page. */
  list: string[];
}

/**
 * A fresh browser context on `base`: nothing outside it is fetched (Bull Board asks for web fonts),
 * and every page's uncaught errors and CSP violations are collected.
 */
export async function newContext(
  browser: Browser,
  base: string,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; problems: PageProblems }> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  await context.route(
    (url) => url.origin !== base,
    (route) => route.abort(),
  );
  const problems: PageProblems = { list: [] };
  context.on('page', (page) => watch(page, problems));
  return { context, problems };
}

function watch(page: Page, problems: PageProblems): void {
  page.on('pageerror', (error) => problems.list.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      problems.list.push(`CSP: ${message.text()}`);
  });
}

/** Saves test-artifacts/console/<name>.png: the whole page, or only the viewport (for a modal dialog). */
export async function screenshot(
  page: Page,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

/** An element as the tests read it in the page. */
export interface PageElement {
  id: string;
  textContent: string | null;
}

/**
 * The few browser names the tests use inside `page.evaluate` (the project's TypeScript has no DOM
 * library, and should not: it is server code). Use as `globalThis as unknown as PageWindow`.
 */
export interface PageWindow {
  document: {
    activeElement: PageElement | null;
    documentElement: { scrollWidth: number; clientWidth: number };
  };
  navigator: { clipboard: { readText(): Promise<string> } };
  getComputedStyle(element: PageElement): { outlineStyle: string };
}

/** How far the page is wider than the viewport (0 when there is no horizontal scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    return document.documentElement.scrollWidth - document.documentElement.clientWidth;
  });
}
