-- The client side of the server command `azfunc-lsp.showFunctionMetadata` (run by the code lens
-- above each function): asks the server for what the host sees of the function and shows the
-- answer as JSON in a scratch buffer. Works on Neovim 0.7 and later.
local M = {}

M.COMMAND = 'azfunc-lsp.showFunctionMetadata'

local islist = vim.islist or vim.tbl_islist
local empty_dict_mt = getmetatable(vim.empty_dict())

-- The JSON of `value`, indented by two spaces; object keys sorted, so that the text is stable.
local function encode(value, indent)
  local t = type(value)
  if value == nil or value == vim.NIL then
    return 'null'
  elseif t == 'table' then
    local inner = indent .. '  '
    local parts = {}
    if next(value) == nil then
      return getmetatable(value) == empty_dict_mt and '{}' or '[]'
    elseif islist(value) then
      for _, item in ipairs(value) do
        table.insert(parts, inner .. encode(item, inner))
      end
      return '[\n' .. table.concat(parts, ',\n') .. '\n' .. indent .. ']'
    end
    local keys = vim.tbl_keys(value)
    table.sort(keys, function(a, b)
      return tostring(a) < tostring(b)
    end)
    for _, k in ipairs(keys) do
      table.insert(parts, inner .. vim.fn.json_encode(tostring(k)) .. ': ' .. encode(value[k], inner))
    end
    return '{\n' .. table.concat(parts, ',\n') .. '\n' .. indent .. '}'
  end
  return vim.fn.json_encode(value)
end
M.encode = encode

--- Shows `view` (the command's answer) in a scratch buffer with filetype json, in a split;
--- reuses the buffer of an earlier view. Returns the buffer.
function M.show(view, title)
  local name = 'azfunc://host-view/' .. (title or 'app')
  M._buffers = M._buffers or {}
  local buf = M._buffers[name]
  if not (buf and vim.api.nvim_buf_is_valid(buf)) then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
    M._buffers[name] = buf
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(encode(view, ''), '\n', { plain = true }))
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'json'
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd('vsplit')
    vim.api.nvim_win_set_buf(0, buf)
  else
    vim.api.nvim_set_current_win(win)
  end
  return buf
end

local function send(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- The client command: `command` is the lens's command, `ctx` has `client_id` and `bufnr`.
--- The server answers `workspace/executeCommand`; the answer opens in a scratch buffer.
function M.run(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local params = { command = command.command, arguments = command.arguments }
  send(client, 'workspace/executeCommand', params, function(err, result)
    if err then
      vim.notify('azfunc-lsp: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    local arg = (command.arguments or {})[1]
    local fn = type(arg) == 'table' and arg['function'] or (type(arg) == 'string' and arg or nil)
    M.show(result, fn)
  end, ctx.bufnr)
end

--- The `commands` field of a client configuration.
M.commands = { [M.COMMAND] = M.run }

return M
