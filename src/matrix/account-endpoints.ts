import { randomBytes } from 'node:crypto';
import { MAX_LENGTH } from '../auth/password-policy.js';
import { badJson, forbidden, frameRefusal, fromRoost, invalidParam, matrixError, notFound } from './errors.js';
import { isFilterDefinition } from './filters.js';
import { avatarField } from './events.js';
import { newDeviceId, pictureOf } from './ids.js';
import { client, type AuthedRequest, type MatrixRequest, type MatrixRouter } from './router.js';
import type { MatrixContext } from './context.js';
import { obj } from './json-object.js';

const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The account's own user: paths name it, and nobody else's may be read or written here. */
function ownUser(c: MatrixContext, r: AuthedRequest): boolean {
  const local = c.ids.localpart(r.params[0] ?? '');
  if (local !== null && local === r.session.name.toLowerCase()) return true;
  r.ex.fail(forbidden('You may only use your own user id here'));
  return false;
}

/**
 * Signing in and out, devices (a Matrix login is a Roost session with a
 * device id: it shows in the native sessions list and ends from either side),
 * filters, account data, profiles. Registration is refused: accounts come
 * from the admin or an invitation link.
 */
export function mountAccountEndpoints(router: MatrixRouter, c: MatrixContext): void {
  router.add('GET', client('login'), (r) => r.ex.json({ flows: [{ type: 'm.login.password' }] }));

  router.add('POST', client('login'), async (r: MatrixRequest) => {
    const b = obj(r.body);
    if (b.type !== 'm.login.password') return r.ex.fail(matrixError(400, 'M_UNKNOWN', 'Only m.login.password is supported'));
    const identifier = obj(b.identifier);
    let user: unknown = identifier.type === 'm.id.user' ? identifier.user : b.user;
    if (typeof user !== 'string' || user === '') return r.ex.fail(badJson('identifier must be {"type": "m.id.user", "user": ...}'));
    if (user.startsWith('@')) {
      const local = c.ids.localpart(user);
      if (local === null) return r.ex.fail(forbidden('Invalid username or password'));
      user = local;
    }
    if (typeof b.password !== 'string' || b.password.length > MAX_LENGTH) return r.ex.fail(badJson(`password must be a string of at most ${MAX_LENGTH} characters`));
    if (b.device_id !== undefined && (typeof b.device_id !== 'string' || !DEVICE_ID.test(b.device_id))) return r.ex.fail(invalidParam('device_id must be 1 to 64 letters, digits, _ or -'));
    const deviceId = typeof b.device_id === 'string' ? b.device_id : newDeviceId(randomBytes);
    const label = typeof b.initial_device_display_name === 'string' ? b.initial_device_display_name.slice(0, 256) : (r.headers.userAgent.slice(0, 64) || 'Matrix client');
    const out = await c.accounts.login(user as string, b.password, label, r.ip(), deviceId);
    if (!out.ok) {
      if (out.code === 'unauthorized') return r.ex.fail(forbidden('Invalid username or password'));
      return r.ex.fail(fromRoost(out));
    }
    r.ex.json({ user_id: c.ids.user(out.user.name), access_token: out.token, device_id: deviceId, home_server: c.ids.serverName });
  });

  router.authed('POST', client('logout'), async (r) => {
    const out = await c.accounts.logout(r.session);
    if (!out.ok) return r.ex.fail(fromRoost(out));
    r.ex.json({});
  });

  router.authed('POST', client('logout/all'), async (r) => {
    const others = await c.accounts.endOthers(r.session);
    if (!others.ok) return r.ex.fail(fromRoost(others));
    const out = await c.accounts.logout(r.session);
    if (!out.ok) return r.ex.fail(fromRoost(out));
    r.ex.json({});
  });

  router.authed('GET', client('account/whoami'), (r) => {
    const device = r.session.deviceId;
    r.ex.json({ user_id: c.ids.user(r.session.name), is_guest: false, ...(device === undefined ? {} : { device_id: device }) });
  });

  const noRegistration = (r: MatrixRequest): void => r.ex.fail(forbidden('Registration is disabled: accounts are made by the server admin or an invitation link'));
  router.add('POST', client('register'), noRegistration);
  router.add('GET', client('register/available'), noRegistration);

  const deviceView = (d: { deviceId: string; name: string; ip: string; lastUsedAt: number }): Record<string, unknown> =>
    ({ device_id: d.deviceId, display_name: d.name, last_seen_ip: d.ip, last_seen_ts: d.lastUsedAt });

  router.authed('GET', client('devices'), (r) => r.ex.json({ devices: c.store.devices(r.session.userId, c.now()).map(deviceView) }));

  router.authed('GET', client('devices/:device'), (r) => {
    const d = c.store.devices(r.session.userId, c.now()).find((x) => x.deviceId === r.params[0]);
    if (d === undefined) return r.ex.fail(notFound('Unknown device'));
    r.ex.json(deviceView(d));
  });

  router.authed('PUT', client('devices/:device'), async (r) => {
    const name = obj(r.body).display_name;
    if (name === undefined) return r.ex.json({});
    if (typeof name !== 'string' || name.length > 256) return r.ex.fail(badJson('display_name must be a string of at most 256 characters'));
    const out = await c.writer.run({ k: 'matrix-device-name', user: r.session.userId, deviceId: r.params[0] ?? '', name });
    if (!out.ok) return r.ex.fail(out.code === 'not_found' ? notFound('Unknown device') : fromRoost(out));
    r.ex.json({});
  });

  /** Ends every live session of the named devices: the same as ending them from the native sessions list. */
  const endDevices = async (r: AuthedRequest, deviceIds: readonly string[]): Promise<void> => {
    const ids = new Set(deviceIds);
    const hashes = c.store.devices(r.session.userId, c.now()).filter((d) => ids.has(d.deviceId)).map((d) => d.hash);
    for (const hash of hashes) {
      const out = hash === r.session.tokenHash ? await c.accounts.logout(r.session) : await c.accounts.endSession(r.session, hash.slice(0, 12));
      if (!out.ok && out.code !== 'not_found') return r.ex.fail(fromRoost(out));
    }
    r.ex.json({});
  };
  router.authed('DELETE', client('devices/:device'), (r) => endDevices(r, [r.params[0] ?? '']));
  router.authed('POST', client('delete_devices'), (r) => {
    const list = obj(r.body).devices;
    if (!Array.isArray(list) || !list.every((d) => typeof d === 'string')) return r.ex.fail(badJson('devices must be a list of device ids'));
    return endDevices(r, list as string[]);
  });

  router.authed('POST', client('user/:user/filter'), async (r) => {
    if (!ownUser(c, r)) return;
    if (!isFilterDefinition(r.body)) return r.ex.fail(badJson('A filter is a JSON object'));
    const out = await c.writer.run({ k: 'matrix-filter', user: r.session.userId, body: JSON.stringify(r.body) });
    if (!out.ok) return r.ex.fail(fromRoost(out));
    r.ex.json({ filter_id: String(out.id) });
  });

  router.authed('GET', client('user/:user/filter/:id'), (r) => {
    if (!ownUser(c, r)) return;
    const id = /^[1-9][0-9]{0,9}$/.test(r.params[1] ?? '') ? Number(r.params[1]) : 0;
    const body = id === 0 ? undefined : c.store.filter(r.session.userId, id);
    if (body === undefined) return r.ex.fail(notFound('No such filter'));
    r.ex.send(200, body);
  });

  const getData = (r: AuthedRequest, room: number, type: string): void => {
    const content = c.store.accountDataOf(r.session.userId, room, type);
    if (content === undefined) return r.ex.fail(notFound('Account data not found'));
    r.ex.send(200, content);
  };
  const putData = async (r: AuthedRequest, room: number, type: string): Promise<void> => {
    if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) return r.ex.fail(badJson('Account data content is a JSON object'));
    if (type.length === 0 || type.length > 255) return r.ex.fail(invalidParam('The type must be 1 to 255 characters'));
    const out = await c.writer.run({ k: 'matrix-account-data', user: r.session.userId, room, type, content: JSON.stringify(r.body) });
    if (!out.ok) return r.ex.fail(fromRoost(out));
    // The user's other devices (and this one: clients wait for the echo) hear of it now, not at their poll's timeout.
    c.watch.user(r.session.userId);
    r.ex.json({});
  };
  const roomOf = (r: AuthedRequest): number | null => {
    const room = c.ids.roomOf(r.params[1] ?? '');
    if (room === null || !c.membership.isMember(room, r.session.userId)) {
      r.ex.fail(forbidden('You are not a member of this room'));
      return null;
    }
    return room;
  };
  router.authed('GET', client('user/:user/account_data/:type'), (r) => (ownUser(c, r) ? getData(r, 0, r.params[1] ?? '') : undefined));
  router.authed('PUT', client('user/:user/account_data/:type'), (r) => (ownUser(c, r) ? putData(r, 0, r.params[1] ?? '') : undefined));
  router.authed('GET', client('user/:user/rooms/:room/account_data/:type'), (r) => {
    if (!ownUser(c, r)) return;
    const room = roomOf(r);
    if (room !== null) getData(r, room, r.params[2] ?? '');
  });
  router.authed('PUT', client('user/:user/rooms/:room/account_data/:type'), (r) => {
    if (!ownUser(c, r)) return;
    const room = roomOf(r);
    return room === null ? undefined : putData(r, room, r.params[2] ?? '');
  });

  const profileOf = (userId: string): { displayname: string; avatar_url?: string } | undefined => {
    const local = c.ids.localpart(userId);
    const id = local === null ? undefined : c.store.userByName(local)?.id;
    const u = id === undefined ? undefined : c.profiles?.profile(id);
    return u === undefined ? undefined : { displayname: u.displayName !== '' ? u.displayName : u.name, ...avatarField(u.avatar === undefined ? undefined : c.ids.mxc(u.avatar)) };
  };
  router.authed('GET', client('profile/:user'), (r) => {
    const p = profileOf(r.params[0] ?? '');
    return p === undefined ? r.ex.fail(notFound('Profile not found')) : r.ex.json(p);
  });
  router.authed('GET', client('profile/:user/displayname'), (r) => {
    const p = profileOf(r.params[0] ?? '');
    return p === undefined ? r.ex.fail(notFound('Profile not found')) : r.ex.json(p);
  });
  router.authed('GET', client('profile/:user/avatar_url'), (r) => {
    const p = profileOf(r.params[0] ?? '');
    return p === undefined ? r.ex.fail(notFound('Profile not found')) : r.ex.json(p.avatar_url === undefined ? {} : { avatar_url: p.avatar_url });
  });
  // The url is the mxc of an image this user uploaded (over Matrix, or an avatar upload); '' or null removes the picture.
  router.authed('PUT', client('profile/:user/avatar_url'), async (r) => {
    if (!ownUser(c, r)) return;
    const fileId = pictureOf(c.ids, obj(r.body).avatar_url);
    if (fileId === undefined) return r.ex.fail(badJson('avatar_url is the mxc:// url of an image uploaded to this server'));
    if (c.profiles === undefined) return r.ex.fail(forbidden('Profiles are not served here'));
    const out = await c.profiles.setAvatar(r.session.userId, fileId);
    if (!out.ok) return r.ex.fail(fromRoost(out));
    r.ex.json({});
  });
  router.authed('PUT', client('profile/:user/displayname'), async (r) => {
    if (!ownUser(c, r)) return;
    const name = obj(r.body).displayname;
    if (typeof name !== 'string') return r.ex.fail(badJson('displayname must be a string'));
    const bad = frameRefusal(c.limits, { type: 'set_profile', displayName: name });
    if (bad !== undefined) return r.ex.fail(bad);
    if (c.profiles === undefined) return r.ex.fail(forbidden('Profiles are not served here'));
    const out = await c.profiles.setDisplayName(r.session.userId, name);
    if (!out.ok) return r.ex.fail(fromRoost(out));
    r.ex.json({});
  });
}
