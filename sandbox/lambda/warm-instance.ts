import { Worker } from 'node:worker_threads';
import {
  type BootstrapData,
  type ErrorBody,
  type InvokeMessage,
  WORKER_BOOTSTRAP,
  type WorkerMessage,
} from './worker-bootstrap.js';

export type OutputStream = 'stdout' | 'stderr';
/** Receives the instance's output, one complete line at a time. */
export type OutputSink = (stream: OutputStream, line: string) => void;

/** How to start an instance of one function version. */
export interface InstanceSpec {
  readonly taskRoot: string;
  readonly handler: string;
  /** The whole environment of the instance: nothing is inherited from the sandbox. */
  readonly env: Readonly<Record<string, string>>;
  readonly memoryMb: number;
}

export type InvocationOutcome =
  | { readonly ok: true; readonly payload: string; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: ErrorBody;
      readonly durationMs: number;
      /** The instance died or was killed and cannot serve again. */
      readonly fatal: boolean;
    };

/** The handler could not be loaded (Lambda's init phase failed). */
export class FunctionInitError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.errorMessage);
    this.name = body.errorType;
  }
}

/** What an instance waits for: a worker message, its death, or the time limit. */
type Awaited = WorkerMessage | { type: 'died'; error: ErrorBody } | { type: 'timeout' };
type Settle = (event: Awaited) => void;

const crashBody = (error: Error & { code?: string }): ErrorBody =>
  error.code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? { errorType: 'Runtime.OutOfMemory', errorMessage: 'Runtime exited: out of memory' }
    : { errorType: error.name || 'Error', errorMessage: error.message };

/**
 * One warm execution environment: a Worker with its own module graph and `process.env`,
 * serving one invocation at a time. Output is split into lines and handed to whichever
 * sink the current invocation installed; partial lines are flushed when it ends, so
 * nothing written before the handler returned is lost.
 */
export class WarmInstance {
  readonly createdAt = Date.now();
  lastUsed = Date.now();
  private sink: OutputSink = () => {};
  private readonly partial: Record<OutputStream, string> = { stdout: '', stderr: '' };
  private settle: Settle | undefined;
  private dead = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'output') this.write(message.stream, message.text);
      else this.settle?.(message);
    });
    worker.on('error', (error) => this.die(crashBody(error)));
    worker.on('exit', (code) =>
      this.die({
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with error: exit status ${code}`,
      }),
    );
    // Output that bypasses process.stdout.write (rare) still reaches the log.
    worker.stdout.on('data', (chunk: Buffer) => this.write('stdout', chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => this.write('stderr', chunk.toString()));
  }

  /**
   * Starts a Worker and waits for its init phase.
   *
   * @throws FunctionInitError when the handler cannot be loaded or init overruns `initTimeoutMs`.
   */
  static async start(
    spec: InstanceSpec,
    sink: OutputSink,
    initTimeoutMs: number,
  ): Promise<WarmInstance> {
    const data: BootstrapData = { taskRoot: spec.taskRoot, handler: spec.handler };
    const instance = new WarmInstance(
      new Worker(WORKER_BOOTSTRAP, {
        eval: true,
        workerData: data,
        env: { ...spec.env },
        // The sandbox's own flags (tsx loaders, inspector) are not the function's business.
        execArgv: [],
        stdout: true,
        stderr: true,
        // Memory size bounds the heap, so a leak fails here as it would in Lambda.
        resourceLimits: { maxOldGenerationSizeMb: Math.max(64, spec.memoryMb) },
      }),
    );
    instance.sink = sink;
    const event = await instance.await(initTimeoutMs);
    instance.flush();
    if (event.type === 'ready') return instance;
    await instance.terminate();
    if (event.type === 'init-error' || event.type === 'died')
      throw new FunctionInitError(event.error);
    throw new FunctionInitError({
      errorType: 'Runtime.InitTimeout',
      errorMessage: `Init phase did not complete within ${initTimeoutMs} ms`,
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  setSink(sink: OutputSink): void {
    this.sink = sink;
  }

  /**
   * Runs one invocation. On timeout the Worker is terminated (like Lambda, which resets
   * the execution environment) and the outcome is Lambda's timeout error.
   */
  async invoke(message: InvokeMessage, timeoutMs: number): Promise<InvocationOutcome> {
    if (this.settle || this.dead) throw new Error('instance is busy or dead');
    const started = performance.now();
    const pending = this.await(timeoutMs);
    this.worker.postMessage(message);
    const answer = await pending;
    this.flush();
    this.lastUsed = Date.now();
    if (answer.type === 'result') {
      return answer.ok
        ? { ok: true, payload: answer.payload ?? 'null', durationMs: answer.durationMs }
        : {
            ok: false,
            error: answer.error ?? { errorType: 'Error', errorMessage: 'unknown error' },
            durationMs: answer.durationMs,
            fatal: false,
          };
    }
    await this.terminate();
    if (answer.type === 'timeout') {
      const seconds = (timeoutMs / 1000).toFixed(2);
      return {
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${seconds} seconds`,
        },
        durationMs: timeoutMs,
        fatal: true,
      };
    }
    const error =
      answer.type === 'died' || answer.type === 'init-error'
        ? answer.error
        : { errorType: 'Runtime.Unknown', errorMessage: `unexpected ${answer.type} message` };
    return { ok: false, error, durationMs: performance.now() - started, fatal: true };
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  /** Waits for the next ready/init-error/result, a crash, or the time limit (→ kill). */
  private await(limitMs: number): Promise<Awaited> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle = undefined;
        this.dead = true;
        resolve({ type: 'timeout' });
      }, limitMs);
      this.settle = (event) => {
        clearTimeout(timer);
        this.settle = undefined;
        resolve(event);
      };
    });
  }

  private die(error: ErrorBody): void {
    if (this.dead && !this.settle) return;
    this.dead = true;
    this.settle?.({ type: 'died', error });
  }

  private write(stream: OutputStream, text: string): void {
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.sink(stream, line.replace(/\r$/, ''));
  }

  private flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.sink(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }
}
