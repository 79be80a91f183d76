// Runs the GraphQL-over-HTTP conformance audits of the graphql-http package
// (serverAudits) against a running server and fails unless every audit is
// "ok": no warning, no notice, no error. Then it builds a client schema with
// graphql-js from the standard introspection query (every option on), as
// GraphiQL and code generators do. Called by graphql-http-audit.sh, which
// installed both packages into a cache directory.
//
//   node graphql-http-audit.mjs <path to graphql-http's package dir> <graphql URL>
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [pkgDir, url] = process.argv.slice(2);
if (!pkgDir || !url) {
  console.error('usage: node graphql-http-audit.mjs <graphql-http package dir> <url>');
  process.exit(2);
}
const { serverAudits } = await import(pathToFileURL(path.join(pkgDir, 'lib', 'index.mjs')).href);

const audits = serverAudits({ url });
const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
const bad = [];
for (const audit of audits) {
  const result = await audit.fn();
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  if (result.status !== 'ok') {
    let detail = '';
    if (result.response) {
      const body = await result.response.text().catch(() => '');
      detail = ` [${result.response.status} ${result.response.headers.get('content-type') ?? ''}] ${body.slice(0, 300)}`;
    }
    bad.push(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}${detail}`);
  }
}
for (const line of bad) console.log(line);
console.log(`graphql-http ${audits.length} audits: ${counts.ok} ok, ${counts.warn} warnings, ${counts.notice} notices, ${counts.error} errors`);

const graphql = await import(pathToFileURL(path.join(pkgDir, '..', 'graphql', 'index.mjs')).href);
const query = graphql.getIntrospectionQuery({
  descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true,
});
const res = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
  body: JSON.stringify({ query }),
});
const answer = await res.json();
let schemaOK = false;
if (res.status !== 200 || answer.errors) {
  console.log(`introspection refused: ${res.status} ${JSON.stringify(answer.errors)}`);
} else {
  const schema = graphql.buildClientSchema(answer.data);
  const types = Object.keys(schema.getTypeMap()).filter((n) => !n.startsWith('__'));
  schemaOK = schema.getQueryType()?.name === 'Query' && schema.getMutationType()?.name === 'Mutation' && types.length > 50;
  console.log(`graphql-js ${graphql.version} built a client schema from getIntrospectionQuery(): ${types.length} types`);
}
process.exit(counts.ok === audits.length && schemaOK ? 0 : 1);
