// One GraphQL request to this server's public endpoint. The URL is
// relative, so a token given here goes to this origin only.
export class GraphQLError extends Error {
  constructor(errors, data) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
    this.data = data;
    this.code = errors[0]?.extensions?.code || 'INTERNAL';
  }
}

export async function gql(query, variables = {}, token = '') {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  let resp;
  try {
    resp = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new GraphQLError([{ message: 'The server cannot be reached.', extensions: { code: 'NETWORK' } }]);
  }
  let body;
  try {
    body = await resp.json();
  } catch (e) {
    throw new GraphQLError([{ message: `HTTP ${resp.status}`, extensions: { code: 'INTERNAL' } }]);
  }
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors, body.data);
  return body.data;
}
