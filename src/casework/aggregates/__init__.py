"""The domain: one module per aggregate. Imports nothing from the web or the database."""
