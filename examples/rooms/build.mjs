// Builds dist/: app.js (src/main.ts and mediasoup-client bundled by esbuild), whep.js (the WHEP player page,
// src/whep.ts with whip-whep's WHEPClient), whip.js (the WHIP publisher page, src/whip.ts with whip-whep's
// WHIPClient), index.html, whep.html, whip.html and style.css copied.
// `node build.mjs --watch` rebuilds on change.
import { build, context } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';

const options = {
  entryPoints: { app: 'src/main.ts', whep: 'src/whep.ts', whip: 'src/whip.ts' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox120', 'safari16'],
  outdir: 'dist',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'info',
  // debug (used by mediasoup-client) reads process.env in Node; the browser has none.
  define: { 'process.env.NODE_ENV': '"production"' },
};

await rm('dist', { recursive: true, force: true });
await mkdir('dist', { recursive: true });
await copyFile('src/index.html', 'dist/index.html');
await copyFile('src/whep.html', 'dist/whep.html');
await copyFile('src/whip.html', 'dist/whip.html');
await copyFile('src/style.css', 'dist/style.css');
if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
} else {
  await build(options);
}
