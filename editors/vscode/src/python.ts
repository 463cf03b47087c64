// The Python environment that the Python extension (ms-python.python) has selected for the
// workspace, and the folders where an `azfunc-lsp` installed into it by pip lives. No `vscode`
// import at run time, so that the unit tests can run it against a fake extension.
import * as path from 'path';

/** The extension as `vscode.extensions.getExtension('ms-python.python')` returns it. */
export interface PythonExtensionLike {
  isActive: boolean;
  activate(): Thenable<unknown>;
  exports: unknown;
}

/** What we need of a selected environment. */
export interface PythonEnvironment {
  /** The interpreter (`.../bin/python`, `...\\Scripts\\python.exe`, `...\\python.exe`). */
  executable: string;
  /** `sys.prefix`, when the extension knows it. */
  sysPrefix?: string;
}

// The parts of the extension's API we call (its `environments` API since 2023, and the older
// `settings.getExecutionDetails`); every field is checked before use.
interface EnvironmentsApi {
  getActiveEnvironmentPath(resource?: unknown): { path: string } | undefined;
  resolveEnvironment(env: { path: string } | string): Thenable<
    { executable?: { uri?: { fsPath: string }; sysPrefix?: string }; path?: string } | undefined
  >;
}
interface LegacyApi {
  getExecutionDetails(resource?: unknown): { execCommand?: string[] };
}

const ACTIVATION_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Thenable<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    Promise.resolve(promise).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/**
 * The environment selected for `resource` (a workspace folder's URI), or `undefined` when the
 * extension is missing, does not answer in time or has none selected.
 */
export async function selectedPythonEnvironment(
  extension: PythonExtensionLike | undefined,
  resource?: unknown,
): Promise<PythonEnvironment | undefined> {
  if (!extension) {
    return undefined;
  }
  try {
    if (!extension.isActive) {
      await withTimeout(extension.activate(), ACTIVATION_TIMEOUT_MS);
    }
    const api = extension.exports as { environments?: EnvironmentsApi; settings?: LegacyApi } | undefined;
    const environments = api?.environments;
    if (environments && typeof environments.getActiveEnvironmentPath === 'function') {
      const active = environments.getActiveEnvironmentPath(resource);
      if (active?.path) {
        const resolved =
          typeof environments.resolveEnvironment === 'function'
            ? await withTimeout(environments.resolveEnvironment(active), ACTIVATION_TIMEOUT_MS)
            : undefined;
        const executable = resolved?.executable?.uri?.fsPath ?? resolved?.path ?? active.path;
        return { executable, sysPrefix: resolved?.executable?.sysPrefix || undefined };
      }
    }
    const legacy = api?.settings?.getExecutionDetails?.(resource)?.execCommand?.[0];
    return legacy ? { executable: legacy } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folders where pip puts the scripts of `env`: beside the interpreter (`bin/` of a venv, or
 * `Scripts\` on Windows), and `bin/` or `Scripts\` under `sys.prefix` (a Windows base or conda
 * interpreter sits at the prefix's top, its scripts in `Scripts\`).
 */
export function scriptsDirs(env: PythonEnvironment, platform: NodeJS.Platform = process.platform): string[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const scripts = platform === 'win32' ? 'Scripts' : 'bin';
  const beside = p.dirname(env.executable);
  const dirs = [beside];
  const atPrefixTop = platform === 'win32' && p.basename(beside).toLowerCase() !== 'scripts';
  const prefixes = [env.sysPrefix, atPrefixTop ? beside : undefined];
  for (const prefix of prefixes) {
    if (prefix) {
      dirs.push(p.join(prefix, scripts));
    }
  }
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}
