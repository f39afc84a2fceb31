import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  compareSemver,
  createEnvRelease,
  envTagVersion,
  formatChangelog,
  parseSemver,
  previousEnvTag,
  releaseTag,
} from '../../cli/github/release.js';
import { buildProgram } from '../../cli/main.js';
import {
  API,
  caught,
  client,
  compareCommit,
  interceptGithub,
  OWNER,
  REPO,
  REPO_PATH,
} from './github-fixtures.js';

const SHA = '3f9c2ab0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60';

const tagObject = (name: string, sha = 'c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc') => ({
  name,
  commit: { sha, url: `${API}${REPO_PATH}/commits/${sha}` },
  zipball_url: `${API}${REPO_PATH}/zipball/${name}`,
  tarball_url: `${API}${REPO_PATH}/tarball/${name}`,
  node_id: 'MDQ6VXNlcjE=',
});

const semver = (text: string) => {
  const v = parseSemver(text);
  if (!v) throw new Error(`not semver: ${text}`);
  return v;
};

describe('semver and release tags (pure)', () => {
  it('parses semver 2.0 (a leading v tolerated) and refuses the rest', () => {
    expect(parseSemver('1.2.0')).toMatchObject({ major: 1, minor: 2, patch: 0, prerelease: [] });
    expect(parseSemver('v1.3.0-rc.1')).toMatchObject({ text: '1.3.0-rc.1', prerelease: ['rc', 1] });
    for (const bad of ['1.2', '01.2.0', '1.2.0-', 'latest', '1.2.0.4', '']) {
      expect(parseSemver(bad), bad).toBeUndefined();
    }
  });

  it('orders versions by semver precedence, pre-releases before their release', () => {
    // Prepare
    const shuffled = ['1.10.0', '1.2.0', '1.2.0-rc.10', '1.2.0-rc.2', '1.2.0-alpha', '0.9.9'];

    // Act
    const sorted = shuffled
      .map(semver)
      .sort(compareSemver)
      .map((v) => v.text);

    // Assess
    expect(sorted).toEqual([
      '0.9.9',
      '1.2.0-alpha',
      '1.2.0-rc.2',
      '1.2.0-rc.10',
      '1.2.0',
      '1.10.0',
    ]);
  });

  it("names tags v<semver>-<env> and reads back only that env's tags", () => {
    expect(releaseTag(semver('1.2.0'), 'sit')).toBe('v1.2.0-sit');
    expect(envTagVersion('v1.2.0-rc.1-sit', 'sit')?.text).toBe('1.2.0-rc.1');
    expect(envTagVersion('v1.2.0-prod', 'sit')).toBeUndefined();
    expect(envTagVersion('1.2.0-sit', 'sit')).toBeUndefined();
  });

  it("picks the highest earlier tag of the same env as the changelog's base", () => {
    // Prepare
    const tags = ['v1.0.0-sit', 'v1.1.0-sit', 'v1.1.5-prod', 'v1.3.0-sit', 'v1.10.0-dev', 'junk'];

    // Act / Assess
    expect(previousEnvTag(tags, semver('1.2.0'), 'sit')).toBe('v1.1.0-sit');
    expect(previousEnvTag(tags, semver('1.2.0'), 'prod')).toBe('v1.1.5-prod');
    expect(previousEnvTag(tags, semver('1.0.0'), 'sit')).toBeUndefined();
  });

  it('formats the changelog: subject lines, short sha, author', () => {
    // Act
    const text = formatChangelog({
      tag: 'v1.2.0-sit',
      previousTag: 'v1.1.0-sit',
      compareUrl: 'https://github.com/acme/x/compare/v1.1.0-sit...v1.2.0-sit',
      commits: [
        {
          sha: 'aaaaaaa1111',
          message: 'Add fulfil endpoint\n\nLong body',
          author: 'tebogo',
          isLogin: true,
        },
        { sha: 'bbbbbbb2222', message: 'Fix typo', author: 'Jane Doe' },
      ],
      totalCommits: 3,
    });

    // Assess
    expect(text).toBe(
      [
        '## v1.2.0-sit',
        '',
        'Changes since v1.1.0-sit ([v1.1.0-sit...v1.2.0-sit](https://github.com/acme/x/compare/v1.1.0-sit...v1.2.0-sit)):',
        '',
        '- Add fulfil endpoint (aaaaaaa @tebogo)',
        '- Fix typo (bbbbbbb Jane Doe)',
        '',
        '…and 1 more commits (GitHub lists at most 250).',
        '',
      ].join('\n'),
    );
  });

  it('says so when there is no earlier tag of the env', () => {
    expect(formatChangelog({ tag: 'v1.0.0-prod', commits: [] })).toContain(
      'no earlier v*-prod tag',
    );
  });
});

