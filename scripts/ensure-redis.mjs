// Finds redis-server for the multi-instance proxy tests (REDIS_SERVER, else the PATH). When there is
// none and we are root on Debian, installs Debian's `redis-server`; elsewhere says what to install
// (the tests then fail saying so: they never skip).
import { execFileSync, spawnSync } from 'node:child_process';
import { isDebianRoot } from './find-chromium.mjs';

const runs = () => spawnSync(process.env.REDIS_SERVER ?? 'redis-server', ['--version']).status === 0;

export function ensureRedis() {
  if (runs()) return true;
  if (!process.env.REDIS_SERVER && isDebianRoot()) {
    console.log('No redis-server found: installing Debian\'s "redis-server" package…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (runs()) return true;
  }
  console.error(
    'No redis-server found for the multi-instance tests. Install Redis 7 (Debian/Ubuntu: `apt-get install ' +
      'redis-server`, macOS: `brew install redis`) or set REDIS_SERVER to its executable.',
  );
  return false;
}
