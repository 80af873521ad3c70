"""The sample content that ships with Kompas: AI-kompas topics, templates, Teams texts."""
