"""The Slack bot: a Bolt app over the pipeline, with per-thread conversation memory."""
