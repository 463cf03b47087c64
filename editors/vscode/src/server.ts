// Where the language server binary comes from, in this order:
//   1. the `azfunc.server.path` setting (an explicit choice always wins);
//   2. the binary bundled in a platform package (`server/azfunc-lsp`);
//   3. `azfunc-lsp` installed in the Python environment the Python extension selected
//      (`pip install azfunc-lsp` puts it beside the interpreter);
//   4. `azfunc-lsp` on PATH (pipx, uv tool, cargo install).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const BINARY = process.platform === 'win32' ? 'azfunc-lsp.exe' : 'azfunc-lsp';

export type ServerSource = 'setting' | 'bundled' | 'python' | 'PATH';

export type ServerLookup =
  | { kind: 'found'; command: string; source: ServerSource }
  | { kind: 'missing'; message: string };

export interface LookupInput {
  /** Value of `azfunc.server.path` ('' when unset). */
  configured: string;
  /** Absolute folder of the extension. */
  extensionPath: string;
  /** First workspace folder, for relative and `${workspaceFolder}` paths. */
  workspaceFolder?: string;
  /**
   * The selected Python environment: its interpreter and the folders where its scripts are
   * (see python.ts); `undefined` when the Python extension is not installed or has none.
   */
  python?: { executable: string; scriptsDirs: string[] };
  /** Why there is no Python environment, for the message (e.g. the extension is not installed). */
  pythonMissing?: string;
  /** The PATH to search (process.env.PATH by default). */
  envPath?: string;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Expands `~` and `${workspaceFolder}` and resolves a relative path against the workspace. */
export function expandPath(value: string, workspaceFolder?: string): string {
  let p = value.trim();
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  if (workspaceFolder) {
    p = p.split('${workspaceFolder}').join(workspaceFolder);
    if (!path.isAbsolute(p)) {
      p = path.resolve(workspaceFolder, p);
    }
  }
  return p;
}

export function findServer(input: LookupInput): ServerLookup {
  if (input.configured.trim() !== '') {
    const command = expandPath(input.configured, input.workspaceFolder);
    if (isExecutable(command)) {
      return { kind: 'found', command, source: 'setting' };
    }
    return {
      kind: 'missing',
      message:
        `azfunc-lsp: the language server set in "azfunc.server.path" was not found or is not executable: ${command}`,
    };
  }
  const bundled = path.join(input.extensionPath, 'server', BINARY);
  if (isExecutable(bundled)) {
    return { kind: 'found', command: bundled, source: 'bundled' };
  }
  for (const dir of input.python?.scriptsDirs ?? []) {
    const candidate = path.join(dir, BINARY);
    if (isExecutable(candidate)) {
      return { kind: 'found', command: candidate, source: 'python' };
    }
  }
  const envPath = input.envPath ?? process.env.PATH ?? '';
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, BINARY);
    if (isExecutable(candidate)) {
      return { kind: 'found', command: candidate, source: 'PATH' };
    }
  }
  const pythonTried = input.python
    ? `the selected Python environment (${input.python.scriptsDirs.join(', ')})`
    : `the selected Python environment (${input.pythonMissing ?? 'none selected'})`;
  return {
    kind: 'missing',
    message:
      'azfunc-lsp: the language server was not found. Tried: "azfunc.server.path" (not set); ' +
      `a server bundled in this package (${bundled}: this package has none); ${pythonTried}; PATH. ` +
      'Install it into the project\'s environment (pip install azfunc-lsp) or for your user ' +
      '(pipx install azfunc-lsp), install the extension package for your platform, or set "azfunc.server.path".',
  };
}
