import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import { SERVER_NODE_FLAGS } from './server-node-flags.js';

export interface UnitOptions {
  /** Absolute path of the Node binary the service runs. */
  node: string;
  /** Absolute path of bin/roost.js. */
  script: string;
  configFile: string;
  /** The configured port: below 1024 the unit keeps CAP_NET_BIND_SERVICE and nothing else. */
  port: number;
}

export function shippedUnit(): string {
  return readFileSync(join(packageRoot(), 'systemd', 'roost.service'), 'utf8');
}

/** systemd splits ExecStart on spaces; quote what needs it. */
function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** The shipped unit with this installation's ExecStart and, for a low port, the one capability it needs. */
export function renderUnit(template: string, o: UnitOptions): string {
  const exec = ['ExecStart=' + [o.node, ...SERVER_NODE_FLAGS, o.script, 'serve', '--config', o.configFile].map(quoteArg).join(' ')];
  let text = template.replace(/^ExecStart=.*$/m, exec.join(''));
  if (o.port > 0 && o.port < 1024) {
    text = text
      .replace(/^CapabilityBoundingSet=$/m, 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE')
      .replace(/^AmbientCapabilities=$/m, 'AmbientCapabilities=CAP_NET_BIND_SERVICE');
  }
  return text;
}
