import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT_DIR } from '../core/config/index.js';
import { DEFAULT_MANIFEST_OPTIONS, outlookManifest, wordManifest } from './manifests.js';
import { validateManifest } from './validate.js';

const checkedIn = (f: string) => readFileSync(path.join(ROOT_DIR, f), 'utf8');
const local = { ...DEFAULT_MANIFEST_OPTIONS, baseUrl: 'https://localhost:3000' };

describe('checked-in manifests', () => {
  it.each([
    ['manifest.xml', outlookManifest(local)],
    ['manifest.word.xml', wordManifest(local)],
  ])('%s is what the renderer produces and passes every structural check', (file, rendered) => {
    expect(checkedIn(file)).toBe(rendered);
    expect(validateManifest(rendered)).toEqual([]);
  });

  it('Outlook: MailApp with read + compose surfaces, a pinnable pane, ReadItem', () => {
    const xml = checkedIn('manifest.xml');
    expect(xml).toContain('xsi:type="MailApp"');
    expect(xml).toContain('xsi:type="VersionOverridesV1_1"');
    expect(xml).toContain('MessageReadCommandSurface');
    expect(xml).toContain('MessageComposeCommandSurface');
    expect(xml).toContain('<SupportsPinning>true</SupportsPinning>');
    expect(xml).toContain('<Permissions>ReadItem</Permissions>');
  });

  it('Word: TaskPaneApp on the primary command surface', () => {
    const xml = checkedIn('manifest.word.xml');
    expect(xml).toContain('xsi:type="TaskPaneApp"');
    expect(xml).toContain('xsi:type="PrimaryCommandSurface"');
    expect(xml).toContain('<Host Name="Document"/>');
  });

  it('references icons that the pane build ships', () => {
    for (const size of [16, 32, 64, 80, 128]) expect(existsSync(path.join(ROOT_DIR, `addin/public/icons/icon-${size}.png`))).toBe(true);
  });
});

describe('validateManifest catches what Office would reject', () => {
  const good = outlookManifest(local);
  const cases: [string, string, RegExp][] = [
    ['elements out of order', good.replace(/(<Version>.*?<\/Version>\n)(\s*<ProviderName>.*?<\/ProviderName>\n)/, '$2$1'), /out of order/],
    ['an undefined resid', good.replace('resid="Pane.Tooltip"', 'resid="Nope.Tooltip"'), /"Nope.Tooltip" is not defined/],
    ['a resid over 32 characters', good.replaceAll('Pane.Tooltip', 'Pane.Tooltip.That.Is.Far.Too.Long.For.Office'), /longer than 32/],
    ['an http URL', good.replaceAll('https://localhost:3000/addin/icons/icon-64.png', 'http://localhost:3000/addin/icons/icon-64.png'), /must use HTTPS/],
    ['URLs on two origins', good.replace('https://localhost:3000/demo/', 'https://other.example/demo/'), /several origins/],
    ['an Id that is not a GUID', good.replace(DEFAULT_MANIFEST_OPTIONS.outlookId, 'not-a-guid'), /not a GUID/],
    ['a version that is not n.n.n.n', good.replace('<Version>1.0.0.0</Version>', '<Version>1.0</Version>'), /not n\.n\.n\.n/],
    ['broken XML', good.replace('</OfficeApp>', ''), /not well-formed/],
    ['an unknown root child', good.replace('<DisableEntityHighlighting>', '<Bogus/><DisableEntityHighlighting>'), /not a valid child/],
  ];
  it.each(cases)('%s', (_name, xml, problem) => {
    expect(validateManifest(xml).join('\n')).toMatch(problem);
  });

  it('SupportsPinning outside the 1.1 overrides', () => {
    const moved = good
      .replace(/<VersionOverrides xmlns="http:\/\/schemas.microsoft.com\/office\/mailappversionoverrides\/1.1" xsi:type="VersionOverridesV1_1">/, '')
      .replace(/<\/VersionOverrides>\n(\s*)<\/VersionOverrides>/, '</VersionOverrides>');
    expect(validateManifest(moved).join('\n')).toMatch(/SupportsPinning is only valid inside VersionOverridesV1_1/);
  });
});

describe('npm run manifest', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT_DIR, 'manifest/cli.ts'), ...args], { encoding: 'utf8' });

  it('renders both manifests for a deployment origin', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'op-manifest-'));
    try {
      const r = cli(['--base-url', 'https://presence.contoso.com/', '--out', out, '--version', '2.1.0.0']);
      expect(r.status).toBe(0);
      const xml = readFileSync(path.join(out, 'manifest.xml'), 'utf8');
      expect(xml).toContain('<SourceLocation DefaultValue="https://presence.contoso.com/addin/outlook.html"/>');
      expect(xml).toContain('<Version>2.1.0.0</Version>');
      expect(validateManifest(readFileSync(path.join(out, 'manifest.word.xml'), 'utf8'))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses a missing or non-HTTPS base URL with exit code 2', () => {
    expect(cli([]).status).toBe(2);
    const r = cli(['--base-url', 'http://presence.contoso.com']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('https://');
  });

  it('refuses an invalid version (the rendered manifest fails validation)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'op-manifest-'));
    try {
      const r = cli(['--base-url', 'https://p.contoso.com', '--out', out, '--version', '1.0']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/not n\.n\.n\.n/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
