"""Ingest: readers for CSV/XLSX/SDMX-CSV and one module per source (``ingest.sources``)."""
