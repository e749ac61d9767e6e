-- wrk script for an uncached route: every request asks for a different
-- line-name filter, so the gateway's response cache never answers.
local n = 0
function setup(thread)
  thread:set("id", n)
  n = n + 1
end
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", string.format("/v1/budget/lines?pageSize=5&filter.nameContains=%d-%d", id, i))
end
