-- wrk script: each request registers a new participant on one of the bench
-- workshops (ids in WORKSHOPS, comma-separated), chosen in turn, with the
-- bearer token in TOKEN (wrk.format does not add wrk's -H headers).
local ids = {}
for id in string.gmatch(os.getenv("WORKSHOPS") or "", "[^,]+") do ids[#ids + 1] = id end
local counter = 0
local threads = 0
-- Runs in the main state: gives each thread's state a distinct global `thread_id`.
setup = function(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
request = function()
  counter = counter + 1
  local workshop = ids[(counter % #ids) + 1]
  local body = string.format('{"participant_ref":"bench-%d-%d","display_name":"Bench %d"}',
                             thread_id or 0, counter, counter)
  return wrk.format("POST", "/v1/workshops/" .. workshop .. "/registrations",
                    {["Content-Type"] = "application/json",
                     ["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")}, body)
end
