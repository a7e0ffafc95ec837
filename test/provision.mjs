// Run by `npm test` before the suite: the browser tests drive Debian's chromium (never a downloaded
// browser). When it is missing and this machine can install Debian packages (root, or sudo without a
// password), it installs it; otherwise it stops with one line saying the command to run.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function can(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0;
  const sudo = !root && can('sudo', ['-n', 'true']);
  if (!(root || sudo) || !can('apt-get', ['--version'])) {
    console.error(`npm test: the browser tests need Debian's chromium at ${CHROMIUM}; install it with: sudo apt-get install chromium`);
    process.exit(1);
  }
  console.log("npm test: installing Debian's chromium for the browser tests (apt-get install chromium)…");
  const run = (args) => execFileSync(sudo ? 'sudo' : args[0], sudo ? ['-n', ...args] : args.slice(1), {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM)) {
    console.error(`npm test: apt-get ran but ${CHROMIUM} is still missing; install it with: sudo apt-get install chromium`);
    process.exit(1);
  }
}
