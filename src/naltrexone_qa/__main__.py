"""``python -m naltrexone_qa`` runs the same CLI as the console script."""

from .frontends.cli import main

if __name__ == "__main__":
    main()
