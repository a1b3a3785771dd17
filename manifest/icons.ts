// Draws the add-in icon (a blue tile with a person and a green presence dot) at the sizes the
// manifests reference, as PNG files under addin/public/icons/. Run: npx tsx manifest/icons.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../core/config/index.js';
import { encodePng } from '../core/image/png.js';

type Rgba = [number, number, number, number];

function icon(size: number): Buffer {
  const s = size;
  const r = s * 0.18;
  return encodePng(size, 4, (x, y): Rgba => {
    const cx = x + 0.5;
    const cy = y + 0.5;
    // Rounded tile.
    const dx = Math.max(r - cx, cx - (s - r), 0);
    const dy = Math.max(r - cy, cy - (s - r), 0);
    if (dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
    // Presence dot, bottom right, with a white ring.
    const pd = Math.hypot(cx - s * 0.74, cy - s * 0.74);
    if (pd < s * 0.15) return [19, 161, 14, 255];
    if (pd < s * 0.2) return [255, 255, 255, 255];
    // Person: head and shoulders.
    const head = Math.hypot(cx - s * 0.45, cy - s * 0.36) < s * 0.14;
    const body = Math.hypot((cx - s * 0.45) / 1.25, cy - s * 0.82) < s * 0.27 && cy < s * 0.8;
    if (head || body) return [255, 255, 255, 255];
    return [15, 108, 189, 255];
  });
}

const dir = path.join(ROOT_DIR, 'addin/public/icons');
mkdirSync(dir, { recursive: true });
for (const size of [16, 32, 64, 80, 128]) writeFileSync(path.join(dir, `icon-${size}.png`), icon(size));
