-- wrk script: each request asks POST /oauth/token for a token
-- (client_credentials, client_secret_basic with the "id:secret" base64 in
-- BASIC; wrk.format does not add wrk's -H headers).
local body = "grant_type=client_credentials"
local headers = {["Content-Type"] = "application/x-www-form-urlencoded",
                 ["Authorization"] = "Basic " .. (os.getenv("BASIC") or "")}
request = function()
  return wrk.format("POST", "/oauth/token", headers, body)
end
