"""The regional views: figures of the three services, asked for concurrently and put together
at the gateway (``fanout``), with partial results when a service fails."""
