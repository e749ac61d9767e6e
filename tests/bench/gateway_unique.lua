-- wrk script for an uncached route: every request asks for lines whose name
-- contains a different piece of a real line name (one per line of the file
-- given as the first argument, URL-encoded; split between wrk's threads), so
-- the gateway's response cache never answers and every answer holds lines
-- (wrk_check.lua).
dofile(os.getenv("BKK_BENCH_DIR") .. "/wrk_check.lua")
expect_status, expect_marker = 200, '"lines":[{'

function init(args)
  local nthreads = tonumber(args[2])
  pieces = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then table.insert(pieces, line) end
    i = i + 1
  end
  next_piece = 0
end

function request()
  next_piece = next_piece % #pieces + 1  -- wraps only if the run outlasts the list
  return wrk.format("GET", "/v1/budget/lines?pageSize=5&filter.nameContains=" .. pieces[next_piece])
end
