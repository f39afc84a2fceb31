/**
 * What the `promote sandbox …` actions use, behind one dynamic import: the daemon client,
 * the JWT keys (jose), the traffic generator and the IoHost load only when a sandbox command
 * runs, never for `--help` or another command.
 */
export { loadSandboxKeys } from '../../sandbox/api/jwt.js';
export { runTraffic } from '../../sandbox/api/traffic.js';
export { sandboxSetupHint } from '../../sandbox/connection.js';
export { control, findRunning, startDaemon, stopDaemon } from '../../sandbox/control-client.js';
export { sandboxPaths } from '../../sandbox/paths.js';
export { ioOf } from './io-of.js';

import { findRunning } from '../../sandbox/control-client.js';
import { PromoteError } from '../errors.js';

export const requireRunning = async () => {
  const state = await findRunning();
  if (!state) {
    throw new PromoteError(
      'sandbox_unavailable',
      'SANDBOX_NOT_RUNNING',
      'the sandbox is not running',
      'start it with: npx promote sandbox up',
    );
  }
  return state;
};
