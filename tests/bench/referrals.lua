-- wrk script: referrals from caf-gers (TOKEN) to france-services-mirande, each
-- POST under a new Idempotency-Key. With MOVES=1, every other request moves a
-- referral this thread created (the receiver, RECEIVER_TOKEN, accepts it):
-- a mixed load of creations and status moves.
local counter = 0
local threads = 0
local created = {}
local moves = os.getenv("MOVES") == "1"
local sender = "Bearer " .. (os.getenv("TOKEN") or "")
local receiver = "Bearer " .. (os.getenv("RECEIVER_TOKEN") or "")
local body = '{"to_org":"france-services-mirande","need":"caf_procedures",' ..
  '"beneficiary":{"first_name":"Bench","last_name":"Bench","phone":"06 12 34 56 78",' ..
  '"contact_preference":"phone"},' ..
  '"consent":{"given":true,"method":"oral","recorded_at":"2026-01-01T09:00:00Z"},' ..
  '"notes":"bench"}'
-- Runs in the main state: gives each thread's state a distinct global `thread_id`.
setup = function(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
init = function()
  math.randomseed(os.time() + (thread_id or 0))
  run_id = math.random(1, 1000000000)
end
request = function()
  counter = counter + 1
  if moves and counter % 2 == 0 and #created > 0 then
    local location = table.remove(created, 1)
    return wrk.format("POST", location .. "/events",
                      {["Content-Type"] = "application/json", ["Authorization"] = receiver},
                      '{"type":"accepted"}')
  end
  local key = string.format("bench-%d-%d-%d", run_id, thread_id or 0, counter)
  return wrk.format("POST", "/v1/referrals",
                    {["Content-Type"] = "application/json", ["Authorization"] = sender,
                     ["Idempotency-Key"] = key}, body)
end
response = function(status, headers, _)
  if status == 201 and headers["Location"] then
    created[#created + 1] = headers["Location"]
  end
end
