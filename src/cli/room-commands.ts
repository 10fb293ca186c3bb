import type { Command } from 'commander';
import { addMember, createRoom, directRoom, listRooms, removeMember, setMemberRole } from '../store/admin/admin.js';
import { RoostError } from '../protocol/errors.js';
import type { RoomRoleName } from '../protocol/frames.js';
import { withDataOptions, withDb, type DataFlags } from './data-options.js';
import { out, table } from './io.js';

function names(list: string | undefined): string[] {
  return (list ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function roomCommands(program: Command): void {
  const room = program.command('room').description('manage rooms and who is in them');

  withDataOptions(room.command('create <name>'))
    .description('create a group room (no owner, so run by the server admins, unless --owner)')
    .option('--members <users>', 'comma-separated user names', '')
    .option('--owner <user>', 'a user who runs the room (joined as its owner)')
    .action(async (name: string, opts: DataFlags & { members: string; owner?: string }) => {
      const row = await withDb(opts, (db) => createRoom(db, name, names(opts.members), undefined, { owner: opts.owner }));
      out(`created room ${row.name} (id ${row.id}) with ${row.members || 'no members'}${opts.owner === undefined ? '' : `, owned by ${opts.owner}`}`);
    });

  withDataOptions(room.command('add <room> <user>'))
    .description('add a user to a room (by room name or id)')
    .action(async (roomName: string, user: string, opts: DataFlags) => {
      const added = await withDb(opts, (db) => addMember(db, roomName, user));
      out(added ? `added ${user} to ${roomName}` : `${user} is already in ${roomName}`);
    });

  withDataOptions(room.command('remove <room> <user>'))
    .description('remove a user from a room')
    .action(async (roomName: string, user: string, opts: DataFlags) => {
      const removed = await withDb(opts, (db) => removeMember(db, roomName, user));
      out(removed ? `removed ${user} from ${roomName}` : `${user} was not in ${roomName}`);
    });

  withDataOptions(room.command('role <room> <user> <role>'))
    .description('set a member\'s role in a room: owner, moderator or member')
    .action(async (roomName: string, user: string, role: string, opts: DataFlags) => {
      if (role !== 'owner' && role !== 'moderator' && role !== 'member') throw new RoostError('bad_request', `invalid role "${role}": owner, moderator or member`);
      const changed = await withDb(opts, (db) => setMemberRole(db, roomName, user, role as RoomRoleName));
      out(changed ? `${user} is now ${role} in ${roomName}` : `${user} was already ${role} in ${roomName}`);
    });

  withDataOptions(room.command('list'))
    .description('list rooms with their members')
    .action(async (opts: DataFlags) => {
      const rows = await withDb(opts, (db) => listRooms(db));
      table(rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind, messages: r.last_seq, members: r.members })),
        ['id', 'name', 'kind', 'messages', 'members']);
    });

  withDataOptions(program.command('dm <a> <b>'))
    .description('the direct room between two users (created once)')
    .action(async (a: string, b: string, opts: DataFlags) => {
      const { room: row, created } = await withDb(opts, (db) => directRoom(db, a, b));
      out(`${created ? 'created' : 'exists:'} direct room ${row.id} for ${row.members}`);
    });
}
