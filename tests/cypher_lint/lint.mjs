// Reads {"schema": DbSchema, "queries": [{"id", "query", "parameters"}]} on stdin and
// prints [{"id", "diagnostics"}]: every message of Neo4j's parser and semantic analysis.
import * as cypher from '@neo4j-cypher/language-support';

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (chunk) => (data += chunk));
  process.stdin.on('end', () => resolve(data));
}));
const out = input.queries.map(({ id, query, parameters }) => {
  const { diagnostics } = cypher.lintCypherQuery(query, { ...input.schema, parameters });
  return { id, diagnostics: diagnostics.map((d) => ({ severity: d.severity, message: d.message, offsets: d.offsets })) };
});
process.stdout.write(JSON.stringify(out));
