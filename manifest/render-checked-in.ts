// Regenerates the checked-in manifest.xml and manifest.word.xml (for sideloading against a local
// HTTPS proxy at https://localhost:3000). Deployments use `npm run manifest -- --base-url …`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../core/config/index.js';
import { DEFAULT_MANIFEST_OPTIONS, outlookManifest, wordManifest } from './manifests.js';

export const CHECKED_IN_BASE_URL = 'https://localhost:3000';
const options = { ...DEFAULT_MANIFEST_OPTIONS, baseUrl: CHECKED_IN_BASE_URL };
writeFileSync(path.join(ROOT_DIR, 'manifest.xml'), outlookManifest(options));
writeFileSync(path.join(ROOT_DIR, 'manifest.word.xml'), wordManifest(options));
