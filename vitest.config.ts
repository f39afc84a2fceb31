import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions ride on the machine's spare capacity: canary bakes judged from
 * live latency (a saturated host is "not judged"), the guardian's heartbeat deadlines,
 * load percentiles, replication lag, process kills at known moments. They run one at a
 * time after everything else; the rest — mostly waiting on processes and I/O — shares
 * the machine two files at a time.
 */
const ALONE = [
  'test/e2e/promote-canary.test.ts',
  'test/e2e/guardian.test.ts',
  'test/e2e/load.test.ts',
  'test/e2e/prod-two-regions.test.ts',
  'test/e2e/promote-recovery.test.ts',
  'test/sandbox/engine-orphans.test.ts',
];

export default defineConfig({
  test: {
    env: {
      // Logger and metrics print through the global console, which vitest captures.
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'false',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    silent: 'passed-only',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two files at a time on the CI's two cores (vitest's default leaves one core idle).
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          // One DynamoDB Local and one moto for the project (integration tests use them).
          globalSetup: ['test/support/global-setup.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ALONE,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          // These start their own sandboxes: only the CLI bundle must be current.
          globalSetup: ['test/support/cli-bundle-setup.ts'],
          include: ALONE,
          // One fork, so one file at a time.
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
