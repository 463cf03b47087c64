// VS Code client for azfunc-lsp, the language server for Azure Functions Python apps.
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  Message,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { COMMAND as HOST_VIEW_COMMAND, hostViewPath, hostViewTarget, hostViewText, SCHEME as HOST_VIEW_SCHEME, SERVER_COMMAND as HOST_VIEW_SERVER_COMMAND } from './hostView';
import { PythonExtensionLike, scriptsDirs, selectedPythonEnvironment } from './python';
import { findServer, LookupInput, ServerSource } from './server';
import { ServerSettings, toServerSettings } from './settings';

const CLIENT_ID = 'azfunc'; // also the prefix of `azfunc.trace.server`, read by the client library
const CLIENT_NAME = 'azfunc-lsp';
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

let client: LanguageClient | undefined;
/** Where the running server came from (a change of Python environment restarts a 'python' one). */
let clientSource: ServerSource | undefined;

const PYTHON_EXTENSION = 'ms-python.python';

function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const cfg = vscode.workspace.getConfiguration('azfunc', scope);
  return toServerSettings(cfg.get('rules.select'), cfg.get('rules.ignore'), cfg.get('rules.severity'), {
    extendExclude: cfg.get('extendExclude'),
    perFileIgnores: cfg.get('perFileIgnores'),
    python: cfg.get('python'),
  });
}
let output: vscode.OutputChannel;
let extensionPath = '';
/** Serializes start/stop/restart so that commands and setting changes never overlap. */
let queue: Promise<void> = Promise.resolve();

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task, task).catch((e) => output.appendLine(`[client] ${String(e)}`));
  return queue;
}

function log(line: string): void {
  output.appendLine(`[client] ${line}`);
}

async function showError(message: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, 'Show Output', 'Open Settings', 'Restart Server');
  if (choice === 'Show Output') {
    output.show(true);
  } else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'azfunc.server.path');
  } else if (choice === 'Restart Server') {
    await vscode.commands.executeCommand('azfunc.restartServer');
  }
}

/** Restarts a crashed server up to MAX_RESTARTS times in RESTART_WINDOW_MS, then says so. */
class CrashHandler implements ErrorHandler {
  private closes: number[] = [];

  error(error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    log(`connection error: ${error.message}`);
    if (count !== undefined && count <= 3) {
      return { action: ErrorAction.Continue, handled: true };
    }
    return { action: ErrorAction.Shutdown, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.closes = this.closes.filter((t) => now - t < RESTART_WINDOW_MS);
    this.closes.push(now);
    if (this.closes.length <= MAX_RESTARTS) {
      log(`the server stopped unexpectedly; restarting (${this.closes.length}/${MAX_RESTARTS})`);
      return { action: CloseAction.Restart, handled: true };
    }
    void showError(
      `azfunc-lsp: the language server crashed ${this.closes.length} times in the last 3 minutes and ` +
        'was not restarted. See the output for its last messages, then run "azfunc-lsp: Restart Language Server".',
    );
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

function workspaceFolderPath(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

function createClient(command: string): LanguageClient {
  const serverOptions: ServerOptions = {
    // The client library appends `--stdio` to the arguments for this transport.
    run: { command, args: ['serve'], transport: TransportKind.stdio },
    debug: { command, args: ['serve'], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', pattern: '**/function.json' },
      { scheme: 'file', pattern: '**/host.json' },
      { scheme: 'file', pattern: '**/local.settings.json' },
      { scheme: 'file', language: 'python' },
    ],
    initializationOptions: { azfunc: serverSettings() },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: new CrashHandler(),
    middleware: {
      // A lens runs the extension's Show Host View, which shows the server's answer.
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          if (lens.command?.command === HOST_VIEW_SERVER_COMMAND) {
            lens.command = { ...lens.command, command: HOST_VIEW_COMMAND };
          }
        }
        return lenses;
      },
      workspace: {
        // The server asks for section `azfunc` and reads `select`/`ignore`/`severity`,
        // `extendExclude`/`perFileIgnores` and `python` in it; the rule settings live under
        // `azfunc.rules.*`.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) => {
            if (item.section === 'azfunc') {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              return serverSettings(scope);
            }
            return result[i];
          });
        },
      },
    },
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}

