-- Posts a distinct lead on every request (distinct email per thread and request, so none is a
-- duplicate), as a lead vendor would, with the vendor key from the VENDOR_KEY environment variable.
local counter = 0
local threads = {}
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  key = os.getenv("VENDOR_KEY")
  prefix = string.format("%s-w%d", os.getenv("RUN_ID") or "run", tid)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email":"%s-%d@example.com","fname":"Pat","lname":"Lee","phone":"555-0100",' ..
    '"request_subject":"Showing request","request_details":"Wants to see 12 Elm St on Saturday",' ..
    '"campaign_id":"spring-open-house","tags":"buyer"}', prefix, counter)
  return wrk.format("POST", "/clientapi/lead-import",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }, body)
end

dofile(os.getenv("WRK_REPORT"))
