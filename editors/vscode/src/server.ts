// Where the language server binary comes from: the `azfunc.server.path` setting, the binary
// bundled in the extension (`server/azfunc-lsp`), then `PATH`.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const BINARY = process.platform === 'win32' ? 'azfunc-lsp.exe' : 'azfunc-lsp';

export type ServerLookup =
  | { kind: 'found'; command: string; source: 'setting' | 'bundled' | 'PATH' }
  | { kind: 'missing'; message: string };

export interface LookupInput {
  /** Value of `azfunc.server.path` ('' when unset). */
  configured: string;
  /** Absolute folder of the extension. */
  extensionPath: string;
  /** First workspace folder, for relative and `${workspaceFolder}` paths. */
  workspaceFolder?: string;
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
  return {
    kind: 'missing',
    message:
      'azfunc-lsp: the language server was not found. This package has no bundled server and ' +
      '"azfunc-lsp" is not on PATH. Install it (cargo install --path server in the azfunc-lsp ' +
      'repository) or set "azfunc.server.path".',
  };
}
