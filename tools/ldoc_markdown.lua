-- The Markdown formatter of `make doc` (config.ld: format = "ldoc_markdown"; mk/doc.mk puts
-- tools/ on LUA_PATH for LDoc, which runs under Lua 5.1).  Debian's lua-markdown follows
-- Markdown.pl and takes the underscores inside names (write_speed, DID_TIME_OUT) for
-- emphasis; cdperf's doc comments are full of such names, so every "_" of the text is
-- escaped first, except in HTML tags, <pre> blocks (LDoc's code blocks), code spans and
-- indented code blocks.  Emphasis in the doc comments uses "*".
local markdown = require "markdown"

-- "_" -> "\_" outside <tags>, `code spans` and <pre>...</pre> of one piece of text; and
-- "*" -> "\*" between <code> and </code> (LDoc has turned `spans` into those already)
local function escape_text(s)
  local out, i, n, in_code = {}, 1, #s, false
  local function text(t)
    t = t:gsub("_", "\\_")
    if in_code then t = t:gsub("%*", "\\*") end
    return t
  end
  while i <= n do
    local a = s:find("[<`]", i)
    if not a then
      out[#out + 1] = text(s:sub(i))
      break
    end
    out[#out + 1] = text(s:sub(i, a - 1))
    local stop
    if s:sub(a, a) == "`" then
      stop = s:find("`", a + 1, true)
    elseif s:sub(a, a + 3):lower() == "<pre" then
      local _, e = s:find("</pre>", a, true)
      stop = e
    else
      stop = s:find(">", a + 1, true)
      local tag = stop and s:sub(a, stop):lower()
      if tag == "<code>" then in_code = true elseif tag == "</code>" then in_code = false end
    end
    if not stop then
      out[#out + 1] = s:sub(a)
      break
    end
    out[#out + 1] = s:sub(a, stop)
    i = stop + 1
  end
  return table.concat(out)
end

return function(text)
  -- indented code blocks (4 spaces after a blank line) stay as they are
  local chunks, buf, in_code, prev_blank = {}, {}, false, true
  local function flush(code)
    if #buf > 0 then
      local s = table.concat(buf, "\n")
      chunks[#chunks + 1] = code and s or escape_text(s)
      buf = {}
    end
  end
  for line in (text .. "\n"):gmatch("(.-)\n") do
    local blank = line:find("%S") == nil
    local code = not blank and #line:match("^ *") >= 4 and (in_code or prev_blank)
    if not blank and code ~= in_code then
      flush(in_code)
      in_code = code
    end
    buf[#buf + 1] = line
    prev_blank = blank
  end
  flush(in_code)
  return markdown(table.concat(chunks, "\n"))
end
