-- Posts a lead the way the delivery worker does, straight to the stand-in CRM: its own ceiling.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"api_key":"bench-agent-key-agent-000","email":"lead1@example.com","fname":"Pat","lname":"Lee 1",' ..
  '"phone":"555-0101","request_subject":"Showing request","request_details":"Wants to see 12 Elm St on Saturday",' ..
  '"campaign_id":"spring-open-house","tags":"buyer"}'
dofile(os.getenv("WRK_REPORT"))
