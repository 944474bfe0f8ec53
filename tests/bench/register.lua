-- wrk script: each request registers a new participant on one of the bench
-- workshops (ids in WORKSHOPS, comma-separated), chosen in turn.
local ids = {}
for id in string.gmatch(os.getenv("WORKSHOPS") or "", "[^,]+") do ids[#ids + 1] = id end
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local workshop = ids[(counter % #ids) + 1]
  local body = string.format('{"participant_ref":"bench-%d-%d","display_name":"Bench %d"}',
                             thread_id, counter, counter)
  return wrk.format("POST", "/v1/workshops/" .. workshop .. "/registrations",
                    {["Content-Type"] = "application/json"}, body)
end
