// "Azure Functions: Show Host View": what the host sees of the app's functions, as the server's
// `azfunc-lsp.showFunctionMetadata` command answers it, in a read-only JSON document.

/** The server's command. */
export const SERVER_COMMAND = 'azfunc-lsp.showFunctionMetadata';
/** The extension's command (the code lenses run it instead of the server's). */
export const COMMAND = 'azfunc.showHostView';
/** The scheme of the read-only documents. */
export const SCHEME = 'azfunc-host-view';

/** What to show: a document of the app (its URI) and, optionally, one function. */
export interface HostViewTarget {
  uri?: string;
  function?: string;
}

/**
 * The target from a command's arguments: a lens passes `{uri, function}`, a keybinding may pass a
 * function name, the palette nothing (then the active editor's document, every function).
 */
export function hostViewTarget(args: unknown[], activeUri: string | undefined): HostViewTarget {
  const first = args[0];
  if (typeof first === 'string' && first !== '') {
    return { uri: activeUri, function: first };
  }
  if (first && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    return {
      uri: typeof o.uri === 'string' ? o.uri : activeUri,
      function: typeof o.function === 'string' && o.function !== '' ? o.function : undefined,
    };
  }
  return { uri: activeUri };
}

/** The path of the document showing `target`: `/<function or "app">.host-view.json`. */
export function hostViewPath(target: HostViewTarget): string {
  const name = (target.function ?? 'app').replace(/[^A-Za-z0-9_.-]/g, '_');
  return `/${name}.host-view.json`;
}

/** The document's text: the server's answer, pretty-printed. */
export function hostViewText(answer: unknown): string {
  return `${JSON.stringify(answer, null, 2)}\n`;
}
