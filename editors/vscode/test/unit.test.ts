// Unit tests of the parts of the extension that need no VS Code: server lookup and settings.
// Run with `npm test` (bundled by esbuild, run by node's test runner).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { PythonExtensionLike, scriptsDirs, selectedPythonEnvironment } from '../src/python';
import { BINARY, expandPath, findServer } from '../src/server';
import { toServerSettings } from '../src/settings';
import { hostViewPath, hostViewTarget, hostViewText } from '../src/hostView';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'azfunc-vscode-'));
}

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

test('the setting wins over the bundled binary and PATH', () => {
  const root = tempDir();
  const ext = path.join(root, 'ext');
  executable(path.join(ext, 'server', BINARY));
  const onPath = path.join(root, 'bin');
  executable(path.join(onPath, BINARY));
  const configured = executable(path.join(root, 'custom', 'azfunc-lsp-dev'));
  assert.deepEqual(findServer({ configured, extensionPath: ext, envPath: onPath }), {
    kind: 'found',
    command: configured,
    source: 'setting',
  });
});

test('the bundled binary comes before PATH', () => {
  const root = tempDir();
  const ext = path.join(root, 'ext');
  const bundled = executable(path.join(ext, 'server', BINARY));
  const onPath = path.join(root, 'bin');
  executable(path.join(onPath, BINARY));
  assert.deepEqual(findServer({ configured: '', extensionPath: ext, envPath: onPath }), {
    kind: 'found',
    command: bundled,
    source: 'bundled',
  });
});

test('PATH is searched in order, skipping files that are not executable', () => {
  const root = tempDir();
  const first = path.join(root, 'a');
  fs.mkdirSync(first);
  fs.writeFileSync(path.join(first, BINARY), 'not executable', { mode: 0o644 });
  const second = executable(path.join(root, 'b', BINARY));
  const envPath = [first, '', path.join(root, 'missing'), path.dirname(second)].join(path.delimiter);
  assert.deepEqual(findServer({ configured: '', extensionPath: path.join(root, 'ext'), envPath }), {
    kind: 'found',
    command: second,
    source: 'PATH',
  });
});

test('the selected Python environment comes after the bundled binary and before PATH', () => {
  const root = tempDir();
  const venvBin = path.join(root, 'venv', 'bin');
  const inVenv = executable(path.join(venvBin, BINARY));
  const onPath = path.join(root, 'path');
  executable(path.join(onPath, BINARY));
  const python = { executable: path.join(venvBin, 'python'), scriptsDirs: [path.join(root, 'empty'), venvBin] };
  assert.deepEqual(findServer({ configured: '', extensionPath: path.join(root, 'ext'), python, envPath: onPath }), {
    kind: 'found',
    command: inVenv,
    source: 'python',
  });
  const bundled = executable(path.join(root, 'ext', 'server', BINARY));
  assert.deepEqual(findServer({ configured: '', extensionPath: path.join(root, 'ext'), python, envPath: onPath }), {
    kind: 'found',
    command: bundled,
    source: 'bundled',
  });
});

test('the message names every place tried, the Python environment included', () => {
  const root = tempDir();
  const python = { executable: '/p/venv/bin/python', scriptsDirs: ['/p/venv/bin'] };
  const found = findServer({ configured: '', extensionPath: path.join(root, 'ext'), python, envPath: root });
  assert.equal(found.kind, 'missing');
  const message = found.kind === 'missing' ? found.message : '';
  assert.match(message, /azfunc\.server\.path.*bundled.*selected Python environment \(\/p\/venv\/bin\).*PATH.*pip install azfunc-lsp/s);
  const none = findServer({
    configured: '',
    extensionPath: root,
    pythonMissing: 'the Python extension ms-python.python is not installed',
    envPath: root,
  });
  assert.match(none.kind === 'missing' ? none.message : '', /ms-python\.python is not installed/);
});

/** A stand-in for the Python extension with the given exports. */
function fakePython(exports: unknown, active = true): PythonExtensionLike & { activations: number } {
  const ext = {
    isActive: active,
    activations: 0,
    exports,
    activate(): Thenable<unknown> {
      ext.activations += 1;
      ext.isActive = true;
      return Promise.resolve(exports);
    },
  };
  return ext;
}

test('interpreter lookup: the environments API, resolved to the executable and sys.prefix', async () => {
  const asked: unknown[] = [];
  const ext = fakePython(
    {
      environments: {
        getActiveEnvironmentPath(resource: unknown) {
          asked.push(resource);
          return { id: 'venv', path: '/w/.venv' };
        },
        async resolveEnvironment(env: { path: string }) {
          assert.equal(env.path, '/w/.venv');
          return { path: '/w/.venv', executable: { uri: { fsPath: '/w/.venv/bin/python3' }, sysPrefix: '/w/.venv' } };
        },
      },
    },
    false,
  );
  const env = await selectedPythonEnvironment(ext, 'folder-uri');
  assert.deepEqual(env, { executable: '/w/.venv/bin/python3', sysPrefix: '/w/.venv' });
  assert.equal(ext.activations, 1, 'an inactive extension is activated first');
  assert.deepEqual(asked, ['folder-uri']);
  assert.deepEqual(scriptsDirs(env!, 'linux'), ['/w/.venv/bin']);
});

