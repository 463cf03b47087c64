// npm run package [-- --target TARGET --server PATH | -- --universal]
// Bundles the extension and packages it into a .vsix in this folder.
//   --target TARGET --server PATH  a platform package (TARGET is a VS Code target such as
//                                  linux-x64, darwin-arm64, win32-x64) carrying the binary PATH
//                                  as server/azfunc-lsp (server/azfunc-lsp.exe for win32-*);
//                                  --target defaults to linux-x64 (VSCE_TARGET also sets it).
//   --universal                    the package for every other platform, without a server: it
//                                  uses the setting, the selected Python environment or PATH.
// Without --server or --universal, a binary already in server/ is packaged for the target.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGETS = [
  'win32-x64',
  'win32-arm64',
  'linux-x64',
  'linux-arm64',
  'linux-armhf',
  'alpine-x64',
  'alpine-arm64',
  'darwin-x64',
  'darwin-arm64',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const fail = (message) => {
  console.error(`package: ${message}`);
  process.exit(2);
};
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, argv) => execFileSync(cmd, argv, { stdio: 'inherit' });

const universal = args.includes('--universal');
const server = opt('--server') ?? (universal ? undefined : process.env.AZFUNC_LSP_SERVER);
const requested = opt('--target') ?? process.env.VSCE_TARGET;
if (universal && (server || opt('--target'))) {
  fail('--universal packages no server: drop --server and --target');
}
const target = universal ? undefined : requested ?? 'linux-x64';
if (target && !TARGETS.includes(target)) {
  fail(`unknown target '${target}'; one of ${TARGETS.join(', ')}`);
}
if (server && !existsSync(server)) {
  fail(`--server ${server}: no such file`);
}

// The binary's name follows the target, not the machine that packages it.
const serverDir = join(root, 'server');
const bundled = target && join(serverDir, target.startsWith('win32-') ? 'azfunc-lsp.exe' : 'azfunc-lsp');
if (server || universal) {
  // Never carry a binary left from another target.
  rmSync(serverDir, { recursive: true, force: true });
}
if (server) {
  mkdirSync(serverDir, { recursive: true });
  copyFileSync(server, bundled);
  chmodSync(bundled, 0o755);
  const native = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
  if (native === target) {
    try {
      execFileSync('strip', [bundled], { stdio: 'ignore' });
    } catch {
      // no strip here: ship the binary as it is
    }
  }
}
const withServer = Boolean(bundled && existsSync(bundled));
if (!universal && !withServer) {
  fail(`no server for ${target}: pass --server PATH (or --universal for the package without one)`);
}

run(process.execPath, ['scripts/build.mjs', '--minify']);

// The README links screenshots in the repository's docs/images/; the package carries copies in
// images/ and a README that points there, so that the extension's page shows them offline.
const docsImages = '../../docs/images/';
let readme = readFileSync('README.md', 'utf8');
rmSync('images', { recursive: true, force: true });
for (const [, file] of readme.matchAll(/\]\(\.\.\/\.\.\/docs\/images\/([^)\s]+\.png)\)/g)) {
  mkdirSync('images', { recursive: true });
  copyFileSync(join(docsImages, file), join('images', file));
}
readme = readme.split(`](${docsImages}`).join('](images/');
mkdirSync('dist', { recursive: true });
writeFileSync('dist/README.md', readme);

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = target ? `${name}-${target}-${version}.vsix` : `${name}-${version}.vsix`;
const vsceArgs = [
  'package',
  '--no-dependencies',
  '--no-rewrite-relative-links',
  '--readme-path',
  'dist/README.md',
  '-o',
  out,
];
if (target) {
  vsceArgs.push('--target', target);
}
run(bin('vsce'), vsceArgs);
console.log(`packaged ${join(root, out)}${target ? ` (${target}, server bundled)` : ' (universal, no server)'}`);
