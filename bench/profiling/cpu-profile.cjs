// Preloaded into Herald's processes by `BENCH_PROFILE_DIR=<dir> npm run bench` (through
// NODE_OPTIONS=--require, since Node refuses --cpu-prof in NODE_OPTIONS): records a CPU profile
// and writes <dir>/<pid>.cpuprofile when the process exits. Open it in Chrome DevTools.
'use strict';

const fs = require('node:fs');
const inspector = require('node:inspector');
const path = require('node:path');

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // The in-process session answers synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) {
        const name = `${path.basename(process.argv[1] ?? 'node')}-${process.pid}.cpuprofile`;
        fs.writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
      }
    });
  });
}
