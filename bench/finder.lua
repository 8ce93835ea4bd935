-- wrk script: nearest-help queries from many postcodes, with and without a topic.
local postcodes = {"3011", "1012", "9711", "5611", "6511", "3511", "2511", "7511", "8011", "4811",
                   "9000", "2000", "1000", "3000", "8000", "3500", "3015", "1071", "6211", "9401"}
local topics = {"", "&topic=bankzaken", "&topic=digid", "&topic=geld"}
local i = 0
request = function()
  i = i + 1
  local path = "/api/v1/help-points/nearest?place=" .. postcodes[(i % #postcodes) + 1]
      .. topics[(i % #topics) + 1] .. "&limit=10"
  return wrk.format("GET", path)
end
