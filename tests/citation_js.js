// Reads BibTeX/BibLaTeX, RIS (plugin-ris) or CSL-JSON with citation-js, for tests/test_cite_readers.py.
//
// stdin: {"node_modules": dir, "inputs": [text, ...]}; stdout: per input, the CSL-JSON items
// citation-js reads from it, or {"error": message} when it cannot parse it.
"use strict";
const fs = require("fs");
const path = require("path");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const { Cite } = require(path.join(input.node_modules, "@citation-js/core"));
require(path.join(input.node_modules, "@citation-js/plugin-bibtex"));
require(path.join(input.node_modules, "@citation-js/plugin-ris"));

function read(text) {
  try {
    return new Cite(text).data;
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

process.stdout.write(JSON.stringify(input.inputs.map(read)));
