"""One module per file format, holding its reader and its writer together."""
