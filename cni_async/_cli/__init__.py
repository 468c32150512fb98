"""`cni-async`: the command line over the SDK (argparse, stdlib only).

```
cni-async [global options] COMMAND ...
  interconnects list|get|create|delete|loa|status|wait
  cnis          list|get|create|update|delete
  slots         list|get
  settings      get|update
  wait          NAME            (same as `interconnects wait`)
  emulator      [--host --port --token --demo]
```

Global options go before or after the command: `--output json|table`,
`--emulator`, `--api-token`, `--account-id`, `--base-url`, `--timeout`,
`--max-retries`, `--verbose`, `--version`. Exit statuses are listed in
`_errors.py` and in `cni-async --help`.
"""

from ._app import main

__all__ = ["main"]
