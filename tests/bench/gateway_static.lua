-- wrk script for a GET whose answer is known: the budget overview, from
-- nginx's file or the gateway's cache. Checked like every route
-- (wrk_check.lua): status 200 and the overview's years.
dofile(os.getenv("BKK_BENCH_DIR") .. "/wrk_check.lua")
expect_status, expect_marker = 200, '"years":[{'
