// Draws Meridian's app icons into static/: a blue rounded square with a white globe outline and
// one meridian (an upright ellipse). Only Node built-ins: shapes are signed-distance functions,
// anti-aliased by supersampling, and the PNG is encoded by hand with zlib.
//
//   node scripts/make-icons.js
//
// The "any" icons have transparent rounded corners. The maskable ones are full-bleed blue with the
// glyph shrunk into the central 80% circle, the safe zone every platform mask keeps.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BLUE = [0x1d, 0x4e, 0xd8];
const WHITE = [0xff, 0xff, 0xff];
const SAMPLES = 4; // per axis: 16 samples a pixel

/** Distance from (x, y) to a rounded square of half-size h and corner radius r, centred at 0; < 0 inside. */
function roundedSquare(x, y, h, r) {
	const qx = Math.abs(x) - h + r;
	const qy = Math.abs(y) - h + r;
	return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Approximate distance from (x, y) to the outline of an ellipse with radii a, b (first-order, f/|∇f|). */
function ellipseOutline(x, y, a, b) {
	const f = (x * x) / (a * a) + (y * y) / (b * b) - 1;
	const gx = (2 * x) / (a * a);
	const gy = (2 * y) / (b * b);
	return Math.abs(f) / Math.max(Math.hypot(gx, gy), 1e-9);
}

/**
 * Colour of one sample, in a unit coordinate system centred on the icon (-1..1).
 * @param {number} x
 * @param {number} y
 * @param {boolean} maskable
 * @returns {[number, number, number, number]} rgba, 0..1 alpha
 */
function sample(x, y, maskable) {
	const inside = maskable ? true : roundedSquare(x, y, 0.94, 0.36) <= 0;
	if (!inside) return [0, 0, 0, 0];
	// The maskable glyph must fit the safe zone (radius 0.8 of the half-size), so it is drawn smaller.
	const scale = maskable ? 0.78 : 1;
	const gx = x / scale;
	const gy = y / scale;
	const stroke = 0.075;
	const globe = Math.abs(Math.hypot(gx, gy) - 0.58);
	const meridian = ellipseOutline(gx, gy, 0.25, 0.58);
	const equator = Math.abs(gy) <= stroke / 2 && Math.abs(gx) <= 0.58 ? 0 : Infinity;
	const onGlyph = Math.min(globe, meridian, equator) <= stroke / 2;
	return onGlyph ? [...WHITE, 1] : [...BLUE, 1];
}

/**
 * @param {number} size
 * @param {boolean} maskable
 * @returns {Buffer} RGBA rows, each prefixed with PNG filter byte 0
 */
function render(size, maskable) {
	const stride = size * 4 + 1;
	const raw = Buffer.alloc(stride * size);
	for (let py = 0; py < size; py++) {
		raw[py * stride] = 0;
		for (let px = 0; px < size; px++) {
			let r = 0, g = 0, b = 0, a = 0;
			for (let sy = 0; sy < SAMPLES; sy++) {
				for (let sx = 0; sx < SAMPLES; sx++) {
					const x = ((px + (sx + 0.5) / SAMPLES) / size) * 2 - 1;
					const y = ((py + (sy + 0.5) / SAMPLES) / size) * 2 - 1;
					const [sr, sg, sb, sa] = sample(x, y, maskable);
					// Accumulate premultiplied so transparent samples don't darken the edge.
					r += sr * sa;
					g += sg * sa;
					b += sb * sa;
					a += sa;
				}
			}
			const o = py * stride + 1 + px * 4;
			raw[o] = a ? Math.round(r / a) : 0;
			raw[o + 1] = a ? Math.round(g / a) : 0;
			raw[o + 2] = a ? Math.round(b / a) : 0;
			raw[o + 3] = Math.round((a / (SAMPLES * SAMPLES)) * 255);
		}
	}
	return raw;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

/** @param {Buffer} bytes */
function crc32(bytes) {
	let c = 0xffffffff;
	for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** @param {number} size @param {boolean} maskable */
function png(size, maskable) {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header[8] = 8; // bit depth
	header[9] = 6; // colour type: truecolour with alpha
	header[10] = 0; // compression
	header[11] = 0; // filter
	header[12] = 0; // no interlace
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(render(size, maskable), { level: 9 })),
		chunk('IEND', Buffer.alloc(0))
	]);
}

const out = fileURLToPath(new URL('../static/', import.meta.url));
for (const size of [192, 512]) {
	writeFileSync(`${out}icon-${size}.png`, png(size, false));
	writeFileSync(`${out}icon-maskable-${size}.png`, png(size, true));
}
console.log('wrote static/icon-{192,512}.png and static/icon-maskable-{192,512}.png');
