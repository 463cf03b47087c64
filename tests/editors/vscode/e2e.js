// End-to-end test of the VS Code extension in code-server, driven by Chromium through
// playwright-core. It installs the packaged .vsix into a fresh code-server profile, opens a copy
// of tests/fixtures/editors/orders-app and checks what a user sees.
//
// Environment (all optional):
//   VSIX         the package to test (default: the newest editors/vscode/*.vsix)
//   CODE_SERVER  code-server launcher (default: tests/editors/.tools/code-server/...)
//   AZFUNC_LSP   server binary for the capability probe and the crash test (default: target/release)
//   CHROMIUM     browser (default: /usr/bin/chromium)
//   ARTIFACTS    output folder for screenshots and logs (default: tests/editors/artifacts/vscode)
// Exit status 0 when every step passed or was skipped, 1 otherwise.
'use strict';

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '..', '..', '..');
const ART = path.resolve(process.env.ARTIFACTS || path.join(REPO, 'tests/editors/artifacts/vscode'));
const CODE_SERVER =
  process.env.CODE_SERVER || path.join(REPO, 'tests/editors/.tools/code-server/node_modules/.bin/code-server');
const SERVER_BIN = path.resolve(process.env.AZFUNC_LSP || path.join(REPO, 'target/release/azfunc-lsp'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIXTURE = path.join(REPO, 'tests/fixtures/editors/orders-app');
const WORKSPACE = path.join(ART, 'workspace', 'orders-app');
// A decorator-model app (function_app.py), opened as a second folder at the end.
const FIXTURE_V2 = path.join(REPO, 'tests/fixtures/lsp/editor_v2');
const WORKSPACE_V2 = path.join(ART, 'workspace', 'orders-v2');
const USER_DATA = path.join(ART, 'user-data');
const EXTENSIONS = path.join(ART, 'extensions');
const SETTINGS_FILE = path.join(USER_DATA, 'User', 'settings.json');
const MACHINE_SETTINGS_FILE = path.join(USER_DATA, 'Machine', 'settings.json');

// Generous but bounded waits: the machine may be busy compiling.
const LOAD_MS = 120000;
const WAIT_MS = 60000;
const SHORT_MS = 20000;

const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'json.schemaDownload.enable': false,
  'editor.minimap.enabled': false,
  'editor.fontSize': 14,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
  // The artifacts folder sits inside this repository: no prompt about opening it.
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s]`, ...a);

function newestVsix() {
  if (process.env.VSIX) {
    return path.resolve(process.env.VSIX);
  }
  const dir = path.join(REPO, 'editors/vscode');
  const found = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (found.length === 0) {
    throw new Error(`no .vsix in ${dir}: run npm run package there first`);
  }
  return found[0];
}

function writeSettings(extra) {
  fs.mkdirSync(path.dirname(SETTINGS_FILE), { recursive: true });
  fs.writeFileSync(SETTINGS_FILE, JSON.stringify({ ...BASE_SETTINGS, ...extra }, null, 2) + '\n');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, timeout = WAIT_MS, interval = 250) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) {
      return last;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}`);
    }
    await sleep(interval);
  }
}

/** What the server offers: initialize over stdio, read the capabilities, shut down. */
function serverCapabilities(bin) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('no initialize response in 20 s'));
    }, 20000);
    const send = (msg) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
      child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      child.stdin.write(body);
    };
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const sep = buf.indexOf('\r\n\r\n');
        if (sep < 0) return;
        const m = /Content-Length: (\d+)/i.exec(buf.slice(0, sep).toString());
        const len = m ? Number(m[1]) : 0;
        if (buf.length < sep + 4 + len) return;
        const msg = JSON.parse(buf.slice(sep + 4, sep + 4 + len).toString());
        buf = buf.slice(sep + 4 + len);
        if (msg.id === 1) {
          clearTimeout(timer);
          send({ id: 2, method: 'shutdown' });
          send({ method: 'exit' });
          child.stdin.end();
          resolve(msg.result.capabilities);
        }
      }
    });
    send({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  });
}

