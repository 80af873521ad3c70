"""The ambassadors' desk: questions the AI-kompas could not answer, as cases."""
