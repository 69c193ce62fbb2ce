// Finds a Chromium for the browser and end-to-end tests. Order: CHROME_PATH, the usual system paths.
// When there is none and we are root on Debian, installs Debian's `chromium`; elsewhere says what to install.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export function findChromium() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH is set to ${fromEnv}, but no file is there.`);
  }
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

export function isDebianRoot() {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return (
    root && existsSync('/etc/debian_version') && readFileSync('/etc/os-release', 'utf8').includes('debian')
  );
}

/** Returns a browser path, installing Debian's chromium when that is possible; null with a message otherwise. */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  if (isDebianRoot()) {
    console.log('No Chromium found: installing Debian\'s "chromium" package (about a minute)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return findChromium();
  }
  console.error(
    'No Chromium or Chrome found. Install one (Debian/Ubuntu: `apt-get install chromium`, macOS: Google Chrome) ' +
      'or set CHROME_PATH to its executable, then run the tests again.',
  );
  return null;
}

/** Flags that keep Chromium quiet on a machine with no internet (and let it run as root). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = ensureChromium();
  if (!path) process.exit(1);
  console.log(path);
}
