"""``python -m wasmrun``: the ``wasmrun`` command, as its console script runs it."""

from wasmrun.cli.main import console

if __name__ == "__main__":
    console()
