"""Front ends: the command line, the terminal chat and the Slack bot, all thin layers over ``QA``."""
