-- wrk script for tests/scale/run.sh: GET /v1/places in turn as a page of the
-- list, a text search, a nearest-first page and a small GeoJSON page, with the
-- bearer token in TOKEN.
local paths = {
  "/v1/places?limit=20",
  "/v1/places?q=mediatheque&limit=20",
  "/v1/places?near=43.6625,0.6083&radius_km=20&limit=20",
  "/v1/places?format=geojson&limit=20",
}
local auth = "Bearer " .. (os.getenv("TOKEN") or "")
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[n % #paths + 1], {["Authorization"] = auth})
end
