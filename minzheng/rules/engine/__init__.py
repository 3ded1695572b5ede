"""Rules engine: Django-free; policies as YAML compiled to Polars expressions."""
