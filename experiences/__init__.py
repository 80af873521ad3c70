"""Monthly AI-erfaringer: campaigns, reminders and the experiences people share."""
