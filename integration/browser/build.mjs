// Bundles src/ into dist/ with esbuild. The bundle is cached: a hash of
// the lock file, this script and every source file is kept in
// dist/.inputs-hash, and the build is skipped when it has not changed, so
// that repeated test runs do not pay for it.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

function inputsHash() {
  const h = createHash('sha256');
  const files = ['package-lock.json', 'build.mjs', ...readdirSync(join(here, 'src')).sort().map(f => join('src', f))];
  for (const f of files) {
    h.update(f + '\0');
    h.update(readFileSync(join(here, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

const hash = inputsHash();
const stamp = join(dist, '.inputs-hash');
if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
  console.log(`bundle up to date (${hash.slice(0, 12)})`);
  process.exit(0);
}

const esbuild = await import('esbuild');

// JupyterLab's icons are imported by scripts as SVG text, and referenced
// by style sheets with url(); the first need the text loader, the second
// a data URL.
const svg = {
  name: 'svg',
  setup(build) {
    build.onResolve({ filter: /\.svg$/ }, args => {
      if (args.kind !== 'url-token') return undefined;
      return { path: join(args.resolveDir, args.path), namespace: 'svg-url' };
    });
    build.onLoad({ filter: /.*/, namespace: 'svg-url' }, args => ({
      contents: readFileSync(args.path),
      loader: 'dataurl'
    }));
  }
};

// Style sheets written for webpack's css-loader name packages as
// "~package/file.css".
const tilde = {
  name: 'tilde',
  setup(build) {
    build.onResolve({ filter: /^~/ }, args =>
      build.resolve(args.path.slice(1), { kind: args.kind, resolveDir: args.resolveDir })
    );
  }
};

const started = Date.now();
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await esbuild.build({
  entryPoints: { bundle: join(here, 'src', 'index.js') },
  bundle: true,
  outdir: dist,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  minify: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  loader: {
    '.svg': 'text',
    '.woff': 'dataurl',
    '.woff2': 'dataurl',
    '.ttf': 'dataurl',
    '.eot': 'dataurl',
    '.png': 'dataurl',
    '.gif': 'dataurl',
    '.md': 'text'
  },
  plugins: [tilde, svg]
});
writeFileSync(join(dist, 'index.html'), readFileSync(join(here, 'src', 'index.html')));
writeFileSync(stamp, hash);
console.log(`bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s (${hash.slice(0, 12)})`);
