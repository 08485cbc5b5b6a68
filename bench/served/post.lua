-- wrk script: anonymous comment posts, each with a body no other request sends.
-- Usage: wrk ... -s post.lua http://127.0.0.1:PORT -- PATH ORIGIN SHOWN_AT
-- PATH is /articles/<slug>/comment/, ORIGIN http://127.0.0.1:PORT (the form carries no
-- CSRF token; the site checks the Origin header), SHOWN_AT the form's signed time as the
-- page gave it, url-encoded, sent as a browser sends the form.
-- A post is acknowledged when the site answers 302 (the redirect after saving, to
-- ".../#comment-ID"); done() prints the counts, every other status, and the acknowledged
-- comment ids, for bench/run to parse and look up in the database.

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   path, origin, shown_at = args[1], args[2], args[3]
   sent, acknowledged = 0, 0
   ids, others = {}, {}
   headers = {
      ["Origin"] = origin,
      ["Content-Type"] = "application/x-www-form-urlencoded",
   }
end

function request()
   sent = sent + 1
   local body = "name=Bench+reader+" .. id
      .. "&body=Post+" .. id .. "-" .. sent .. "+from+the+served-page+bench."
      .. "&email=&homepage=&website=&shown_at=" .. shown_at
      .. "&save=1"
   return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
   if status == 302 then
      acknowledged = acknowledged + 1
      local location = headers["location"] or headers["Location"] or ""
      table.insert(ids, location:match("#comment%-(%d+)$") or "?")
   else
      others[status] = (others[status] or 0) + 1
   end
end

function done(summary, latency, requests)
   local total_sent, total_acknowledged = 0, 0
   local all_ids, other_counts, statuses = {}, {}, {}
   for _, thread in ipairs(threads) do
      total_sent = total_sent + thread:get("sent")
      total_acknowledged = total_acknowledged + thread:get("acknowledged")
      for _, comment_id in ipairs(thread:get("ids")) do
         table.insert(all_ids, comment_id)
      end
      for status, count in pairs(thread:get("others")) do
         other_counts[status] = (other_counts[status] or 0) + count
      end
   end
   for status, count in pairs(other_counts) do
      table.insert(statuses, count .. " x " .. status)
   end
   io.write("sent " .. total_sent .. "\n")
   io.write("acknowledged " .. total_acknowledged .. "\n")
   io.write("other statuses " .. table.concat(statuses, ", ") .. "\n")
   io.write("acknowledged ids " .. table.concat(all_ids, " ") .. "\n")
end
