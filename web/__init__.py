"""The officers' web app. Imports indexer and alerts, never crawlers."""
