// Extract the JSON Schemas embedded in @pexip/infinity-api's compiled AJV validators.
//
// Usage: node extract_schemas.mjs <package dir> <output dir>
// Writes <output dir>/schemas.json (one draft-06 document: definitions.<endpoint>.properties.<slot>)
// and <output dir>/index.json (exported validator name -> "$ref" into that document).
//
// Why: the package ships no .json schemas, only `dist/<module>/validation.js` with the schema
// objects as un-exported `const schemaNN = {...}`. Each validator's root schema is
// `{oneOf: [{$ref: "#/definitions/<endpoint>/properties/<slot>/..."}]}`, which names its slot.
// Several exports reuse another endpoint's compiled validator (AJV de-duplicates identical
// schemas), so the index resolves each export through the schemaPath strings in its code.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const [pkgDir, outDir] = process.argv.slice(2);
if (!pkgDir || !outDir) {
  console.error('usage: node extract_schemas.mjs <package dir> <output dir>');
  process.exit(2);
}
const MODULES = ['token', 'call', 'participant', 'conference', 'breakout'];
const SLOT = /#\/definitions\/([^/']+)\/properties\/([^/']+)/;
const definitions = {};
const index = {};
const unresolved = [];

for (const mod of MODULES) {
  let src = fs.readFileSync(path.join(pkgDir, 'dist', mod, 'validation.js'), 'utf8');
  // A bare root schema such as `{type: 'string'}` (plain-text error bodies) has no slot of its
  // own: it is the `const schemaNN` written right after its export line.
  const bareAfter = Object.fromEntries(
    [...src.matchAll(/^export const (\w+) = \w+;\nconst (schema\d+) = /gm)].map((m) => [m[1], m[2]]),
  );
  const exported = [...src.matchAll(/^export const (\w+) = (\w+);/gm)].map((m) => [m[1], m[2]]);
  src = src.replace(/^export const \w+ = \w+;/gm, '');
  const schemaNames = [...src.matchAll(/^const (schema\d+) = /gm)].map((m) => m[1]);
  const fnNames = [...src.matchAll(/^function (validate\d+)\(/gm)].map((m) => m[1]);
  const ctx = {};
  vm.createContext(ctx);
  vm.runInContext(
    `${src}\n;globalThis.__schemas = {${schemaNames.join(',')}};` +
      `globalThis.__fns = {${fnNames.join(',')}};`,
    ctx,
  );
  for (const schema of Object.values(ctx.__schemas)) {
    if (!schema.$schema) continue; // an inner (inlined) copy, not a root
    const ref = schema.oneOf?.[0]?.$ref;
    const m = ref && SLOT.exec(ref);
    if (!m) throw new Error(`root schema without a slot in ${mod}`);
    const copy = JSON.parse(JSON.stringify(schema));
    delete copy.$schema;
    definitions[m[1]] ??= {type: 'object', properties: {}};
    definitions[m[1]].properties[m[2]] = copy;
  }
  const slotOf = (fnName, seen = new Set()) => {
    if (seen.has(fnName)) return null;
    seen.add(fnName);
    const code = ctx.__fns[fnName]?.toString() ?? '';
    const m = SLOT.exec(code);
    if (m) return `#/definitions/${m[1]}/properties/${m[2]}`;
    for (const call of code.matchAll(/\b(validate\d+)\(/g)) {
      if (call[1] === fnName) continue;
      const inner = slotOf(call[1], seen);
      if (inner) return inner;
    }
    return null;
  };
  for (const [name, fn] of exported) {
    const ref = slotOf(fn);
    if (ref) {
      index[name] = ref;
      continue;
    }
    const bare = ctx.__schemas[bareAfter[name]];
    if (bare && !bare.$schema && !JSON.stringify(bare).includes('$ref')) {
      definitions.plain_text ??= {type: 'object', properties: {}};
      definitions.plain_text.properties[name] = JSON.parse(JSON.stringify(bare));
      index[name] = `#/definitions/plain_text/properties/${name}`;
    } else {
      unresolved.push(`${mod}:${name}`);
    }
  }
}
if (unresolved.length) {
  console.error(`unresolved validators: ${unresolved.join(', ')}`);
  process.exit(1);
}
const doc = {$schema: 'http://json-schema.org/draft-06/schema#', definitions};
fs.mkdirSync(outDir, {recursive: true});
fs.writeFileSync(path.join(outDir, 'schemas.json'), JSON.stringify(doc, null, 1));
fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1));
console.log(`${Object.keys(index).length} validators, ${Object.keys(definitions).length} endpoints`);