/** The selected Python environment's scripts folders, or why there are none. */
async function pythonLookup(): Promise<Pick<LookupInput, 'python' | 'pythonMissing'>> {
  const extension = vscode.extensions.getExtension(PYTHON_EXTENSION) as PythonExtensionLike | undefined;
  if (!extension) {
    return { pythonMissing: `the Python extension ${PYTHON_EXTENSION} is not installed` };
  }
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  const env = await selectedPythonEnvironment(extension, folder);
  if (!env) {
    return { pythonMissing: 'the Python extension has no environment selected' };
  }
  return { python: { executable: env.executable, scriptsDirs: scriptsDirs(env) } };
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration('azfunc').get<string>('server.path', '');
  const python = configured.trim() === '' ? await pythonLookup() : {};
  const lookup = findServer({ configured, extensionPath, workspaceFolder: workspaceFolderPath(), ...python });
  if (lookup.kind === 'missing') {
    log(lookup.message);
    void showError(lookup.message);
    return;
  }
  log(`starting ${lookup.command} (from ${lookup.source === 'python' ? 'the selected Python environment' : lookup.source})`);
  const next = createClient(lookup.command);
  client = next;
  clientSource = lookup.source;
  try {
    await next.start();
    const info = next.initializeResult?.serverInfo;
    log(`running ${info?.name ?? 'server'} ${info?.version ?? ''}`.trim());
  } catch (e) {
    const message = `azfunc-lsp: the language server ${lookup.command} could not be started: ${
      e instanceof Error ? e.message : String(e)
    }`;
    log(message);
    void showError(message);
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  clientSource = undefined;
  if (!current) {
    return;
  }
  try {
    if (current.state === State.Running || current.state === State.Starting) {
      await current.stop(5000);
    }
  } catch (e) {
    log(`stopping the server: ${String(e)}`);
  }
  try {
    await current.dispose(2000);
  } catch {
    // already stopped
  }
}

function sendSettings(): void {
  const current = client;
  if (current && current.state === State.Running) {
    void current
      .sendNotification(DidChangeConfigurationNotification.type, { settings: { azfunc: serverSettings() } })
      .catch((e) => log(`sending settings: ${String(e)}`));
  }
}

/** The read-only documents of Show Host View: their text by URI. */
const hostViews = new Map<string, string>();
const hostViewChanged = new vscode.EventEmitter<vscode.Uri>();

async function showHostView(...args: unknown[]): Promise<void> {
  const current = client;
  if (!current || current.state !== State.Running) {
    void vscode.window.showWarningMessage('azfunc-lsp: the language server is not running.');
    return;
  }
  const target = hostViewTarget(args, vscode.window.activeTextEditor?.document.uri.toString());
  let answer: unknown;
  try {
    answer = await current.sendRequest(ExecuteCommandRequest.type, {
      command: HOST_VIEW_SERVER_COMMAND,
      arguments: [target],
    });
  } catch (e) {
    void vscode.window.showErrorMessage(`azfunc-lsp: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const uri = vscode.Uri.from({ scheme: HOST_VIEW_SCHEME, path: hostViewPath(target) });
  hostViews.set(uri.toString(), hostViewText(answer));
  hostViewChanged.fire(uri);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('azfunc.restartServer', () =>
      enqueue(async () => {
        log('restart requested');
        await stop();
        await start();
      }),
    ),
    vscode.commands.registerCommand('azfunc.showOutput', () => output.show(true)),
    vscode.commands.registerCommand(HOST_VIEW_COMMAND, showHostView),
    hostViewChanged,
    vscode.workspace.registerTextDocumentContentProvider(HOST_VIEW_SCHEME, {
      onDidChange: hostViewChanged.event,
      provideTextDocumentContent: (uri) => hostViews.get(uri.toString()) ?? '',
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('azfunc.server.path')) {
        void enqueue(async () => {
          log('azfunc.server.path changed: restarting');
          await stop();
          await start();
        });
      } else if (
        ['azfunc.rules', 'azfunc.extendExclude', 'azfunc.perFileIgnores', 'azfunc.python'].some((section) =>
          e.affectsConfiguration(section),
        )
      ) {
        sendSettings();
      }
    }),
  );

  watchPythonEnvironment(context);
  await enqueue(start);
}

/**
 * Restarts the server when the selected Python environment changes and the server came from
 * the previous one, or none was found.
 */
function watchPythonEnvironment(context: vscode.ExtensionContext): void {
  const extension = vscode.extensions.getExtension(PYTHON_EXTENSION);
  if (!extension) {
    return;
  }
  void Promise.resolve(extension.isActive ? undefined : extension.activate()).then(
    () => {
      const environments = (extension.exports as { environments?: { onDidChangeActiveEnvironmentPath?: vscode.Event<unknown> } })
        ?.environments;
      const event = environments?.onDidChangeActiveEnvironmentPath;
      if (typeof event !== 'function') {
        return;
      }
      context.subscriptions.push(
        event(() => {
          if (clientSource === undefined || clientSource === 'python') {
            void enqueue(async () => {
              log('the selected Python environment changed: looking for the server again');
              await stop();
              await start();
            });
          }
        }),
      );
    },
    (e) => log(`the Python extension did not activate: ${String(e)}`),
  );
}

export function deactivate(): Thenable<void> | undefined {
  return enqueue(stop);
}
