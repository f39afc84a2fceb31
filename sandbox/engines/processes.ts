import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, isAbsolute, normalize, resolve } from 'node:path';

/**
 * Just enough process inspection to recognise the sandbox's engines after the process that
 * started them is gone: /proc on Linux, `ps` elsewhere. The parsing and matching are pure
 * functions, so what counts as "an engine on this data directory" is tested without I/O.
 */

/** What a process's command line must show for it to count as one of the sandbox's engines. */
export type EngineSpec =
  | {
      readonly kind: 'dynamodb';
      readonly port: number;
      /** Persisted engines are recognised by their data directory, in-memory ones by port. */
      readonly dataDir?: string;
    }
  | { readonly kind: 'moto'; readonly port: number };

export const engineName = (spec: Pick<EngineSpec, 'kind'>): string =>
  spec.kind === 'dynamodb' ? 'DynamoDB Local' : 'moto';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid?: number;
  /**
   * Clock ticks after boot at which it started (Linux only). With the pid it names one
   * process: a pid can be reused, a (pid, start time) pair cannot.
   */
  readonly startTime?: number;
  readonly argv: readonly string[];
  readonly cwd?: string;
}

/** State, parent and start time from the text of `/proc/<pid>/stat`. */
export const parseProcStat = (
  stat: string,
): { state: string; ppid: number; startTime: number } | undefined => {
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 of proc(5), so ppid (4) is fields[1] and starttime (22) fields[19].
  const state = fields[0];
  const ppid = Number(fields[1]);
  const startTime = Number(fields[19]);
  if (!state || !Number.isInteger(ppid) || !Number.isInteger(startTime)) return undefined;
  return { state, ppid, startTime };
};

/** The argument vector from the text of `/proc/<pid>/cmdline` (NUL-separated). */
export const parseCmdline = (raw: string): string[] => {
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return argv;
};

const samePath = (a: string, b: string) =>
  normalize(a).replace(/(.)\/+$/, '$1') === normalize(b).replace(/(.)\/+$/, '$1');

const valuesOf = (argv: readonly string[], flag: string): string[] =>
  argv.flatMap((arg, i) =>
    arg === flag && argv[i + 1] !== undefined ? [argv[i + 1] as string] : [],
  );

/**
 * Whether a process with this argument vector (and working directory, for a relative
 * `-dbPath`) is the engine `spec` describes. Only the engine itself matches — not a shell or
 * an editor that happens to mention the same directory.
 */
export const runsEngine = (argv: readonly string[], spec: EngineSpec, cwd?: string): boolean => {
  const program = basename(argv[0] ?? '');
  if (spec.kind === 'moto') {
    return (
      program.startsWith('python') &&
      valuesOf(argv, '-m').includes('moto.server') &&
      valuesOf(argv, '-p').includes(String(spec.port))
    );
  }
  if (program !== 'java' || !argv.some((arg) => arg.endsWith('DynamoDBLocal.jar'))) return false;
  if (spec.dataDir === undefined) return valuesOf(argv, '-port').includes(String(spec.port));
  const dataDir = spec.dataDir;
  return valuesOf(argv, '-dbPath').some((dir) => {
    const absolute = isAbsolute(dir) ? dir : cwd !== undefined ? resolve(cwd, dir) : undefined;
    return absolute !== undefined && samePath(absolute, dataDir);
  });
};

const hasProc = existsSync('/proc/self/stat');

const readProc = (pid: number): ProcessInfo | undefined => {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    // A zombie has exited; it only waits for a parent (maybe an init that never reaps) to
    // collect its status.
    if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
    const argv = parseCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    let cwd: string | undefined;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // Another user's process: its working directory is not ours to read.
    }
    return { pid, ppid: stat.ppid, startTime: stat.startTime, argv, ...(cwd ? { cwd } : {}) };
  } catch {
    return undefined;
  }
};

/** One line of `ps -o pid=,ppid=,stat=,args=`; the arguments are only split on spaces. */
const parsePsLine = (line: string): ProcessInfo | undefined => {
  const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
  if (!match || match[3]?.startsWith('Z')) return undefined;
  return { pid: Number(match[1]), ppid: Number(match[2]), argv: (match[4] ?? '').split(' ') };
};

const ps = (args: string[]): ProcessInfo[] => {
  try {
    return execFileSync('ps', ['-ww', '-o', 'pid=,ppid=,stat=,args=', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .flatMap((line) => parsePsLine(line) ?? []);
  } catch {
    return [];
  }
};

/** The live (not zombie) process `pid`, or undefined. */
export const readProcess = (pid: number): ProcessInfo | undefined =>
  hasProc ? readProc(pid) : ps(['-p', String(pid)])[0];

export const listProcesses = (): ProcessInfo[] =>
  hasProc
    ? readdirSync('/proc').flatMap((name) =>
        /^\d+$/.test(name) ? (readProc(Number(name)) ?? []) : [],
      )
    : ps(['-ax']);

/** Whether `pid` is still the process that was recorded (same start time, where known). */
export const isRunning = (pid: number, startTime?: number): boolean => {
  const info = readProcess(pid);
  if (!info) return false;
  return startTime === undefined || info.startTime === undefined || info.startTime === startTime;
};

/** Every live process that is the engine `spec` describes. */
export const findEngineProcesses = (spec: EngineSpec): ProcessInfo[] =>
  listProcesses().filter((p) => runsEngine(p.argv, spec, p.cwd));
