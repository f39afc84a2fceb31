import { Chalk, type ChalkInstance } from 'chalk';
import type { Code } from '../codes.js';
import { PromoteError } from '../errors.js';

/**
 * The only place the CLI talks to a human or a machine (the CDK toolkit's IoHost idea):
 * messages carry a level and a stable code; the host decides how to show them (TTY, plain
 * CI lines, or nothing but a JSON document) and answers prompts (interactive, `--yes`, or a
 * clear refusal when nobody can answer — never a hang).
 */
export type Level = 'error' | 'warn' | 'info' | 'result' | 'debug';

export interface IoMessage {
  readonly level: Level;
  readonly code: Code;
  readonly text: string;
  readonly data?: Record<string, unknown>;
  readonly time: string;
}

export interface IoOptions {
  readonly json: boolean;
  readonly ci: boolean;
  readonly yes: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
  readonly interactive: boolean;
}

export class IoHost {
  readonly messages: IoMessage[] = [];
  readonly color: ChalkInstance;

  constructor(
    readonly options: IoOptions,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {
    this.color = new Chalk({ level: options.color && !options.json ? 1 : 0 });
  }

  /** Builds options from flags and the environment (CI=true implies --ci; NO_COLOR). */
  static optionsFrom(flags: {
    json?: boolean;
    ci?: boolean;
    yes?: boolean;
    verbose?: boolean;
    color?: boolean;
  }): IoOptions {
    const ci = Boolean(flags.ci) || process.env.CI === 'true' || process.env.CI === '1';
    const tty = Boolean(process.stdout.isTTY && process.stdin.isTTY);
    return {
      json: Boolean(flags.json),
      ci,
      yes: Boolean(flags.yes),
      verbose: Boolean(flags.verbose),
      color: flags.color !== false && !('NO_COLOR' in process.env) && tty && !ci,
      interactive: tty && !ci && !flags.json,
    };
  }

  notify(level: Level, code: Code, text: string, data?: Record<string, unknown>): void {
    const message: IoMessage = {
      level,
      code,
      text,
      time: new Date().toISOString(),
      ...(data ? { data } : {}),
    };
    this.messages.push(message);
    if (this.options.json) return; // the final document carries everything
    if (level === 'debug' && !this.options.verbose) return;
    const c = this.color;
    const line =
      level === 'error'
        ? c.red(`✖ ${text}`)
        : level === 'warn'
          ? c.yellow(`! ${text}`)
          : level === 'debug'
            ? c.gray(text)
            : text;
    (level === 'error' || level === 'warn' ? this.err : this.out).write(`${line}\n`);
  }

  info(code: Code, text: string, data?: Record<string, unknown>) {
    this.notify('info', code, text, data);
  }
  warn(code: Code, text: string, data?: Record<string, unknown>) {
    this.notify('warn', code, text, data);
  }
  debug(code: Code, text: string, data?: Record<string, unknown>) {
    this.notify('debug', code, text, data);
  }
  /** Plain command output (tables, URLs) — suppressed in JSON mode, where `document` is used. */
  result(text: string) {
    this.notify('result', 'RESULT', text);
  }

  /**
   * A live machine-readable event (canary analyses): one JSON line on stderr in --json
   * mode, so stdout still holds exactly one document; recorded in every mode.
   */
  event(code: Code, data: Record<string, unknown>): void {
    this.messages.push({ level: 'debug', code, text: code, data, time: new Date().toISOString() });
    if (this.options.json) this.err.write(`${JSON.stringify({ event: code, ...data })}\n`);
  }

  /** Writes the machine-readable document (only in --json mode). */
  document(payload: unknown): void {
    if (this.options.json) this.out.write(`${JSON.stringify(payload, null, 2)}\n`);
  }

  /**
   * Asks a yes/no question — or, with `word`, asks for that word to be typed (PROD's "GO").
   * `--yes` answers yes (and records that it did); with no TTY and no `--yes` it fails at
   * once with a clear message instead of waiting forever.
   */
  async confirm(code: Code, question: string, word?: string): Promise<boolean> {
    if (this.options.yes) {
      this.notify('info', code, `${question} → yes (--yes)`);
      return true;
    }
    if (!this.options.interactive) {
      throw new PromoteError(
        'approval_declined',
        'PROMPT_NOT_INTERACTIVE',
        `cannot ask "${question}": no interactive terminal`,
        'pass --yes to approve non-interactively (CI), or run in a terminal',
      );
    }
    if (word) {
      // The plan's explicit "GO": a word typed, not a key pressed by habit.
      const { input } = await import('@inquirer/prompts');
      const typed = (await input({ message: `${question}\nType ${word} to go ahead:` })).trim();
      this.notify('info', code, `${question} → ${typed === word ? word : `declined ("${typed}")`}`);
      return typed === word;
    }
    const { confirm } = await import('@inquirer/prompts');
    const answer = await confirm({ message: question, default: false });
    this.notify('info', code, `${question} → ${answer ? 'yes' : 'no'}`);
    return answer;
  }
}