describe('createEnvRelease (nock)', () => {
  interceptGithub();

  it('tags the commit and publishes a release with the changelog since the previous sit tag', async () => {
    // Prepare
    const created: unknown[] = [];
    const scope = nock(API)
      .get(`${REPO_PATH}/tags`)
      .query({ per_page: '100' })
      .reply(200, [tagObject('v1.3.0-sit'), tagObject('v1.1.0-sit'), tagObject('v1.1.5-prod')])
      .get(`${REPO_PATH}/commits/main`)
      .reply(200, { sha: SHA, commit: { message: 'Fix typo' } })
      .get(`${REPO_PATH}/compare/v1.1.0-sit...${SHA}`)
      .query({ per_page: '250' })
      .reply(200, {
        status: 'ahead',
        ahead_by: 2,
        behind_by: 0,
        total_commits: 2,
        html_url: `https://github.com/${OWNER}/${REPO}/compare/v1.1.0-sit...${SHA}`,
        commits: [
          compareCommit('1111111aaaaaaa', 'Add fulfil endpoint\n\nbody', 'tebogo'),
          compareCommit(SHA, 'Fix typo', null, 'Jane Doe'),
        ],
        files: [],
      })
      .post(`${REPO_PATH}/git/refs`, (body) => {
        created.push(body);
        return true;
      })
      .reply(201, {
        ref: 'refs/tags/v1.2.0-sit',
        node_id: 'MDM6UmVmcmVmcy90YWdzL3YxLjIuMC1zaXQ=',
        url: `${API}${REPO_PATH}/git/refs/tags/v1.2.0-sit`,
        object: { type: 'commit', sha: SHA, url: `${API}${REPO_PATH}/git/commits/${SHA}` },
      })
      .post(`${REPO_PATH}/releases`, (body) => {
        created.push(body);
        return true;
      })
      .reply(201, {
        id: 1,
        tag_name: 'v1.2.0-sit',
        name: 'v1.2.0-sit',
        html_url: `https://github.com/${OWNER}/${REPO}/releases/tag/v1.2.0-sit`,
        draft: false,
        prerelease: false,
      });

    // Act
    const result = await createEnvRelease(await client(), {
      env: 'sit',
      version: '1.2.0',
      ref: 'main',
    });

    // Assess
    expect(result.tag).toBe('v1.2.0-sit');
    expect(result.previousTag).toBe('v1.1.0-sit');
    expect(result.changelog).toContain('- Add fulfil endpoint (1111111 @tebogo)');
    expect(result.changelog).toContain('- Fix typo (3f9c2ab Jane Doe)');
    expect(result.releaseUrl).toBe(`https://github.com/${OWNER}/${REPO}/releases/tag/v1.2.0-sit`);
    expect(created).toEqual([
      { ref: 'refs/tags/v1.2.0-sit', sha: SHA },
      {
        tag_name: 'v1.2.0-sit',
        name: 'v1.2.0-sit',
        body: result.changelog,
        prerelease: false,
        make_latest: 'false',
      },
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses a tag that already exists, writing nothing', async () => {
    // Prepare
    const scope = nock(API)
      .get(`${REPO_PATH}/tags`)
      .query(true)
      .reply(200, [tagObject('v1.2.0-sit')]);

    // Act
    const error = await caught(
      createEnvRelease(await client(), { env: 'sit', version: '1.2.0', ref: 'main' }),
    );

    // Assess
    expect([error.code, error.exitCode]).toEqual(['GITHUB_TAG_EXISTS', 2]);
    expect(error.message).toContain('v1.2.0-sit');
    expect(scope.isDone()).toBe(true);
  });

  it('refuses a version that is not semver before any GitHub call', async () => {
    // Act
    const error = await caught(
      createEnvRelease(await client(), { env: 'sit', version: '1.2', ref: 'main' }),
    );

    // Assess
    expect([error.code, error.exitCode]).toEqual(['RELEASE_BAD_VERSION', 2]);
  });
});

describe('promote release (commander)', () => {
  it('is registered with --version, --ref, --repo and examples in its help', () => {
    // Prepare
    const program = buildProgram();

    // Act
    const release = program.commands.find((c) => c.name() === 'release');

    // Assess
    expect(release).toBeDefined();
    expect(release?.options.map((o) => o.long)).toEqual(['--version', '--ref', '--repo']);
    expect(release?.options.find((o) => o.long === '--version')?.mandatory).toBe(true);
    let help = '';
    release?.configureOutput({ writeOut: (s) => (help += s) });
    release?.outputHelp();
    expect(help).toContain('promote release sit --version 1.2.0');
  });
});
