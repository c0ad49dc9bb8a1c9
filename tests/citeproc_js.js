// Formats CSL-JSON items with citeproc-js, the reference CSL processor, for tests/test_citeproc_js.py.
//
// stdin: {"styles": {name: path to the .csl}, "locales": dir of locales-xx-XX.xml, "node_modules": dir,
//         "jobs": [{"style": name, "items": [CSL-JSON item, ...], "locale": "es-ES" or absent}]}
// stdout: one list per job: [{"id": item id, "html": entry HTML, "text": entry text}] in bibliography
// order, each entry without the number a second-field-align layout sets apart (csl-left-margin).
"use strict";
const fs = require("fs");
const path = require("path");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const CSL = require(path.join(input.node_modules, "citeproc"));

function localeXml(lang) {
  const exact = path.join(input.locales, `locales-${lang}.xml`);
  if (fs.existsSync(exact)) return fs.readFileSync(exact, "utf8");
  const base = lang.split("-")[0];
  const found = fs.readdirSync(input.locales).filter((f) => f.startsWith(`locales-${base}`)).sort();
  return found.length ? fs.readFileSync(path.join(input.locales, found[0]), "utf8") : false;
}

// The entry body: the csl-right-inline part when the style sets the number apart, else the whole entry.
function body(html) {
  const inline = html.match(/<div class="csl-right-inline">([\s\S]*?)<\/div>/);
  const inner = inline ? inline[1] : html.replace(/^\s*<div class="csl-entry">([\s\S]*?)<\/div>\s*$/, "$1");
  return inner.trim();
}

function text(html) {
  return html.replace(/<[^>]+>/g, "").replace(/&#38;/g, "&").replace(/&amp;/g, "&").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&#60;/g, "<").replace(/&#62;/g, ">").replace(/&quot;/g, "\"")
    .replace(/&#39;/g, "'").replace(/&#x27;/g, "'").trim();
}

function run(job) {
  const items = Object.fromEntries(job.items.map((item) => [String(item.id), item]));
  const sys = { retrieveLocale: localeXml, retrieveItem: (id) => items[id] };
  const style = fs.readFileSync(input.styles[job.style], "utf8");
  // The locale peerpress chose for the item (its language, where the style allows), forced as
  // citeproc-py is given it; otherwise the style's default, en-US.
  const engine = job.locale ? new CSL.Engine(sys, style, job.locale, true) : new CSL.Engine(sys, style, "en-US");
  engine.updateItems(job.items.map((item) => String(item.id)));
  const [meta, entries] = engine.makeBibliography();
  return meta.entry_ids.map((ids, n) => ({ id: ids[0], html: body(entries[n]), text: text(body(entries[n])) }));
}

process.stdout.write(JSON.stringify(input.jobs.map(run)));
