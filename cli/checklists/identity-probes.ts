import type { Probe } from './probe.js';

/** Whose account and which region: answered before anything else is read. */
export const IDENTITY_PROBES = {
  account: {
    title: () => 'account',
    async run({ apis, env }) {
      const me = await apis.sts.whoAmI();
      const value = {
        account: me.account,
        arn: me.arn,
        ...(me.expiresAt ? { expiresAt: me.expiresAt.toISOString() } : {}),
      };
      return me.account === env.account
        ? { ok: true, detail: `${me.account} (${me.arn})`, value }
        : {
            ok: false,
            detail: `credentials are for account ${me.account}, but ${env.name} is ${env.account} (${me.arn})`,
            value,
          };
    },
  },
  region: {
    title: () => 'region',
    async run({ env }) {
      // The plan fixes each env's region; every client of a run is built for it, so a
      // different AWS_REGION in the shell is reported, never followed.
      const configured = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      return {
        ok: true,
        detail:
          configured && configured !== env.region
            ? `${env.region} (AWS_REGION=${configured} is ignored: ${env.name} runs in ${env.region} per the plan)`
            : env.region,
        value: { region: env.region, ...(configured ? { configured } : {}) },
      };
    },
  },
} satisfies Record<string, Probe>;
