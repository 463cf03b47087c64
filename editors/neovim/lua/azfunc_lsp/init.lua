-- Helpers for Neovim versions and setups without `vim.lsp.config` (0.7 to 0.10, nvim-lspconfig).
local M = {}

--- Client-side commands: `azfunc-lsp.showFunctionMetadata` (the code lenses) shows what the host
--- sees of a function in a scratch buffer.
M.commands = require('azfunc_lsp.host_view').commands

M.root_markers = { 'host.json', 'function_app.py' }
M.filetypes = { 'json', 'python' }

--- The nearest folder at or above `path` that holds one of the root markers, or nil.
function M.find_root(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  while true do
    for _, marker in ipairs(M.root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- Sends the `azfunc` settings as initializationOptions too, so that the first check of the app
--- uses them; and asks for pushed diagnostics from a client that pulls them but cannot be asked
--- to pull again (workspace/diagnostic/refresh), so that a change in one file updates the
--- diagnostics of the other open files.
function M.before_init(params, config)
  local azfunc = config.settings and config.settings.azfunc
  if azfunc and params.initializationOptions == nil then
    params.initializationOptions = { azfunc = azfunc }
  end
  local caps = params.capabilities or {}
  local ws = caps.workspace or {}
  local refresh = ws.diagnostics and ws.diagnostics.refreshSupport
  if caps.textDocument and caps.textDocument.diagnostic and not refresh then
    caps.textDocument.diagnostic = nil
  end
end

--- A client configuration for `vim.lsp.start_client` / `vim.lsp.start`, or nil outside an app.
--- `opts` may set cmd, settings, on_attach, capabilities, ...
function M.config(bufnr, opts)
  opts = opts or {}
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(name ~= '' and name or vim.fn.getcwd() .. '/x')
  if not root then
    return nil
  end
  return vim.tbl_extend('force', {
    name = 'azfunc_lsp',
    cmd = { 'azfunc-lsp', 'serve' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    settings = { azfunc = vim.empty_dict() },
    before_init = M.before_init,
    commands = M.commands,
  }, opts)
end

--- Starts (or reuses) a client for `bufnr` on Neovim 0.7+; returns the client id or nil.
function M.attach(bufnr, opts)
  local config = M.config(bufnr, opts)
  if not config then
    return nil
  end
  if vim.lsp.start then -- 0.8+
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  M._clients = M._clients or {}
  local id = M._clients[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    M._clients[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Attaches every json and python buffer inside a function app (for setups without
--- `vim.lsp.enable` or nvim-lspconfig).
function M.setup(opts)
  local group = vim.api.nvim_create_augroup('azfunc_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.filetypes,
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
end

--- Registers the server with nvim-lspconfig versions that have no `lsp/` configs of their own:
--- `require('azfunc_lsp').lspconfig()` then `require('lspconfig').azfunc_lsp.setup({})`.
function M.lspconfig()
  local configs = require('lspconfig.configs')
  if configs.azfunc_lsp then
    return
  end
  local util = require('lspconfig.util')
  configs.azfunc_lsp = {
    default_config = {
      cmd = { 'azfunc-lsp', 'serve' },
      filetypes = M.filetypes,
      root_dir = util.root_pattern(unpack(M.root_markers)),
      single_file_support = false,
      settings = { azfunc = vim.empty_dict() },
      before_init = M.before_init,
      commands = M.commands,
    },
    docs = {
      description = 'azfunc-lsp: language server for Azure Functions Python apps.',
    },
  }
end

return M
