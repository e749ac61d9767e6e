-- wrk script for the gateway's vote route: every request casts a new
-- voter's ballot. Tokens (one per line: "district proposal token") are split
-- between wrk's threads so no two requests reuse a voter. Every answer must
-- be 200 with a receipt (wrk_check.lua); receipt codes are written to the
-- file given as the fourth argument for the bench to find each in PostgreSQL.
dofile(os.getenv("BKK_BENCH_DIR") .. "/wrk_check.lua")
expect_status, expect_marker = 200, '"receiptCode":"'
record_pattern = '"receiptCode":"([^"]+)"'

function init(args)
  path_prefix = args[1]
  local nthreads = tonumber(args[2])
  record_path = args[4]
  ballots = {}
  local i = 0
  for line in io.lines(args[3]) do
    if i % nthreads == id then
      local d, p, t = line:match("(%d+) (%d+) (%S+)")
      table.insert(ballots, {d, p, t})
    end
    i = i + 1
  end
  next_ballot = 1
end

function request()
  local b = ballots[next_ballot]
  if b == nil then b = ballots[1] end  -- out of voters: repeats are refused (409) and fail the check
  next_ballot = next_ballot + 1
  local body = string.format('{"voterToken":"%s","choices":[{"proposalId":"%s"}],"idempotencyKey":"w%d-%d"}',
                             b[3], b[2], id, next_ballot)
  return wrk.format("POST", path_prefix .. b[1] .. "/ballots", {["Content-Type"] = "application/json"}, body)
end
