"""Saved searches matched against new adverts (batched reverse search), mails, and the ledger that
makes each one arrive once. See docs/alerts.md."""
