// `npm run manifest -- --base-url https://presence.contoso.com [--out DIR] [--version 1.2.0.0]
//   [--outlook-id GUID] [--word-id GUID]`: renders both manifests for a deployment and checks them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MANIFEST_OPTIONS, outlookManifest, wordManifest, type ManifestOptions } from './manifests.js';
import { validateManifest } from './validate.js';

function fail(message: string): never {
  process.stderr.write(`manifest: ${message}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      'base-url': { type: 'string' },
      out: { type: 'string', default: 'dist/manifests' },
      version: { type: 'string', default: DEFAULT_MANIFEST_OPTIONS.version },
      'outlook-id': { type: 'string', default: DEFAULT_MANIFEST_OPTIONS.outlookId },
      'word-id': { type: 'string', default: DEFAULT_MANIFEST_OPTIONS.wordId },
      'provider-name': { type: 'string', default: DEFAULT_MANIFEST_OPTIONS.providerName },
      'display-name': { type: 'string', default: DEFAULT_MANIFEST_OPTIONS.displayName },
    },
  }).values;
} catch (err) {
  fail((err as Error).message);
}
const baseUrl = args['base-url'];
if (!baseUrl) fail('--base-url https://your-host is required');
let parsed: URL;
try {
  parsed = new URL(baseUrl);
} catch {
  fail(`--base-url "${baseUrl}" is not a URL`);
}
if (parsed.protocol !== 'https:') fail('--base-url must be https:// (Office loads add-ins over HTTPS only)');

const options: ManifestOptions = {
  baseUrl: baseUrl.replace(/\/+$/, ''),
  outlookId: args['outlook-id']!,
  wordId: args['word-id']!,
  version: args.version!,
  providerName: args['provider-name']!,
  displayName: args['display-name']!,
};
const outDir = path.resolve(args.out!);
mkdirSync(outDir, { recursive: true });
let bad = 0;
for (const [file, xml] of [
  ['manifest.xml', outlookManifest(options)],
  ['manifest.word.xml', wordManifest(options)],
] as const) {
  const problems = validateManifest(xml);
  if (problems.length) {
    bad++;
    process.stderr.write(`${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    continue;
  }
  writeFileSync(path.join(outDir, file), xml);
  process.stdout.write(`${path.join(outDir, file)}\n`);
}
process.exit(bad ? 1 : 0);
