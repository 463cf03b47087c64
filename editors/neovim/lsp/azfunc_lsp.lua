-- azfunc-lsp: language server for Azure Functions Python apps.
-- Neovim 0.11+: put this folder on 'runtimepath' (or copy this file to ~/.config/nvim/lsp/),
-- then `vim.lsp.enable('azfunc_lsp')`. Override any field with `vim.lsp.config('azfunc_lsp', {...})`.
local root_markers = { 'host.json', 'function_app.py' }
-- The code lenses' command shows the host view in a scratch buffer; it needs this folder on
-- 'runtimepath' (lua/azfunc_lsp/host_view.lua).
local has_host_view, host_view = pcall(require, 'azfunc_lsp.host_view')

---@type vim.lsp.Config
return {
  cmd = { 'azfunc-lsp', 'serve' },
  filetypes = { 'json', 'python' },
  root_markers = root_markers,
  -- Attach only inside a function app: a JSON or Python file elsewhere gets no client.
  root_dir = function(bufnr, on_dir)
    local root = vim.fs.root(bufnr, root_markers)
    if root then
      on_dir(root)
    end
  end,
  -- Rule settings, answered to the server's `workspace/configuration` requests:
  -- select = { 'AZF2' }, ignore = { 'AZF212' }, severity = { AZF201 = 'warning', AZF106 = 'off' }
  settings = {
    azfunc = vim.empty_dict(),
  },
  commands = has_host_view and host_view.commands or nil,
  before_init = function(params, config)
    -- The same settings as initializationOptions, so that the first check of the app uses them.
    local azfunc = config.settings and config.settings.azfunc
    if azfunc and params.initializationOptions == nil then
      params.initializationOptions = { azfunc = azfunc }
    end
    -- A client that pulls diagnostics but cannot be asked to pull again
    -- (workspace/diagnostic/refresh; Neovim 0.11) would not see a change in one file update the
    -- diagnostics of another open file: let the server push them instead.
    local caps = params.capabilities or {}
    local ws = caps.workspace or {}
    local refresh = ws.diagnostics and ws.diagnostics.refreshSupport
    if caps.textDocument and caps.textDocument.diagnostic and not refresh then
      caps.textDocument.diagnostic = nil
    end
  end,
}
