-- wrk script for the gateway's vote route: every request casts a new
-- voter's ballot. Tokens (one per line: "district proposal token") are split
-- between wrk's threads so no two requests reuse a voter.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  path_prefix = args[1]
  local nthreads = tonumber(args[2])
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
  if b == nil then b = ballots[1] end  -- out of voters: repeats are refused (409)
  next_ballot = next_ballot + 1
  local body = string.format('{"voterToken":"%s","choices":[{"proposalId":"%s"}],"idempotencyKey":"w%d-%d"}',
                             b[3], b[2], id, next_ballot)
  return wrk.format("POST", path_prefix .. b[1] .. "/ballots", {["Content-Type"] = "application/json"}, body)
end
