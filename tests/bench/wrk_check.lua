-- Shared by every wrk script of ./bkk bench gateway: a request per response
-- is not enough, each response must be the right one. A route script sets
-- expect_status and expect_marker (a string its answer must contain) and may
-- set record_pattern and record_path (every good response's capture of the
-- pattern is written to that file, one per line, after the run: the vote
-- route records receipt codes for the bench to find in PostgreSQL). done() prints
-- "checked good G bad_status B no_marker M" and the first bad answer.
-- Threads get their number in `id` (0, 1, ...), for scripts that split work.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

good, bad_status, no_marker, first_bad, records = 0, 0, 0, nil, {}

function response(status, headers, body)
  if status ~= expect_status then
    bad_status = bad_status + 1
  elseif not string.find(body, expect_marker, 1, true) then
    no_marker = no_marker + 1
  else
    good = good + 1
    if record_pattern then table.insert(records, string.match(body, record_pattern) or "?") end
    return
  end
  if first_bad == nil then first_bad = status .. " " .. string.sub(body, 1, 300) end
end

function done(summary, latency, requests)
  local g, b, m, sample, out = 0, 0, 0, nil, nil
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    b = b + thread:get("bad_status")
    m = m + thread:get("no_marker")
    sample = sample or thread:get("first_bad")
    local path = thread:get("record_path")
    if path then
      out = out or io.open(path, "w")
      for _, r in ipairs(thread:get("records")) do out:write(r, "\n") end
    end
  end
  if out then out:close() end
  local e = summary.errors
  io.write(string.format("checked good %d bad_status %d no_marker %d socket_errors %d timeouts %d\n", g, b, m,
                         e.connect + e.read + e.write, e.timeout))
  if sample then io.write("first bad answer: ", sample, "\n") end
end
