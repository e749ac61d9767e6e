-- wrk script for POST /v1/keywords:segment: the same HTTP/JSON -> gRPC path
-- as the vote route (a JSON body, an uncached unary call) to a backend that
-- answers from memory in microseconds. What the gateway plus one gRPC call
-- cost on this machine: the most any gRPC-backed route can reach here. The
-- same script drives grpc-gateway on the same backend. Every answer must be
-- 200 with tokens (wrk_check.lua).
dofile(os.getenv("BKK_BENCH_DIR") .. "/wrk_check.lua")
expect_status, expect_marker = 200, '"stopWord":'
local body = '{"text":"โครงการก่อสร้างถนนและท่อระบายน้ำ"}'
function request()
  return wrk.format("POST", "/v1/keywords:segment", {["Content-Type"] = "application/json"}, body)
end
