import type { Command } from 'commander';
import type { GlobalFlags } from '../global-flags.js';
import { IoHost } from '../io/io-host.js';

/** The IoHost of a command, built from its merged global and own flags. */
export const ioOf = (command: Command): IoHost =>
  new IoHost(IoHost.optionsFrom(command.optsWithGlobals() as GlobalFlags));
