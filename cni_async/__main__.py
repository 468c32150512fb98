"""`python -m cni_async`: the same as the `cni-async` console script."""

import sys

from cni_async._cli import main

if __name__ == "__main__":
    sys.exit(main())
