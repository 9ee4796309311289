#!/usr/bin/env node
// Draws Bootdrop's icons as PNGs with nothing but zlib: the app icon (build/icon.png, 512×512), the
// Linux icon set electron-builder wants (build/icons/<n>x<n>.png) and the three tray status icons
// (build/tray/<state>.png + @2x, and macOS template variants <state>Template.png: black plus alpha, so the
// menu bar tints them for light and dark mode). The outputs are committed; rerun after changing the drawing:
//   node build/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** RGBA pixels (Uint8Array, w*h*4) → PNG bytes (8-bit RGBA, filter 0 on every row). */
export function encodePng(w, h, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * w * 4, w * 4).copy(raw, y * (w * 4 + 1) + 1);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Render a shape function over the unit square with 4×4 supersampling. `shade(x, y)` returns
 * [r, g, b, a] (0–255) for a point in [0,1]² or null for transparent.
 */
function render(size, shade) {
  const px = new Uint8Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = shade((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size);
          if (!c) continue;
          const ca = c[3] / 255;
          r += c[0] * ca; g += c[1] * ca; b += c[2] * ca; a += ca;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        px[i] = Math.round(r / a); px[i + 1] = Math.round(g / a); px[i + 2] = Math.round(b / a);
      }
      px[i + 3] = Math.round((a / (S * S)) * 255);
    }
  }
  return px;
}

function inRoundedRect(x, y, x0, y0, x1, y1, rad) {
  const cx = Math.min(Math.max(x, x0 + rad), x1 - rad);
  const cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
}
/** A downward arrow (the "drop") above a bar (the PC it boots). */
function inDropGlyph(x, y) {
  const shaft = x >= 0.43 && x <= 0.57 && y >= 0.18 && y <= 0.5;
  const head = y >= 0.45 && y <= 0.68 && Math.abs(x - 0.5) <= (0.68 - y) * 1.05;
  const bar = inRoundedRect(x, y, 0.22, 0.74, 0.78, 0.84, 0.04);
  return shaft || head || bar;
}

const WHITE = [255, 255, 255, 255];

function appIcon(x, y) {
  if (!inRoundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return null;
  if (inDropGlyph(x, y)) return WHITE;
  const t = y; // subtle vertical gradient
  return [Math.round(37 + 20 * t), Math.round(99 - 30 * t), Math.round(235 - 40 * t), 255];
}

const TRAY_COLOURS = {
  idle: [128, 128, 128, 255], // grey: nothing served
  serving: [22, 163, 74, 255], // green: listening for PCs
  transferring: [37, 99, 235, 255], // blue: a PC is downloading
};
function trayIcon(colour) {
  return (x, y) => {
    const inCircle = (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.47 ** 2;
    if (!inCircle) return null;
    return inDropGlyph(x, y) ? WHITE : colour;
  };
}

// macOS template images carry no colour, so the states differ in shape: idle is an outline, serving a
// solid disc, transferring a solid disc with a badge.
const BLACK = [0, 0, 0, 255];
const TRAY_TEMPLATES = {
  idle: (x, y) => {
    const d = (x - 0.5) ** 2 + (y - 0.5) ** 2;
    return d <= 0.47 ** 2 && (d >= 0.37 ** 2 || inDropGlyph(x, y)) ? BLACK : null;
  },
  serving: (x, y) => ((x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.47 ** 2 && !inDropGlyph(x, y) ? BLACK : null),
  transferring: (x, y) => {
    const badge = (x - 0.84) ** 2 + (y - 0.2) ** 2;
    if (badge <= 0.16 ** 2) return BLACK;
    if (badge <= 0.24 ** 2) return null; // a gap so the badge reads as separate
    return (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.47 ** 2 && !inDropGlyph(x, y) ? BLACK : null;
  },
};

function write(rel, size, shade) {
  const file = join(here, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodePng(size, size, render(size, shade)));
}

write('icon.png', 512, appIcon);
for (const n of [16, 24, 32, 48, 64, 128, 256, 512]) write(`icons/${n}x${n}.png`, n, appIcon);
for (const [state, colour] of Object.entries(TRAY_COLOURS)) {
  write(`tray/${state}.png`, 16, trayIcon(colour));
  write(`tray/${state}@2x.png`, 32, trayIcon(colour));
}
for (const [state, shade] of Object.entries(TRAY_TEMPLATES)) {
  write(`tray/${state}Template.png`, 16, shade);
  write(`tray/${state}Template@2x.png`, 32, shade);
}