test('interpreter lookup: older API, nothing selected, no extension, a throwing API', async () => {
  const legacy = fakePython({ settings: { getExecutionDetails: () => ({ execCommand: ['/usr/bin/python3.11'] }) } });
  assert.deepEqual(await selectedPythonEnvironment(legacy), { executable: '/usr/bin/python3.11' });
  const unselected = fakePython({
    environments: { getActiveEnvironmentPath: () => undefined, resolveEnvironment: async () => undefined },
  });
  assert.equal(await selectedPythonEnvironment(unselected), undefined);
  assert.equal(await selectedPythonEnvironment(undefined), undefined);
  const broken = fakePython({
    environments: {
      getActiveEnvironmentPath: () => {
        throw new Error('boom');
      },
    },
  });
  assert.equal(await selectedPythonEnvironment(broken), undefined);
});

test('interpreter lookup: Windows venvs, conda and base interpreters keep scripts in Scripts\\', () => {
  assert.deepEqual(scriptsDirs({ executable: 'C:\\w\\.venv\\Scripts\\python.exe', sysPrefix: 'C:\\w\\.venv' }, 'win32'), [
    'C:\\w\\.venv\\Scripts',
  ]);
  assert.deepEqual(scriptsDirs({ executable: 'C:\\conda\\envs\\fn\\python.exe' }, 'win32'), [
    'C:\\conda\\envs\\fn',
    'C:\\conda\\envs\\fn\\Scripts',
  ]);
  assert.deepEqual(scriptsDirs({ executable: '/opt/conda/bin/python', sysPrefix: '/opt/conda' }, 'darwin'), ['/opt/conda/bin']);
});

test('nothing found: a message that says where it looked', () => {
  const root = tempDir();
  const found = findServer({ configured: '', extensionPath: root, envPath: root });
  assert.equal(found.kind, 'missing');
  assert.match(found.kind === 'missing' ? found.message : '', /not found.*PATH.*azfunc\.server\.path/s);
});

test('a configured path that does not exist is an error, not a fallback', () => {
  const root = tempDir();
  executable(path.join(root, 'ext', 'server', BINARY));
  const found = findServer({ configured: '/nonexistent/azfunc-lsp', extensionPath: path.join(root, 'ext') });
  assert.equal(found.kind, 'missing');
  assert.match(found.kind === 'missing' ? found.message : '', /azfunc\.server\.path.*\/nonexistent\/azfunc-lsp/);
});

test('~, ${workspaceFolder} and relative paths are expanded', () => {
  assert.equal(expandPath('~/bin/azfunc-lsp'), path.join(os.homedir(), 'bin/azfunc-lsp'));
  assert.equal(expandPath('${workspaceFolder}/tools/azfunc-lsp', '/w'), '/w/tools/azfunc-lsp');
  assert.equal(expandPath('tools/azfunc-lsp', '/w'), '/w/tools/azfunc-lsp');
  assert.equal(expandPath('/abs/azfunc-lsp', '/w'), '/abs/azfunc-lsp');
});

test('settings: empty lists are left out so that the project configuration stays in force', () => {
  assert.deepEqual(toServerSettings([], [], {}), { severity: {} });
  assert.deepEqual(toServerSettings(undefined, undefined, undefined), { severity: {} });
});

test('settings: select, ignore and severity in the shape the server reads', () => {
  assert.deepEqual(
    toServerSettings([' AZF2 ', ''], ['AZF212', 7], { AZF201: 'Warning', AZF106: 'off', AZF1: 'loud', AZF3: 3 }),
    { select: ['AZF2'], ignore: ['AZF212'], severity: { AZF201: 'warning', AZF106: 'off' } },
  );
  assert.deepEqual(toServerSettings('AZF2', { a: 1 }, ['AZF1']), { severity: {} });
});

test('settings: paths and the interpreter in the shape the server reads', () => {
  assert.deepEqual(
    toServerSettings([], [], {}, {
      extendExclude: ['tests/fixtures', '', 3],
      perFileIgnores: { 'scripts/*.py': ['AZF6', 1], '': ['AZF1'], 'x.py': [] },
      python: ' .venv-prod/bin/python ',
    }),
    {
      severity: {},
      extendExclude: ['tests/fixtures'],
      perFileIgnores: { 'scripts/*.py': ['AZF6'] },
      python: '.venv-prod/bin/python',
    },
  );
  assert.deepEqual(toServerSettings([], [], {}, { extendExclude: 'x', perFileIgnores: ['y'], python: 4 }), {
    severity: {},
  });
});

test('Show Host View targets the lens function, a name, or the active document', () => {
  const active = 'file:///app/function_app.py';
  assert.deepEqual(hostViewTarget([{ uri: 'file:///app/Orders/__init__.py', function: 'Orders' }], active), {
    uri: 'file:///app/Orders/__init__.py',
    function: 'Orders',
  });
  assert.deepEqual(hostViewTarget(['GetOrder'], active), { uri: active, function: 'GetOrder' });
  assert.deepEqual(hostViewTarget([], active), { uri: active });
  assert.deepEqual(hostViewTarget([{ function: '' }], undefined), { uri: undefined, function: undefined });
  assert.equal(hostViewPath({ function: 'orders/{id}' }), '/orders__id_.host-view.json');
  assert.equal(hostViewPath({}), '/app.host-view.json');
  assert.equal(hostViewText({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}\n');
});
