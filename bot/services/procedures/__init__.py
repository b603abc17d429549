"""Procedure guides: the catalog, search index, guides, posters and QR codes."""
