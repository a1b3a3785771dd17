import { encodePng } from '../../core/image/png.js';

export type Rgb = readonly [number, number, number];

/**
 * A small PNG avatar: a solid background with a lighter head-and-shoulders silhouette.
 * Deterministic for the same inputs, a few hundred bytes.
 */
export function pngAvatar(background: Rgb, size = 64): Buffer {
  const fg: Rgb = [Math.min(255, background[0] + 90), Math.min(255, background[1] + 90), Math.min(255, background[2] + 90)];
  const c = size / 2;
  return encodePng(size, 3, (x, y) => {
    const head = (x - c) ** 2 + (y - size * 0.38) ** 2 <= (size * 0.18) ** 2;
    const body = y > size * 0.62 && (x - c) ** 2 / (size * 0.34) ** 2 + (y - size) ** 2 / (size * 0.36) ** 2 <= 1;
    return head || body ? fg : background;
  });
}
