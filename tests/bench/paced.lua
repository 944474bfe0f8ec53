-- wrk script: a constant offered load, for latency at a fixed rate rather than
-- at saturation. Each connection waits CONNECTIONS / RATE seconds between its
-- requests (RATE requests/s in all). TARGET is a path to GET with TOKEN, or
-- "referral": a POST /v1/referrals under a new Idempotency-Key each.
local rate = tonumber(os.getenv("RATE") or "100")
local connections = tonumber(os.getenv("CONNECTIONS") or "10")
local target = os.getenv("TARGET") or "/healthz"
local auth = "Bearer " .. (os.getenv("TOKEN") or "")
local body = '{"to_org":"france-services-mirande","need":"caf_procedures",' ..
  '"beneficiary":{"first_name":"Bench","last_name":"Bench","phone":"06 12 34 56 78",' ..
  '"contact_preference":"phone"},' ..
  '"consent":{"given":true,"method":"oral","recorded_at":"2026-01-01T09:00:00Z"},' ..
  '"notes":"bench"}'
local counter = 0
local threads = 0
setup = function(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
init = function()
  math.randomseed(os.time() + (thread_id or 0))
  run_id = math.random(1, 1000000000)
end
delay = function()
  return connections * 1000 / rate
end
request = function()
  if target ~= "referral" then
    return wrk.format("GET", target, {["Authorization"] = auth})
  end
  counter = counter + 1
  local key = string.format("paced-%d-%d-%d", run_id, thread_id or 0, counter)
  return wrk.format("POST", "/v1/referrals",
                    {["Content-Type"] = "application/json", ["Authorization"] = auth,
                     ["Idempotency-Key"] = key}, body)
end
