// The editor's settings in the shape the server reads (section `azfunc` with `select`, `ignore`,
// `severity`, `extendExclude`, `perFileIgnores` and `python`), from the extension's settings
// `azfunc.rules.*`, `azfunc.extendExclude`, `azfunc.perFileIgnores` and `azfunc.python`. No VS Code
// API here, so that it can be tested on its own.

export interface ServerSettings {
  select?: string[];
  ignore?: string[];
  severity: Record<string, string>;
  extendExclude?: string[];
  perFileIgnores?: Record<string, string[]>;
  python?: string;
}

/** The settings about paths and the environment, as VS Code returns them (any shape). */
export interface ScopeSettings {
  extendExclude?: unknown;
  perFileIgnores?: unknown;
  python?: unknown;
}

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

function codes(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim())
    : [];
}

export function toServerSettings(
  select: unknown,
  ignore: unknown,
  severity: unknown,
  scope: ScopeSettings = {},
): ServerSettings {
  const out: ServerSettings = { severity: {} };
  const globs = codes(scope.extendExclude);
  if (globs.length > 0) {
    out.extendExclude = globs;
  }
  const perFile = scope.perFileIgnores;
  if (perFile && typeof perFile === 'object' && !Array.isArray(perFile)) {
    const entries = Object.entries(perFile as Record<string, unknown>)
      .map(([glob, list]): [string, string[]] => [glob, codes(list)])
      .filter(([glob, list]) => glob.trim() !== '' && list.length > 0);
    if (entries.length > 0) {
      out.perFileIgnores = Object.fromEntries(entries);
    }
  }
  if (typeof scope.python === 'string' && scope.python.trim() !== '') {
    out.python = scope.python.trim();
  }
  const sel = codes(select);
  // An empty selection leaves the project's (pyproject.toml) selection in force.
  if (sel.length > 0) {
    out.select = sel;
  }
  const ign = codes(ignore);
  if (ign.length > 0) {
    out.ignore = ign;
  }
  if (severity && typeof severity === 'object' && !Array.isArray(severity)) {
    for (const [code, level] of Object.entries(severity as Record<string, unknown>)) {
      if (typeof level === 'string' && SEVERITIES.has(level.toLowerCase())) {
        out.severity[code] = level.toLowerCase();
      }
    }
  }
  return out;
}
