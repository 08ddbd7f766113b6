-- wrk script: requests the paths listed in the file named by the
-- WRK_TARGETS environment variable, one per line, each thread starting at
-- its own offset, in a loop.
local paths = {}
local next_index = 1

function init(args)
  for line in io.lines(os.getenv("WRK_TARGETS")) do
    paths[#paths + 1] = line
  end
  next_index = (wrk.thread:get("id") or 0) * 7919 % #paths + 1
end

function setup(thread)
  thread_count = (thread_count or 0) + 1
  thread:set("id", thread_count)
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end
