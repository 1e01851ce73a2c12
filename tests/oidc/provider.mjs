// A real OpenID Connect provider for the tests: the certified `oidc-provider` package from
// npm (pinned in package.json), on 127.0.0.1. Started by tests/oidc/server.py.
//
// Everything comes from the environment:
//   OIDC_PORT            the port to listen on (127.0.0.1 only)
//   OIDC_CLIENT          JSON: client_id, client_secret, redirect_uris, post_logout_redirect_uris
//   OIDC_ACCOUNTS_FILE   a JSON file: { "<login>": { "email": ..., "email_verified": true,
//                        "given_name": ..., "family_name": ... } }, read at every sign-in
//                        (a test changes an account's address by rewriting it)
// Sign-in uses the package's development login form (any password; the login names the
// account, and is its `sub`). Consent is granted at once, as for a first-party application. It prints
// "ready <issuer>" once it listens.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.OIDC_CLIENT);
const accountsFile = process.env.OIDC_ACCOUNTS_FILE;

const configuration = {
  clients: [
    {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ['aar-test-provider-cookie-key'] },
  async findAccount(ctx, id) {
    const account = JSON.parse(readFileSync(accountsFile, 'utf8'))[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { ...account, sub: id };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
