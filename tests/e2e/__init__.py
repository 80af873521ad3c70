"""End-to-end conversation scripts, each run through Teams and through Slack."""