/** Processes of the bundled server started by this test's code-server. */
function bundledServerPids() {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(path.join(EXTENSIONS, '')) && l.includes('server/azfunc-lsp serve'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** Everything written to the azfunc-lsp output channel, from its log files in the profile. */
function outputChannelLog() {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (/^\d+-azfunc-lsp\.log$/.test(e.name)) {
        found.push(p);
      }
    }
  };
  walk(path.join(USER_DATA, 'logs'));
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Workbench helpers

class Workbench {
  constructor(page) {
    this.page = page;
    this.expanded = undefined;
    this.shots = 0;
  }

  async screenshot(name) {
    this.shots += 1;
    const file = path.join(ART, `${String(this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async problems() {
    return this.page.$$eval('.markers-panel .monaco-list-row', (els) =>
      els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()),
    );
  }

  async showProblems() {
    if (!(await this.page.$('.markers-panel'))) {
      await this.page.keyboard.press('Control+Shift+M');
    }
    await this.page.waitForSelector('.markers-panel', { timeout: SHORT_MS });
  }

  /** Waits until the Problems panel satisfies pred(rows); returns the rows. */
  async waitProblems(what, pred, timeout = WAIT_MS) {
    await this.showProblems();
    let rows = [];
    try {
      await until(what, async () => pred((rows = await this.problems())), timeout);
    } catch (e) {
      throw new Error(`${e.message}; Problems panel: ${JSON.stringify(rows)}`);
    }
    return rows;
  }

  async runCommand(title) {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    await this.page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: SHORT_MS });
    await this.page.keyboard.type(title);
    await until(`command "${title}" in the palette`, async () => {
      const labels = await this.page.$$eval('.quick-input-list .monaco-list-row', (els) =>
        els.map((e) => e.getAttribute('aria-label') || ''),
      );
      return labels.length > 0 && labels[0].startsWith(title);
    }, SHORT_MS);
    await this.page.keyboard.press('Enter');
  }

  /** Opens folder/file by clicking the Explorer, one folder expanded at a time. */
  async openFile(folder, file) {
    const page = this.page;
    if (!(await page.$('.explorer-folders-view'))) {
      await page.keyboard.press('Control+Shift+E');
    }
    const row = (label, level) =>
      page.locator(`.explorer-folders-view .monaco-list-row[aria-level="${level}"][aria-label="${label}"]`);
    if (this.expanded && this.expanded !== folder) {
      const prev = row(this.expanded, 1);
      if ((await prev.getAttribute('aria-expanded')) === 'true') {
        await prev.click();
      }
    }
    const dir = row(folder, 1);
    await dir.waitFor({ timeout: WAIT_MS });
    if ((await dir.getAttribute('aria-expanded')) !== 'true') {
      await dir.click();
    }
    this.expanded = folder;
    const target = row(file, 2);
    await target.waitFor({ timeout: SHORT_MS });
    await target.click();
    await until(`${folder}/${file} in the active editor tab`, async () => {
      const tab = await page.$('.tabs-container .tab.active');
      const title = tab ? await tab.getAttribute('aria-label') : '';
      return title && title.startsWith(file);
    }, SHORT_MS);
    await page.waitForSelector('.part.editor .monaco-editor .view-lines', { timeout: SHORT_MS });
  }

  /** The active editor's visible lines, in order. */
  async editorLines() {
    return this.page.$$eval('.part.editor .editor-instance .monaco-editor .view-lines .view-line', (els) =>
      els
        .map((e) => ({ top: parseFloat(e.style.top || '0'), text: e.innerText.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  }

  async gotoLine(line, column) {
    await this.page.click('.part.editor .monaco-editor .view-lines');
    await this.page.keyboard.press('Control+G');
    await this.page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: SHORT_MS });
    await this.page.keyboard.type(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await until(`cursor at ${line}:${column}`, async () => {
      const text = await this.page.$eval('.statusbar', (e) => e.innerText).catch(() => '');
      return text.includes(`Ln ${line}, Col ${column}`);
    }, SHORT_MS);
  }

  async outputText() {
    return this.page.$$eval('.part.panel .output-view .view-line', (els) =>
      els
        .map((e) => ({ top: parseFloat(e.style.top || '0'), text: e.innerText.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n'),
    );
  }

  /**
   * Replaces the user settings (or, with remote, the remote machine's settings, where VS Code
   * reads machine-scoped settings such as azfunc.server.path in code-server) through the
   * settings.json editor, as a user would, and saves.
   */
  async setSettings(extra, { remote = false } = {}) {
    const page = this.page;
    const file = remote ? MACHINE_SETTINGS_FILE : SETTINGS_FILE;
    await this.runCommand(remote ? 'Preferences: Open Remote Settings (JSON)' : 'Preferences: Open User Settings (JSON)');
    await until('settings.json in the active editor tab', async () => {
      const tab = await page.$('.tabs-container .tab.active');
      const title = tab ? await tab.getAttribute('aria-label') : '';
      return title && title.startsWith('settings.json');
    }, SHORT_MS);
    await page.click('.part.editor .monaco-editor .view-lines');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    // Pasted, not typed: typing would auto-indent and auto-close brackets.
    const text = JSON.stringify(remote ? extra : { ...BASE_SETTINGS, ...extra }, null, 2) + '\n';
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+S');
    await until(`${path.relative(USER_DATA, file)} saved`, async () => {
      try {
        return fs.readFileSync(file, 'utf8') === text;
      } catch {
        return false;
      }
    }, SHORT_MS);
    await page.keyboard.press('Control+W');
  }

  async notifications() {
    return this.page.$$eval('.notifications-toasts .notification-toast, .notifications-center .notification-list-item', (els) =>
      els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()),
    );
  }

  async clearNotifications() {
    // "Notifications: Clear All Notifications"
    await this.runCommand('Notifications: Clear All Notifications').catch(() => {});
    await this.page.keyboard.press('Escape');
  }
}

// ---------------------------------------------------------------------------------------------

const results = [];

async function step(wb, name, fn) {
  const started = Date.now();
  log(`STEP ${name}`);
  try {
    const res = await fn();
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (res && res.skip) {
      results.push({ name, status: 'SKIP', detail: res.skip });
      log(`SKIP ${name} - ${res.skip}`);
    } else {
      results.push({ name, status: 'PASS', detail: `${secs}s${res ? `, ${res}` : ''}` });
      log(`PASS ${name} (${secs}s)${res ? ` - ${res}` : ''}`);
    }
    return true;
  } catch (e) {
    results.push({ name, status: 'FAIL', detail: e.message });
    log(`FAIL ${name} - ${e.stack || e.message}`);
    if (wb) {
      await wb.screenshot(`FAILED-${name.split(':')[0].replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
    }
    return false;
  }
}

function hasCodes(rows, codes) {
  const text = rows.join('\n');
  return codes.every((c) => text.includes(`azfunc(${c})`) || text.includes(`azfunc ${c}`));
}

async function main() {
  fs.rmSync(ART, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(WORKSPACE), { recursive: true });
  fs.cpSync(FIXTURE, WORKSPACE, { recursive: true });
  fs.cpSync(FIXTURE_V2, WORKSPACE_V2, { recursive: true });
  writeSettings({});
  const vsix = newestVsix();
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(ART, 'xdg/config'),
    XDG_DATA_HOME: path.join(ART, 'xdg/data'),
    XDG_CACHE_HOME: path.join(ART, 'xdg/cache'),
  };
  log(`vsix ${vsix}`);
  log(execFileSync(CODE_SERVER, ['--version'], { env, encoding: 'utf8' }).trim());

  const caps = await serverCapabilities(SERVER_BIN);
  log(`server offers: ${Object.keys(caps).sort().join(', ')}`);

  let cs;
  let browser;
  let wb;
  try {
    await step(null, 'install: code-server --install-extension with the .vsix', async () => {
      const out = execFileSync(
        CODE_SERVER,
        ['--user-data-dir', USER_DATA, '--extensions-dir', EXTENSIONS, '--install-extension', vsix],
        { env, encoding: 'utf8' },
      );
      if (!/successfully installed/.test(out)) {
        throw new Error(out);
      }
      const installed = fs.readdirSync(EXTENSIONS).filter((d) => d.startsWith('azfunc-lsp.azfunc-lsp-'));
      if (installed.length !== 1) {
        throw new Error(`extensions dir holds ${JSON.stringify(fs.readdirSync(EXTENSIONS))}`);
      }
      const bundled = path.join(EXTENSIONS, installed[0], 'server', 'azfunc-lsp');
      const hasServer = fs.existsSync(bundled);
      if (hasServer) {
        fs.accessSync(bundled, fs.constants.X_OK);
      }
      return `${installed[0]}${hasServer ? ', bundled server executable' : ', no bundled server'}`;
    });

    const port = await freePort();
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE)}`;
    fs.writeFileSync(path.join(ART, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const csLog = fs.openSync(path.join(ART, 'code-server.log'), 'w');
    cs = spawn(
      CODE_SERVER,
      [
        '--config', path.join(ART, 'config.yaml'),
        '--user-data-dir', USER_DATA,
        '--extensions-dir', EXTENSIONS,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        WORKSPACE,
      ],
      { env, stdio: ['ignore', csLog, csLog], detached: true },
    );
    await until('code-server to listen', () => httpOk(`http://127.0.0.1:${port}/healthz`), LOAD_MS, 500);
    log(`code-server pid ${cs.pid} on port ${port}`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
    const page = await context.newPage();
    wb = new Workbench(page);

    const loaded = await step(wb, 'workbench: the folder opens and the extension starts the bundled server', async () => {
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: LOAD_MS });
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: LOAD_MS });
      const pids = await until('the bundled azfunc-lsp process', async () => {
        const p = bundledServerPids();
        return p.length > 0 ? p : undefined;
      }, WAIT_MS);
      return `server pid ${pids.join(',')}`;
    });
    if (!loaded) {
      return;
    }

    await step(wb, 'diagnostics: the Problems panel lists AZF201, AZF122 and AZF204 from azfunc (the name mismatch once)', async () => {
      const rows = await wb.waitProblems('AZF201, AZF122, AZF204', (r) =>
        hasCodes(r, ['AZF201', 'AZF122', 'AZF204']),
      );
      if (hasCodes(rows, ['AZF202'])) {
        throw new Error('the name mismatch is reported twice (AZF202 too)');
      }
      await wb.screenshot('problems');
      return `${rows.filter((r) => /azfunc/.test(r)).length} azfunc rows`;
    });

    await step(wb, 'command "azfunc-lsp: Show Output": the log names the bundled server and its version', async () => {
      await wb.runCommand('azfunc-lsp: Show Output');
      const text = await until('the azfunc-lsp output', async () => {
        // The view wraps long lines (where depends on the length of the server's path): match
        // on the text with line breaks taken out.
        const t = (await wb.outputText()).replace(/\s+/g, ' ');
        return /\(from bundled\)/.test(t) && /running azfunc-lsp \d+\.\d+\.\d+/.test(t) ? t : undefined;
      }, SHORT_MS);
      await wb.screenshot('output');
      return (text.match(/\[client\] running azfunc-lsp \S+/) || [])[0];
    });

    await step(wb, 'completion: "type" in function.json offers binding types; picking blob sets it', async () => {
      await wb.showProblems();
      await wb.openFile('ArchiveOrder', 'function.json');
      let lines = await wb.editorLines();
      if (lines[11] !== '      "type": "",') {
        throw new Error(`line 12 is ${JSON.stringify(lines[11])}`);
      }
      await wb.gotoLine(12, 16);
      await page.keyboard.press('Control+Space');
      const labels = await until('binding types in the suggest widget', async () => {
        const l = await page.$$eval('.suggest-widget .monaco-list-row', (els) =>
          els.map((e) => (e.getAttribute('aria-label') || '').split(',')[0]),
        );
        return ['activityTrigger', 'blobTrigger', 'cosmosDBTrigger'].every((x) => l.includes(x)) ? l : undefined;
      }, WAIT_MS);
      // Focus blobTrigger and show its documentation beside the list, for the screenshot.
      for (let i = 0; i < 10; i++) {
        const focused = await page.$eval('.suggest-widget .monaco-list-row.focused', (e) => e.getAttribute('aria-label') || '')
          .catch(() => '');
        if (focused.startsWith('blobTrigger,')) {
          break;
        }
        await page.keyboard.press('ArrowDown');
      }
      const docs = '.suggest-details-container .suggest-details .docs';
      if (!(await page.locator(docs).isVisible().catch(() => false))) {
        await page.keyboard.press('Control+Space');
      }
      await page.waitForSelector(docs, { state: 'visible', timeout: SHORT_MS });
      await sleep(300);
      await wb.screenshot('completion');
      await page.keyboard.type('blo');
      const blob = page.locator('.suggest-widget .monaco-list-row[aria-label^="blob,"]');
      await blob.waitFor({ timeout: SHORT_MS });
      await blob.click();
      await until('line 12 to read "type": "blob"', async () => {
        lines = await wb.editorLines();
        return lines[11] === '      "type": "blob",';
      }, SHORT_MS);
      return `${labels.length} items shown before filtering, e.g. ${labels.slice(0, 4).join(', ')}`;
    });

    await step(wb, 'settings: azfunc.rules.ignore hides AZF122 live, and removing it brings AZF122 back', async () => {
      await wb.setSettings({ 'azfunc.rules.ignore': ['AZF122'] });
      await wb.waitProblems('AZF122 to go away', (r) => !hasCodes(r, ['AZF122']) && hasCodes(r, ['AZF201', 'AZF204']));
      await wb.setSettings({});
      await wb.waitProblems('AZF122 to come back', (r) => hasCodes(r, ['AZF122', 'AZF201', 'AZF204']));
    });

    await step(wb, 'quick fix: "Wrap in func.Out" on the receipt parameter clears AZF204', async () => {
      if (!caps.codeActionProvider) {
        return { skip: 'the server does not offer textDocument/codeAction' };
      }
      await wb.openFile('ProcessOrder', '__init__.py');
      await wb.gotoLine(7, 45);
      await page.keyboard.press('Control+.');
      const action = page.locator('.action-widget .monaco-list-row.action', { hasText: /func\.Out/ }).first();
      await action.waitFor({ timeout: WAIT_MS });
      const titles = await page.$$eval('.action-widget .monaco-list-row.action', (els) =>
        els.map((e) => e.getAttribute('aria-label') || e.innerText.trim()),
      );
      await wb.screenshot('quick-fix-menu');
      // The menu takes the keyboard (a pointer block covers the page): move to the action, Enter.
      await until('the func.Out action to be focused', async () => {
        const focused = await page
          .$eval('.action-widget .monaco-list-row.focused', (e) => e.getAttribute('aria-label') || '')
          .catch(() => '');
        if (/func\.Out/.test(focused)) {
          return true;
        }
        await page.keyboard.press('ArrowDown');
        return false;
      }, SHORT_MS);
      await page.keyboard.press('Enter');
      await until('the annotation to become func.Out[str]', async () => {
        const lines = await wb.editorLines();
        return lines[6] && lines[6].includes('receipt: func.Out[str]');
      }, SHORT_MS);
      await wb.waitProblems('AZF204 to clear', (r) => !hasCodes(r, ['AZF204']) && hasCodes(r, ['AZF201', 'AZF122']));
      await wb.screenshot('quick-fix-applied');
      return `actions offered: ${titles.join(' | ')}`;
    });

    await step(wb, 'command "Azure Functions: Show Host View": the host\'s view of the app opens beside', async () => {
      if (!(caps.executeCommandProvider?.commands || []).includes('azfunc-lsp.showFunctionMetadata')) {
        return { skip: 'the server does not offer azfunc-lsp.showFunctionMetadata' };
      }
      await wb.openFile('CreateOrder', '__init__.py');
      await wb.runCommand('Azure Functions: Show Host View');
      // From the palette, the view covers the app of the active document (every function, in
      // name order): its first lines show the functions and their bindings.
      await until('the host view of the app', async () => {
        // Each editor group has an active tab: the view opens in the second one.
        const titles = await page.$$eval('.tabs-container .tab.active', (els) =>
          els.map((e) => e.getAttribute('aria-label') || ''),
        );
        const lines = (await wb.editorLines()).join('\n');
        return titles.some((t) => /host-view\.json/.test(t)) && lines.includes('"functions": [') && lines.includes('"bindings": [');
      }, WAIT_MS);
      await wb.screenshot('host-view');
      await wb.runCommand('View: Close All Editor Groups');
    });

    await step(wb, 'command "azfunc-lsp: Restart Language Server": a new server process, diagnostics again, traced with azfunc.trace.server', async () => {
      await wb.setSettings({ 'azfunc.trace.server': 'messages' });
      const before = bundledServerPids();
      await wb.runCommand('azfunc-lsp: Restart Language Server');
      const after = await until('a new server process', async () => {
        const p = bundledServerPids();
        return p.length === 1 && !before.includes(p[0]) ? p : undefined;
      }, WAIT_MS);
      await wb.waitProblems('diagnostics after the restart', (r) => hasCodes(r, ['AZF201', 'AZF122']));
      await wb.runCommand('azfunc-lsp: Show Output');
      // The Output view shows only its last lines: read the channel's log file.
      await until('the traced initialize request in the azfunc-lsp output', async () => {
        const t = outputChannelLog();
        return /\[Trace - [^\]]+\] Sending request 'initialize/.test(t);
      }, SHORT_MS);
      await wb.screenshot('output-trace');
      await wb.setSettings({});
      await wb.showProblems();
      return `pid ${before.join(',')} -> ${after.join(',')}`;
    });

    await step(wb, 'errors: a crashing server is restarted 4 times, then reported', async () => {
      const wrapper = path.join(ART, 'crashing-server.sh');
      fs.writeFileSync(wrapper, `#!/bin/sh\n(sleep 2; kill -9 $$) &\nexec "${SERVER_BIN}" "$@"\n`, { mode: 0o755 });
      await wb.clearNotifications();
      await wb.setSettings({ 'azfunc.server.path': wrapper }, { remote: true });
      const text = await until('the crash message', async () => {
        const n = await wb.notifications();
        return n.find((t) => /crashed 5 times/.test(t));
      }, 90000, 500);
      await wb.screenshot('crash-message');
      return text;
    });

    await step(wb, 'errors: a server path that does not exist is reported', async () => {
      await wb.clearNotifications();
      await wb.setSettings({ 'azfunc.server.path': '/nonexistent/azfunc-lsp' }, { remote: true });
      const text = await until('the not-found message', async () => {
        const n = await wb.notifications();
        return n.find((t) => /not found or is not executable: \/nonexistent\/azfunc-lsp/.test(t));
      }, WAIT_MS, 500);
      await wb.screenshot('not-found-message');
      return text;
    });

    await step(wb, 'errors: removing the setting goes back to the bundled server', async () => {
      await wb.clearNotifications();
      await wb.setSettings({}, { remote: true });
      await until('the bundled azfunc-lsp process', async () => bundledServerPids().length === 1, WAIT_MS);
      await wb.waitProblems('diagnostics from the bundled server', (r) => hasCodes(r, ['AZF201', 'AZF122']));
    });

    await step(wb, 'decorator app: the lens reads "ANY /api/orders/{id} · 3 bindings"; renaming the implied req writes trigger_arg_name', async () => {
      if (!caps.renameProvider) {
        return { skip: 'the server does not offer textDocument/rename' };
      }
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE_V2)}`);
      await page.waitForSelector('.monaco-workbench', { timeout: LOAD_MS });
      if (!(await page.$('.explorer-folders-view'))) {
        await page.keyboard.press('Control+Shift+E');
      }
      const file = page.locator('.explorer-folders-view .monaco-list-row[aria-level="1"][aria-label="function_app.py"]');
      await file.waitFor({ timeout: LOAD_MS });
      await file.click();
      await until('function_app.py in the active editor tab', async () => {
        const tab = await page.$('.tabs-container .tab.active');
        const title = tab ? await tab.getAttribute('aria-label') : '';
        return title && title.startsWith('function_app.py');
      }, SHORT_MS);
      // The lens appears once the server has indexed the app: then rename has the binding too.
      const lenses = await until('the code lens above def orders', async () => {
        const l = await page.$$eval('.part.editor .codelens-decoration', (els) =>
          els.map((e) => e.innerText.replace(/\u00a0/g, ' ').trim()),
        );
        return l.includes('ANY /api/orders/{id} · 3 bindings') ? l : undefined;
      }, WAIT_MS);
      const before = await wb.editorLines();
      const row = before.findIndex((l) => l.startsWith('def orders(req'));
      if (row < 0) {
        throw new Error(`no "def orders(req" line: ${JSON.stringify(before)}`);
      }
      await wb.gotoLine(row + 1, 13);
      await page.keyboard.press('F2');
      const input = page.locator('.rename-box input');
      await input.waitFor({ timeout: SHORT_MS });
      await input.fill('request');
      await page.keyboard.press('Enter');
      const after = await until('the decorator and the parameter to be renamed', async () => {
        const text = (await wb.editorLines()).join('\n');
        return text.includes('trigger_arg_name="request"') &&
          text.includes('def orders(request: func.HttpRequest') &&
          text.includes('request.route_params')
          ? text
          : undefined;
      }, WAIT_MS);
      if (/[^\w]req[^\w]/.test(after)) {
        throw new Error(`req left:\n${after}`);
      }
      await wb.screenshot('v2-rename');
      return `lenses: ${lenses.join(' | ')}`;
    });
  } finally {
    if (browser) {
      await browser.close().catch(() => {});
    }
    if (cs && cs.pid) {
      // The extension host and the language server outlive the browser: end the whole group.
      try {
        process.kill(-cs.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await sleep(1000);
      try {
        process.kill(-cs.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

main()
  .catch((e) => {
    results.push({ name: 'setup', status: 'FAIL', detail: e.stack || e.message });
    log(`FAIL setup - ${e.stack || e.message}`);
  })
  .finally(() => {
    const count = (s) => results.filter((r) => r.status === s).length;
    console.log('');
    console.log('VS Code (code-server) end-to-end results:');
    for (const r of results) {
      console.log(`  ${r.status} ${r.name}${r.detail ? ` (${r.detail.split('\n')[0]})` : ''}`);
    }
    console.log(`artifacts: ${ART}`);
    console.log(`vscode: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped`);
    process.exitCode = count('FAIL') === 0 && count('PASS') > 0 ? 0 : 1;
  });
