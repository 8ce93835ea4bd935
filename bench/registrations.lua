-- wrk script: registers one-question visits through the API with an API token,
-- as a help point's own registration system would. TOKEN and POINT come from
-- the environment (scripts/bench-registrations sets them).
local token = os.getenv("TOKEN")
local point = os.getenv("POINT")
local topics = {"digid", "belastingen-toeslagen", "bankzaken", "telefoon-tablet", "zorg", "email-internet"}
local pc4 = {"3011", "3012", "3021", "3022", "3071", "3081"}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
request = function()
  i = i + 1
  local body = string.format(
    '{"help_point_id":"%s","pc4":"%s","questions":[{"topic":"%s","minutes":%d}]}',
    point, pc4[(i % #pc4) + 1], topics[(i % #topics) + 1], 5 + (i % 40))
  return wrk.format(nil, "/api/v1/help-questions", nil, body)
end
response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
