"""How long idle keep-alive connections live between the platform's own processes.

A server must keep an idle connection open longer than any of its clients keeps it pooled:
otherwise the server closes it just as a client sends a request on it, and that request fails
(the gateway answered a 502 "can not write request body" under concurrent writes, with uvicorn's
default of 5 s against the gateway's 30 s pool).
"""

# uvicorn's --timeout-keep-alive of every process (kafaat.launcher, deploy/python/Dockerfile).
SERVER_SECONDS = 75
# The gateway's pool to the services; nginx's to the gateway is 60 s (kafaat.edge); httpx2's
# clients keep theirs 5 s.
CLIENT_SECONDS = 30
