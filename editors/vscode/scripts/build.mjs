// Bundles src/extension.ts and vscode-languageclient into dist/extension.js.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/extension.ts'],
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['vscode'],
  outfile: 'dist/extension.js',
  minify: process.argv.includes('--minify'),
  sourcemap: false,
  logLevel: 'info',
});
