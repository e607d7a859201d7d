// An independent, OpenID Certified authorization server (panva's `oidc-provider`, pinned in
// package.json) for the OAuth flow tests in generated-client/tests/oauth_certified.rs.
//
//   node tools/oidc/server.mjs   ->  prints `listening http://127.0.0.1:PORT` once it serves
//
// It listens on 127.0.0.1 at a free port and needs no network. The clients, features and the
// scripted login / consent pages below are what the tests drive; everything else is the
// library's own behaviour, which is the point: this server was not written by us.
import http from 'node:http';
import Provider, { errors } from 'oidc-provider';

export const REDIRECT_URI = 'http://127.0.0.1:8765/callback';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const html = (title, body) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [
    {
      // client_secret_basic with a secret full of characters RFC 6749 §2.3.1 form-encodes.
      client_id: 'basic client:1',
      client_secret: 'a b:c%+/=&?',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access api:read',
    },
    {
      client_id: 'post-client',
      client_secret: 'post secret/+=&',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access api:read',
    },
    {
      // A public client: PKCE only, no secret.
      client_id: 'public-pkce',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      scope: 'openid offline_access api:read',
    },
  ],
  scopes: ['openid', 'offline_access', 'api:read'],
  claims: { openid: ['sub'], email: ['email'] },
  cookies: { keys: ['telnyx-oauth-tests-only-cookie-key'] },
  pkce: { required: () => true },
  // Refresh tokens for every client allowed the grant, rotated on every use.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  ttl: { AccessToken: 600, ClientCredentials: 600, IdToken: 600, RefreshToken: 3600, DeviceCode: 600 },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true },
    deviceFlow: {
      enabled: true,
      userCodeInputSource: async (ctx, form) => { ctx.body = html('Enter code', form); },
      userCodeConfirmSource: async (ctx, form, _client, _info, userCode) => {
        ctx.body = html('Confirm device', `<p>code <code>${escape(userCode)}</code></p>${form}`);
      },
      successSource: async (ctx) => { ctx.body = html('Device approved', '<p>done</p>'); },
    },
  },
});
provider.proxy = false;

// Scripted login and consent pages: a form per step, which the tests fill in and post.
async function interactionPage(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  const { prompt } = details;
  let body;
  if (prompt.name === 'login') {
    body = `<form method="post" action="/interaction/${uid}/login">`
      + '<input type="text" name="login" value=""/><input type="hidden" name="step" value="login"/></form>';
  } else {
    body = `<form method="post" action="/interaction/${uid}/confirm">`
      + '<input type="hidden" name="step" value="consent"/><input type="hidden" name="decision" value="allow"/></form>';
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html(prompt.name, body));
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interactionPost(req, res, uid, action) {
  const form = await readForm(req);
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new errors.InvalidRequest('interaction mismatch');
  let result;
  if (action === 'login') {
    const login = form.get('login');
    if (!login) throw new errors.InvalidRequest('login required');
    result = { login: { accountId: login } };
  } else if (form.get('decision') !== 'allow') {
    result = { error: 'access_denied', error_description: 'the user denied the request' };
  } else {
    const { prompt: { details: missing }, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scope] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scope.join(' '));
      }
    }
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|confirm))?$/);
  if (!match) {
    callback(req, res);
    return;
  }
  const [, uid, action] = match;
  const handle = action && req.method === 'POST' ? interactionPost(req, res, uid, action) : interactionPage(req, res, uid);
  handle.catch((err) => {
    if (!res.headersSent) {
      res.writeHead(400, { 'content-type': 'text/plain' });
    }
    res.end(`interaction failed: ${err.message}`);
  });
});

// Our only output on stdout: the tests read the port from it.
console.log(`listening ${issuer}`);
