import { forbidden, matrixError, notFound } from './errors.js';
import { defaultPushRules } from './push-rules.js';
import { client, type MatrixRouter } from './router.js';
import type { MatrixContext } from './context.js';

/** Spec versions whose client-server endpoints this door serves the way clients of those versions expect. */
export const SPEC_VERSIONS = ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11'];

/**
 * Discovery, and the endpoints a client calls on its way in that need a
 * valid answer but have nothing behind them on a server without federation,
 * push or encryption: push rules (the defaults), pushers (kept nowhere:
 * nothing is pushed), capabilities, TURN, third-party protocols, presence,
 * key backup (none), device keys (none, so clients send plain events).
 */
export function mountStubs(router: MatrixRouter, c: MatrixContext): void {
  router.add('GET', '/.well-known/matrix/client', (r) => r.ex.json({ 'io.element.e2ee': { force_disable: true }, 'im.vector.riot.e2ee': { default: false } }));
  router.add('GET', '/_matrix/client/versions', (r) => r.ex.json({ versions: SPEC_VERSIONS, unstable_features: {} }));
  router.add('GET', '/_matrix/client/v1/auth_metadata', (r) => r.ex.fail(matrixError(404, 'M_UNRECOGNIZED', 'This server offers password login only (no OAuth 2.0 metadata)')));
  router.add('GET', '/_matrix/client/unstable/org.matrix.msc2965/auth_metadata', (r) => r.ex.fail(matrixError(404, 'M_UNRECOGNIZED', 'This server offers password login only (no OAuth 2.0 metadata)')));

  router.authed('GET', client('pushrules'), (r) => r.ex.json(defaultPushRules(c.ids.user(r.session.name), r.session.name.toLowerCase())));
  router.authed('PUT', client('pushrules/:scope/:kind/:rule'), (r) => r.ex.fail(forbidden('Push rules cannot be changed on this server (nothing is pushed)')));
  router.authed('PUT', client('pushrules/:scope/:kind/:rule/:what'), (r) => r.ex.json({}));
  router.authed('GET', client('pushers'), (r) => r.ex.json({ pushers: [] }));
  // Accepted and kept nowhere: this server pushes nothing to phones (clients notify while they sync).
  router.authed('POST', client('pushers/set'), (r) => r.ex.json({}));

  router.authed('GET', client('capabilities'), (r) => r.ex.json({
    capabilities: {
      'm.change_password': { enabled: false },
      'm.room_versions': { default: '10', available: { 10: 'stable' } },
      'm.set_displayname': { enabled: true },
      'm.set_avatar_url': { enabled: true },
      'm.3pid_changes': { enabled: false },
    },
  }));
  router.authed('GET', client('voip/turnServer'), (r) => r.ex.json({}));
  router.authed('GET', client('thirdparty/protocols'), (r) => r.ex.json({}));
  router.authed('GET', client('presence/:user/status'), (r) => r.ex.json({ presence: 'online' }));
  router.authed('PUT', client('presence/:user/status'), (r) => r.ex.json({}));
  router.authed('GET', client('room_keys/version'), (r) => r.ex.fail(notFound('No current backup version')));
  router.authed('POST', client('keys/query'), (r) => r.ex.json({ device_keys: {}, failures: {}, master_keys: {}, self_signing_keys: {}, user_signing_keys: {} }));
  // Desktop clients (nheko) upload device keys at login and drop the session if refused. Taken and
  // kept nowhere: keys/query keeps answering no keys, so no client ever encrypts to this device.
  router.authed('POST', client('keys/upload'), (r) => r.ex.json({ one_time_key_counts: {} }));
  router.authed('POST', client('keys/claim'), (r) => r.ex.json({ one_time_keys: {}, failures: {} }));
  router.authed('GET', client('keys/changes'), (r) => r.ex.json({ changed: [], left: [] }));
  router.authed('PUT', client('sendToDevice/:type/:txn'), (r) => r.ex.json({}));
}
