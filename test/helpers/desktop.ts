/**
 * A desktop app under a private X server (Xvfb), driven the way a person
 * would: clicks and typing through xdotool, what is on screen read through
 * xwd + ImageMagick. Debian packages: xvfb, xdotool, x11-apps, imagemagick.
 * Every wait is bounded and fails with what it saw.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { within } from './deadline.js';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const SCREEN = { width: 1024, height: 768 } as const;

/** A program started on the desktop, with the end of what it printed (for failure messages). */
interface App { name: string; child: ChildProcess; output: string }

/** How much of an app's output a failure message carries. */
const OUTPUT_KEPT = 2000;

export class Desktop {
  private readonly apps: App[] = [];

  private constructor(private readonly xvfb: ChildProcess, readonly display: string) {}

  /** Starts Xvfb on a display number it picks itself (-displayfd), so parallel tests never collide. */
  static async start(): Promise<Desktop> {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const display = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb did not report a display within 20 s: ${err.slice(-500)}`)), 20_000);
      xvfb.stdio[2]?.on('data', (d: Buffer) => { err += String(d); });
      xvfb.stdio[3]?.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve(`:${out.trim()}`);
        }
      });
      xvfb.once('error', (e) => { clearTimeout(timer); reject(e); });
      xvfb.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Xvfb exited (${code}): ${err.slice(-500)}`)); });
    });
    return new Desktop(xvfb, display);
  }

  /** Starts a program on this display; the end of its output is kept for failure messages. */
  launch(command: string, args: string[], env: Record<string, string>): ChildProcess {
    const child = spawn(command, args, { env: { ...process.env, ...env, DISPLAY: this.display }, stdio: ['ignore', 'pipe', 'pipe'] });
    const app: App = { name: command, child, output: '' };
    const keep = (d: Buffer): void => {
      app.output = (app.output + String(d)).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', (err) => keep(Buffer.from(`could not start: ${err.message}`)));
    this.apps.push(app);
    return child;
  }

  /** Each app's state and last output, for a failure message. */
  private appsSeen(): string {
    return this.apps.map((a) => {
      const state = a.child.exitCode !== null ? `exited ${a.child.exitCode}` : a.child.signalCode !== null ? `ended by ${a.child.signalCode}` : 'running';
      return `${a.name} (${state}): ${a.output.trim() === '' ? 'no output' : a.output.trim()}`;
    }).join('; ');
  }

  /** The colour of one screen pixel, as ImageMagick writes it: `srgb(r,g,b)`. */
  async pixel(x: number, y: number): Promise<string> {
    const { stdout } = await run('sh', ['-c', `xwd -root -silent -display ${this.display} | convert xwd:- -format '%[pixel:p{${x},${y}}]' info:`]);
    return stdout.trim();
  }

  /** Waits until the pixel at (x, y) has the colour `want`: the app has drawn what the next step needs. */
  async waitForPixel(x: number, y: number, want: string, what: string, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let seen = '';
    while (Date.now() < until) {
      seen = await this.pixel(x, y);
      if (seen === want) return;
      await sleep(300);
    }
    const shot = join(tmpdir(), `desktop-${Date.now()}.png`);
    await this.screenshot(shot).catch(() => undefined);
    throw new Error(`${what}: pixel (${x}, ${y}) stayed ${seen}, never ${want}, for ${timeoutMs} ms (screen: ${shot}; ${this.appsSeen()})`);
  }

  async click(x: number, y: number): Promise<void> {
    await this.xdotool('mousemove', String(x), String(y), 'click', '1');
  }

  async type(text: string): Promise<void> {
    await this.xdotool('type', '--delay', '20', text);
  }

  async key(...keys: string[]): Promise<void> {
    await this.xdotool('key', ...keys);
  }

  /** The screen's top `height` pixels as a PNG. */
  async screenshot(path: string, height: number = SCREEN.height): Promise<void> {
    await run('sh', ['-c', `xwd -root -silent -display ${this.display} | convert xwd:- -crop ${SCREEN.width}x${height}+0+0 +repage '${path}'`]);
  }

  async close(): Promise<void> {
    for (const app of this.apps) if (app.child.exitCode === null) app.child.kill('SIGKILL');
    if (this.xvfb.exitCode === null) {
      const exited = new Promise((r) => this.xvfb.once('exit', r));
      this.xvfb.kill('SIGTERM');
      await within(exited, 5_000, () => undefined);
    }
  }

  private async xdotool(...args: string[]): Promise<void> {
    await run('xdotool', args, { env: { ...process.env, DISPLAY: this.display } });
  }
}
