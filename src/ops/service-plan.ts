import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatePassword, hashPassword } from '../auth/password.js';
import { addUser, countUsers } from '../store/admin/admin.js';
import { closeWritable, openWritable } from '../store/db/database.js';
import { commandStep, type CommandRunner, type Step } from './steps.js';
import { renderUnit } from './unit-file.js';

/** Where an installed Roost keeps things (relative to the target root). */
export const INSTALL_PATHS = {
  unit: '/etc/systemd/system/roost.service',
  sysusers: '/etc/sysusers.d/roost.conf',
  config: '/etc/roost/roost.json',
  dataDir: '/var/lib/roost',
} as const;

export const SERVICE_USER = 'roost';
export const UNIT_NAME = 'roost.service';

export interface ServiceContext {
  /** '/' for this machine; another folder to stage an image or to test. */
  root: string;
  /** Whether systemd is PID 1 here (/run/systemd/system exists): only then can units be started. */
  systemdRunning: boolean;
  run: CommandRunner;
  print: (line: string) => void;
}

export interface InstallOptions {
  node: string;
  script: string;
  host: string;
  port: number;
  unitTemplate: string;
}

const at = (root: string, path: string): string => (root === '/' ? path : join(root, path));

/** uid and gid of the service user as the target root's /etc/passwd knows them. */
export function serviceIds(root: string): { uid: number; gid: number } {
  const passwd = readFileSync(at(root, '/etc/passwd'), 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith(`${SERVICE_USER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`user "${SERVICE_USER}" is missing from ${at(root, '/etc/passwd')}`);
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

function systemctl(ctx: ServiceContext, ...args: string[]): Step {
  const rootArgs = ctx.root === '/' ? [] : [`--root=${ctx.root}`];
  return commandStep(ctx.run, 'systemctl', [...rootArgs, ...args]);
}

/** Every step of `roost service install`, in order; nothing happens until they are performed. */
export function installSteps(ctx: ServiceContext, o: InstallOptions): Step[] {
  const { root } = ctx;
  const unitPath = at(root, INSTALL_PATHS.unit);
  const sysusersPath = at(root, INSTALL_PATHS.sysusers);
  const configPath = at(root, INSTALL_PATHS.config);
  const dataDir = at(root, INSTALL_PATHS.dataDir);
  const steps: Step[] = [];
  if (/^\/(home|root)\//.test(o.script) || /^\/(home|root)\//.test(o.node)) {
    // ProtectHome=yes hides /home and /root from the service: it would fail to start.
    steps.push({ title: `warning: ${o.script} is under /home or /root, which the unit hides (ProtectHome=yes); unpack a release archive under /opt (docs/operations.md) and run the install from there` });
  }
  steps.push(
    {
      title: `write ${sysusersPath} (system user "${SERVICE_USER}", no login shell, home ${INSTALL_PATHS.dataDir})`,
      run: () => {
        mkdirSync(dirname(sysusersPath), { recursive: true });
        writeFileSync(sysusersPath, `u ${SERVICE_USER} - "Roost chat server" ${INSTALL_PATHS.dataDir} /usr/sbin/nologin\n`, { mode: 0o644 });
      },
    },
    commandStep(ctx.run, 'systemd-sysusers', [...(root === '/' ? [] : [`--root=${root}`]), 'roost.conf'],
      `create the system user "${SERVICE_USER}" (systemd-sysusers${root === '/' ? '' : ` --root=${root}`} roost.conf)`),
    {
      title: `create the data folder ${dataDir} (mode 0700, owner ${SERVICE_USER})`,
      run: () => {
        // Parents (/var/lib) keep their usual 0755; only the data folder itself is private.
        mkdirSync(dirname(dataDir), { recursive: true });
        mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        chmodSync(dataDir, 0o700);
        const { uid, gid } = serviceIds(root);
        chownSync(dataDir, uid, gid);
      },
    },
    existsSync(configPath)
      ? { title: `keep the existing config file ${configPath}` }
      : {
          title: `write ${configPath} (dataDir ${INSTALL_PATHS.dataDir}, ${o.host}:${o.port}; mode 0640, group ${SERVICE_USER})`,
          run: () => {
            mkdirSync(dirname(configPath), { recursive: true, mode: 0o755 });
            const config = { dataDir: INSTALL_PATHS.dataDir, host: o.host, port: o.port, logLevel: 'info', synchronous: 'FULL' };
            writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o640 });
            chownSync(configPath, 0, serviceIds(root).gid);
          },
        },
    {
      // Done here rather than by the first `serve`, so the password is printed to
      // the installing admin and never lands in the journal.
      title: `create the database and the first admin user "admin" in ${dataDir} (password printed once)`,
      run: async () => {
        const db = openWritable(dataDir);
        try {
          if (countUsers(db) > 0) {
            ctx.print('      the database already has users; no admin created');
          } else {
            const password = generatePassword();
            addUser(db, 'admin', 'admin', await hashPassword(password));
            ctx.print(`      created user "admin" with password: ${password}`);
            ctx.print('      (shown once; change it in the web client\'s profile, or with: sudo -u roost roost user passwd admin)');
          }
        } finally {
          closeWritable(db);
        }
        const { uid, gid } = serviceIds(root);
        chownTree(dataDir, uid, gid);
      },
    },
    {
      title: `write ${unitPath} (ExecStart ${o.node} ${o.script} serve${o.port < 1024 ? '; CAP_NET_BIND_SERVICE for port ' + o.port : ''})`,
      run: () => {
        mkdirSync(dirname(unitPath), { recursive: true });
        writeFileSync(unitPath, renderUnit(o.unitTemplate, { node: o.node, script: o.script, configFile: INSTALL_PATHS.config, port: o.port }), { mode: 0o644 });
      },
    },
  );
  if (root !== '/') {
    steps.push(systemctl(ctx, 'enable', UNIT_NAME));
    steps.push({ title: `not started: ${root} is not this machine's root; it starts on the target's next boot` });
  } else if (ctx.systemdRunning) {
    steps.push(systemctl(ctx, 'daemon-reload'), systemctl(ctx, 'enable', '--now', UNIT_NAME));
    steps.push({ title: 'check it with: roost service status   (logs: journalctl -u roost -f)' });
  } else {
    steps.push(systemctl(ctx, 'enable', UNIT_NAME));
    steps.push({ title: 'not started: systemd is not running on this machine (no /run/systemd/system); start it on a systemd host with: systemctl start roost' });
  }
  return steps;
}

export interface UninstallOptions { purge: boolean }

/** `roost service uninstall`: stop and remove the unit; data, config and user stay unless purge. */
export function uninstallSteps(ctx: ServiceContext, o: UninstallOptions): Step[] {
  const { root } = ctx;
  const unitPath = at(root, INSTALL_PATHS.unit);
  const steps: Step[] = [];
  if (existsSync(unitPath)) {
    steps.push(root === '/' && ctx.systemdRunning ? systemctl(ctx, 'disable', '--now', UNIT_NAME) : systemctl(ctx, 'disable', UNIT_NAME));
    steps.push({ title: `remove ${unitPath}`, run: () => rmSync(unitPath, { force: true }) });
    if (root === '/' && ctx.systemdRunning) steps.push(systemctl(ctx, 'daemon-reload'));
  } else {
    steps.push({ title: `no unit at ${unitPath}; nothing to stop` });
  }
  const dataDir = at(root, INSTALL_PATHS.dataDir);
  const configDir = dirname(at(root, INSTALL_PATHS.config));
  const sysusersPath = at(root, INSTALL_PATHS.sysusers);
  if (o.purge) {
    steps.push({ title: `delete the data folder ${dataDir} (every message, irrecoverably)`, run: () => rmSync(dataDir, { recursive: true, force: true }) });
    steps.push({ title: `delete the config folder ${configDir}`, run: () => rmSync(configDir, { recursive: true, force: true }) });
    steps.push({ title: `remove ${sysusersPath}`, run: () => rmSync(sysusersPath, { force: true }) });
    steps.push(commandStep(ctx.run, 'userdel', [...(root === '/' ? [] : ['--prefix', root]), SERVICE_USER], `delete the system user "${SERVICE_USER}"`));
  } else {
    steps.push({ title: `kept the data folder ${dataDir}, the config ${at(root, INSTALL_PATHS.config)} and the user "${SERVICE_USER}" (--purge removes them)` });
  }
  return steps;
}
