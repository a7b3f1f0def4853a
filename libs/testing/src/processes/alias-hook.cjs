// Preloaded (`node -r`) into Herald processes that tests start from the test build: maps the
// `@herald/<lib>` imports that `tsc` leaves in place onto the compiled libraries, as `nest build`
// does at build time. HERALD_BUILD_DIR names the build's root.
'use strict';

const Module = require('node:module');
const path = require('node:path');

const buildDir = process.env.HERALD_BUILD_DIR;
if (!buildDir) throw new Error('HERALD_BUILD_DIR is unset');
const alias = /^@herald\/([a-z-]+)(\/.*)?$/;
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveHeraldAlias(request, ...rest) {
  const match = alias.exec(request);
  const target = match ? path.join(buildDir, 'libs', match[1], 'src', match[2] ?? '') : request;
  return resolve.call(this, target, ...rest);
};
