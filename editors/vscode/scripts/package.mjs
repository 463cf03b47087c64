// npm run package [-- --server PATH] [-- --target TARGET]
// Bundles the extension and packages it into a .vsix in this folder. With --server (or a binary
// already in server/), the binary is copied into server/azfunc-lsp and the package is platform
// specific (linux-x64 unless --target says otherwise); without one, the package is universal and
// finds the server through the setting or PATH.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, argv) => execFileSync(cmd, argv, { stdio: 'inherit' });

const server = opt('--server') ?? process.env.AZFUNC_LSP_SERVER;
const bundled = join(root, 'server', process.platform === 'win32' ? 'azfunc-lsp.exe' : 'azfunc-lsp');
if (server) {
  mkdirSync(dirname(bundled), { recursive: true });
  rmSync(bundled, { force: true });
  copyFileSync(server, bundled);
  chmodSync(bundled, 0o755);
  try {
    execFileSync('strip', [bundled], { stdio: 'ignore' });
  } catch {
    // no strip here: ship the binary as it is
  }
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
const target = existsSync(bundled) ? opt('--target') ?? process.env.VSCE_TARGET ?? 'linux-x64' : undefined;
const out = target ? `${name}-${target}-${version}.vsix` : `${name}-${version}.vsix`;
const vsceArgs = [
  'package',
  '--allow-missing-repository',
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
console.log(`packaged ${join(root, out)}${target ? ` (${target}, server bundled)` : ' (no bundled server)'}`);
