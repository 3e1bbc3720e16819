import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium from the system's package (Debian's `chromium`: /usr/bin/chromium), driven by
 * playwright-core: no browser download. BATON_CHROMIUM names another executable.
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | undefined {
  const configured = process.env.BATON_CHROMIUM;
  if (configured) return fs.existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((p) => fs.existsSync(p));
}

export const NO_BROWSER = `No Chromium to drive: install Debian's package (\`apt-get install -y chromium\`; .ci/run does) or set BATON_CHROMIUM to a Chromium/Chrome executable. Looked at ${process.env.BATON_CHROMIUM ?? CANDIDATES.join(', ')}.`;

/**
 * The flags keep a headless Chromium quiet on a machine with no internet: no background networking,
 * component updates, sync or QUIC (each of which would try to reach Google and be refused); root
 * needs no-sandbox (playwright adds it: chromiumSandbox is off by default).
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
