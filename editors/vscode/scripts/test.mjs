// npm test: bundles test/*.test.ts with esbuild and runs them with node's test runner.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';

const tests = readdirSync('test').filter((f) => f.endsWith('.test.ts'));
rmSync('dist-test', { recursive: true, force: true });
await build({
  entryPoints: tests.map((f) => `test/${f}`),
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['vscode'],
  outdir: 'dist-test',
  logLevel: 'warning',
});
const files = tests.map((f) => `dist-test/${f.replace(/\.ts$/, '.js')}`);
const run = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
