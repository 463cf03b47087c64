// The editor's settings in the shape the server reads (section `azfunc` with `select`, `ignore`
// and `severity`), from the extension's settings `azfunc.rules.*`. No VS Code API here, so that
// it can be tested on its own.

export interface ServerSettings {
  select?: string[];
  ignore?: string[];
  severity: Record<string, string>;
}

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

function codes(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim())
    : [];
}

export function toServerSettings(select: unknown, ignore: unknown, severity: unknown): ServerSettings {
  const out: ServerSettings = { severity: {} };
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
